import XCTest
import Foundation
import WhittleCompress
import WhittleIR
import WhittleLower
import WhittleNN
import WhittleTensor

final class QuantizationTests: XCTestCase {
    func testActivationParametersKeepZeroExact() {
        let p = ActivationQuantization.params(for: ObservedRange(min: -1, max: 1))
        XCTAssertEqual(p.scale, 2.0 / 255, accuracy: 1e-15)
        XCTAssertEqual(p.zeroPoint, -1) // −128 + 127.5 rounds away from zero
        XCTAssertEqual(p.quantize(1), 127)
        XCTAssertEqual(p.quantize(0), -1)
        let relu = ActivationQuantization.params(for: ObservedRange(min: 0.5, max: 6)) // widened to [0, 6]
        XCTAssertEqual(relu.zeroPoint, -128)
        XCTAssertEqual(relu.dequantize(-128), 0)
        XCTAssertEqual(relu.dequantize(127), 6, accuracy: 1e-12)
        let negative = ActivationQuantization.params(for: ObservedRange(min: -3, max: -1)) // widened to [−3, 0]
        XCTAssertEqual(negative.zeroPoint, 127)
        XCTAssertEqual(ActivationQuantization.params(for: ObservedRange(min: 0, max: 0)), QuantParams(scale: 1, zeroPoint: 0))
    }

    func testSymmetricWeightsPerChannelAndPerTensor() {
        let w = Tensor(shape: [3, 2], storage: [0.5, -1, 0, 0, 2, 1])
        let perChannel = WeightQuantization.symmetric(w, perChannel: true)
        XCTAssertEqual(perChannel.values, [64, -127, 0, 0, 127, 64]) // 63.5 rounds away from zero
        XCTAssertEqual(perChannel.scales, [1.0 / 127, 1, 2.0 / 127])  // an all-zero channel gets scale 1
        let perTensor = WeightQuantization.symmetric(w, perChannel: false)
        XCTAssertEqual(perTensor.values, [32, -64, 0, 0, 127, 64])
        XCTAssertEqual(Set(perTensor.scales), [2.0 / 127])
        XCTAssertEqual(try WeightQuantization.bias([0.3, -0.3], inputScale: 0.1, weightScales: [0.5, 0.5], layer: "fc"), [6, -6])
        XCTAssertThrowsError(try WeightQuantization.bias([1e9], inputScale: 1e-3, weightScales: [1e-3], layer: "fc9")) {
            XCTAssertTrue(String(describing: $0).contains("layer 'fc9'"))
        }
    }

    /// The lowered graph run by the reference interpreter tracks the float model: dequantized
    /// logits within a few output steps, and the same class on nearly every input.
    func testLoweredGraphTracksTheFloatModel() throws {
        let g = try FusionTests.trainedBNGraph()
        var rng = RNG(seed: 21)
        let n = 200
        let values = (0..<(n * 144)).map { _ in Float(rng.int(below: 256)) }
        let data = Dataset(name: "random", sampleShape: [1, 12, 12], values: .floats(values),
                           labels: [Int32](repeating: 0, count: n), classes: 5, normalization: Normalization(scale: 1 / 255, mean: 0.3, std: 0.6))
        let calibration = try Calibration.run(g, on: data.prefix(100))
        let inputQuant = ActivationQuantization.params(for: calibration.input)
        let validation = ValidationSetBuilder.make(g, data: data, inputQuant: inputQuant)
        let q = try PostTrainingQuantization.lower(g, calibration: calibration, inputDescription: "test", validation: validation)
        XCTAssertEqual(q.nodes.map(\.name), ["conv1", "pool1", "dw", "gap", "flat", "fc1", "fc2"])
        let interpreter = try ReferenceInterpreter(graph: q)
        let out = interpreter.run(batch: validation.inputs, count: n)
        let outQuant = q.outputTensor.quant
        var agree = 0, worst = 0.0
        for i in 0..<n {
            let logits = (0..<5).map { outQuant.dequantize(out[i * 5 + $0]) }
            let floats = (0..<5).map { Double(validation.floatLogits![i * 5 + $0]) }
            worst = max(worst, zip(logits, floats).map { abs($0 - $1) }.max()!)
            if logits.indices.max(by: { logits[$0] < logits[$1] }) == floats.indices.max(by: { floats[$0] < floats[$1] }) { agree += 1 }
        }
        XCTAssertLessThan(worst, 8 * outQuant.scale, "dequantized logits should stay within a few steps of float")
        XCTAssertGreaterThanOrEqual(agree, n * 9 / 10)
    }

