import XCTest
import Foundation
import WhittleCompress
import WhittleNN
import WhittleTensor

final class DynamicQuantizationTests: XCTestCase {
    /// Dynamic int8 tracks float closely, is not identical to it, and leaves the float graph alone.
    func testDynamicModelTracksFloat() throws {
        let g = try QATTests.convBN()
        let before = g.namedParameters.map(\.parameter.value)
        let dynamic = try DynamicQuantization.model(g)
        XCTAssertEqual(dynamic.nodes.map { $0.layer?.kind ?? "" }, ["dynamic_conv2d", "batchnorm2d", "relu", "flatten", "dynamic_linear"])
        var rng = RNG(seed: 9)
        let x = Tensor(shape: [5, 2, 6, 6], storage: (0..<360).map { _ in rng.uniform(-1, 1) })
        let want = g.forward(x, mode: .eval), got = dynamic.forward(x, mode: .eval)
        let scale = want.storage.map(abs).max()!
        var differs = false
        for i in 0..<want.count {
            XCTAssertEqual(got.storage[i], want.storage[i], accuracy: 0.05 * scale)
            if got.storage[i] != want.storage[i] { differs = true }
        }
        XCTAssertTrue(differs, "quantization must change something")
        XCTAssertEqual(g.namedParameters.map(\.parameter.value), before)
    }
}
