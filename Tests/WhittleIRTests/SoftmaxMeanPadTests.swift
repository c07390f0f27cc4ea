import Foundation
import WhittleIR
import XCTest

/// `Softmax`, `Mean` and `Pad`: TFLite's arithmetic on hand-derived examples, against the real
/// functions and against LiteRT's reference kernels, the verifier's rules, the builder's checks,
/// the `.q` format and the text.
final class SoftmaxMeanPadTests: XCTestCase {
    // MARK: - Softmax

    /// Equal inputs over C channels give about 256/C − 128. By TFLite's steps: every difference is
    /// 0, so every exponential is exp(0) = 2^31 − 1 and the sum C · 2^19 (Q12.19). For C = 2^k the
    /// reciprocal is 1/(1 + 0) = 2^31 − 1 with k bits over unit, the product (2^31 − 1)^2 / 2^31
    /// rounds to 2^31 − 2, and (2^31 − 2) / 2^(k + 23) rounds to 256/C: C = 1 gives 256 − 128,
    /// clamped to 127. For C = 3 the sum 3 · 2^19 has one bit over unit, 1/(1 + 1/2) is
    /// 1_431_655_762, times 2^31 − 1 is 1_431_655_761, over 2^24 is 85.33 → 85 − 128 = −43.
    func testEqualInputsGiveOneOverC() throws {
        let handDerived: [Int: Int8] = [1: 127, 2: 0, 3: -43, 4: -64, 8: -96, 16: -112, 256: -127]
        for channels in [1, 2, 3, 4, 5, 7, 8, 10, 16, 100, 255, 256, 511] {
            for (beta, scale) in [(1.0, 0.1), (0.5, 0.003), (3.0, 2.0)] {
                let softmax = try XCTUnwrap(Softmax(beta: beta, inputScale: scale))
                let value = Int8.random(in: -128...127)
                let y = softmax.apply([Int8](repeating: value, count: channels))
                XCTAssertEqual(Set(y).count, 1, "equal inputs, equal outputs")
                XCTAssertLessThanOrEqual(abs(Double(y[0]) - min(127, 256 / Double(channels) - 128)), 1, "C = \(channels)")
                if let expected = handDerived[channels] { XCTAssertEqual(y[0], expected, "C = \(channels)") }
            }
        }
    }

    /// One input far above the rest takes all the probability: 255 steps of 0.05 is e^−12.75.
    func testOneDominantInputTakesAll() throws {
        let softmax = try XCTUnwrap(Softmax(beta: 1, inputScale: 0.05))
        XCTAssertEqual(softmax.apply([127] + [Int8](repeating: -128, count: 9)), [127] + [Int8](repeating: -128, count: 9))
        XCTAssertEqual(softmax.apply([-128, -128, 127]), [-128, -128, 127])
    }

    /// Over random rows, scales and betas every output is within 2 steps of the real softmax
    /// (fixed-point exp and reciprocal, then one rounding).
    func testFollowsTheRealSoftmax() throws {
        var rng = SeededGenerator(seed: 11)
        var worst = 0.0
        for _ in 0..<400 {
            let channels = Int.random(in: 1...64, using: &rng)
            let scale = rng.logUniform(0.005...1), beta = [1, 0.5, 2].randomElement(using: &rng)!
            let softmax = try XCTUnwrap(Softmax(beta: beta, inputScale: scale))
            let row = (0..<channels).map { _ in Int8.random(in: -128...127, using: &rng) }
            let exps = row.map { exp(beta * scale * Double(Int($0) - Int(row.max()!))) }
            let total = exps.reduce(0, +)
            for (y, e) in zip(softmax.apply(row), exps) {
                let real = max(-128, min(127, e / total * 256 - 128))
                worst = max(worst, abs(Double(y) - real))
            }
        }
        XCTAssertLessThanOrEqual(worst, 2)
        XCTAssertGreaterThan(worst, 0.4, "the comparison sees rounding")
    }

