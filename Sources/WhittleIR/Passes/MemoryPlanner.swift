/// Where each activation tensor lives at run time, decided once before any C is printed.
public struct MemoryPlan: Hashable, Sendable {
    public enum Placement: Hashable, Sendable {
        /// The caller's input buffer (the graph input and reshapes of it).
        case input
        /// The caller's output buffer (the graph output and the tensors it reshapes).
        case output
        /// `arena + offset`.
        case arena(offset: Int)
    }

    /// Indexed by `TensorID`.
    public var placements: [Placement]
    /// Nodes (by index) during which each tensor's storage must stay intact, indexed by
    /// `TensorID`: from its producer (−1 for the graph input) to its last reader (the node count
    /// for the graph output). Reshape aliases share their root's lifetime.
    public var lifetimes: [ClosedRange<Int>]
    /// The one static arena all intermediate tensors share.
    public var arenaBytes: Int
    /// What the intermediates would need with a buffer each (aligned the same way).
    public var naiveArenaBytes: Int
    /// Every activation tensor with storage of its own, input and output included, unaligned.
    public var naiveActivationBytes: Int
    public var alignment: Int
}

/// Plans the arena: tensor lifetimes over the topological order, then greedy placement of the
/// largest buffers first at the lowest aligned offset that no live buffer occupies. A reshape
/// aliases its input (no copy). A node's output never overlaps its input: kernels do not work
/// in place.
public enum MemoryPlanner {
    public static func plan(_ graph: QGraph, alignment: Int = 16) -> MemoryPlan {
        precondition(alignment > 0, "alignment must be positive")
        let root = storageRoots(graph)
        var lifetime = [ClosedRange<Int>?](repeating: nil, count: graph.tensors.count)
        func extend(_ tensor: TensorID, to step: Int) {
            let r = root[tensor]
            lifetime[r] = lifetime[r].map { min($0.lowerBound, step)...max($0.upperBound, step) } ?? step...step
        }
        extend(graph.input, to: -1)
        for (step, node) in graph.nodes.enumerated() {
            node.inputs.forEach { extend($0, to: step) }
            extend(node.output, to: step)
        }
        extend(graph.output, to: graph.nodes.count)

        var placements = [MemoryPlan.Placement](repeating: .arena(offset: 0), count: graph.tensors.count)
        let inputRoot = root[graph.input], outputRoot = root[graph.output]
        let buffers = Set(root).filter { $0 != inputRoot && $0 != outputRoot && lifetime[$0] != nil }
        func aligned(_ n: Int) -> Int { (n + alignment - 1) / alignment * alignment }

        // Largest first (ties by first use, then id, so the plan is deterministic).
        let order = buffers.sorted {
            let a = graph.tensors[$0].byteCount, b = graph.tensors[$1].byteCount
            if a != b { return a > b }
            if lifetime[$0]!.lowerBound != lifetime[$1]!.lowerBound { return lifetime[$0]!.lowerBound < lifetime[$1]!.lowerBound }
            return $0 < $1
        }
        var offsets: [TensorID: Int] = [:]
        for buffer in order {
            let size = graph.tensors[buffer].byteCount
            let live = offsets.filter { lifetime[$0.key]!.overlaps(lifetime[buffer]!) }
                .map { (start: $0.value, end: $0.value + graph.tensors[$0.key].byteCount) }
                .sorted { $0.start < $1.start }
            var offset = 0
            for other in live where offset + size > other.start && other.end > offset {
                offset = aligned(other.end)
            }
            offsets[buffer] = offset
        }
        var arenaBytes = offsets.map { $0.value + graph.tensors[$0.key].byteCount }.max() ?? 0
        let naiveArena = buffers.map { aligned(graph.tensors[$0].byteCount) }.reduce(0, +)

        // Greedy is almost always better; when it is not, stack the buffers one after another.
        if arenaBytes > naiveArena {
            var next = 0
            for buffer in buffers.sorted() {
                offsets[buffer] = next
                next += aligned(graph.tensors[buffer].byteCount)
            }
            arenaBytes = naiveArena
        }
        for tensor in graph.tensors.indices {
            switch root[tensor] {
            case inputRoot: placements[tensor] = .input
            case outputRoot: placements[tensor] = .output
            default: placements[tensor] = .arena(offset: offsets[root[tensor]] ?? 0)
            }
        }
        let ownStorage = Set(root).map { graph.tensors[$0].byteCount }.reduce(0, +)
        return MemoryPlan(placements: placements,
                          lifetimes: graph.tensors.indices.map { lifetime[root[$0]] ?? 0...0 },
                          arenaBytes: arenaBytes, naiveArenaBytes: naiveArena,
                          naiveActivationBytes: ownStorage, alignment: alignment)
    }

    /// For every tensor, the tensor that owns its storage: itself, or the root of a reshape's input.
    public static func storageRoots(_ graph: QGraph) -> [TensorID] {
        var root = Array(graph.tensors.indices)
        for node in graph.nodes {
            if case .reshape = node.op { root[node.output] = root[node.inputs[0]] }
        }
        return root
    }
}
