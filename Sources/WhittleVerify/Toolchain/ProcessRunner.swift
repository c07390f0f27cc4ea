import Foundation
import WhittleSupport

/// What a finished child process left behind.
public struct ProcessResult: Sendable {
    public var status: Int32
    public var standardOutput: String
    public var standardError: String
    public var timedOut: Bool

    /// The first non-empty line of stderr (else stdout), for one-line error messages.
    public var firstMessageLine: String {
        for text in [standardError, standardOutput] {
            if let line = text.split(whereSeparator: \.isNewline).first(where: { !$0.allSatisfy(\.isWhitespace) }) {
                return String(line)
            }
        }
        return "no output"
    }
}

/// Runs external programs (make, the compiler, test programs, valgrind) with output captured
/// in files, so a chatty child can never block on a full pipe.
public enum ProcessRunner {
    /// The full path of `command` found on `path` (default: this process's `PATH`), or nil.
    public static func which(_ command: String, path: String? = nil) -> URL? {
        if command.contains("/") {
            return FileManager.default.isExecutableFile(atPath: command) ? URL(fileURLWithPath: command) : nil
        }
        let path = path ?? ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for folder in path.split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(folder)).appendingPathComponent(command)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }

    /// `whileRunning` is called about twice a second until the process ends (to show progress).
    public static func run(_ command: [String], in directory: URL? = nil, environment: [String: String] = [:],
                           timeout: TimeInterval = 600, whileRunning: (() -> Void)? = nil) throws -> ProcessResult {
        guard let name = command.first, let executable = which(name) else {
            throw VerifyInputError("'\(command.first ?? "")' not found on PATH")
        }
        let scratch = try Temporaries.folder(label: "run")
        defer { Temporaries.remove(scratch) }
        let outURL = scratch.appendingPathComponent("stdout"), errURL = scratch.appendingPathComponent("stderr")
        try Data().write(to: outURL)
        try Data().write(to: errURL)
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        defer {
            try? out.close()
            try? err.close()
        }

        let process = Process()
        process.executableURL = executable
        process.arguments = Array(command.dropFirst())
        if let directory { process.currentDirectoryURL = directory }
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = out
        process.standardError = err
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        try process.run()
        var timedOut = false
        let deadline = DispatchTime.now() + timeout
        while finished.wait(timeout: min(deadline, .now() + (whileRunning == nil ? timeout : 0.5))) == .timedOut {
            guard DispatchTime.now() < deadline else {
                timedOut = true
                kill(process.processIdentifier, SIGKILL)
                finished.wait()
                break
            }
            whileRunning?()
        }
        func text(_ url: URL) -> String {
            String(decoding: (try? Data(contentsOf: url)) ?? Data(), as: UTF8.self)
        }
        return ProcessResult(status: process.terminationStatus, standardOutput: text(outURL),
                             standardError: text(errURL), timedOut: timedOut)
    }
}
