import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs this build's `whittle` with stderr on a pseudo-terminal and stdout on a pipe, as a user at
/// a terminal who redirects the results sees it: progress lines are drawn only on a terminal, so
/// only this shows them.
enum TerminalRun {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    // Linux's TIOCSPTLCK and TIOCGPTN, which Swift does not import (posix_openpt, grantpt and
    // ptsname are not imported either).
    private static let unlockRequest: UInt = 0x4004_5431, numberRequest: UInt = 0x8004_5430

    static func spawn(_ arguments: [String]) throws -> CLI.Result {
        let master = open("/dev/ptmx", O_RDWR | O_NOCTTY)
        guard master >= 0 else { throw Failure(description: "cannot open /dev/ptmx") }
        defer { close(master) }
        var unlock: CInt = 0, number: CInt = 0
        guard ioctl(master, unlockRequest, &unlock) == 0, ioctl(master, numberRequest, &number) == 0 else {
            throw Failure(description: "no pseudo-terminal")
        }
        let terminal = open("/dev/pts/\(number)", O_RDWR | O_NOCTTY)
        guard terminal >= 0 else { throw Failure(description: "cannot open /dev/pts/\(number)") }

        let process = Process()
        process.executableURL = try BuiltBinary.whittle()
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle(fileDescriptor: terminal, closeOnDealloc: false)
        // Read the terminal while the child writes, until it closes its end (read fails with EIO).
        let written = Captured()
        let reader = Thread {
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = read(master, &buffer, buffer.count)
                if n <= 0 { break }
                written.append(buffer[..<n])
            }
            written.done.signal()
        }
        reader.start()
        do {
            try process.run()
        } catch {
            close(terminal)
            throw error
        }
        close(terminal) // the child holds its own copy
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        written.done.wait()
        return CLI.Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                          stderr: String(decoding: written.bytes, as: UTF8.self))
    }

    /// The bytes the reader thread collected.
    private final class Captured: @unchecked Sendable {
        private let lock = NSLock()
        private var collected: [UInt8] = []
        let done = DispatchSemaphore(value: 0)

        func append(_ bytes: ArraySlice<UInt8>) { lock.withLock { collected += bytes } }
        var bytes: [UInt8] { lock.withLock { collected } }
    }
}
