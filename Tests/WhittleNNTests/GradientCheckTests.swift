import XCTest
import WhittleNN
import WhittleTensor

/// Every layer's backward pass against central finite differences of L = Σ g ⊙ forward(x).
final class GradientCheckTests: XCTestCase {
    func randomTensor(_ shape: [Int], _ rng: inout RNG, scale: Float = 1) -> Tensor {
        Tensor(shape: shape, storage: (0..<shape.reduce(1, *)).map { _ in rng.uniform(-scale, scale) })
    }

    func objective(_ layer: Layer, _ x: Tensor, _ g: Tensor) -> Double {
        let y = layer.forward(x, mode: .train)
        return zip(y.storage, g.storage).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
    }

    /// Checks dL/dx and dL/dθ for `samples` random coordinates each.
    /// `kinks` are input values where the layer is not differentiable; inputs near them are
    /// moved away so the finite difference does not straddle one. `distinct` draws inputs at
    /// least 0.05 apart, so no two are near a tie (max pooling's kinks).
    func check(_ layer: Layer, input shape: [Int], seed: UInt64 = 1, samples: Int = 25, kinks: [Float] = [],
               distinct: Bool = false, file: StaticString = #filePath, line: UInt = #line) {
        var rng = RNG(seed: seed)
        var x = randomTensor(shape, &rng)
        if distinct {
            var ramp = (0..<x.count).map { Float($0) * 0.05 }
            for i in stride(from: ramp.count - 1, to: 0, by: -1) { ramp.swapAt(i, rng.int(below: i + 1)) }
            x = Tensor(shape: shape, storage: ramp)
        }
        for i in 0..<x.count where kinks.contains(where: { abs(x.storage[i] - $0) < 0.05 }) { x.storage[i] += 0.1 }
        let y = layer.forward(x, mode: .train)
        let g = randomTensor(y.shape, &rng)
        for (_, p) in layer.parameters { p.zeroGrad() }
        _ = layer.forward(x, mode: .train)
        let dx = layer.backward(g)
        let h: Float = 1e-2
        func compare(_ analytic: Float, _ numeric: Double, _ what: String) {
            let tol = 2e-2 * max(1, abs(numeric))
            XCTAssertEqual(Double(analytic), numeric, accuracy: tol, "\(layer.kind) \(what)", file: file, line: line)
        }
        if layer.needsInputGradient {
            for _ in 0..<samples {
                let i = rng.int(below: x.count), saved = x.storage[i]
                x.storage[i] = saved + h; let up = objective(layer, x, g)
                x.storage[i] = saved - h; let down = objective(layer, x, g)
                x.storage[i] = saved
                compare(dx.storage[i], (up - down) / Double(2 * h), "input[\(i)]")
            }
        }
        for (name, p) in layer.parameters {
            let analytic = p.grad
            for _ in 0..<samples {
                let i = rng.int(below: p.value.count), saved = p.value.storage[i]
                p.value.storage[i] = saved + h; let up = objective(layer, x, g)
                p.value.storage[i] = saved - h; let down = objective(layer, x, g)
                p.value.storage[i] = saved
                compare(analytic.storage[i], (up - down) / Double(2 * h), "\(name)[\(i)]")
            }
        }
    }

    func testLinear() {
        var rng = RNG(seed: 3)
        check(Linear(inFeatures: 7, outFeatures: 5, rng: &rng), input: [4, 7])
        check(Linear(inFeatures: 3, outFeatures: 2, bias: false, rng: &rng), input: [2, 3])
    }

