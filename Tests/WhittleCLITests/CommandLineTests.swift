import Foundation
import WhittleIR
import XCTest

/// `whittle emit` and `whittle verify` as a user runs them: the executable, from another working
/// directory with no WHITTLE_HOME (templates/ and targets/ are found next to the executable), with
/// exit codes 0 / 1 / 2 through main, one JSON object for --json and one error line for bad input.
final class CommandLineTests: XCTestCase {
    private var scratch: URL!

    override func setUp() { scratch = CLI.temporaryFolder() }

    override func tearDown() {
        if let scratch { try? FileManager.default.removeItem(at: scratch) }
    }

    private func whittle(_ arguments: String...) throws -> CLI.Result {
        try whittle(arguments)
    }

    private func whittle(_ arguments: [String]) throws -> CLI.Result {
        try CLI.spawn(arguments, cwd: URL(fileURLWithPath: "/"), environment: ["WHITTLE_HOME": ""])
    }

    func testEmitThenVerify() throws {
        let model = scratch.appendingPathComponent("lenet.q"), folder = scratch.appendingPathComponent("out")
        try QGraphFile.write(SampleGraphs.leNet(validationCount: 5), to: model)

        let emit = try whittle("emit", model.path, "--target", "host", "-o", folder.path, "--vectors", "3", "--json")
        XCTAssertEqual(try CLI.json(emit)["macs"] as? Int, 281_640)

        let verify = try whittle("verify", folder.path, "--json", "--sanitizer-vectors", "2")
        XCTAssertEqual(try CLI.json(verify)["passed"] as? Bool, true)

        let expected = folder.appendingPathComponent("vectors/expected.bin")
        var bytes = [UInt8](try Data(contentsOf: expected))
        bytes[0] ^= 1
        try Data(bytes).write(to: expected)
        // The expected outputs come from whittle.q through the reference, never from the folder:
        // an edited expected.bin is a modified file, and cannot change the verdict.
        let modified = try whittle("verify", folder.path, "--no-sanitize")
        XCTAssertEqual(modified.status, 1)
        XCTAssertTrue(modified.stderr.contains("changed vectors/expected.bin"), modified.stderr)
        XCTAssertEqual(try whittle("verify", folder.path, "--no-sanitize", "--allow-modified").status, 0)

        let modelSource = folder.appendingPathComponent("model.c")
        let source = try String(contentsOf: modelSource, encoding: .utf8)
        try Data(source.replacingOccurrences(of: "    return 0;\n}", with: "    output[0] ^= 1;\n    return 0;\n}").utf8).write(to: modelSource)
        let mismatch = try whittle("verify", folder.path, "--no-sanitize", "--allow-modified")
        XCTAssertEqual(mismatch.status, 1, mismatch.stderr)
        XCTAssertTrue(mismatch.stdout.contains("MISMATCH"), mismatch.stdout)
        XCTAssertTrue(mismatch.stderr.contains("C differs from the reference at vector 0, output 0"), mismatch.stderr)
    }

    func testBadInputExitsWithTwoAndOneLine() throws {
        let model = scratch.appendingPathComponent("lenet.q")
        try QGraphFile.write(SampleGraphs.leNet(), to: model)
        var corrupt = QGraphFile.encode(SampleGraphs.leNet())
        corrupt[100] ^= 0xFF
        let corruptModel = scratch.appendingPathComponent("corrupt.q")
        try Data(corrupt).write(to: corruptModel)
        let out = scratch.appendingPathComponent("out").path
        for (arguments, words) in [
            (["emit", model.path, "--target", "nosuchboard", "-o", out], "unknown target 'nosuchboard'; known targets: cortex-m0, cortex-m3, cortex-m4, cortex-m7, host, rv32imac"),
            (["emit", corruptModel.path, "-o", out], "corrupt.q: corrupt: checksum"),
            (["emit", model.path, "-o", "/proc/1/out"], "-o /proc/1/out: the folder /proc/1 is not writable"),
            (["emit", model.path], "missing -o DIR"),
            (["verify", scratch.path], "whittle.json: missing"),
        ] {
            let result = try whittle(arguments)
            XCTAssertEqual(result.status, 2, "\(arguments): \(result.stderr)")
            XCTAssertTrue(result.stderr.contains(words), result.stderr)
            XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, result.stderr)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
    }

    func testHelp() throws {
        for command in ["emit", "verify"] {
            let result = try whittle(command, "--help")
            XCTAssertEqual(result.status, 0)
            XCTAssertTrue(result.stdout.hasPrefix("usage: whittle \(command)"), result.stdout)
        }
    }
}
