import XCTest
import WhittleTensor

final class Im2colTests: XCTestCase {
    /// Random geometries: the LeNet ones (stride 1, no padding) and others with stride,
    /// padding (up to the kernel size, each side drawn alone, as "same" padding is uneven),
    /// non-square kernels and images smaller than the window once padded.
    private func randomGeometry(_ rng: inout RNG) -> ConvGeometry {
        while true {
            let kh = 1 + rng.int(below: 5), kw = 1 + rng.int(below: 5)
            let g = ConvGeometry(channels: 1 + rng.int(below: 3), height: 1 + rng.int(below: 14), width: 1 + rng.int(below: 30),
                                 kernelH: kh, kernelW: kw, strideH: 1 + rng.int(below: 3), strideW: 1 + rng.int(below: 3),
                                 padding: Padding2D(top: rng.int(below: kh), left: rng.int(below: kw),
                                                    bottom: rng.int(below: kh), right: rng.int(below: kw)))
            if g.windowFits { return g }
        }
    }

    /// Stride 1, no padding: the fast path, with output widths around its 8-wide copies.
    private func randomDenseGeometry(_ rng: inout RNG) -> ConvGeometry {
        let kh = 1 + rng.int(below: 5), kw = 1 + rng.int(below: 5)
        return ConvGeometry(channels: 1 + rng.int(below: 3), height: kh + rng.int(below: 12), width: kw + rng.int(below: 26),
                            kernelH: kh, kernelW: kw)
    }

    /// Stride 1 with padding, each side its own (TensorFlow's "same" is uneven): the
    /// line-by-line path (Im2colStride1.swift) where rows have 8 outputs or more, with lines
    /// wholly in the padding and runs around multiples of 8.
    private func randomPaddedGeometry(_ rng: inout RNG) -> ConvGeometry {
        let kh = 1 + rng.int(below: 5), kw = 1 + rng.int(below: 5)
        return ConvGeometry(channels: 1 + rng.int(below: 3), height: 1 + rng.int(below: 12), width: 6 + rng.int(below: 22),
                            kernelH: kh, kernelW: kw,
                            padding: Padding2D(top: rng.int(below: kh), left: rng.int(below: kw),
                                               bottom: rng.int(below: kh), right: rng.int(below: kw)))
    }

    private func geometries(_ rng: inout RNG) -> [ConvGeometry] {
        let lenet = [ConvGeometry(channels: 1, height: 28, width: 28, kernelH: 5, kernelW: 5),
                     ConvGeometry(channels: 6, height: 12, width: 12, kernelH: 5, kernelW: 5)]
        let resNet = [ConvGeometry(channels: 2, height: 28, width: 28, kernelH: 3, kernelW: 3, padding: Padding2D(1, 1)),
                      ConvGeometry(channels: 2, height: 7, width: 7, kernelH: 3, kernelW: 3, padding: Padding2D(1, 1))]
        return lenet + resNet + (0..<100).map { _ in randomDenseGeometry(&rng) } + (0..<300).map { _ in randomGeometry(&rng) }
            + (0..<100).map { _ in randomPaddedGeometry(&rng) }.filter { $0.windowFits }
    }

    private func unfold(_ g: ConvGeometry, _ image: [Float]) -> [Float] {
        var columns = [Float](repeating: .nan, count: g.patchSize * g.outPixels)
        image.withUnsafeBufferPointer { ip in columns.withUnsafeMutableBufferPointer { cp in
            Im2col.unfold(g, image: ip.baseAddress!, columns: cp.baseAddress!)
        }}
        return columns
    }

    private func fold(_ g: ConvGeometry, _ columns: [Float], onto image: [Float]) -> [Float] {
        var image = image
        columns.withUnsafeBufferPointer { cp in image.withUnsafeMutableBufferPointer { ip in
            Im2col.fold(g, columns: cp.baseAddress!, image: ip.baseAddress!)
        }}
        return image
    }

    /// The definition: row (c, ky, kx), column (oy, ox) holds the tap it reads, 0 off the image.
    private func naiveUnfold(_ g: ConvGeometry, _ image: [Float]) -> [Float] {
        var columns = [Float]()
        for c in 0..<g.channels { for ky in 0..<g.kernelH { for kx in 0..<g.kernelW {
            for oy in 0..<g.outHeight { for ox in 0..<g.outWidth {
                let iy = oy * g.strideH - g.padding.top + ky, ix = ox * g.strideW - g.padding.left + kx
                let inside = iy >= 0 && iy < g.height && ix >= 0 && ix < g.width
                columns.append(inside ? image[(c * g.height + iy) * g.width + ix] : 0)
            }}
        }}}
        return columns
    }

    func testUnfoldMatchesDefinition() {
        var rng = RNG(seed: 11)
        for g in geometries(&rng) {
            let image = (0..<(g.channels * g.height * g.width)).map { _ in rng.uniform(-1, 1) }
            XCTAssertEqual(unfold(g, image), naiveUnfold(g, image), "\(g)")
        }
    }

    /// fold is the adjoint of unfold: ⟨unfold(x), y⟩ == ⟨x, fold(y)⟩.
    func testFoldIsAdjointOfUnfold() {
        var rng = RNG(seed: 12)
        for g in geometries(&rng) {
            let x = (0..<(g.channels * g.height * g.width)).map { _ in rng.uniform(-1, 1) }
            let y = (0..<(g.patchSize * g.outPixels)).map { _ in rng.uniform(-1, 1) }
            let zero = [Float](repeating: 0, count: x.count)
            let lhs = zip(unfold(g, x), y).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            let rhs = zip(x, fold(g, y, onto: zero)).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            XCTAssertEqual(lhs, rhs, accuracy: 1e-5 * Double(y.count).squareRoot() + 1e-9, "\(g)")
        }
    }

    /// fold accumulates onto the image rather than overwriting it.
    func testFoldAccumulates() {
        var rng = RNG(seed: 13)
        for g in geometries(&rng) {
            let base = (0..<(g.channels * g.height * g.width)).map { _ in rng.uniform(-1, 1) }
            let y = (0..<(g.patchSize * g.outPixels)).map { _ in rng.uniform(-1, 1) }
            let onZero = fold(g, y, onto: [Float](repeating: 0, count: base.count))
            let onBase = fold(g, y, onto: base)
            for i in base.indices { XCTAssertEqual(onBase[i], base[i] + onZero[i], accuracy: 1e-5, "\(g)") }
        }
    }
}
