import WhittleIR
import XCTest

/// Tiny graphs computed by hand; each test says how.
final class ReferenceInterpreterTests: XCTestCase {
    /// 2×2×1 input [1, 2, 3, 4] with zero point 1 (so x − zx = 0, 1, 2, 3), a 3×3 kernel with
    /// weights 1…9 and padding 1: every window covers the whole input, each at another offset.
    /// (0,0): 0·5 + 1·6 + 2·8 + 3·9 = 49;  (0,1): 0·4 + 1·5 + 2·7 + 3·8 = 43;
    /// (1,0): 0·2 + 1·3 + 2·5 + 3·6 = 31; (1,1): 0·1 + 1·2 + 2·4 + 3·5 = 25.
    /// M = 0.5 · 1 / 0.5 = 1; + bias 10 + zy −5 → 54, 48, 36, 30; clamp at 50.
    func testConvolutionWithPaddingUsesInputZeroPoint() throws {
        var b = QGraphBuilder(inputShape: TensorShape(height: 2, width: 2, channels: 1),
                              inputQuant: QuantParams(scale: 0.5, zeroPoint: 1), inputDescription: "test")
        let y = try b.conv2d(b.input, name: "conv", weights: (1...9).map { Int8($0) }, weightScales: [1.0], bias: [10],
                             outputChannels: 1, window: Window2D(kernel: 3, padding: 1),
                             output: QuantParams(scale: 0.5, zeroPoint: -5), activation: .none)
        var graph = try b.finish(output: y)
        XCTAssertEqual(try ReferenceInterpreter(graph: graph).run([1, 2, 3, 4]), [54, 48, 36, 30])
        guard case .conv2d(var conv) = graph.nodes[0].op else { return XCTFail("not a conv") }
        conv.clamp = ClampRange(min: -128, max: 50)
        graph.nodes[0].op = .conv2d(conv)
        XCTAssertEqual(try ReferenceInterpreter(graph: graph).run([1, 2, 3, 4]), [50, 48, 36, 30])
    }

    /// x − zx = [20, −10, 40]; rows [1, 2, 3] and [−1, 0, 1]; bias [5, −5] → acc 125 and 15.
    /// M = 0.25: single rounding, as TFLite's reference fully connected: 125 / 4 = 31.25 → 31, where
    /// double rounding would give 32 (high multiply 62.5 → 63, then 63 / 2 = 31.5 → 32); 15 / 4 =
    /// 3.75 → 4. Plus zy 3.
    func testFullyConnectedRoundsOnce() throws {
        var b = QGraphBuilder(inputShape: TensorShape(vector: 3), inputQuant: QuantParams(scale: 1, zeroPoint: -10),
                              inputDescription: "test")
        let y = try b.fullyConnected(b.input, name: "fc", weights: [1, 2, 3, -1, 0, 1], weightScales: [0.25, 0.25],
                                     bias: [5, -5], outputCount: 2, output: QuantParams(scale: 1, zeroPoint: 3),
                                     activation: .none)
        XCTAssertEqual(try ReferenceInterpreter(graph: b.finish(output: y)).run([10, -20, 30]), [34, 7])
    }

    /// Input [[1, 2], [4, −7]], 2×2 windows, stride 1, padding bottom/right 1. Averages over the
    /// in-bounds taps only: 0/4 = 0, (2 − 7)/2 = −2.5 → −3, (4 − 7)/2 = −1.5 → −2, −7/1 = −7.
    func testAveragePoolCountsOnlyInBoundsTapsAndRoundsAway() throws {
        let window = Window2D(kernelHeight: 2, kernelWidth: 2, padBottom: 1, padRight: 1)
        var b = QGraphBuilder(inputShape: TensorShape(height: 2, width: 2, channels: 1),
                              inputQuant: QuantParams(scale: 1, zeroPoint: 0), inputDescription: "test")
        let y = try b.averagePool(b.input, name: "avg", window: window)
        XCTAssertEqual(try ReferenceInterpreter(graph: b.finish(output: y)).run([1, 2, 4, -7]), [0, -3, -2, -7])
    }

    /// Same input and windows: maxima 4, 2, 4, −7; a fused ReLU (zero point 0) lifts −7 to 0.
    func testMaxPoolWithFusedRelu() throws {
        let window = Window2D(kernelHeight: 2, kernelWidth: 2, padBottom: 1, padRight: 1)
        var b = QGraphBuilder(inputShape: TensorShape(height: 2, width: 2, channels: 1),
                              inputQuant: QuantParams(scale: 1, zeroPoint: 0), inputDescription: "test")
        let y = try b.maxPool(b.input, name: "max", window: window, activation: .relu)
        XCTAssertEqual(try ReferenceInterpreter(graph: b.finish(output: y)).run([1, 2, 4, -7]), [4, 2, 4, 0])
    }

    /// 1×2×2 input, channel 0 = [1, 3], channel 1 = [2, 4] (stored HWC: 1, 2, 3, 4); depthwise
    /// 1×2 filters [1, 1] and [1, −1]: 1 + 3 = 4 and 2 − 4 = −2.
    func testDepthwiseConvolution() throws {
        var b = QGraphBuilder(inputShape: TensorShape(height: 1, width: 2, channels: 2),
                              inputQuant: QuantParams(scale: 1, zeroPoint: 0), inputDescription: "test")
        let y = try b.conv2d(b.input, name: "dw", weights: [1, 1, 1, -1], weightScales: [1, 1], bias: [0, 0],
                             outputChannels: 2, window: Window2D(kernelHeight: 1, kernelWidth: 2), groups: 2,
                             output: QuantParams(scale: 1, zeroPoint: 0), activation: .none)
        XCTAssertEqual(try ReferenceInterpreter(graph: b.finish(output: y)).run([1, 2, 3, 4]), [4, -2])
    }

    func testBatchRunMatchesSingleRuns() throws {
        let graph = SampleGraphs.random(seed: 11)
        let interpreter = try ReferenceInterpreter(graph: graph)
        var rng = SeededGenerator(seed: 5)
        let n = graph.inputTensor.byteCount
        let inputs = (0..<(7 * n)).map { _ in rng.nextInt8() }
        let batch = interpreter.run(batch: inputs, count: 7)
        let single = (0..<7).flatMap { interpreter.run(Array(inputs[($0 * n)..<(($0 + 1) * n)])) }
        XCTAssertEqual(batch, single)
    }
}