    /// TFLite's `SoftmaxPrepare` parameters: beta · s_in · 2^26, its left shift, and
    /// diff_min = −floor(31 · 2^26 / 2^shift).
    func testPreparedParameters() throws {
        // 0.1 · 2^26 = 6_710_886.4 = 0.8 · 2^23: M0 = round(0.8 · 2^31), left shift 23, radius 31 · 2^3.
        let s = try XCTUnwrap(Softmax(beta: 1, inputScale: 0.1))
        XCTAssertEqual(s.inputMultiplier, 1_717_986_918)
        XCTAssertEqual(s.inputLeftShift, 23)
        XCTAssertEqual(s.diffMin, -248)
        // Capped at 2^31 − 1: left shift 31, only the maximum counts.
        XCTAssertEqual(Softmax(beta: 1, inputScale: 100)?.diffMin, 0)
        XCTAssertEqual(Softmax(beta: 1, inputScale: 100)?.inputLeftShift, 31)
        // beta · s_in · 2^26 must be above 1.
        XCTAssertNil(Softmax(beta: 1, inputScale: 1.0 / 67_108_864))
        XCTAssertNotNil(Softmax(beta: 1, inputScale: 1.5 / 67_108_864))
    }

    // MARK: - Mean

    /// s_in / s_out = 1 over 3 values: M0 = 2^30, shift 1, k = floor(log2 3) = 1, so the folded
    /// multiplier is (2^31 / 3, 0) = (715_827_882, 0). Then [1, 2, 4] → 7/3 = 2.33 → 2, and
    /// [1, 1, 0] → 2/3 → 1; with zero points 3 and −2, [4, 5, 7] (centred 1, 2, 4) → 2 − 2 = 0.
    func testMeanWorkedExample() {
        let mean = Mean(inputScale: 0.5, outputScale: 0.5, count: 3, keepDims: true)
        XCTAssertEqual(mean.multiplier, QuantizedMultiplier(multiplier: 715_827_882, shift: 0))
        XCTAssertEqual(mean.apply([1, 2, 4], inputZero: 0, outputZero: 0), 2)
        XCTAssertEqual(mean.apply([1, 1, 0], inputZero: 0, outputZero: 0), 1)
        XCTAssertEqual(mean.apply([4, 5, 7], inputZero: 3, outputZero: -2), 0)
        // k is also bounded by 31 + the shift: s_in / s_out = 2^-30 has shift −29, so k ≤ 2 over 8 values.
        let tiny = Mean(inputScale: 1, outputScale: Double(1 << 30), count: 8, keepDims: false)
        XCTAssertEqual(tiny.multiplier, QuantizedMultiplier(multiplier: 1 << 29, shift: -31))
    }

    /// Over random shapes and scales every mean is within one step of the real one.
    func testMeanFollowsTheRealMean() {
        var rng = SeededGenerator(seed: 5)
        for _ in 0..<300 {
            let count = Int.random(in: 1...200, using: &rng)
            let qi = QuantParams(scale: rng.logUniform(0.002...1), zeroPoint: Int32.random(in: -128...127, using: &rng))
            let qo = QuantParams(scale: qi.scale * rng.logUniform(0.1...3), zeroPoint: Int32.random(in: -128...127, using: &rng))
            let mean = Mean(inputScale: qi.scale, outputScale: qo.scale, count: count, keepDims: true)
            let values = (0..<count).map { _ in Int8.random(in: -128...127, using: &rng) }
            let real = values.map(qi.dequantize).reduce(0, +) / Double(count) / qo.scale + Double(qo.zeroPoint)
            let y = mean.apply(values, inputZero: qi.zeroPoint, outputZero: qo.zeroPoint)
            XCTAssertLessThanOrEqual(abs(Double(y) - max(-128, min(127, real))), 1.0 + 1e-9, "\(count) \(qi) \(qo)")
        }
    }

    // MARK: - LiteRT's reference kernels

