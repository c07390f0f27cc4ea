import XCTest
import Foundation
import WhittleNN

final class SpecTests: XCTestCase {
    func examplesFolder() -> URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../examples").standardized
    }

    func testShippedExamplesHaveTheIssueSizes() throws {
        let lenet = try Spec.load(examplesFolder().appendingPathComponent("lenet.json").path)
        let summary = ModelSummary(try lenet.buildGraph())
        XCTAssertEqual(summary.totalParameters, 44_426)
        XCTAssertEqual(summary.totalMACs, 281_640)
        let mlp = try Spec.load(examplesFolder().appendingPathComponent("mlp.json").path)
        XCTAssertEqual(ModelSummary(try mlp.buildGraph()).totalParameters, 266_610) // LeNet-300-100
    }

    func expectSpecError(_ json: String, _ fragments: [String], line: UInt = #line) {
        XCTAssertThrowsError(try Fixtures.spec(json, file: "bad.json").buildGraph(file: "bad.json"), line: line) { error in
            let text = String(describing: error)
            XCTAssertFalse(text.contains("\n"), "one line: \(text)", line: line)
            for f in ["bad.json"] + fragments { XCTAssertTrue(text.contains(f), "'\(text)' should contain '\(f)'", line: line) }
        }
    }

    func testUnknownAndMalformedFieldsAreNamed() {
        expectSpecError(#"{"name": "m", "input": [4], "layers": [{"type": "linear", "out_features": 2, "kernal": 3}]}"#,
                        ["layers[0].kernal", "unknown field 'kernal'"])
        expectSpecError(#"{"name": "m", "input": [4], "layerz": []}"#, ["unknown field 'layerz'"])
        expectSpecError(#"{"name": "m", "input": [4], "layers": [{"type": "lstm"}]}"#, ["layers[0].type"])
        expectSpecError(#"{"name": "m", "input": [4], "layers": [{"type": "relu"}, {"type": "relu"}, {"type": "relu"}, {"type": "conv3d"}]}"#,
                        ["bad.json: layers[3].type: unknown layer type 'conv3d' (valid: conv2d, linear, maxpool2d, avgpool2d, global_avgpool, "
                         + "batchnorm1d, batchnorm2d, relu, relu6, flatten, dropout, add, softmax)"])
        expectSpecError(#"{"name": "m", "input": [4], "layers": [{"type": "linear", "out_features": "two"}]}"#,
                        ["layers[0].out_features", "integer"])
        expectSpecError(#"{"name": "m", "input": [4], "layers": [{"type": "linear"}], "train": {"optimizer": {"type": "sgd", "betas": [0.9, 0.9]}}}"#,
                        ["train.optimizer.betas"])
        expectSpecError(#"{"name": "m", "input": [4], "layers": [{"type": "linear", "out_features": 2}], "train": {"optimizer": {"lr": -1}}}"#,
                        ["train.optimizer.lr", "positive"])
        expectSpecError(#"{"name": "m", "input": [4], "layers": [{"type": "linear", "out_features": 2}], "data": {"normalize": {"mean": 0, "std": 0}}}"#,
                        ["data.normalize"])
        expectSpecError(#"{"name": "m", "input": [4], "layers": [ {"type": "linear",, ]}"#, ["not valid JSON"])
    }

    func testShapeMismatchNamesTheLayer() {
        expectSpecError(#"{"name": "m", "input": [1, 28, 28], "layers": [{"name": "conv1", "type": "conv2d", "out_channels": 4, "kernel": 5}, {"type": "flatten"}, {"name": "fc1", "type": "linear", "in_features": 400, "out_features": 10}]}"#,
                        ["layer 'fc1' (linear)", "expects 400 input features, got 2304"])
        expectSpecError(#"{"name": "m", "input": [1, 28, 28], "layers": [{"name": "fc1", "type": "linear", "out_features": 10}]}"#,
                        ["layer 'fc1'", "flatten"])
        expectSpecError(#"{"name": "m", "input": [3, 8, 8], "layers": [{"name": "c", "type": "conv2d", "out_channels": 4, "kernel": 3, "groups": 2}]}"#,
                        ["layer 'c'", "groups 2 must divide"])
        expectSpecError(#"{"name": "m", "input": [1, 4, 4], "layers": [{"name": "c", "type": "conv2d", "out_channels": 4, "kernel": 5}]}"#,
                        ["layer 'c'", "does not fit"])
        expectSpecError(#"{"name": "m", "input": [4], "layers": [{"name": "a", "type": "linear", "out_features": 3}, {"name": "s", "type": "add", "inputs": ["a", "zzz"]}]}"#,
                        ["'s'", "input 'zzz'"])
    }

    func testGraphWithAddAndGlobalPool() throws {
        let spec = try Fixtures.spec("""
        {"name": "res", "input": [2, 6, 6], "layers": [
          {"name": "c1", "type": "conv2d", "out_channels": 2, "kernel": 3, "padding": 1},
          {"name": "r1", "type": "relu6"},
          {"name": "sum", "type": "add", "inputs": ["input", "r1"]},
          {"name": "gap", "type": "global_avgpool"},
          {"type": "flatten"},
          {"name": "fc", "type": "linear", "out_features": 3}]}
        """)
        let g = try spec.buildGraph()
        XCTAssertEqual(g.outputShape, [3])
        XCTAssertEqual(g.nodes[3].outputShape, [2, 1, 1])
    }
}
