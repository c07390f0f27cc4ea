import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes that appear complete or not at all. A file is written to a temporary beside it and
/// renamed over the destination; a folder is built beside it and swapped in with one
/// `renameat2(RENAME_EXCHANGE)` where the kernel has it, so the destination is always either
/// the old complete folder or the new one, never absent or half-written.
public enum AtomicOutput {
    /// Writes `data` to `url` atomically; the error names the file.
    public static func write(_ data: Data, to url: URL) throws {
        let temporary = Temporaries.path(in: url.deletingLastPathComponent(), label: url.lastPathComponent)
        defer { Temporaries.remove(temporary) }
        do {
            try data.write(to: temporary)
            try replace(url, with: temporary)
        } catch let error as OutputError {
            throw error
        } catch {
            throw OutputError("\(url.path): cannot write (\(fileErrorText(error)))")
        }
    }

    /// Writes `files` (relative path, bytes) as the folder `destination`, replacing a folder
    /// that is there (the caller decides whether it may).
    public static func writeFolder(_ files: [(path: String, bytes: [UInt8])], to destination: URL) throws {
        let parent = destination.deletingLastPathComponent()
        let temporary = Temporaries.path(in: parent, label: destination.lastPathComponent)
        defer { Temporaries.remove(temporary) }
        let manager = FileManager.default
        do {
            try manager.createDirectory(at: temporary, withIntermediateDirectories: false)
            for file in files {
                let url = temporary.appendingPathComponent(file.path)
                try manager.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(file.bytes).write(to: url)
            }
            try replace(destination, with: temporary)
        } catch let error as OutputError {
            throw error
        } catch {
            throw OutputError("\(destination.path): cannot write (\(fileErrorText(error)))")
        }
    }

    /// Puts `temporary` at `destination`. A folder already there is exchanged atomically and the
    /// old one (now at `temporary`) is left for the caller's cleanup to remove.
    static func replace(_ destination: URL, with temporary: URL) throws {
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: destination.path, isDirectory: &isDirectory)
        if exists && isDirectory.boolValue {
            if exchange(temporary.path, destination.path) { return }
            // No renameat2: move the old folder aside first (a short window with no destination).
            let old = Temporaries.path(in: destination.deletingLastPathComponent(), label: destination.lastPathComponent + ".old")
            defer { Temporaries.remove(old) }
            try FileManager.default.moveItem(at: destination, to: old)
            do { try FileManager.default.moveItem(at: temporary, to: destination) } catch {
                try? FileManager.default.moveItem(at: old, to: destination)
                throw error
            }
            return
        }
        guard rename(temporary.path, destination.path) == 0 else {
            throw OutputError("\(destination.path): cannot write (\(String(cString: strerror(errno))))")
        }
    }

    /// Linux's atomic swap of two paths, looked up at run time (Swift's Glibc does not export it).
    private static func exchange(_ a: String, _ b: String) -> Bool {
        #if os(Linux)
        typealias RenameAt2 = @convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32
        guard let symbol = dlsym(nil, "renameat2") else { return false } // nil: RTLD_DEFAULT
        let renameat2 = unsafeBitCast(symbol, to: RenameAt2.self)
        let renameExchange: UInt32 = 2
        return renameat2(AT_FDCWD, a, AT_FDCWD, b, renameExchange) == 0
        #else
        return false
        #endif
    }
}

/// An output that cannot be written: one line naming the path and why.
public struct OutputError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
