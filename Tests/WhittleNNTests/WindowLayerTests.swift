import XCTest
import WhittleNN
import WhittleTensor

/// Conv and pools with uneven padding, non-square kernels and strides against `NaiveWindows`
/// (their gradients are in `GradientCheckTests`).
final class WindowLayerTests: XCTestCase {
    func random(_ shape: [Int], _ rng: inout RNG) -> Tensor {
        Tensor(shape: shape, storage: (0..<shape.reduce(1, *)).map { _ in rng.uniform(-1, 1) })
    }

    func assertClose(_ a: Tensor, _ b: Tensor, _ what: String, line: UInt = #line) {
        XCTAssertEqual(a.shape, b.shape, what, line: line)
        for (i, (u, v)) in zip(a.storage, b.storage).enumerated() where abs(u - v) > 1e-4 * max(1, abs(v)) {
            XCTFail("\(what): element \(i) is \(u), naive \(v)", line: line); return
        }
    }

    /// Plain, depthwise and depth-multiplier convs with every side padded differently, and with
    /// "same" padding, over odd and even sizes.
    func testConvWithUnevenPaddingMatchesNaive() throws {
        var rng = RNG(seed: 21)
        let uneven = Padding2D(top: 0, left: 2, bottom: 1, right: 0)
        let cases: [(inC: Int, outC: Int, groups: Int, kernel: (Int, Int), stride: (Int, Int), h: Int, w: Int, padding: Padding2D?)] = [
            (3, 4, 1, (3, 2), (1, 1), 7, 6, uneven),
            (3, 5, 1, (2, 3), (2, 1), 8, 9, uneven),
            (4, 4, 4, (3, 3), (2, 2), 6, 7, nil),    // depthwise, "same"
            (4, 8, 4, (3, 1), (1, 2), 9, 8, nil),    // depth multiplier 2, "same"
            (2, 3, 1, (4, 4), (2, 2), 10, 5, nil),   // even kernel: one more at the bottom and right
            (4, 4, 4, (2, 3), (1, 2), 5, 5, uneven), // depthwise, uneven
        ]
        for c in cases {
            let pad = c.padding ?? .same(height: c.h, width: c.w, kernel: c.kernel, stride: c.stride)
            let conv = Conv2d(inChannels: c.inC, outChannels: c.outC, kernel: c.kernel, stride: c.stride,
                              padding: pad, groups: c.groups, rng: &rng)
            let x = random([2, c.inC, c.h, c.w], &rng)
            let y = conv.forward(x, mode: .train)
            assertClose(y, NaiveWindows.conv(x, conv), "\(c)")
            XCTAssertEqual(try conv.outputShape(for: [c.inC, c.h, c.w]), Array(y.shape.dropFirst()))
            if c.padding == nil {
                XCTAssertEqual(Array(y.shape[2...]), [(c.h + c.stride.0 - 1) / c.stride.0, (c.w + c.stride.1 - 1) / c.stride.1], "same: ceil(in / stride)")
            }
        }
    }

