import Foundation
import XCTest

/// `inspect MODEL.tflite`: the operators of MLPerf Tiny's keyword-spotting DS-CNN, in order, with
/// shapes and options; a corrupt file is one line and exit 2.
final class TFLiteInspectCommandTests: XCTestCase {
    private let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("WhittleTFLiteTests/Fixtures/mlperf-tiny")

    func testOperatorsOfKeywordSpotting() throws {
        let path = fixtures.appendingPathComponent("kws_ref_model.tflite").path
        let json = try CLI.json(try CLI.run(["inspect", path, "--json"]))
        let ops = try XCTUnwrap(json["operators"] as? [[String: Any]])
        XCTAssertEqual(ops.map { $0["op"] as? String },
                       ["CONV_2D"] + Array(repeating: ["DEPTHWISE_CONV_2D", "CONV_2D"], count: 4).flatMap { $0 }
                       + ["AVERAGE_POOL_2D", "RESHAPE", "FULLY_CONNECTED", "SOFTMAX"])
        XCTAssertEqual(ops[0]["output_shape"] as? [Int], [1, 25, 5, 64])
        XCTAssertEqual(ops[0]["options"] as? String, "same, stride 2x2, relu")
        let text = try CLI.run(["inspect", path])
        XCTAssertEqual(text.status, 0, text.stderr)
        XCTAssertTrue(text.stdout.contains("13 operators, 35 tensors, input 1x49x10x1 INT8"), text.stdout)

        let dir = CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let truncated = dir.appendingPathComponent("cut.tflite")
        try Data(try Data(contentsOf: URL(fileURLWithPath: path)).prefix(200)).write(to: truncated)
        let bad = try CLI.run(["inspect", truncated.path])
        XCTAssertEqual(bad.status, 2, bad.stderr)
        XCTAssertTrue(bad.stderr.hasPrefix("whittle: error: \(truncated.path): "), bad.stderr)
        XCTAssertEqual(bad.stderr.split(separator: "\n").count, 1, bad.stderr)
    }
}
