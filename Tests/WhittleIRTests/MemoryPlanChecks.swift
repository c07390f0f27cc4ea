import WhittleIR
import XCTest

/// Checks a memory plan against the graph it was made for, recomputing from the nodes which
/// buffers are live together: buffers live during the same node never share a byte (so no node's
/// output overlaps any of its inputs), every arena buffer lies inside the arena at an aligned
/// offset, only the graph input and output live in the caller's buffers, and the arena lies
/// between the lower bound (recomputed here) and a buffer per tensor.
func assertValidPlan(_ graph: QGraph, _ plan: MemoryPlan, _ label: String, file: StaticString = #filePath, line: UInt = #line) {
    let roots = BufferLifetimes.storageRoots(graph)
    let size = { (t: TensorID) in graph.tensors[t].byteCount }
    let aligned = { (n: Int) in (n + plan.alignment - 1) / plan.alignment * plan.alignment }
    var range: [TensorID: Range<Int>] = [:]
    for t in Set(roots) where graph.nodes.contains(where: { $0.output == t || $0.inputs.contains(t) }) {
        switch plan.placements[t] {
        case .input: XCTAssertEqual(t, roots[graph.input], "\(label): \(graph.tensors[t].name) in the input buffer", file: file, line: line)
        case .output: XCTAssertEqual(t, roots[graph.output], "\(label): \(graph.tensors[t].name) in the output buffer", file: file, line: line)
        case .arena(let offset):
            XCTAssertEqual(offset % plan.alignment, 0, "\(label): offset of \(graph.tensors[t].name)", file: file, line: line)
            XCTAssertLessThanOrEqual(offset + size(t), plan.arenaBytes, "\(label): \(graph.tensors[t].name) outside the arena", file: file, line: line)
            range[t] = offset..<(offset + size(t))
        }
    }
    var bound = 0
    for step in graph.nodes.indices {
        // Live during this node: its own inputs and output, and every buffer written before it
        // and read after it.
        let node = graph.nodes[step]
        var live = Set((node.inputs + [node.output]).map { roots[$0] })
        for writer in graph.nodes[..<step] {
            let buffer = roots[writer.output]
            if graph.nodes[(step + 1)...].contains(where: { $0.inputs.contains { roots[$0] == buffer } }) { live.insert(buffer) }
        }
        let inArena = live.compactMap { t in range[t].map { (t, $0) } }.sorted { $0.0 < $1.0 }
        for (i, a) in inArena.enumerated() {
            for b in inArena[(i + 1)...] where a.1.overlaps(b.1) {
                XCTFail("\(label): \(graph.tensors[a.0].name) and \(graph.tensors[b.0].name) are live during \(node.name) and overlap",
                        file: file, line: line)
            }
        }
        let rounded = inArena.map { aligned(size($0.0)) }
        bound = max(bound, rounded.reduce(0, +) - (zip(rounded, inArena).map { $0 - size($1.0) }.max() ?? 0))
    }
    XCTAssertEqual(plan.lowerBoundBytes, bound, "\(label): lower bound", file: file, line: line)
    XCTAssertGreaterThanOrEqual(plan.arenaBytes, plan.lowerBoundBytes, "\(label)", file: file, line: line)
    XCTAssertLessThanOrEqual(plan.arenaBytes, plan.naiveArenaBytes, "\(label)", file: file, line: line)
}
