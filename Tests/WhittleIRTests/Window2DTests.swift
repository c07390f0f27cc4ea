import WhittleIR
import XCTest

final class Window2DTests: XCTestCase {
    func testOutputSize() {
        XCTAssertEqual(Window2D(kernel: 5).outputSize(height: 28, width: 28)?.height, 24)
        XCTAssertEqual(Window2D(kernel: 3, stride: 2, padding: 1).outputSize(height: 7, width: 8)?.width, 4)
        XCTAssertNil(Window2D(kernel: 5).outputSize(height: 4, width: 9))
    }

    /// The interior is exactly the set of outputs whose every tap lies inside the input.
    func testInteriorMatchesBruteForce() {
        var rng = SeededGenerator(seed: 1)
        for _ in 0..<2000 {
            let k = Int.random(in: 1...5, using: &rng), s = Int.random(in: 1...3, using: &rng)
            let before = Int.random(in: 0..<k, using: &rng), after = Int.random(in: 0..<k, using: &rng)
            let input = Int.random(in: 1...12, using: &rng)
            let w = Window2D(kernelHeight: k, kernelWidth: 1, strideHeight: s, padTop: before, padBottom: after)
            guard let out = w.outputSize(height: input, width: 1)?.height else { continue }
            let expected = (0..<out).filter { o in o * s - before >= 0 && o * s - before + k <= input }
            let interior = w.interiorRows(inputHeight: input, outputHeight: out)
            XCTAssertEqual(Array(interior), expected, "k \(k) s \(s) pad \(before)/\(after) input \(input)")
        }
    }
}
