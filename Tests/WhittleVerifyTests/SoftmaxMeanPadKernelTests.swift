import Foundation
import WhittleCodegen
import WhittleIR
import WhittleVerify
import XCTest

/// `softmax_s8`, `mean_s8` and `pad_s8` against the reference interpreter: many one-op graphs
/// (and pad → conv, conv → softmax, mean → fully connected) of random shapes, scales, betas,
/// zero points and paddings, emitted, built with gcc and run on random and extreme inputs, a
/// quarter of them under the sanitizers; a few on Cortex-M0 (split multiplies) and Cortex-M4
/// under QEMU where the toolchains are installed.
final class SoftmaxMeanPadKernelTests: XCTestCase {
    static let vectors = 8

    func testSoftmaxIsBitExactOnTheHost() throws {
        var rng = SeededGenerator(seed: 21)
        let graphs = try (0..<60).map { i -> QGraph in
            // Rows up to the 511 limit; beta · s_in from just above 2^-26 to past the 2^31 − 1 cap.
            let channels = i % 10 == 0 ? 511 : Int.random(in: 1...(i % 3 == 0 ? 300 : 20), using: &rng)
            let shape = TensorShape(height: Int.random(in: 1...3, using: &rng), width: Int.random(in: 1...3, using: &rng), channels: channels)
            let scale: Double
            switch i % 6 {
            case 0: scale = rng.logUniform(2e-8...1e-6)
            case 1: scale = rng.logUniform(10...200)
            default: scale = rng.logUniform(0.002...1)
            }
            var b = QGraphBuilder(inputShape: shape, inputQuant: QuantParams(scale: scale, zeroPoint: Int32.random(in: -128...127, using: &rng)),
                                  inputDescription: "softmax test")
            let beta = [1, 0.5, 2, rng.logUniform(0.2...5)].randomElement(using: &rng)!
            let y = try b.softmax(b.input, name: "softmax", beta: max(beta, 1.1 / (scale * 67_108_864)))
            return try b.finish(output: y)
        }
        try assertBitExact(graphs, label: "softmax")
    }

    func testMeanIsBitExactOnTheHost() throws {
        var rng = SeededGenerator(seed: 22)
        var graphs: [QGraph] = [], refused: [String] = []
        for i in 0..<40 {
            let shape = TensorShape(height: Int.random(in: 1...(i % 4 == 0 ? 60 : 8), using: &rng),
                                    width: Int.random(in: 1...(i % 4 == 0 ? 60 : 8), using: &rng), channels: Int.random(in: 1...6, using: &rng))
            let input = QuantParams(scale: rng.logUniform(0.002...1), zeroPoint: Int32.random(in: -128...127, using: &rng))
            // Equal quantization, typical ratios s_in / s_out, ratios down to 10^-12 (a multiplier
            // that flushes to zero below 2^-32) and up to 10^4 (positive shifts).
            let ratio: Double
            switch i % 5 {
            case 0: ratio = 1
            case 1: ratio = rng.logUniform(1e-12...1e-6)
            case 2: ratio = rng.logUniform(1...1e4)
            default: ratio = rng.logUniform(0.2...5)
            }
            let output = ratio == 1 ? input : QuantParams(scale: input.scale / ratio, zeroPoint: Int32.random(in: -128...127, using: &rng))
            var b = QGraphBuilder(inputShape: shape, inputQuant: input, inputDescription: "mean test")
            do {
                let y = try b.mean(b.input, name: "mean", output: output, keepDims: i % 2 == 0)
                graphs.append(try b.finish(output: y))
            } catch {
                refused.append("\(error)") // the accumulator-range analysis refuses the largest shifts
            }
        }
        XCTAssertGreaterThan(graphs.count, 30, "\(refused)")
        XCTAssertTrue(graphs.contains { if case .mean(let m) = $0.nodes[0].op { return m.multiplier.shift > 0 } else { return false } })
        XCTAssertTrue(graphs.contains { if case .mean(let m) = $0.nodes[0].op { return m.multiplier.multiplier == 0 } else { return false } })
        try assertBitExact(graphs, label: "mean")
    }

