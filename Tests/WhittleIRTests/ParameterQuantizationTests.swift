import WhittleIR
import XCTest

final class ParameterQuantizationTests: XCTestCase {
    /// The doc examples: [0.5, −1.27, 0.004] → scale 0.01, [50, −127, 0]; an all-zero row keeps a
    /// positive scale.
    func testSymmetricPerChannel() {
        let (values, scales) = ParameterQuantization.symmetricPerChannel([0.5, -1.27, 0.004, 0, 0, 0], outputs: 2)
        XCTAssertEqual(values, [50, -127, 0, 0, 0, 0])
        XCTAssertEqual(scales[0], 0.01, accuracy: 1e-9)
        XCTAssertEqual(scales[1], 1.0 / 127)
    }

    func testNeverProducesMinus128() {
        var rng = SeededGenerator(seed: 8)
        let weights = (0..<4000).map { _ in Float(rng.logUniform(1e-4...10)) * (Bool.random(using: &rng) ? 1 : -1) }
        let (values, scales) = ParameterQuantization.symmetricPerChannel(weights, outputs: 40)
        XCTAssertFalse(values.contains(-128))
        XCTAssertEqual(scales.count, 40)
        for (i, w) in weights.enumerated() {
            XCTAssertEqual(Double(values[i]) * scales[i / 100], Double(w), accuracy: scales[i / 100] / 2 + 1e-6)
        }
    }

    func testBias() {
        XCTAssertEqual(ParameterQuantization.bias([0.3, -0.3], inputScale: 0.02, weightScales: [0.01, 0.01]), [1500, -1500])
        XCTAssertNil(ParameterQuantization.bias([1e6], inputScale: 1e-3, weightScales: [1e-3]))
    }
}
