import XCTest
import Foundation
import WhittleLower
import WhittleNN
import WhittleTensor

final class FusionTests: XCTestCase {
    static let bnSpec = """
    {"name": "bn-net", "input": [1, 12, 12], "layers": [
      {"name": "conv1", "type": "conv2d", "out_channels": 4, "kernel": 3, "padding": 1},
      {"name": "bn1", "type": "batchnorm2d"},
      {"name": "act1", "type": "relu6"},
      {"name": "pool1", "type": "maxpool2d", "kernel": 2},
      {"name": "dw", "type": "conv2d", "out_channels": 4, "kernel": 3, "groups": 4, "stride": 2, "padding": 1},
      {"name": "bn2", "type": "batchnorm2d"},
      {"name": "act2", "type": "relu"},
      {"name": "gap", "type": "global_avgpool"},
      {"name": "flat", "type": "flatten"},
      {"name": "fc1", "type": "linear", "out_features": 8},
      {"name": "bn3", "type": "batchnorm1d"},
      {"name": "act3", "type": "relu"},
      {"name": "drop", "type": "dropout", "p": 0.3},
      {"name": "fc2", "type": "linear", "out_features": 5}]}
    """

    /// A graph whose BatchNorms carry non-trivial statistics and affine parameters.
    static func trainedBNGraph() throws -> Graph {
        let spec = try Spec.parse(Data(bnSpec.utf8), file: "bn.json")
        let g = try spec.buildGraph(seed: 3)
        var rng = RNG(seed: 11)
        for _ in 0..<5 {
            let x = Tensor(shape: [8, 1, 12, 12], storage: (0..<(8 * 144)).map { _ in rng.uniform(-1, 2) })
            g.forward(x, mode: .train)
        }
        for node in g.nodes { if let bn = node.layer as? BatchNorm {
            for i in 0..<bn.channels { bn.weight.value.storage[i] = rng.uniform(0.5, 1.5); bn.bias.value.storage[i] = rng.uniform(-0.3, 0.3) }
        }}
        return g
    }

    func testFoldedGraphComputesTheSameAsEvalMode() throws {
        let g = try Self.trainedBNGraph()
        let fused = try Fusion.fuse(g)
        XCTAssertEqual(fused.steps.map(\.name), ["conv1", "pool1", "dw", "gap", "flat", "fc1", "fc2"])
        XCTAssertEqual(fused.steps.map(\.outputNode), ["act1", "pool1", "act2", "gap", "flat", "act3", "fc2"])
        if case .conv(let c) = fused.steps[0].op { XCTAssertEqual(c.activation, .relu6) } else { XCTFail() }
        if case .conv(let c) = fused.steps[2].op { XCTAssertEqual(c.groups, 4) } else { XCTFail() }
        let folded = try fused.floatGraph()
        var rng = RNG(seed: 5)
        let x = Tensor(shape: [6, 1, 12, 12], storage: (0..<(6 * 144)).map { _ in rng.uniform(-1, 2) })
        let expected = g.forward(x, mode: .eval), got = folded.forward(x, mode: .eval)
        XCTAssertEqual(expected.shape, got.shape)
        for i in 0..<expected.count { XCTAssertEqual(got.storage[i], expected.storage[i], accuracy: 1e-4) }
    }

    func testUnfusableLayersAreNamed() throws {
        func expect(_ layers: String, _ fragment: String, line: UInt = #line) throws {
            let spec = try Spec.parse(Data(#"{"name": "m", "input": [1, 8, 8], "layers": \#(layers)}"#.utf8), file: "m.json")
            XCTAssertThrowsError(try Fusion.fuse(spec.buildGraph()), line: line) {
                XCTAssertTrue(String(describing: $0).contains(fragment), "\($0)", line: line)
            }
        }
        try expect(#"[{"name": "p", "type": "maxpool2d", "kernel": 2}, {"name": "r", "type": "relu"}]"#, "layer 'r' (relu)")
        try expect(#"[{"name": "b", "type": "batchnorm2d"}]"#, "layer 'b' (batchnorm2d)")
        try expect(#"[{"name": "c", "type": "conv2d", "out_channels": 1, "kernel": 1}, {"name": "s", "type": "add", "inputs": ["input", "c", "c"]}]"#,
                   "layer 's' (add): the integer ADD sums two tensors")
    }
}
