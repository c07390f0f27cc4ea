import XCTest
import WhittleNN
import WhittleTensor

/// The direct depthwise kernels (DepthwiseConv.swift) and the 1×1 in-place path of Conv2d:
/// gradients against finite differences, and the same values as the generic grouped GEMMs.
extension GradientCheckTests {
    private var depthwiseShapes: [(kernel: (Int, Int), stride: (Int, Int), padding: Padding2D, input: [Int])] {
        [
            ((3, 3), (1, 1), Padding2D(1, 1), [2, 4, 9, 11]),
            ((3, 3), (2, 2), Padding2D(1, 1), [2, 3, 7, 8]),
            ((3, 2), (2, 1), Padding2D(0, 1), [1, 2, 6, 5]),
            ((5, 5), (1, 1), Padding2D(2, 2), [1, 2, 4, 20]),   // taps past both edges, rows of 8 and more
            // TensorFlow's "same": the odd row and column at the bottom and right.
            ((3, 3), (2, 2), Padding2D(top: 0, left: 0, bottom: 1, right: 1), [2, 3, 8, 6]),
            ((4, 2), (1, 1), Padding2D(top: 1, left: 0, bottom: 2, right: 1), [1, 2, 5, 9]),
        ]
    }

    func testDepthwiseGradients() {
        var rng = RNG(seed: 11)
        for (i, s) in depthwiseShapes.enumerated() {
            let c = s.input[1]
            let conv = Conv2d(inChannels: c, outChannels: c, kernel: s.kernel, stride: s.stride, padding: s.padding,
                              groups: c, bias: i % 2 == 0, rng: &rng)
            check(conv, input: s.input, seed: UInt64(i + 1))
        }
    }

    func testDepthwiseEqualsTheGroupedPath() {
        for (i, s) in depthwiseShapes.enumerated() {
            let c = s.input[1]
            var r1 = RNG(seed: UInt64(20 + i)), r2 = r1
            let direct = Conv2d(inChannels: c, outChannels: c, kernel: s.kernel, stride: s.stride, padding: s.padding, groups: c, rng: &r1)
            let generic = Conv2d(inChannels: c, outChannels: c, kernel: s.kernel, stride: s.stride, padding: s.padding, groups: c, rng: &r2)
            generic.usesDepthwiseKernel = false
            XCTAssertEqual(direct.weight.value, generic.weight.value)
            assertSameLayer(direct, generic, input: s.input, seed: UInt64(i))
        }
    }

    func testPointwiseReadsTheImageInPlace() {
        var rng = RNG(seed: 5)
        check(Conv2d(inChannels: 5, outChannels: 3, kernel: (1, 1), rng: &rng), input: [2, 5, 3, 4])
        // The output against the product written out.
        var r1 = RNG(seed: 6)
        let conv = Conv2d(inChannels: 4, outChannels: 6, kernel: (1, 1), rng: &r1)
        var xr = RNG(seed: 7)
        let x = Tensor(shape: [2, 4, 3, 3], storage: (0..<72).map { _ in xr.uniform(-1, 1) })
        let y = conv.forward(x, mode: .train)
        for n in 0..<2 { for o in 0..<6 { for p in 0..<9 {
            var expected = conv.bias!.value.storage[o]
            for i in 0..<4 { expected += conv.weight.value.storage[o * 4 + i] * x.storage[(n * 4 + i) * 9 + p] }
            XCTAssertEqual(y.storage[(n * 6 + o) * 9 + p], expected, accuracy: 1e-5)
        }}}
    }

    func testEvaluationForwardEqualsTraining() {
        var rng = RNG(seed: 8)
        let conv = Conv2d(inChannels: 3, outChannels: 5, kernel: (3, 3), stride: (2, 2), padding: Padding2D(1, 1), rng: &rng)
        let x = Tensor(shape: [3, 3, 7, 7], storage: (0..<441).map { _ in rng.uniform(-1, 1) })
        XCTAssertEqual(conv.forward(x, mode: .eval), conv.forward(x, mode: .train))
    }

    /// Same forward output, input gradient and parameter gradients within float rounding.
    private func assertSameLayer(_ a: Conv2d, _ b: Conv2d, input shape: [Int], seed: UInt64, file: StaticString = #filePath, line: UInt = #line) {
        var rng = RNG(seed: seed)
        let x = Tensor(shape: shape, storage: (0..<shape.reduce(1, *)).map { _ in rng.uniform(-1, 1) })
        let ya = a.forward(x, mode: .train), yb = b.forward(x, mode: .train)
        XCTAssertEqual(ya.shape, yb.shape, file: file, line: line)
        let g = Tensor(shape: ya.shape, storage: (0..<ya.count).map { _ in rng.uniform(-1, 1) })
        let dxa = a.backward(g), dxb = b.backward(g)
        for (name, u, v) in [("output", ya, yb), ("input gradient", dxa, dxb), ("weight gradient", a.weight.grad, b.weight.grad),
                             ("bias gradient", a.bias!.grad, b.bias!.grad)] {
            XCTAssertEqual(u.count, v.count, name, file: file, line: line)
            for i in 0..<u.count { XCTAssertEqual(u.storage[i], v.storage[i], accuracy: 1e-4 * max(1, abs(v.storage[i])), "\(name)[\(i)]", file: file, line: line) }
        }
    }
}

extension GradientCheckTests {
    /// Stride-1 convolutions take their input gradient as a convolution of dy with the flipped
    /// filters (ConvInputGradient); padding 0 up to kernel − 1, square and not.
    func testInputGradientByFlippedFilters() {
        var rng = RNG(seed: 12)
        check(Conv2d(inChannels: 3, outChannels: 4, kernel: (3, 3), padding: Padding2D(1, 1), bias: false, rng: &rng), input: [2, 3, 6, 5])
        check(Conv2d(inChannels: 2, outChannels: 3, kernel: (3, 2), padding: Padding2D(2, 0), rng: &rng), input: [2, 2, 4, 5])
        check(Conv2d(inChannels: 2, outChannels: 2, kernel: (5, 4), padding: Padding2D(4, 1), rng: &rng), input: [1, 2, 7, 6])
        // Rows wide enough for the padded-width columns (WideColumns) forward and backward.
        check(Conv2d(inChannels: 2, outChannels: 3, kernel: (3, 3), padding: Padding2D(1, 1), rng: &rng), input: [2, 2, 5, 14])
        // Each side its own padding (TensorFlow's "same"), narrow and wide rows.
        check(Conv2d(inChannels: 2, outChannels: 3, kernel: (2, 2), padding: Padding2D(top: 0, left: 0, bottom: 1, right: 1), rng: &rng),
              input: [2, 2, 5, 6])
        check(Conv2d(inChannels: 2, outChannels: 2, kernel: (4, 3), padding: Padding2D(top: 1, left: 2, bottom: 2, right: 0), rng: &rng),
              input: [1, 2, 6, 16])
        check(Conv2d(inChannels: 2, outChannels: 2, kernel: (3, 3), rng: &rng), input: [1, 2, 4, 30])
        // A grouped convolution reads each group's taps from the padded image in place.
        check(Conv2d(inChannels: 4, outChannels: 6, kernel: (3, 3), padding: Padding2D(1, 1), groups: 2, rng: &rng), input: [2, 4, 5, 16])
        // 7×7 planes (ResNet-8's last stage): 63 padded-width outputs against 49.
        check(Conv2d(inChannels: 2, outChannels: 3, kernel: (3, 3), padding: Padding2D(1, 1), rng: &rng), input: [2, 2, 7, 7])
    }
}