    /// One-op MEAN and PAD models through LiteRT 2.3's BUILTIN_REF kernels (equal and different
    /// quantizations, kept dimensions or not, 1 to 2,000 values a channel, scale ratios from 10^-9
    /// to 30; pads of height, width and channels), each through the builder and the interpreter.
    func testMeanAndPadMatchLiteRT() throws {
        struct Case: Decodable {
            let op: String, shape: [Int], inputScale: Double, inputZero: Int32
            let outputScale: Double?, outputZero: Int32?, keepDims: Bool?, paddings: [[Int]]?
            let inputs: [[Int8]], expected: [[Int8]]
        }
        struct File: Decodable { let cases: [Case] }
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/tflite_mean_pad_cases.json")
        let cases = try JSONDecoder().decode(File.self, from: Data(contentsOf: url)).cases
        var checked = [String: Int]()
        for c in cases {
            let shape = TensorShape(height: c.shape[0], width: c.shape[1], channels: c.shape[2])
            var b = QGraphBuilder(inputShape: shape, inputQuant: QuantParams(scale: c.inputScale, zeroPoint: c.inputZero), inputDescription: "LiteRT case")
            let y: QGraphBuilder.TensorRef
            if c.op == "mean" {
                y = try b.mean(b.input, name: "mean", output: QuantParams(scale: c.outputScale!, zeroPoint: c.outputZero!), keepDims: c.keepDims!)
            } else {
                let p = c.paddings!
                y = try b.pad(b.input, name: "pad", top: p[0][0], bottom: p[0][1], left: p[1][0], right: p[1][1],
                              channelsBefore: p[2][0], channelsAfter: p[2][1])
            }
            let interpreter = try ReferenceInterpreter(graph: try b.finish(output: y))
            for (x, expected) in zip(c.inputs, c.expected) {
                XCTAssertEqual(interpreter.run(x), expected, "\(c.op) \(c.shape) \(c.inputScale)/\(c.outputScale ?? 0)")
                checked[c.op, default: 0] += 1
            }
        }
        XCTAssertGreaterThan(checked["mean"] ?? 0, 100)
        XCTAssertGreaterThan(checked["pad"] ?? 0, 50)
    }

    // MARK: - Pad

    func testPadPlacesTheInputInsideTheZeroPoint() throws {
        var b = QGraphBuilder(inputShape: TensorShape(height: 1, width: 2, channels: 1), inputQuant: QuantParams(scale: 0.1, zeroPoint: 5),
                              inputDescription: "test")
        let y = try b.pad(b.input, name: "pad", top: 1, left: 0, right: 1, channelsAfter: 1)
        let graph = try b.finish(output: y)
        XCTAssertEqual(graph.outputTensor.shape, TensorShape(height: 2, width: 3, channels: 2))
        XCTAssertEqual(try ReferenceInterpreter(graph: graph).run([1, 2]), [5, 5, 5, 5, 5, 5,
                                                                          1, 5, 2, 5, 5, 5])
    }

    // MARK: - Verifier, builder, format, text

    func testVerifierRules() throws {
        var graph = sample()
        try GraphVerifier.verify(graph)
        let (s, m, p) = (index("softmax", graph), index("mean", graph), index("pad", graph))

        guard case .softmax(var softmax) = graph.nodes[s].op else { return XCTFail() }
        softmax.diffMin -= 1
        graph.nodes[s].op = .softmax(softmax)
        assertBreaks(.requantizationMatchesScales, graph)
        graph = sample()
        softmax.diffMin += 1
        softmax.beta *= 2
        graph.nodes[s].op = .softmax(softmax)
        assertBreaks(.requantizationMatchesScales, graph)
        graph = sample()
        graph.tensors[graph.nodes[s].output].quant.zeroPoint = 0
        assertBreaks(.quantParams, graph)

        graph = sample()
        guard case .mean(var mean) = graph.nodes[m].op else { return XCTFail() }
        mean.multiplier.multiplier += 1
        graph.nodes[m].op = .mean(mean)
        assertBreaks(.requantizationMatchesScales, graph)
        graph = sample()
        graph.tensors[graph.nodes[m].output].shape.width = 2
        assertBreaks(.outputShape, graph)

        graph = sample()
        guard case .pad(var pad) = graph.nodes[p].op else { return XCTFail() }
        pad.top += 1
        graph.nodes[p].op = .pad(pad)
        assertBreaks(.outputShape, graph)
        pad.top = -1
        graph.nodes[p].op = .pad(pad)
        assertBreaks(.padding, graph)
        graph = sample()
        graph.tensors[graph.nodes[p].output].quant.zeroPoint += 1
        assertBreaks(.keepsQuantization, graph)

        // 512 channels: TFLite's reference exponent check fails for equal inputs.
        var wide = QGraphBuilder(inputShape: TensorShape(vector: 512), inputQuant: QuantParams(scale: 0.1, zeroPoint: 0), inputDescription: "test")
        XCTAssertThrowsError(try wide.softmax(wide.input, name: "softmax"))
        XCTAssertThrowsError(try wide.softmax(wide.input, name: "cold", beta: 1e-9))
        XCTAssertThrowsError(try wide.pad(wide.input, name: "pad", top: -1))
    }

