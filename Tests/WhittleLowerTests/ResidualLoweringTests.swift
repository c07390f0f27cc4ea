import XCTest
import Foundation
import WhittleCompress
import WhittleIR
import WhittleLower
import WhittleNN
import WhittleTensor

/// Residual and depthwise-separable graphs through fusion, post-training quantization and QAT:
/// the same path as chains, with ADD as an integer op.
final class ResidualLoweringTests: XCTestCase {
    static let spec = """
    {"name": "res", "input": [2, 8, 8], "layers": [
      {"name": "conv0", "type": "conv2d", "out_channels": 4, "kernel": 3, "padding": 1},
      {"name": "bn0", "type": "batchnorm2d"}, {"name": "relu0", "type": "relu"},
      {"name": "conv1", "type": "conv2d", "out_channels": 4, "kernel": 3, "padding": 1},
      {"name": "bn1", "type": "batchnorm2d"}, {"name": "relu1", "type": "relu"},
      {"name": "conv2", "type": "conv2d", "out_channels": 4, "kernel": 3, "padding": 1},
      {"name": "bn2", "type": "batchnorm2d"},
      {"name": "add1", "type": "add", "inputs": ["relu0", "bn2"]}, {"name": "relu_a", "type": "relu"},
      {"name": "dw", "type": "conv2d", "out_channels": 4, "kernel": 3, "groups": 4, "stride": 2, "padding": 1},
      {"name": "bnd", "type": "batchnorm2d"}, {"name": "relud", "type": "relu6"},
      {"name": "pw", "type": "conv2d", "out_channels": 8, "kernel": 1},
      {"name": "bnp", "type": "batchnorm2d"}, {"name": "relup", "type": "relu"},
      {"name": "skip", "type": "conv2d", "out_channels": 8, "kernel": 1, "stride": 2, "inputs": ["relu_a"]},
      {"name": "bns", "type": "batchnorm2d"},
      {"name": "add2", "type": "add", "inputs": ["relup", "bns"]},
      {"name": "gap", "type": "global_avgpool"},
      {"name": "flat", "type": "flatten"},
      {"name": "fc", "type": "linear", "out_features": 5}]}
    """

    /// The graph with BatchNorm statistics and affine parameters far from their defaults.
    static func trainedGraph() throws -> Graph {
        let g = try Spec.parse(Data(spec.utf8), file: "res.json").buildGraph(seed: 7)
        var rng = RNG(seed: 13)
        for _ in 0..<5 { g.forward(Tensor(shape: [8, 2, 8, 8], storage: (0..<(8 * 128)).map { _ in rng.uniform(-1, 2) }), mode: .train) }
        for node in g.nodes { if let bn = node.layer as? BatchNorm {
            for i in 0..<bn.channels { bn.weight.value.storage[i] = rng.uniform(0.5, 1.5); bn.bias.value.storage[i] = rng.uniform(-0.3, 0.3) }
        }}
        return g
    }

    static func data(count n: Int, seed: UInt64) -> Dataset {
        var rng = RNG(seed: seed)
        return Dataset(name: "random", sampleShape: [2, 8, 8], values: .floats((0..<(n * 128)).map { _ in Float(rng.int(below: 256)) }),
                       labels: (0..<n).map { Int32($0 % 5) }, classes: 5)
    }

    func testResidualGraphFusesIntoStepsThatReadTheirProducers() throws {
        let g = try Self.trainedGraph()
        let fused = try Fusion.fuse(g)
        XCTAssertEqual(fused.steps.map(\.name), ["conv0", "conv1", "conv2", "add1", "dw", "pw", "skip", "add2", "gap", "flat", "fc"])
        XCTAssertEqual(fused.steps.map(\.inputs), [[-1], [0], [1], [0, 2], [3], [4], [3], [5, 6], [7], [8], [9]])
        XCTAssertEqual(fused.steps.map(\.outputNode), ["relu0", "relu1", "bn2", "relu_a", "relud", "relup", "bns", "add2", "gap", "flat", "fc"])
        if case .add(let a) = fused.steps[3].op { XCTAssertEqual(a, .relu) } else { XCTFail("add1 is an add") }
        if case .add(let a) = fused.steps[7].op { XCTAssertEqual(a, .none) } else { XCTFail("add2 is an add") }
        let folded = try fused.floatGraph()
        let x = Self.data(count: 6, seed: 3).batch(0..<6).inputs
        let expected = g.forward(x, mode: .eval), got = folded.forward(x, mode: .eval)
        XCTAssertEqual(expected.shape, got.shape)
        for i in 0..<expected.count { XCTAssertEqual(got.storage[i], expected.storage[i], accuracy: 1e-4) }
    }

