import Foundation
import WhittleIR
import XCTest

/// Progress lines: drawn on stderr only when it is a terminal, erased before the results, and
/// never on stdout, so piped output and `--json` stay exactly what they were.
final class ProgressCommandLineTests: XCTestCase {
    func testVerifyShowsItsStepsOnATerminalAndErasesThem() throws {
        let scratch = CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let model = scratch.appendingPathComponent("lenet.q"), folder = scratch.appendingPathComponent("c")
        try QGraphFile.write(SampleGraphs.leNet(validationCount: 5), to: model)
        XCTAssertEqual(try CLI.run(["emit", model.path, "-o", folder.path, "--vectors", "3"]).status, 0)

        let piped = try CLI.spawn(["verify", folder.path, "--no-sanitize"])
        XCTAssertEqual(piped.status, 0, piped.stderr)
        XCTAssertEqual(piped.stderr, "", "no progress text when stderr is not a terminal")

        let terminal = try TerminalRun.spawn(["verify", folder.path, "--no-sanitize"])
        XCTAssertEqual(terminal.status, 0, terminal.stderr)
        XCTAssertEqual(terminal.stdout, piped.stdout)
        XCTAssertTrue(terminal.stderr.contains("verify: building test_model"), terminal.stderr)
        XCTAssertTrue(terminal.stderr.contains("verify: running test_model"), terminal.stderr)
        XCTAssertTrue(terminal.stderr.hasSuffix("\r\u{1B}[K"), "the last progress line is erased: \(terminal.stderr.debugDescription)")
    }
}
