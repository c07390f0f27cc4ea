import Foundation
import WhittleCodegen

/// Builds the harness programs of an emitted folder through its own Makefile (so the flags
/// verified are exactly the flags a user's `make` uses) and runs them the target's way.
public struct Harness: Sendable {
    public let folder: URL
    public let target: TargetDescriptor
    /// Where programs are built; the emitted folder itself stays untouched.
    public let buildDirectory: URL

    /// Checks that `make` and the target's compiler are installed.
    public init(folder: URL, target: TargetDescriptor, buildDirectory: URL) throws {
        guard ProcessRunner.which("make") != nil else {
            throw VerifyInputError("'make' not found on PATH; install the Debian package 'make'")
        }
        guard ProcessRunner.which(target.compiler) != nil else {
            throw VerifyInputError("compiler '\(target.compiler)' for target '\(target.name)' not found on PATH; install the Debian package '\(target.compilerPackage)'")
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

    /// Runs a built program from inside the folder, through the target's runner if it has one.
    public func run(_ program: URL, _ arguments: [String], environment: [String: String] = [:],
                    timeout: TimeInterval = 600) throws -> ProcessResult {
        let command = target.runner.isEmpty
            ? [program.path] + arguments
            : target.runner.map { $0 == "{program}" ? program.path : $0 } + arguments
        return try ProcessRunner.run(command, in: folder, environment: environment, timeout: timeout)
    }
}
