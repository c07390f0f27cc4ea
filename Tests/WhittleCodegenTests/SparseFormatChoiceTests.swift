import WhittleCodegen
import WhittleIR
import XCTest

/// The per-layer format choice on hand cases: what it picks for each objective and target, that
/// it never changes what the graph computes, and that a dense model comes out exactly as it went in.
final class SparseFormatChoiceTests: XCTestCase {
    private let resources = WhittleResources(root: repositoryRoot)
    private func target(_ name: String) -> TargetDescriptor { try! TargetDescriptor.load(named: name, from: resources) }

    /// A 4x4x16 input flattened into a fully connected layer of 120 outputs (LeNet's fc1), its
    /// weights in PyTorch order from `weight(output, input)`; then a small dense head.
    private func fullyConnectedGraph(_ weight: (Int, Int) -> Int8) throws -> QGraph {
        var b = QGraphBuilder(inputShape: TensorShape(height: 4, width: 4, channels: 16), inputQuant: QuantParams(scale: 0.05, zeroPoint: -128),
                              inputDescription: "test")
        var x = try b.flatten(b.input, name: "flatten")
        let weights = (0..<(120 * 256)).map { weight($0 / 256, $0 % 256) }
        x = try b.fullyConnected(x, name: "fc1", weights: weights, weightScales: [Double](repeating: 0.004, count: 120),
                                 bias: [Int32](repeating: 300, count: 120), outputCount: 120,
                                 output: QuantParams(scale: 0.5, zeroPoint: -128), activation: .relu)
        x = try b.fullyConnected(x, name: "fc2", weights: (0..<1200).map { Int8($0 % 7 - 3) }, weightScales: [Double](repeating: 0.01, count: 10),
                                 bias: [Int32](repeating: 0, count: 10), outputCount: 10,
                                 output: QuantParams(scale: 0.2, zeroPoint: 0), activation: .none)
        return try b.finish(output: x, validation: ValidationSet(count: 4, inputs: (0..<1024).map { Int8(truncatingIfNeeded: $0 * 29) }))
    }

    private func format(_ graph: QGraph, _ layer: String) -> WeightFormat? {
        guard let node = graph.nodes.first(where: { $0.name == layer }) else { return nil }
        switch node.op {
        case .conv2d(let conv): return conv.weights.format
        case .fullyConnected(let fc): return fc.weights.format
        default: return nil
        }
    }

    /// Chooses, and checks the chosen graph computes exactly what the dense one does.
    private func choose(_ graph: QGraph, _ objective: SparseFormatChoice.Objective = .speed, target: String = "host",
                        policy: SparseFormatChoice.Policy = .best) throws -> QGraph {
        let chosen = try SparseFormatChoice.apply(graph, target: self.target(target), objective: objective, policy: policy).graph
        let inputs = graph.validation!.inputs
        XCTAssertEqual(try ReferenceInterpreter(graph: chosen).run(batch: inputs, count: 4),
                       try ReferenceInterpreter(graph: graph).run(batch: inputs, count: 4))
        return chosen
    }

    func testDenseModelStaysExactlyAsItWas() throws {
        let leNet = SampleGraphs.leNet(seed: 5, validationCount: 4)
        let (chosen, decisions) = try SparseFormatChoice.apply(leNet, target: target("host"), objective: .speed)
        XCTAssertEqual(chosen, leNet)
        XCTAssertEqual(decisions.map(\.layer), ["conv1", "conv2", "fc1", "fc2", "fc3"])
        XCTAssertTrue(decisions.allSatisfy { $0.chosen.format == .dense })
        XCTAssertEqual(QGraphFile.encode(chosen), QGraphFile.encode(leNet))
    }

    /// 85 % of fc1's weights zero at random: the gap nibbles win on both flash and instructions.
    func testEightyFivePercentSparseFullyConnectedTakesTheIndexFormat() throws {
        var rng = SeededGenerator(seed: 8)
        let graph = try fullyConnectedGraph { _, _ in Int.random(in: 0..<100, using: &rng) < 85 ? 0 : Int8.random(in: 1...127, using: &rng) }
        for objective in SparseFormatChoice.Objective.allCases {
            let chosen = try choose(graph, objective)
            XCTAssertEqual(format(chosen, "fc1"), .indexSparse, "\(objective)")
            // fc2's weights are one-seventh zeros: a bitmap saves 2 % of its bytes and costs time.
            XCTAssertEqual(format(chosen, "fc2"), objective == .speed ? .dense : .bitmap, "\(objective)")
        }
        let host = target("host")
        let decision = SparseFormatChoice.decide(graph.nodes[1], in: graph, target: host, objective: .speed)!
        XCTAssertEqual(decision.candidates.map(\.format).prefix(3), [.dense, .indexSparse, .bitmap])
        let dense = decision.candidates[0], index = decision.chosen
        XCTAssertEqual(index.kernel, KernelRegistry.fullyConnectedSparse)
        XCTAssertLessThan(index.constantBytes, dense.constantBytes / 2)
        XCTAssertLessThan(index.instructions, dense.instructions)
        XCTAssertLessThan(index.executedMACs, dense.executedMACs / 5)
    }

