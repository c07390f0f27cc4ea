import Foundation
import WhittleCodegen

/// Builds the harness programs of an emitted folder through its own Makefile (so the flags
/// verified are exactly the flags a user's `make` uses) and runs them the target's way.
public struct Harness: Sendable {
    public let folder: URL
    public let target: TargetDescriptor
    /// Where programs are built; the emitted folder itself stays untouched.
    public let buildDirectory: URL

    /// Checks that `make`, the target's compiler and its emulator are installed.
    public init(folder: URL, target: TargetDescriptor, buildDirectory: URL) throws {
        if let missing = Toolchain.missing(for: target).first {
            throw VerifyInputError("\(missing.description) for target '\(target.name)' not found on PATH; install the Debian package '\(missing.package)'")
        }
        self.folder = folder
        self.target = target
        self.buildDirectory = buildDirectory
    }

    /// Builds one Makefile program (`test_model`, `test_model_sanitized`, `bench_model`).
    public func build(_ program: String) throws -> URL {
        let result = try ProcessRunner.run(["make", "-s", "-C", folder.path, "BUILD=\(buildDirectory.path)", program], timeout: 600)
        guard result.status == 0, !result.timedOut else {
            let message = result.standardError.split(whereSeparator: \.isNewline)
                .first { $0.contains("error") }.map(String.init) ?? result.firstMessageLine
            throw VerifyCheckFailure("\(folder.path): building \(program) for target '\(target.name)' failed: \(message)")
        }
        return buildDirectory.appendingPathComponent(program)
    }

    /// Runs a built program from inside the folder, through the target's runner if it has one
    /// (`runnerArguments` are added to the runner's, e.g. to count instructions).
    public func run(_ program: URL, _ arguments: [String], runnerArguments: [String] = [], environment: [String: String] = [:],
                    timeout: TimeInterval = 600) throws -> ProcessResult {
        try ProcessRunner.run(command(program, arguments) + runnerArguments, in: folder, environment: environment, timeout: timeout)
    }

    /// The command line that runs `program`: the program itself, or the target's runner with
    /// `{program}` and `{arguments}` (the arguments joined by spaces) filled in.
    public func command(_ program: URL, _ arguments: [String]) -> [String] {
        guard !target.runner.isEmpty else { return [program.path] + arguments }
        let joined = arguments.joined(separator: " ")
        let command = target.runner.map {
            $0.replacingOccurrences(of: "{program}", with: program.path).replacingOccurrences(of: "{arguments}", with: joined)
        }
        return target.runner.contains(where: { $0.contains("{arguments}") }) ? command : command + arguments
    }
}
