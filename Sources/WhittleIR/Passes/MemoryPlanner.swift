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
    /// No arena for this node order can be smaller: the most bytes the arena buffers live during
    /// one node take at this alignment (`BufferLifetimes.peakLiveBytes(alignment:)`).
    public var lowerBoundBytes: Int
    /// What the intermediates would need with a buffer each (aligned the same way).
    public var naiveArenaBytes: Int
    /// Every activation tensor with storage of its own, input and output included, unaligned.
    public var naiveActivationBytes: Int
    public var alignment: Int
}

/// Plans the arena for the graph's node order (`MemorySchedule` chooses an order with a lower
/// peak first): tensor lifetimes (`BufferLifetimes`), then offsets such that buffers live at the
/// same time never overlap (`ArenaPlacement`). A reshape aliases its input (no copy). A node's
/// output never overlaps any of its inputs: they are live together, since kernels do not work in
/// place.
public enum MemoryPlanner {
    public static func plan(_ graph: QGraph, alignment: Int = 16) -> MemoryPlan {
        precondition(alignment > 0, "alignment must be positive")
        let lives = BufferLifetimes(graph)
        let buffers = lives.arenaBuffers
        let sizes = graph.tensors.map(\.byteCount)
        let lowerBound = lives.peakLiveBytes(alignment: alignment)
        let packed = ArenaPlacement(sizes: buffers.map { sizes[$0] }, lifetimes: buffers.map(lives.lifetime), alignment: alignment)
            .best(lowerBound: lowerBound)
        let offsets = Dictionary(uniqueKeysWithValues: zip(buffers, packed.offsets))
        let (inputRoot, outputRoot) = (lives.roots[graph.input], lives.roots[graph.output])
        let placements = lives.roots.map { root -> MemoryPlan.Placement in
            switch root {
            case inputRoot: return .input
            case outputRoot: return .output
            default: return .arena(offset: offsets[root] ?? 0)
            }
        }
        return MemoryPlan(placements: placements,
                          lifetimes: lives.roots.map { lives.lifetimes[$0] ?? 0...0 },
                          arenaBytes: packed.bytes, lowerBoundBytes: lowerBound,
                          naiveArenaBytes: buffers.map { (sizes[$0] + alignment - 1) / alignment * alignment }.reduce(0, +),
                          naiveActivationBytes: Set(lives.roots).map { sizes[$0] }.reduce(0, +), alignment: alignment)
    }
}
