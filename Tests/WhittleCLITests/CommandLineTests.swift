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

    /// Every command's --help has the same sections, and every option a usage line shows is
    /// explained under options (and every explained option appears in a usage line).
    func testEveryCommandsHelpExplainsEveryOptionItShows() throws {
        let overview = try whittle("--help").stdout
        let commands = overview.components(separatedBy: "commands:\n")[1].split(separator: "\n")
            .prefix { $0.hasPrefix("  ") }.map { String($0.split(separator: " ")[0]) }
        XCTAssertGreaterThanOrEqual(commands.count, 14, overview)
        for command in commands {
            let result = try whittle(command, "--help")
            XCTAssertEqual(result.status, 0, command)
            let sections = result.stdout.components(separatedBy: "\n\n")
            XCTAssertTrue(sections[0].hasPrefix("usage: whittle \(command)"), result.stdout)
            let options = sections.first { $0.hasPrefix("options:\n") }, exits = sections.first { $0.hasPrefix("exit codes:\n") }
            XCTAssertNotNil(exits, "\(command): no exit codes")
            XCTAssertTrue(exits?.contains("\n  0  ") ?? false, "\(command): exit 0 unexplained")
            guard let options else { XCTFail("\(command): no options section"); continue }
            // An option line: two spaces, the names, then two or more spaces and the text.
            let explained = options.split(separator: "\n").dropFirst().filter { $0.hasPrefix("  -") }
                .map { Self.optionWords(String($0.dropFirst(2).components(separatedBy: "  ")[0])) }
            let shown = Self.optionWords(sections[0])
            for word in shown where !explained.contains(where: { $0.contains(word) }) {
                XCTFail("whittle \(command) --help: \(word) is in the usage but not under options")
            }
            for names in explained where !names.contains(where: shown.contains) {
                XCTFail("whittle \(command) --help: \(names) is under options but in no usage line")
            }
        }
        let version = try whittle("--version")
        XCTAssertEqual(version.status, 0)
        XCTAssertTrue(version.stdout.hasPrefix("whittle 0."), version.stdout)
    }

    /// The words of `text` that are options: "-o", "--target", after a space, "[", "(", "|" or ",".
    static func optionWords(_ text: String) -> [String] {
        let pattern = try! NSRegularExpression(pattern: "(?:^|[\\s\\[(|,])(--?[a-z][a-z0-9-]*)")
        let range = NSRange(text.startIndex..., in: text)
        return pattern.matches(in: text, range: range).map { String(text[Range($0.range(at: 1), in: text)!]) }
    }
}
