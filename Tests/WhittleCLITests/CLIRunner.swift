import Foundation
import WhittleDriver
import WhittleVerify
import XCTest

/// Runs whittle's command line for the tests, two ways. `run` calls `WhittleMain.run` in this
/// process, so a test checks the code this test bundle was built with. `spawn` runs the `whittle`
/// executable of the same build (`BuiltBinary`, refused when older than the code it is linked
/// from), for what only a process shows: the exit status through main, signals, the working
/// folder, resources found next to the executable.
enum CLI {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// `whittle ARGUMENTS` in this process, with everything written to stdout and stderr captured.
    @discardableResult
    static func run(_ arguments: [String]) throws -> Result {
        let captured = try OutputCapture.run { WhittleMain.run(arguments) }
        return Result(status: captured.value, stdout: captured.stdout, stderr: captured.stderr)
    }

    /// `whittle ARGUMENTS` as a child process of this build's executable, in `cwd` (default: this
    /// process's), with `environment` added to this process's.
    @discardableResult
    static func spawn(_ arguments: [String], cwd: URL? = nil, environment: [String: String] = [:]) throws -> Result {
        let r = try ProcessRunner.run([try BuiltBinary.whittle().path] + arguments, in: cwd, environment: environment)
        return Result(status: r.status, stdout: r.standardOutput, stderr: r.standardError)
    }

    static func temporaryFolder() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("whittle-cli-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func example(_ name: String) -> String { root.appendingPathComponent("examples/\(name)").path }

    /// The one JSON object a `--json` run printed on stdout, once the run is seen to have exited 0
    /// and every key in the object, at any depth, to be snake_case.
    static func json(_ r: Result, file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
        XCTAssertEqual(r.status, 0, r.stderr, file: file, line: line)
        let parsed = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8))
        let object = try XCTUnwrap(parsed as? [String: Any], r.stdout, file: file, line: line)
        let keys = JSONKeys.paths(in: object)
        XCTAssertFalse(keys.isEmpty, r.stdout, file: file, line: line)
        XCTAssertEqual(keys.filter { !JSONKeys.isSnakeCase($0.key) }.map(\.path), [], "keys not in snake_case", file: file, line: line)
        return object
    }

    /// Asserts a failed run: the exit code, a single error line on stderr containing `fragments`.
    static func expectFailure(_ r: Result, status: Int32 = 2, _ fragments: [String], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(r.status, status, "stderr: \(r.stderr)", file: file, line: line)
        let lines = r.stderr.split(separator: "\n").filter { $0.hasPrefix("whittle: error:") }
        XCTAssertEqual(lines.count, 1, "one error line expected, got: \(r.stderr)", file: file, line: line)
        for f in fragments { XCTAssertTrue(r.stderr.contains(f), "'\(r.stderr)' should contain '\(f)'", file: file, line: line) }
    }
}