    func testPadIsBitExactOnTheHost() throws {
        var rng = SeededGenerator(seed: 23)
        let graphs = try (0..<30).map { i -> QGraph in
            let shape = TensorShape(height: Int.random(in: 1...5, using: &rng), width: Int.random(in: 1...5, using: &rng), channels: Int.random(in: 1...4, using: &rng))
            var b = QGraphBuilder(inputShape: shape, inputQuant: QuantParams(scale: rng.logUniform(0.002...1), zeroPoint: Int32.random(in: -128...127, using: &rng)),
                                  inputDescription: "pad test")
            func amount() -> Int { Int.random(in: 0...3, using: &rng) }
            let y = try b.pad(b.input, name: "pad", top: amount(), bottom: amount(), left: amount(), right: amount(),
                              channelsBefore: i % 2 == 0 ? amount() : 0, channelsAfter: i % 2 == 0 ? amount() : 0)
            return try b.finish(output: y)
        }
        try assertBitExact(graphs, label: "pad")
    }

    /// The three in the places a TFLite model puts them, on Cortex-M0 and Cortex-M4.
    func testOnCortexM0AndM4() throws {
        XCTAssertEqual(try verifyOnTargets(try classifiers(), targetNames: ["cortex-m0", "cortex-m4"], label: "classifier", vectors: Self.vectors), [])
    }

    /// pad → conv → mean → fully connected → softmax, and conv → softmax over wide rows.
    func testClassifiersAreBitExactOnTheHost() throws {
        try assertBitExact(try classifiers(), label: "classifier")
    }

    private func classifiers() throws -> [QGraph] {
        var rng = SeededGenerator(seed: 24)
        return try (0..<8).map { i in
            // Small enough for the 16 KB of RAM of the Cortex-M0 board.
            let shape = TensorShape(height: Int.random(in: 3...5, using: &rng), width: Int.random(in: 3...5, using: &rng), channels: Int.random(in: 1...3, using: &rng))
            var b = QGraphBuilder(inputShape: shape, inputQuant: QuantParams(scale: rng.logUniform(0.005...0.05), zeroPoint: Int32.random(in: -128...127, using: &rng)),
                                  inputDescription: "classifier test")
            var x = try b.pad(b.input, name: "pad", top: 1, bottom: i % 2, left: 1, right: 1 - i % 2)
            let channels = i % 3 == 0 ? 120 : Int.random(in: 2...12, using: &rng)
            var p = RandomLayerParameters(outputs: channels, fanIn: 9 * shape.channels, inputScale: b.quant(of: x).scale, using: &rng)
            x = try b.conv2d(x, name: "conv", weights: p.weights, weightScales: p.weightScales, bias: p.bias, outputChannels: channels,
                             window: Window2D(kernel: 3), output: p.output, activation: .relu)
            if i % 3 == 0 {
                x = try b.softmax(x, name: "softmax", beta: 1)
                return try b.finish(output: x)
            }
            x = try b.mean(x, name: "mean", output: QuantParams(scale: b.quant(of: x).scale * 0.7, zeroPoint: -100), keepDims: i % 2 == 0)
            p = RandomLayerParameters(outputs: 10, fanIn: channels, inputScale: b.quant(of: x).scale, using: &rng)
            x = try b.fullyConnected(x, name: "fc", weights: p.weights, weightScales: p.weightScales, bias: p.bias, outputCount: 10,
                                     output: p.output, activation: .none)
            x = try b.softmax(x, name: "softmax", beta: [1, 0.5, 2][i % 3])
            return try b.finish(output: x)
        }
    }

    private func assertBitExact(_ graphs: [QGraph], label: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let (failures, checkedBytes) = try HostDifferentialRun(label: label, vectors: Self.vectors, sanitizeEvery: 4).run(graphs)
        XCTAssertEqual(failures, [], file: file, line: line)
        XCTAssertGreaterThanOrEqual(checkedBytes, graphs.map(\.outputTensor.byteCount).reduce(0, +) * Self.vectors, file: file, line: line)
    }
}

/// Small random int8 conv / fully connected parameters with an output scale that keeps typical
/// outputs inside int8.
private struct RandomLayerParameters {
    var weights: [Int8], weightScales: [Double], bias: [Int32], output: QuantParams

    init(outputs: Int, fanIn: Int, inputScale: Double, using rng: inout SeededGenerator) {
        weights = (0..<(outputs * fanIn)).map { _ in Int8.random(in: -127...127, using: &rng) }
        weightScales = (0..<outputs).map { _ in rng.logUniform(0.002...0.02) }
        bias = (0..<outputs).map { _ in Int32.random(in: -5000...5000, using: &rng) }
        output = QuantParams(scale: inputScale * 0.01 * Double(fanIn).squareRoot() * 70 / 40, zeroPoint: Int32.random(in: -20...20, using: &rng))
    }
}