    func testConv2d() {
        var rng = RNG(seed: 4)
        check(Conv2d(inChannels: 2, outChannels: 3, kernel: (3, 3), rng: &rng), input: [2, 2, 6, 6])
        check(Conv2d(inChannels: 3, outChannels: 4, kernel: (3, 2), stride: (2, 1), padding: Padding2D(1, 1), rng: &rng), input: [3, 3, 7, 6])
        check(Conv2d(inChannels: 4, outChannels: 4, kernel: (3, 3), padding: Padding2D(1, 1), groups: 4, rng: &rng), input: [2, 4, 5, 5]) // depthwise
        check(Conv2d(inChannels: 4, outChannels: 6, kernel: (1, 1), groups: 2, bias: false, rng: &rng), input: [2, 4, 3, 3])
        // Every side padded differently (as "same" pads), non-square kernel and stride; plain, depthwise, depth multiplier 2.
        let uneven = Padding2D(top: 0, left: 2, bottom: 1, right: 0)
        check(Conv2d(inChannels: 2, outChannels: 3, kernel: (2, 3), stride: (2, 1), padding: uneven, rng: &rng), input: [2, 2, 7, 6])
        check(Conv2d(inChannels: 3, outChannels: 3, kernel: (3, 2), stride: (1, 2), padding: uneven, groups: 3, rng: &rng), input: [2, 3, 6, 7])
        check(Conv2d(inChannels: 2, outChannels: 4, kernel: (3, 3), stride: (2, 2), padding: .same(height: 6, width: 6, kernel: (3, 3), stride: (2, 2)),
                     groups: 2, rng: &rng), input: [2, 2, 6, 6])
    }

    func testPooling() {
        check(MaxPool2d(PoolWindow(kernel: 2)), input: [2, 3, 6, 6])
        check(MaxPool2d(PoolWindow(kernel: 3, stride: 2, padding: 1)), input: [1, 2, 7, 7])
        check(AvgPool2d(PoolWindow(kernel: 2)), input: [2, 3, 6, 6])
        check(AvgPool2d(PoolWindow(kernel: 3, stride: 2, padding: 1)), input: [1, 2, 7, 7])
        let global = AvgPool2d(global: ())
        XCTAssertEqual(try global.outputShape(for: [3, 5, 5]), [3, 1, 1])
        check(global, input: [2, 3, 5, 5])
        // Non-square: a [2, 3] kernel with a [1, 2] stride, unpadded and "same"-padded; a 25×5 global pool.
        let same = Padding2D.same(height: 5, width: 7, kernel: (2, 3), stride: (1, 2))
        for window in [PoolWindow(kernel: (2, 3), stride: (1, 2)), PoolWindow(kernel: (2, 3), stride: (1, 2), padding: same)] {
            check(MaxPool2d(window), input: [2, 2, 5, 7], distinct: true)
            check(AvgPool2d(window), input: [2, 2, 5, 7])
        }
        let wide = AvgPool2d(global: ())
        XCTAssertEqual(try wide.outputShape(for: [2, 25, 5]), [2, 1, 1])
        check(wide, input: [2, 2, 25, 5])
    }

    func testSoftmax() {
        let softmax = Softmax()
        XCTAssertEqual(try softmax.outputShape(for: [4, 1, 1]), [4, 1, 1])
        XCTAssertThrowsError(try softmax.outputShape(for: [4, 2, 2]))
        let y = softmax.forward(Tensor(shape: [2, 3], storage: [1, 2, 3, 1000, 1000, -1000]), mode: .eval)
        let e = [exp(-2.0), exp(-1.0), 1].map { $0 / (exp(-2.0) + exp(-1.0) + 1) }
        for (a, b) in zip(y.storage, e.map(Float.init) + [0.5, 0.5, 0]) { XCTAssertEqual(a, b, accuracy: 1e-6) } // no overflow at 1000
        check(softmax, input: [3, 5])
        check(softmax, input: [2, 4, 1, 1])
    }