    /// 2:4 along each output's row in PyTorch order (channels first over the flattened 4x4x16):
    /// N:M is found with the flatten's 16 channels, and for size it beats both unstructured formats.
    func testTwoOfFourTakesNMForSize() throws {
        var rng = SeededGenerator(seed: 9)
        // Kept pairs at the start of each group: 2:4, but no 1:2 (the chooser would take that, smaller).
        let graph = try fullyConnectedGraph { _, i in i % 4 < 2 ? Int8.random(in: 1...127, using: &rng) : 0 }
        let chosen = try choose(graph, .size)
        XCTAssertEqual(format(chosen, "fc1"), .nm(n: 2, m: 4))
        guard case .fullyConnected(let fc) = chosen.nodes[1].op, case .nm(let nm) = fc.weights else { return XCTFail() }
        XCTAssertEqual(nm.channels, 16)
        XCTAssertEqual(Double(nm.byteCount) / 30_720, 0.625, accuracy: 1e-9, "half the values and 2 index bits each")
        // In the channels-last order every group of 4 is full or empty: the choice must use PyTorch's.
        XCTAssertNil(NMSparseWeights.smallestN(of: fc.weights.denseValues, outputs: 120, channels: 1, m: 4))
    }

    /// Half the weights zero at random: index costs more than it saves on instructions here,
    /// bitmaps are no faster than dense; whatever wins must be smaller and not both slower and
    /// larger, and a mostly dense layer stays dense.
    func testSparsityThatDoesNotPayStaysDense() throws {
        var rng = SeededGenerator(seed: 10)
        let tenPercent = try fullyConnectedGraph { _, _ in Int.random(in: 0..<10, using: &rng) == 0 ? 0 : Int8.random(in: 1...127, using: &rng) }
        XCTAssertEqual(format(try choose(tenPercent), "fc1"), .dense)
        let half = try fullyConnectedGraph { _, _ in Bool.random(using: &rng) ? 0 : Int8.random(in: 1...127, using: &rng) }
        let host = target("host")
        for objective in SparseFormatChoice.Objective.allCases {
            let decision = SparseFormatChoice.decide(half.nodes[1], in: half, target: host, objective: objective)!
            let dense = decision.candidates[0]
            XCTAssertFalse(decision.chosen.constantBytes > dense.constantBytes && decision.chosen.instructions > dense.instructions)
        }
    }

    /// The same layer costs differently per target: on Cortex-M4 (indexed-sparse variant) speed
    /// takes the ready column layout, size the gap nibbles, which are smaller; both stay exact.
    func testTheTargetAndObjectiveDecide() throws {
        var rng = SeededGenerator(seed: 12)
        let graph = try fullyConnectedGraph { _, _ in Int.random(in: 0..<100, using: &rng) < 90 ? 0 : Int8.random(in: 1...127, using: &rng) }
        let m4 = target("cortex-m4")
        let speed = SparseFormatChoice.decide(graph.nodes[1], in: graph, target: m4, objective: .speed)!
        let size = SparseFormatChoice.decide(graph.nodes[1], in: graph, target: m4, objective: .size)!
        XCTAssertEqual(speed.chosen.kernel, KernelRegistry.fullyConnectedIndexed)
        XCTAssertEqual(size.chosen.kernel, KernelRegistry.fullyConnectedSparse)
        XCTAssertLessThan(size.chosen.constantBytes, speed.chosen.constantBytes)
        XCTAssertLessThan(speed.chosen.instructions, size.chosen.instructions)
        _ = try choose(graph, .speed, target: "cortex-m4")
        _ = try choose(graph, .size, target: "cortex-m4")
    }

    /// `.only` forces one format wherever the weights allow it (to compare formats).
    func testOnlyPolicy() throws {
        var rng = SeededGenerator(seed: 11)
        let graph = try fullyConnectedGraph { _, i in i % 4 == 0 ? Int8.random(in: 1...127, using: &rng) : 0 }
        XCTAssertEqual(format(try choose(graph, policy: .only(.bitmap)), "fc1"), .bitmap)
        XCTAssertEqual(format(try choose(graph, policy: .only(.bitmap)), "fc2"), .bitmap, "forced even where it does not pay")
        XCTAssertEqual(format(try choose(graph, policy: .only(.nm(n: 1, m: 4))), "fc1"), .nm(n: 1, m: 4))
        XCTAssertEqual(format(try choose(graph, policy: .only(.nm(n: 1, m: 4))), "fc2"), .dense, "fc2 does not follow 1:4")
    }
}
