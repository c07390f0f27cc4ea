import WhittleIR
import XCTest

final class MemoryPlannerTests: XCTestCase {
    /// Storage owners whose lifetimes overlap never share arena bytes, offsets are aligned, and
    /// the arena is never larger than a buffer per tensor.
    private func assertValid(_ graph: QGraph, _ plan: MemoryPlan, file: StaticString = #filePath, line: UInt = #line) {
        let roots = MemoryPlanner.storageRoots(graph)
        var placed: [(range: Range<Int>, life: ClosedRange<Int>, tensor: Int)] = []
        for t in Set(roots) {
            guard case .arena(let offset) = plan.placements[t] else { continue }
            XCTAssertEqual(offset % plan.alignment, 0, "offset of \(graph.tensors[t].name)", file: file, line: line)
            XCTAssertLessThanOrEqual(offset + graph.tensors[t].byteCount, plan.arenaBytes, file: file, line: line)
            placed.append((offset..<(offset + graph.tensors[t].byteCount), plan.lifetimes[t], t))
        }
        for (i, a) in placed.enumerated() {
            for b in placed[(i + 1)...] where a.life.overlaps(b.life) {
                XCTAssertFalse(a.range.overlaps(b.range),
                               "\(graph.tensors[a.tensor].name) and \(graph.tensors[b.tensor].name) are live together and overlap",
                               file: file, line: line)
            }
        }
        XCTAssertLessThanOrEqual(plan.arenaBytes, plan.naiveArenaBytes, file: file, line: line)
    }

    func testLeNetReusesMemory() {
        let graph = SampleGraphs.leNet()
        let plan = MemoryPlanner.plan(graph, alignment: 16)
        assertValid(graph, plan)
        // The peak is conv1's output (24·24·6) live together with pool1's (12·12·6).
        XCTAssertEqual(plan.arenaBytes, 24 * 24 * 6 + 12 * 12 * 6)
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

    func testRandomGraphsHaveValidPlans() {
        for seed in 0..<150 {
            let graph = SampleGraphs.random(seed: UInt64(seed))
            for alignment in [1, 4, 16] {
                assertValid(graph, MemoryPlanner.plan(graph, alignment: alignment))
            }
        }
    }

    /// A node never writes over its own input: kernels do not work in place.
    func testOutputNeverOverlapsInput() {
        for seed in 0..<50 {
            let graph = SampleGraphs.random(seed: UInt64(seed))
            let plan = MemoryPlanner.plan(graph, alignment: 1)
            for node in graph.nodes where node.op != .reshape {
                guard case .arena(let a) = plan.placements[node.inputs[0]], case .arena(let b) = plan.placements[node.output] else { continue }
                let ra = a..<(a + graph.tensors[node.inputs[0]].byteCount), rb = b..<(b + graph.tensors[node.output].byteCount)
                XCTAssertFalse(ra.overlaps(rb), "node \(node.name) of graph \(seed)")
            }
        }
    }
}
