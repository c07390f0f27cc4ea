import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs code with file descriptors 1 and 2 pointed at temporary files, and returns what it wrote:
/// all a child process would have printed (Swift's `print`, `FileHandle` writes, C stdio), in this
/// process. Files, not pipes, so any amount of output fits without a reader thread.
enum OutputCapture {
    struct Captured<Value> {
        var value: Value
        var stdout: String
        var stderr: String
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func run<Value>(_ body: () throws -> Value) throws -> Captured<Value> {
        let folder = FileManager.default.temporaryDirectory
        let outPath = folder.appendingPathComponent("whittle-capture-\(UUID().uuidString).out").path
        let errPath = folder.appendingPathComponent("whittle-capture-\(UUID().uuidString).err").path
        defer {
            unlink(outPath)
            unlink(errPath)
        }
        let value: Value
        do {
            fflush(nil) // what the test runner printed so far goes where it was going
            let out = try redirect(1, to: outPath)
            defer { restore(1, from: out) }
            let err = try redirect(2, to: errPath)
            defer { restore(2, from: err) }
            value = try body()
        }
        return Captured(value: value, stdout: try read(outPath), stderr: try read(errPath))
    }

    /// Points `descriptor` at a new file; returns a duplicate of what it pointed at before.
    private static func redirect(_ descriptor: Int32, to path: String) throws -> Int32 {
        let file = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard file >= 0 else { throw Failure(description: "cannot create \(path)") }
        defer { close(file) }
        let saved = dup(descriptor)
        guard saved >= 0, dup2(file, descriptor) >= 0 else { throw Failure(description: "cannot redirect descriptor \(descriptor)") }
        return saved
    }

    /// Flushes C stdio (where `print` buffers), then points `descriptor` back.
    private static func restore(_ descriptor: Int32, from saved: Int32) {
        fflush(nil)
        dup2(saved, descriptor)
        close(saved)
    }

    private static func read(_ path: String) throws -> String {
        String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)
    }
}
