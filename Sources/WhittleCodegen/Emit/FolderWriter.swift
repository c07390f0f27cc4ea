import Foundation
import WhittleIR
import WhittleSupport

/// Writes a whole folder or nothing (`AtomicOutput.writeFolder`), and only over a folder that
/// is empty or was written by `whittle emit`, so `-o` never replaces a user's own folder.
enum FolderWriter {
    static func write(_ files: [(path: String, bytes: [UInt8])], to destination: URL) throws {
        let manager = FileManager.default
        let destination = destination.standardizedFileURL
        let parent = destination.deletingLastPathComponent()
        do { try manager.createDirectory(at: parent, withIntermediateDirectories: true) } catch {
            throw CodegenError("cannot write \(destination.path): cannot create \(parent.path) (\(fileErrorText(error)))")
        }
        var isDirectory: ObjCBool = false
        if manager.fileExists(atPath: destination.path, isDirectory: &isDirectory) {
            let contents = (try? manager.contentsOfDirectory(atPath: destination.path)) ?? []
            guard isDirectory.boolValue, contents.isEmpty || contents.contains(EmitManifest.fileName) else {
                throw CodegenError("\(destination.path) exists and is not a folder written by whittle emit; remove it or choose another -o")
            }
        }
        do {
            try AtomicOutput.writeFolder(files, to: destination)
        } catch {
            throw CodegenError("\(error)")
        }
    }
}
