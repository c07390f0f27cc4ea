import XCTest
import Foundation
import WhittleCompress
import WhittleIR
import WhittleLower
import WhittleNN
import WhittleTensor

/// "same" padding, non-square pools and a non-square global pool reach the IR's windows side
/// by side, and the integer graph still tracks the float one.
final class WindowLoweringTests: XCTestCase {
    func testUnevenPaddingAndNonSquareWindowsLower() throws {
        let spec = try Spec.parse(Data("""
        {"name": "w", "input": [1, 10, 7], "layers": [
          {"name": "c1", "type": "conv2d", "out_channels": 4, "kernel": [3, 2], "stride": 2, "padding": "same"},
          {"name": "a1", "type": "relu"},
          {"name": "mp", "type": "maxpool2d", "kernel": [2, 3], "stride": [1, 2], "padding": "same"},
          {"name": "dw", "type": "conv2d", "out_channels": 4, "kernel": [2, 3], "groups": 4, "padding": "same"},
          {"name": "gap", "type": "global_avgpool"},
          {"name": "flat", "type": "flatten"},
          {"name": "fc", "type": "linear", "out_features": 3}]}
        """.utf8), file: "w.json")
        let g = try spec.buildGraph(seed: 4)
        XCTAssertEqual(g.nodes.map(\.outputShape).prefix(5), [[4, 5, 4], [4, 5, 4], [4, 5, 2], [4, 5, 2], [4, 1, 1]])
        var rng = RNG(seed: 9)
        let n = 64
        let data = Dataset(name: "random", sampleShape: [1, 10, 7], values: .floats((0..<(n * 70)).map { _ in rng.uniform(-1, 1) }),
                           labels: [Int32](repeating: 0, count: n), classes: 3, normalization: Normalization(scale: 1, mean: 0, std: 1))
        let calibration = try Calibration.run(g, on: data)
        let validation = ValidationSetBuilder.make(g, data: data, inputQuant: ActivationQuantization.params(for: calibration.input))
        let q = try PostTrainingQuantization.lower(g, calibration: calibration, inputDescription: "test", validation: validation)
        let windows: [Window2D] = q.nodes.compactMap {
            switch $0.op {
            case .conv2d(let c): return c.window
            case .maxPool(let p), .averagePool(let p): return p.window
            default: return nil
            }
        }
        XCTAssertEqual(windows, [
            Window2D(kernelHeight: 3, kernelWidth: 2, strideHeight: 2, strideWidth: 2, padTop: 0, padLeft: 0, padBottom: 1, padRight: 1),
            Window2D(kernelHeight: 2, kernelWidth: 3, strideHeight: 1, strideWidth: 2, padTop: 0, padLeft: 0, padBottom: 1, padRight: 1),
            Window2D(kernelHeight: 2, kernelWidth: 3, padTop: 0, padLeft: 1, padBottom: 1, padRight: 1),
            Window2D(kernelHeight: 5, kernelWidth: 2, strideHeight: 5, strideWidth: 2),
        ])
        let out = try ReferenceInterpreter(graph: q).run(batch: validation.inputs, count: n)
        let outQuant = q.outputTensor.quant
        for i in 0..<(n * 3) {
            XCTAssertEqual(outQuant.dequantize(out[i]), Double(validation.floatLogits![i]), accuracy: 8 * outQuant.scale)
        }
    }
}
