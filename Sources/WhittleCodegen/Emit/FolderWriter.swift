import Foundation
import WhittleIR

/// Writes a whole folder or nothing: files go into a hidden temporary folder beside the
/// destination, which is renamed into place only when every file is written.
enum FolderWriter {
    static func write(_ files: [(path: String, bytes: [UInt8])], to destination: URL) throws {
        let manager = FileManager.default
        let destination = destination.standardizedFileURL
        let parent = destination.deletingLastPathComponent()
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: parent.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CodegenError("cannot write \(destination.path): the folder \(parent.path) does not exist")
        }
        let exists = manager.fileExists(atPath: destination.path, isDirectory: &isDirectory)
        if exists {
            let contents = (try? manager.contentsOfDirectory(atPath: destination.path)) ?? []
            guard isDirectory.boolValue, contents.isEmpty || contents.contains(EmitManifest.fileName) else {
                throw CodegenError("\(destination.path) exists and is not a folder written by whittle emit; remove it or choose another -o")
            }
        }
        let unique = "\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))"
        let temporary = parent.appendingPathComponent(".\(destination.lastPathComponent).tmp-\(unique)")
        do {
            try manager.createDirectory(at: temporary, withIntermediateDirectories: false)
        } catch {
            throw CodegenError("cannot write into \(parent.path): \(fileErrorText(error))")
        }
        do {
            for file in files {
                let url = temporary.appendingPathComponent(file.path)
                try manager.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(file.bytes).write(to: url)
            }
            if exists {
                let old = parent.appendingPathComponent(".\(destination.lastPathComponent).old-\(unique)")
                try manager.moveItem(at: destination, to: old)
                do {
                    try manager.moveItem(at: temporary, to: destination)
                } catch {
                    try? manager.moveItem(at: old, to: destination)
                    throw error
                }
                try? manager.removeItem(at: old)
            } else {
                try manager.moveItem(at: temporary, to: destination)
            }
        } catch {
            try? manager.removeItem(at: temporary)
            throw CodegenError("cannot write \(destination.path): \(fileErrorText(error))")
        }
    }
}
