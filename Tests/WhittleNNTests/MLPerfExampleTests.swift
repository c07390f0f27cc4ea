import XCTest
import Foundation
import WhittleNN

/// examples/mlperf/ holds MLPerf Tiny's reference architectures: their parameters after
/// BatchNorm folding and their MACs equal the reference models' (MLPerf Tiny's published figures,
/// the same as the int8 .tflite files' in the tests' fixtures).
final class MLPerfExampleTests: XCTestCase {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../examples/mlperf").standardized

    func testInspectFiguresEqualTheReferenceModels() throws {
        let reference: [(file: String, parameters: Int, macs: Int, output: [Int])] = [
            ("ds-cnn-kws.json", 22_604, 2_656_768, [12]),
            ("mobilenet-v1-vww.json", 210_850, 7_489_664, [2]),
            ("resnet8-ic.json", 77_706, 12_501_632, [10]),
            ("fc-autoencoder-ad.json", 265_864, 264_192, [640]),
        ]
        for r in reference {
            let path = Self.folder.appendingPathComponent(r.file).path
            guard FileManager.default.fileExists(atPath: path) else { XCTFail("\(r.file) is missing"); continue }
            let graph = try Spec.load(path).buildGraph()
            let summary = ModelSummary(graph)
            XCTAssertEqual(summary.foldedParameters, r.parameters, r.file)
            XCTAssertEqual(summary.totalMACs, r.macs, r.file)
            XCTAssertEqual(graph.outputShape, r.output, r.file)
        }
    }
}