    func testEmptyCalibrationSetIsRejected() throws {
        let g = try FusionTests.trainedBNGraph()
        let empty = Dataset(name: "none", sampleShape: [1, 12, 12], values: .floats([]), labels: [], classes: 5)
        XCTAssertThrowsError(try Calibration.run(g, on: empty)) { XCTAssertTrue(String(describing: $0).contains("calibration set is empty")) }
    }
}

/// QAT lowers through the same path as PTQ: the fake-quantized forward pass predicts the
/// integer reference within one output quantization step.
final class QATLoweringTests: XCTestCase {
    func testFakeQuantForwardMatchesTheIntegerReference() throws {
        let g = try FusionTests.trainedBNGraph()
        var rng = RNG(seed: 31)
        let n = 128
        let data = Dataset(name: "r", sampleShape: [1, 12, 12], values: .floats((0..<(n * 144)).map { _ in Float(rng.int(below: 256)) }),
                           labels: (0..<n).map { Int32($0 % 5) }, classes: 5)
        try assertQATPredictsTheIntegerReference(g, data: data, steps: 1, exactShare: 0.9)
    }
}

final class Float32ScaleTests: XCTestCase {
    /// `float32Scales`: every scale of the graph is a float32 number (what `whittle export`
    /// needs); without it they are doubles that float32 rounds.
    func testEveryScaleIsAFloat32Number() throws {
        let g = try FusionTests.trainedBNGraph()
        var rng = RNG(seed: 5)
        let data = Dataset(name: "r", sampleShape: [1, 12, 12], values: .floats((0..<(16 * 144)).map { _ in Float(rng.int(below: 256)) }),
                           labels: [Int32](repeating: 0, count: 16), classes: 5)
        let calibration = try Calibration.run(g, on: data)
        func scales(_ float32: Bool) throws -> [Double] {
            let q = try PostTrainingQuantization.lower(g, calibration: calibration, scheme: QuantizationScheme(float32Scales: float32), inputDescription: "t")
            return q.tensors.map(\.quant.scale) + q.nodes.flatMap { node -> [Double] in
                switch node.op {
                case .conv2d(let c): return c.weightScales
                case .fullyConnected(let f): return f.weightScales
                default: return []
                }
            }
        }
        XCTAssertTrue(try scales(true).allSatisfy { Double(Float($0)) == $0 })
        XCTAssertFalse(try scales(false).allSatisfy { Double(Float($0)) == $0 })
    }
}

final class QuantizationErrorProfileTests: XCTestCase {
    /// Every op of a per-channel model keeps a high SQNR against float; reshapes are skipped.
    func testProfileShowsWhereErrorEnters() throws {
        let g = try FusionTests.trainedBNGraph()
        var rng = RNG(seed: 41)
        let n = 32
        let data = Dataset(name: "r", sampleShape: [1, 12, 12], values: .floats((0..<(n * 144)).map { _ in Float(rng.int(below: 256)) }),
                           labels: [Int32](repeating: 0, count: n), classes: 5)
        let calibration = try Calibration.run(g, on: data)
        let validation = ValidationSetBuilder.make(g, data: data, inputQuant: ActivationQuantization.params(for: calibration.input))
        func profile(_ perChannel: Bool) throws -> [QuantizationErrorProfile.Layer] {
            let q = try PostTrainingQuantization.lower(g, calibration: calibration, scheme: QuantizationScheme(perChannelWeights: perChannel),
                                                       inputDescription: "t", validation: validation)
            return try QuantizationErrorProfile.measure(g, q, validation: validation, data: data)
        }
        let fine = try profile(true)
        XCTAssertEqual(fine.map(\.name), ["conv1", "pool1", "dw", "gap", "fc1", "fc2"])
        for layer in fine { XCTAssertGreaterThan(layer.sqnrDecibels, 15, layer.name) }
        XCTAssertLessThan(fine[0].meanErrorSteps, 1.0, "conv1 output within a step of float on average")
    }
}