    /// A node read by two others keeps its own output: the ReLU after `relu0`'s conv fuses, but a
    /// BatchNorm whose conv output is also read elsewhere cannot fold.
    func testANodeWithTwoReadersDoesNotFuseItsReader() throws {
        let spec = #"{"name": "m", "input": [1, 6, 6], "layers": [{"name": "c", "type": "conv2d", "out_channels": 2, "kernel": 3, "padding": 1}, {"name": "bn", "type": "batchnorm2d"}, {"name": "s", "type": "add", "inputs": ["c", "bn"]}]}"#
        let g = try Spec.parse(Data(spec.utf8), file: "m.json").buildGraph()
        XCTAssertEqual(g.fusionGroups().map(\.main), [0, 1, 2])
        XCTAssertThrowsError(try Fusion.fuse(g)) { XCTAssertTrue("\($0)".contains("layer 'bn' (batchnorm2d)"), "\($0)") }
    }

    func testPostTrainingQuantizationLowersAddsAndTracksFloat() throws {
        let g = try Self.trainedGraph()
        let data = Self.data(count: 200, seed: 21)
        let calibration = try Calibration.run(g, on: data.prefix(100))
        let validation = ValidationSetBuilder.make(g, data: data, inputQuant: ActivationQuantization.params(for: calibration.input))
        let q = try PostTrainingQuantization.lower(g, calibration: calibration, inputDescription: "test", validation: validation)
        XCTAssertEqual(q.nodes.map(\.name), ["conv0", "conv1", "conv2", "add1", "dw", "pw", "skip", "add2", "gap", "flat", "fc"])
        guard case .add(let add1) = q.nodes[3].op else { return XCTFail("add1 lowers to ADD") }
        XCTAssertEqual(add1.clamp.min, Int32(q.tensors[q.nodes[3].output].quant.zeroPoint), "the fused ReLU clamps at the zero point")
        XCTAssertEqual(q.nodes[3].inputs, [q.nodes[0].output, q.nodes[2].output])
        let out = try ReferenceInterpreter(graph: q).run(batch: validation.inputs, count: data.count)
        let quant = q.outputTensor.quant
        var agree = 0, worst = 0.0
        for i in 0..<data.count {
            let ints = (0..<5).map { quant.dequantize(out[i * 5 + $0]) }, floats = (0..<5).map { Double(validation.floatLogits![i * 5 + $0]) }
            worst = max(worst, zip(ints, floats).map { abs($0 - $1) }.max()!)
            if ints.indices.max(by: { ints[$0] < ints[$1] }) == floats.indices.max(by: { floats[$0] < floats[$1] }) { agree += 1 }
        }
        XCTAssertLessThan(worst, 8 * quant.scale)
        XCTAssertGreaterThanOrEqual(agree, data.count * 9 / 10)
    }

    /// A model ending in softmax lowers it to the int8 SOFTMAX (scale 1/256, zero point −128),
    /// whose outputs track the float model's probabilities.
    func testAFinalSoftmaxLowersToTheIntegerSoftmax() throws {
        let text = Self.spec.replacingOccurrences(of: #""out_features": 5}]"#, with: #""out_features": 5}, {"name": "prob", "type": "softmax"}]"#)
        let g = try Spec.parse(Data(text.utf8), file: "res.json").buildGraph(seed: 7)
        XCTAssertEqual(try Fusion.fuse(g).steps.last?.name, "prob")
        let data = Self.data(count: 100, seed: 5)
        let calibration = try Calibration.run(g, on: data)
        let validation = ValidationSetBuilder.make(g, data: data, inputQuant: ActivationQuantization.params(for: calibration.input))
        let q = try PostTrainingQuantization.lower(g, calibration: calibration, inputDescription: "t", validation: validation)
        guard case .softmax = q.nodes.last?.op else { return XCTFail("the last op is SOFTMAX") }
        XCTAssertEqual(q.outputTensor.quant, QuantParams(scale: 1.0 / 256, zeroPoint: -128))
        let out = try ReferenceInterpreter(graph: q).run(batch: validation.inputs, count: data.count)
        for i in 0..<out.count {
            XCTAssertEqual(q.outputTensor.quant.dequantize(out[i]), Double(validation.floatLogits![i]), accuracy: 6.0 / 256, "output \(i)")
        }
    }

    /// QAT models each ADD as the integer one computes it: its output is fake-quantized on the
    /// grid lowering gives it, so the trained model's fake-quantized forward pass predicts the
    /// integer reference within one output step.
    func testQuantizationAwareTrainingPredictsTheIntegerAdds() throws {
        let g = try Self.trainedGraph()
        let data = Self.data(count: 128, seed: 31)
        let model = try assertQATPredictsTheIntegerReference(g, data: data, steps: 2, exactShare: 0.8)
        XCTAssertEqual(model.outputs.map(\.node), ["relu0", "relu1", "bn2", "relu_a", "relud", "relup", "bns", "add2", "fc"])
    }
}