    func testActivations() {
        check(ClampActivation.relu(), input: [3, 10], kinks: [0])
        let relu6 = ClampActivation.relu6()
        var rng = RNG(seed: 9)
        let x = Tensor(shape: [1, 4], storage: [-1, 3, 7, 6.5])
        XCTAssertEqual(relu6.forward(x, mode: .eval).storage, [0, 3, 6, 6])
        // Scale inputs so some exceed 6, then check gradients.
        let layer = ClampActivation.relu6()
        var xs = randomTensor([2, 20], &rng, scale: 9)
        for i in 0..<xs.count where abs(abs(xs.storage[i]) - 6) < 0.05 || abs(xs.storage[i]) < 0.05 { xs.storage[i] = 3 }
        _ = layer.forward(xs, mode: .train)
        let dx = layer.backward(Tensor(shape: [2, 20], repeating: 1))
        for i in 0..<xs.count { XCTAssertEqual(dx.storage[i], xs.storage[i] > 0 && xs.storage[i] < 6 ? 1 : 0) }
    }

    func testBatchNorm() {
        let bn2 = BatchNorm(channels: 3, spatial: true)
        var rng = RNG(seed: 5)
        for (_, p) in bn2.parameters { p.value = randomTensor(p.value.shape, &rng) }
        check(bn2, input: [4, 3, 3, 3])
        let bn1 = BatchNorm(channels: 5, spatial: false)
        check(bn1, input: [6, 5])
    }

    func testBatchNormRunningStatisticsAndEvalMode() {
        let bn = BatchNorm(channels: 1, spatial: false, momentum: 0.1)
        let x = Tensor(shape: [4, 1], storage: [1, 2, 3, 4])
        _ = bn.forward(x, mode: .train)
        XCTAssertEqual(bn.runningMean.storage[0], 0.25, accuracy: 1e-6)          // 0.9·0 + 0.1·2.5
        XCTAssertEqual(bn.runningVar.storage[0], 0.9 + 0.1 * 5 / 3, accuracy: 1e-6) // unbiased variance 5/3
        let y = bn.forward(x, mode: .eval)
        XCTAssertEqual(y.storage[0], (1 - 0.25) / (bn.runningVar.storage[0] + 1e-5).squareRoot(), accuracy: 1e-5)
    }

    func testFlattenAndDropout() {
        check(Flatten(), input: [2, 3, 2, 2])
        let d = Dropout(p: 0.5, rng: RNG(seed: 1))
        let x = Tensor(shape: [1, 1000], repeating: 1)
        let y = d.forward(x, mode: .train)
        let kept = y.storage.filter { $0 != 0 }
        XCTAssertTrue(kept.allSatisfy { $0 == 2 })
        XCTAssertEqual(Double(kept.count), 500, accuracy: 60)
        XCTAssertEqual(d.backward(x).storage, y.storage)
        XCTAssertEqual(d.forward(x, mode: .eval).storage, x.storage)
    }

    func testResidualAddGraph() throws {
        var rng = RNG(seed: 8)
        let g = Graph(inputShape: [4])
        try g.append("fc1", .layer(Linear(inFeatures: 4, outFeatures: 4, rng: &rng)))
        try g.append("fc2", .layer(Linear(inFeatures: 4, outFeatures: 4, rng: &rng)))
        try g.append("sum", .add, inputs: [0, 1])
        let x = randomTensor([3, 4], &rng)
        let gy = randomTensor([3, 4], &rng)
        func loss() -> Double { zip(g.forward(x, mode: .train).storage, gy.storage).reduce(0.0) { $0 + Double($1.0 * $1.1) } }
        g.zeroGrad()
        _ = g.forward(x, mode: .train)
        g.backward(gy)
        let w = g.namedParameters[0].parameter
        let analytic = w.grad.storage[5], saved = w.value.storage[5]
        w.value.storage[5] = saved + 1e-2; let up = loss()
        w.value.storage[5] = saved - 1e-2; let down = loss()
        w.value.storage[5] = saved
        XCTAssertEqual(Double(analytic), (up - down) / 2e-2, accuracy: 1e-2)
        XCTAssertThrowsError(try g.append("bad", .add, inputs: [0])) // add needs two inputs
    }
}
