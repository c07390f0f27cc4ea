import WhittleIR
import XCTest

final class AccumulatorRangeTests: XCTestCase {
    private func fullyConnected(inputs: Int, weight: Int8, bias: Int32 = 0, inputZero: Int32 = -128,
                                multiplier: Double = 1e-6) throws -> QGraph {
        var b = QGraphBuilder(inputShape: TensorShape(vector: inputs), inputQuant: QuantParams(scale: 1, zeroPoint: inputZero),
                              inputDescription: "test")
        let y = try b.fullyConnected(b.input, name: "wide", weights: [Int8](repeating: weight, count: inputs),
                                     weightScales: [multiplier], bias: [bias], outputCount: 1,
                                     output: QuantParams(scale: 1, zeroPoint: 0), activation: .none)
        return try b.finish(output: y)
    }

    /// Σ|w| · max|x − zx| + |bias| by hand: 10 · 3 · 255 + 7 = 7657 (zx = −128: x − zx reaches 255);
    /// folded: |7 − (−128) · 30| + 30 · 128 = 3847 + 3840 = 7687.
    func testBoundsByHand() throws {
        let bounds = try AccumulatorRangeAnalysis.check(try fullyConnected(inputs: 10, weight: 3, bias: 7))
        XCTAssertEqual(bounds.count, 1)
        XCTAssertEqual(bounds[0].accumulator, 7657)
        XCTAssertEqual(bounds[0].foldedAccumulator, 7687)
        XCTAssertEqual(bounds[0].worst, 7687)
    }

    /// 70,000 inputs × 127 × 255 ≈ 2.27e9 > 2^31 − 1: refused, naming the layer; 30,000 (9.7e8,
    /// under the 2^30 the output stage allows) pass.
    func testRefusesOverflowingLayer() {
        XCTAssertThrowsError(try fullyConnected(inputs: 70_000, weight: 127)) { error in
            let message = String(describing: error)
            XCTAssertTrue(error is AccumulatorOverflowError, message)
            XCTAssertTrue(message.contains("'wide'") && message.contains("could reach"), message)
            XCTAssertFalse(message.contains("\n"))
        }
        XCTAssertNoThrow(try fullyConnected(inputs: 30_000, weight: 127))
    }

    /// A multiplier above 1 shifts the accumulator left before the high multiply: 1,000 × 127 × 255
    /// = 32.4 M fits, but shifted left by 7 (M ≈ 100) it does not. The output stage keeps a bit
    /// of headroom: 20,000 × 127 × 255 = 648 M fits int32 shifted by 1 (M = 1.5), but not 2^30.
    func testRefusesOverflowAfterLeftShift() {
        XCTAssertNoThrow(try fullyConnected(inputs: 1000, weight: 127, multiplier: 0.9))
        XCTAssertThrowsError(try fullyConnected(inputs: 1000, weight: 127, multiplier: 100)) { error in
            XCTAssertTrue(String(describing: error).contains("shifted left by 7"), String(describing: error))
        }
        XCTAssertNoThrow(try fullyConnected(inputs: 20_000, weight: 127, multiplier: 0.9))
        XCTAssertThrowsError(try fullyConnected(inputs: 20_000, weight: 127, multiplier: 1.5)) { error in
            let message = String(describing: error)
            XCTAssertTrue(message.contains("shifted left by 1") && message.contains("1073741823"), message)
        }
    }

    /// The interpreter refuses such a graph too, rather than trapping mid-run.
    func testInterpreterRefusesUnprovenGraph() throws {
        var graph = try fullyConnected(inputs: 30_000, weight: 127)
        guard case .fullyConnected(var fc) = graph.nodes[0].op else { return XCTFail() }
        fc.bias = [Int32.max - 10]
        graph.nodes[0].op = .fullyConnected(fc)
        XCTAssertThrowsError(try ReferenceInterpreter(graph: graph))
    }
}
