/// Chooses the order the nodes run in so that fewer arena bytes are live at once, before the
/// memory planner places buffers for that order. A DAG's branches may run in any interleaving:
/// with two branches, finishing first the one that frees more memory lowers the peak.
///
/// The search is Liberis and Lane's ("Neural networks on microcontrollers: saving memory at
/// inference via operator reordering", 2019). Which buffers are live after a set of nodes has run
/// depends on the set, not on the order it ran in (`NodeMemoryEffects`), so a dynamic program over
/// those sets, one node more at each step, keeping for each set the order with the lowest peak so
/// far, finds the order with the lowest peak of all. Two prunings keep it exact:
/// - a ready node that needs no more bytes than the peak every completion reaches anyway and
///   frees at least what it writes runs next, alone: moving it to the front of any completion
///   lowers or keeps the live bytes of every node it passes;
/// - a set whose peak, or the bytes live in every order during one of its remaining nodes
///   (`NodeMemoryEffects.floor`), reaches the best peak known cannot lead to a better order.
/// The sets still grow with the product of the branches' lengths: past a width of sets at one
/// step, only the most promising go on (lowest bound on the final peak, then fewest bytes live),
/// which makes it a beam search. Widths 1 and 16 run first, as each bounds the next and one
/// that reaches the floor of the whole graph needs no wider search.
public enum MemorySchedule {
    /// Sets of run nodes kept per step by the widest search, which is exact when no step has more
    /// (and `trialsPerSearch` suffices).
    public static let beamWidth = 512
    /// Ready nodes tried per search, shared evenly among its steps (the most promising sets try
    /// theirs first), so a graph of many wide branches is scheduled in bounded time.
    public static let trialsPerSearch = 1 << 20

    /// `graph` with its nodes in a topological order whose `BufferLifetimes.peakLiveBytes()` is
    /// the lowest found. Nodes, tensors and their ids are unchanged, so the graph computes the
    /// same values. Deterministic (ready nodes are tried by their index, and ties go to the order
    /// met first), and a graph whose own order peaks no higher comes back unchanged.
    public static func reordered(_ graph: QGraph) -> QGraph {
        let effects = NodeMemoryEffects(graph)
        let floor = effects.floor(after: NodeSet(count: graph.nodes.count))
        var best: (order: [Int], peak: Int)?
        for width in [1, 16, beamWidth] {
            let bound = best?.peak ?? BufferLifetimes(graph).peakLiveBytes()
            guard bound > floor else { break }
            best = leanestOrder(effects, width: width, below: bound) ?? best
        }
        guard let best else { return graph }
        var result = graph
        result.nodes = best.order.map { graph.nodes[$0] }
        return result
    }

    /// A partial schedule: the nodes run so far, and the live and peak bytes.
    private struct Partial {
        var done: NodeSet
        var live: Int
        var peak: Int
        /// The last step of its order in `steps`, −1 for none.
        var last: Int
        /// The partial it extends, as an index into the step before.
        var parent: Int
    }

    /// The node order with the lowest peak found keeping `width` sets per step, and its peak,
    /// if it peaks below `bound`.
    private static func leanestOrder(_ effects: NodeMemoryEffects, width: Int, below bound: Int) -> (order: [Int], peak: Int)? {
        let count = effects.predecessors.count
        let sources = (0..<count).filter { effects.predecessors[$0].isEmpty }
        var layer = [Partial(done: NodeSet(count: count), live: 0, peak: 0, last: -1, parent: 0)]
        // Per partial of `layer`, the nodes it may run next, ascending.
        var ready = [sources]
        // Every step of every order kept: its node and the index of the step before it.
        var steps: [(node: Int, previous: Int)] = []
        let trialsPerStep = max(trialsPerSearch / max(count, 1), 1)
        for _ in 0..<count {
            var next: [Partial] = []
            var found: [NodeSet: Int] = [:]
            var trials = 0
            for (index, partial) in layer.enumerated() where trials < trialsPerStep {
                trials += ready[index].count
                let moves = ready[index].map { (node: $0, bytes: effects.run($0, after: partial.done, live: partial.live)) }
                let least = max(partial.peak, effects.floor(after: partial.done))
                let free = moves.first { $0.bytes.during <= least && $0.bytes.after <= partial.live }
                for (node, (during, after)) in free.map({ [$0] }) ?? moves {
                    var done = partial.done
                    done.insert(node)
                    let peak = max(partial.peak, during)
                    guard max(peak, effects.floor(after: done)) < bound else { continue }
                    if let i = found[done] {
                        // The same set by another order: keep the one with the lower peak.
                        guard peak < next[i].peak else { continue }
                        steps.append((node, partial.last))
                        (next[i].peak, next[i].last, next[i].parent) = (peak, steps.count - 1, index)
                        continue
                    }
                    steps.append((node, partial.last))
                    found[done] = next.count
                    next.append(Partial(done: done, live: after, peak: peak, last: steps.count - 1, parent: index))
                }
            }
            // Most promising first: lowest bound on the final peak, then fewest bytes live.
            let kept = next.enumerated().map { (key: (max($0.element.peak, effects.floor(after: $0.element.done)), $0.element.live, $0.offset), $0.element) }
                .sorted { $0.key < $1.key }.prefix(width).map(\.1)
            // Ready sets only for the partials kept: the rest never run a node.
            ready = kept.map { partial in
                let node = steps[partial.last].node
                return (ready[partial.parent].filter { $0 != node }
                    + effects.successors[node].filter { effects.predecessors[$0].allSatisfy(partial.done.contains) }).sorted()
            }
            layer = kept
        }
        guard let end = layer.first, count > 0 else { return nil }
        var order: [Int] = []
        var step = end.last
        while step >= 0 {
            order.append(steps[step].node)
            step = steps[step].previous
        }
        return (order.reversed(), end.peak)
    }
}