    /// A mean whose centred sum, shifted left by its multiplier's shift, could pass 2^30 is refused.
    func testMeanAccumulatorBound() throws {
        var b = QGraphBuilder(inputShape: TensorShape(height: 1, width: 1, channels: 2), inputQuant: QuantParams(scale: 1, zeroPoint: 0), inputDescription: "test")
        let y = try b.mean(b.input, name: "mean", output: QuantParams(scale: 1.0 / Double(1 << 23), zeroPoint: 0))
        XCTAssertThrowsError(try b.finish(output: y)) { error in
            XCTAssertTrue(error is AccumulatorOverflowError, "\(error)")
        }
    }

    func testGraphRoundTripsAndPrints() throws {
        let graph = sample()
        XCTAssertEqual(try QGraphFile.decode(QGraphFile.encode(graph), name: "ops.q"), graph)
        let text = QGraphText.text(graph)
        for fragment in ["= pad(%0) top 1 bottom 0 left 2 right 1, channels 0 before 1 after", "= softmax(", "beta 1.5", "= mean(", "keep_dims false"] {
            XCTAssertTrue(text.contains(fragment), "\(fragment) in\n\(text)")
        }
        for seed in 0..<40 {
            let random = SampleGraphs.random(seed: UInt64(seed))
            XCTAssertEqual(try QGraphFile.decode(QGraphFile.encode(random), name: "random.q"), random)
        }
        let interpreter = try ReferenceInterpreter(graph: graph)
        let y = interpreter.run((0..<24).map { Int8($0 * 10 - 120) })
        XCTAssertEqual(y.count, 3)
    }

    /// input 2x3x4 → pad → conv → softmax → mean (no kept dimensions).
    private func sample() -> QGraph {
        var b = QGraphBuilder(inputShape: TensorShape(height: 2, width: 3, channels: 4), inputQuant: QuantParams(scale: 0.05, zeroPoint: -3),
                              inputDescription: "test")
        do {
            let padded = try b.pad(b.input, name: "pad", top: 1, left: 2, right: 1, channelsAfter: 1)
            let conv = try b.conv2d(padded, name: "conv", weights: (0..<(3 * 5 * 9)).map { Int8($0 % 11 - 5) }, weightScales: [0.01, 0.02, 0.03],
                                    bias: [10, -20, 30], outputChannels: 3, window: Window2D(kernel: 3, stride: 1, padding: 1),
                                    output: QuantParams(scale: 0.11, zeroPoint: 4), activation: .none)
            let softmax = try b.softmax(conv, name: "softmax", beta: 1.5)
            let mean = try b.mean(softmax, name: "mean", output: QuantParams(scale: 0.003, zeroPoint: -100), keepDims: false)
            return try b.finish(output: mean)
        } catch {
            preconditionFailure("\(error)")
        }
    }

    private func index(_ name: String, _ graph: QGraph) -> Int { graph.nodes.firstIndex { $0.name == name }! }

    private func assertBreaks(_ rule: VerifierRule, _ graph: QGraph, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try GraphVerifier.verify(graph), file: file, line: line) { error in
            XCTAssertEqual((error as? GraphVerificationError)?.rule, rule, "\(error)", file: file, line: line)
        }
    }
}
