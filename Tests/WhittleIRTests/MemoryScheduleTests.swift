import WhittleIR
import XCTest

final class MemoryScheduleTests: XCTestCase {
    /// Two branches from a 4×4×4 input, listed interleaved: A widens to 256 bytes then narrows
    /// to 16, B widens to 128 then narrows to 16, and an add joins them. Interleaved, A's 256, B's
    /// 128 and A's 16 are live at once (400). A first peaks at 256 + 16 = 272, while A runs; B
    /// first at 16 + 256 + 16 = 288, A's widening then sitting on B's output. So A, the branch
    /// that frees more, runs first.
    func testRunsTheBranchThatFreesMoreFirst() throws {
        var b = QGraphBuilder(memoryTestInput: TensorShape(height: 4, width: 4, channels: 4))
        let a1 = try b.pointwise(b.input, to: 16, name: "a1")
        let b1 = try b.pointwise(b.input, to: 8, name: "b1")
        let a2 = try b.pointwise(a1, to: 1, name: "a2")
        let b2 = try b.pointwise(b1, to: 1, name: "b2")
        let graph = try b.finish(summing: a2, b2)
        XCTAssertEqual(BufferLifetimes(graph).peakLiveBytes(), 400)

        let scheduled = MemorySchedule.reordered(graph)
        XCTAssertEqual(scheduled.nodes.map(\.name), ["a1", "a2", "b1", "b2", "sum"])
        XCTAssertEqual(BufferLifetimes(scheduled).peakLiveBytes(), 272)
        XCTAssertEqual(MemoryPlanner.plan(scheduled, alignment: 16).arenaBytes, 272)
    }

    /// On graphs small enough to try every topological order, the schedule's peak is the lowest.
    func testFindsTheLowestPeakOfAllOrders() {
        var checked = 0, improved = 0
        for seed in 0..<400 where checked < 40 {
            let graph = SampleGraphs.randomBranching(seed: UInt64(seed))
            guard graph.nodes.count <= 11, let best = lowestPeakOfAllOrders(graph, limit: 20_000) else { continue }
            let scheduled = BufferLifetimes(MemorySchedule.reordered(graph)).peakLiveBytes()
            XCTAssertEqual(scheduled, best, "graph \(seed)")
            checked += 1
            if best < BufferLifetimes(graph).peakLiveBytes() { improved += 1 }
        }
        XCTAssertEqual(checked, 40)
        XCTAssertGreaterThan(improved, 10, "most small graphs should be listed in an order that is not the leanest")
    }

    /// The reordered graph is the same graph in another valid order: it verifies, holds the same
    /// nodes and tensors, and the reference interpreter computes the same values for every tensor.
    func testKeepsWhatTheGraphComputes() throws {
        var reordered = 0
        for seed in 0..<30 {
            for graph in [SampleGraphs.randomResidual(seed: UInt64(seed)), SampleGraphs.randomBranching(seed: UInt64(seed))] {
                let scheduled = MemorySchedule.reordered(graph)
                try GraphVerifier.verify(scheduled)
                XCTAssertEqual(scheduled.tensors, graph.tensors)
                XCTAssertEqual(Set(scheduled.nodes.map(\.name)), Set(graph.nodes.map(\.name)))
                XCTAssertEqual(scheduled.nodes.count, graph.nodes.count)
                XCTAssertEqual([scheduled.input, scheduled.output], [graph.input, graph.output])
                if scheduled.nodes != graph.nodes { reordered += 1 }
                let (original, other) = (try ReferenceInterpreter(graph: graph), try ReferenceInterpreter(graph: scheduled))
                var rng = SeededGenerator(seed: UInt64(seed))
                for _ in 0..<2 {
                    let input = (0..<graph.inputTensor.byteCount).map { _ in rng.nextInt8() }
                    XCTAssertEqual(other.runAll(input), original.runAll(input), "graph \(seed)")
                }
            }
        }
        XCTAssertGreaterThan(reordered, 15, "the draw must reach graphs the schedule reorders")
    }

    /// Never a higher peak than the graph's own order, the same answer every time, and a chain
    /// (one order only) back unchanged.
    func testNeverRaisesThePeakAndIsDeterministic() {
        for seed in 0..<200 {
            let chain = SampleGraphs.random(seed: UInt64(seed))
            XCTAssertEqual(MemorySchedule.reordered(chain), chain)
            for graph in [SampleGraphs.randomResidual(seed: UInt64(seed)), SampleGraphs.randomBranching(seed: UInt64(seed))] {
                let scheduled = MemorySchedule.reordered(graph)
                XCTAssertLessThanOrEqual(BufferLifetimes(scheduled).peakLiveBytes(), BufferLifetimes(graph).peakLiveBytes(), "graph \(seed)")
                XCTAssertEqual(MemorySchedule.reordered(graph), scheduled, "graph \(seed)")
            }
        }
    }

    /// The lowest `peakLiveBytes` over every topological order of `graph`, or nil past `limit` orders.
    private func lowestPeakOfAllOrders(_ graph: QGraph, limit: Int) -> Int? {
        let producers = graph.producers
        var best = Int.max, orders = 0
        var order: [Int] = [], done = Set<TensorID>([graph.input])
        func extend() -> Bool {
            if order.count == graph.nodes.count {
                var candidate = graph
                candidate.nodes = order.map { graph.nodes[$0] }
                best = min(best, BufferLifetimes(candidate).peakLiveBytes())
                orders += 1
                return orders <= limit
            }
            for (i, node) in graph.nodes.enumerated() where !order.contains(i) && node.inputs.allSatisfy({ done.contains($0) || producers[$0] == nil }) {
                order.append(i)
                done.insert(node.output)
                defer { order.removeLast(); done.remove(node.output) }
                if !extend() { return false }
            }
            return true
        }
        return extend() ? best : nil
    }
}