    /// Output and all three gradients against the tap-by-tap definitions, over strides 1 to 3
    /// each way (unfolded, and read in place from the padded image), kernels 1 to 5, every side
    /// padded on its own, groups, and ResNet-8's shapes.
    func testStridedConvAndGradientsMatchNaive() throws {
        var rng = RNG(seed: 23)
        typealias Case = (inC: Int, outC: Int, groups: Int, kernel: (Int, Int), stride: (Int, Int), h: Int, w: Int, padding: Padding2D)
        var cases: [Case] = [
            (4, 16, 1, (3, 3), (1, 1), 28, 28, Padding2D(1, 1)),  // ResNet-8 stage 1, 16 channels: the weight gradient's tiles
            (4, 8, 1, (3, 3), (2, 2), 28, 28, Padding2D(1, 1)),   // stage 2's first conv
            (8, 16, 1, (3, 3), (1, 1), 7, 7, Padding2D(1, 1)),    // stage 3's 7×7 planes
            (4, 8, 1, (1, 1), (2, 2), 28, 28, .zero),             // a 1×1 strided skip
            (3, 6, 1, (3, 3), (2, 2), 27, 29, Padding2D(top: 0, left: 0, bottom: 1, right: 1)), // "same" on odd sizes
            (2, 4, 2, (3, 3), (2, 2), 20, 24, Padding2D(1, 1)),   // grouped
            (2, 3, 1, (5, 3), (3, 2), 25, 30, Padding2D(top: 2, left: 1, bottom: 1, right: 0)),
        ]
        for _ in 0..<30 {
            let kernel = (1 + rng.int(below: 5), 1 + rng.int(below: 5))
            let padding = Padding2D(top: rng.int(below: kernel.0), left: rng.int(below: kernel.1),
                                    bottom: rng.int(below: kernel.0), right: rng.int(below: kernel.1))
            cases.append((1 + rng.int(below: 3), 1 + rng.int(below: 6), 1, kernel, (1 + rng.int(below: 3), 1 + rng.int(below: 3)),
                          kernel.0 + rng.int(below: 24), kernel.1 + rng.int(below: 34), padding))
        }
        for c in cases {
            let conv = Conv2d(inChannels: c.inC, outChannels: c.outC, kernel: c.kernel, stride: c.stride,
                              padding: c.padding, groups: c.groups, rng: &rng)
            conv.usesDepthwiseKernel = false
            let x = random([2, c.inC, c.h, c.w], &rng)
            let y = conv.forward(x, mode: .train)
            assertClose(y, NaiveWindows.conv(x, conv), "output \(c)")
            let dy = random(y.shape, &rng)
            let dx = conv.backward(dy)
            let naive = NaiveWindows.convGradients(x, conv, dy)
            assertClose(dx, naive.input, "input gradient \(c)")
            assertClose(conv.weight.grad, naive.weight, "weight gradient \(c)")
            assertClose(conv.bias!.grad, naive.bias, "bias gradient \(c)")
        }
    }

    func testNonSquarePoolsMatchNaive() throws {
        var rng = RNG(seed: 22)
        let windows = [PoolWindow(kernel: (2, 3), stride: (1, 2)),
                       PoolWindow(kernel: (2, 3), stride: (1, 2), padding: Padding2D(top: 0, left: 1, bottom: 1, right: 1)),
                       PoolWindow(kernel: (3, 2), stride: (3, 2)),   // tiled, non-square
                       PoolWindow(kernel: (2, 3), stride: (2, 3))]
        for window in windows {
            let x = random([2, 3, 7, 8], &rng)
            assertClose(MaxPool2d(window).forward(x, mode: .eval), NaiveWindows.pool(x, window, average: false), "max \(window)")
            assertClose(AvgPool2d(window).forward(x, mode: .eval), NaiveWindows.pool(x, window, average: true), "avg \(window)")
        }
        XCTAssertEqual(try MaxPool2d(windows[0]).outputShape(for: [3, 7, 8]), [3, 6, 3])
        XCTAssertThrowsError(try MaxPool2d(PoolWindow(kernel: (2, 3), padding: Padding2D(top: 2, left: 0, bottom: 0, right: 0)))
            .outputShape(for: [1, 6, 6])) { XCTAssertTrue("\($0)".contains("half the kernel 2×3"), "\($0)") }
    }

    /// DS-CNN's 25×5 map: the window is the whole plane, square or not.
    func testGlobalAveragePoolOfANonSquareMap() throws {
        var rng = RNG(seed: 23)
        let gap = AvgPool2d(global: ())
        XCTAssertEqual(try gap.outputShape(for: [4, 25, 5]), [4, 1, 1])
        XCTAssertEqual(gap.window, PoolWindow(kernel: (25, 5)))
        let x = random([2, 4, 25, 5], &rng)
        let y = gap.forward(x, mode: .train)
        for plane in 0..<8 {
            let mean = x.storage[(plane * 125)..<((plane + 1) * 125)].reduce(0, +) / 125
            XCTAssertEqual(y.storage[plane], mean, accuracy: 1e-5)
        }
        let dx = gap.backward(Tensor(shape: [2, 4, 1, 1], repeating: 1))
        XCTAssertTrue(dx.storage.allSatisfy { abs($0 - 1 / 125) < 1e-7 })
    }
}
