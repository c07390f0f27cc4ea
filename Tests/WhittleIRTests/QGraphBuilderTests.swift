import WhittleIR
import XCTest

final class QGraphBuilderTests: XCTestCase {
    /// A 1×2×2 tensor stored HWC as [a0, b0, a1, b1] flattens channels-first (PyTorch) as
    /// [a0, a1, b0, b1]; weights given in that order land on the matching HWC elements.
    func testFullyConnectedAfterFlattenTakesChannelsFirstWeights() throws {
        var b = QGraphBuilder(inputShape: TensorShape(height: 1, width: 2, channels: 2),
                              inputQuant: QuantParams(scale: 1, zeroPoint: 0), inputDescription: "test")
        let flat = try b.flatten(b.input, name: "flatten")
        let y = try b.fullyConnected(flat, name: "fc", weights: [1, 10, 100, 127], weightScales: [1e-3], bias: [0],
                                     outputCount: 1, output: QuantParams(scale: 1, zeroPoint: 0), activation: .none)
        let graph = try b.finish(output: y)
        guard case .fullyConnected(let fc) = graph.nodes[1].op else { return XCTFail() }
        XCTAssertEqual(fc.weights.denseValues, [1, 100, 10, 127])
    }

    /// PyTorch's [out][in][kY][kX] becomes [out][kY][kX][in].
    func testConvWeightsBecomeChannelsLast() throws {
        var b = QGraphBuilder(inputShape: TensorShape(height: 2, width: 2, channels: 2),
                              inputQuant: QuantParams(scale: 1, zeroPoint: 0), inputDescription: "test")
        // in 0: kx 0, 1 = 1, 2; in 1: kx 0, 1 = 3, 4 (kernel 1×2).
        let y = try b.conv2d(b.input, name: "conv", weights: [1, 2, 3, 4], weightScales: [1], bias: [0], outputChannels: 1,
                             window: Window2D(kernelHeight: 1, kernelWidth: 2), output: QuantParams(scale: 1, zeroPoint: 0),
                             activation: .none)
        guard case .conv2d(let conv) = try b.finish(output: y).nodes[0].op else { return XCTFail() }
        XCTAssertEqual(conv.weights.denseValues, [1, 3, 2, 4])
    }

    /// ReLU clamps at the output zero point; ReLU6 also at zero point + 6 / scale.
    func testActivationRanges() {
        let q = QuantParams(scale: 0.05, zeroPoint: -100)
        XCTAssertEqual(ClampRange(.none, output: q), ClampRange(min: -128, max: 127))
        XCTAssertEqual(ClampRange(.relu, output: q), ClampRange(min: -100, max: 127))
        XCTAssertEqual(ClampRange(.relu6, output: q), ClampRange(min: -100, max: 20))
        XCTAssertEqual(ClampRange(.relu6, output: QuantParams(scale: 0.01, zeroPoint: 0)), ClampRange(min: 0, max: 127))
    }

    func testRequantizationComesFromScales() throws {
        var b = QGraphBuilder(inputShape: TensorShape(vector: 2), inputQuant: QuantParams(scale: 0.5, zeroPoint: 0),
                              inputDescription: "test")
        let y = try b.fullyConnected(b.input, name: "fc", weights: [1, 2, 3, 4], weightScales: [0.01, 0.02], bias: [0, 0],
                                     outputCount: 2, output: QuantParams(scale: 0.1, zeroPoint: 0), activation: .none)
        guard case .fullyConnected(let fc) = try b.finish(output: y).nodes[0].op else { return XCTFail() }
        XCTAssertEqual(fc.requantization, [QuantizedMultiplier(real: 0.05), QuantizedMultiplier(real: 0.1)])
    }

    func testBadLayersNameThemselves() {
        var b = QGraphBuilder(inputShape: TensorShape(height: 4, width: 4, channels: 3),
                              inputQuant: QuantParams(scale: 1, zeroPoint: 0), inputDescription: "test")
        let q = QuantParams(scale: 1, zeroPoint: 0)
        XCTAssertThrowsError(try b.conv2d(b.input, name: "c1", weights: [1], weightScales: [1], bias: [0], outputChannels: 1,
                                          window: Window2D(kernel: 3), output: q, activation: .none)) {
            XCTAssertTrue(String(describing: $0).hasPrefix("layer 'c1': 1 weights, expected 27"), String(describing: $0))
        }
        XCTAssertThrowsError(try b.conv2d(b.input, name: "c2", weights: [], weightScales: [], bias: [], outputChannels: 2,
                                          window: Window2D(kernel: 3), groups: 2, output: q, activation: .none)) {
            XCTAssertTrue(String(describing: $0).contains("'c2'"))
        }
        XCTAssertThrowsError(try b.maxPool(b.input, name: "p", window: Window2D(kernel: 9))) {
            XCTAssertTrue(String(describing: $0).contains("does not fit"))
        }
        XCTAssertThrowsError(try b.fullyConnected(b.input, name: "fc", weights: [Int8](repeating: 1, count: 47), weightScales: [1],
                                                  bias: [0], outputCount: 1, output: q, activation: .none)) {
            XCTAssertTrue(String(describing: $0).contains("'fc'"))
        }
    }
}
