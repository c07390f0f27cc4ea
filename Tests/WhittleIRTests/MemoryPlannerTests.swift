import WhittleIR
import XCTest

final class MemoryPlannerTests: XCTestCase {
    func testLeNetReusesMemory() {
        let graph = SampleGraphs.leNet()
        let plan = MemoryPlanner.plan(graph, alignment: 16)
        assertValidPlan(graph, plan, "LeNet")
        // The peak is conv1's output (24·24·6) live together with pool1's (12·12·6): the arena
        // is the lower bound.
        XCTAssertEqual(plan.arenaBytes, 24 * 24 * 6 + 12 * 12 * 6)
        XCTAssertEqual(plan.lowerBoundBytes, plan.arenaBytes)
        // input 784, conv1 3456, pool1 864, conv2 1024, pool2 256 (flatten aliases it), fc 120, 84, 10.
        XCTAssertEqual(plan.naiveActivationBytes, 784 + 3456 + 864 + 1024 + 256 + 120 + 84 + 10)
        // The intermediates alone, each rounded up to 16 bytes: 120 → 128, 84 → 96.
        XCTAssertEqual(plan.naiveArenaBytes, 3456 + 864 + 1024 + 256 + 128 + 96)
    }

    func testInputOutputAndReshapeAliases() {
        let graph = SampleGraphs.leNet()
        let plan = MemoryPlanner.plan(graph)
        XCTAssertEqual(plan.placements[graph.input], .input)
        XCTAssertEqual(plan.placements[graph.output], .output)
        let flatten = graph.nodes.first { $0.op == .reshape }!
        XCTAssertEqual(plan.placements[flatten.output], plan.placements[flatten.inputs[0]])
        XCTAssertEqual(plan.lifetimes[flatten.output], plan.lifetimes[flatten.inputs[0]])
    }

    /// Three buffers live together, of 10, 20 and 10 bytes (`a`, `b`, `c` below). At alignment
    /// 16 the two below the top one take 16 and 32 bytes: the bound is 16 + 32 + 16 less the
    /// largest rounding (12, the 20-byte buffer's, placed on top) = 52, not the 40 bytes they
    /// hold. Largest first puts the 20-byte buffer at the bottom (58 bytes); the climb finds 52.
    func testLowerBoundRoundsAllButTheTopBuffer() throws {
        var b = QGraphBuilder(memoryTestInput: TensorShape(height: 1, width: 1, channels: 4))
        let a = try b.pointwise(b.input, to: 10, name: "a")
        let wide = try b.pointwise(b.input, to: 20, name: "b")
        let c = try b.pointwise(wide, to: 10, name: "c")
        let graph = try b.finish(summing: a, c)
        XCTAssertEqual(MemoryPlanner.plan(graph, alignment: 1).lowerBoundBytes, 40)
        let plan = MemoryPlanner.plan(graph, alignment: 16)
        assertValidPlan(graph, plan, "three buffers")
        XCTAssertEqual(plan.lowerBoundBytes, 52)
        XCTAssertEqual(plan.arenaBytes, 52)
        XCTAssertEqual(plan.placements[wide.id], .arena(offset: 32))
    }

    /// Chains, residual graphs and branching graphs (as listed and as scheduled), at the
    /// alignments targets use.
    func testPlansAreValidOnChainsAndDAGs() {
        let graphs = (0..<150).map { ("chain \($0)", SampleGraphs.random(seed: UInt64($0))) }
            + (0..<150).map { ("residual \($0)", SampleGraphs.randomResidual(seed: UInt64($0))) }
            + (0..<60).flatMap { seed -> [(String, QGraph)] in
                let graph = SampleGraphs.randomBranching(seed: UInt64(seed))
                return [("branching \(seed)", graph), ("branching \(seed) scheduled", MemorySchedule.reordered(graph))]
            }
        for (label, graph) in graphs {
            for alignment in [1, 4, 16] {
                assertValidPlan(graph, MemoryPlanner.plan(graph, alignment: alignment), "\(label), alignment \(alignment)")
            }
        }
    }
}
