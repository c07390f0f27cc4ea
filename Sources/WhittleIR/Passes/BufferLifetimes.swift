/// Which tensors need arena storage and during which nodes, for the graph's node order: what the
/// memory planner places and the memory schedule minimizes.
///
/// A tensor's storage belongs to its root (itself, or for a reshape the root of its input). The
/// graph input's and output's roots live in the caller's buffers; every other root read or written
/// by a node is an arena buffer. A buffer is live from the step of the node that writes it to the
/// step of its last reader, both included: during a node, its inputs and its output are live
/// together (kernels do not work in place), and a reshape reads its root like any other node.
public struct BufferLifetimes: Sendable {
    /// For every tensor, the tensor that owns its storage.
    public let roots: [TensorID]
    /// Indexed by `TensorID`, for roots only: node steps from the writer to the last reader; −1
    /// for the graph input, the node count for the graph output; nil for tensors no node touches.
    public let lifetimes: [ClosedRange<Int>?]
    /// The roots that live in the arena, ascending.
    public let arenaBuffers: [TensorID]
    private let sizes: [Int]

    public init(_ graph: QGraph) {
        let roots = Self.storageRoots(graph)
        var lifetimes = [ClosedRange<Int>?](repeating: nil, count: graph.tensors.count)
        func extend(_ tensor: TensorID, to step: Int) {
            let r = roots[tensor]
            lifetimes[r] = lifetimes[r].map { min($0.lowerBound, step)...max($0.upperBound, step) } ?? step...step
        }
        extend(graph.input, to: -1)
        for (step, node) in graph.nodes.enumerated() {
            node.inputs.forEach { extend($0, to: step) }
            extend(node.output, to: step)
        }
        extend(graph.output, to: graph.nodes.count)
        let caller: Set = [roots[graph.input], roots[graph.output]]
        self.roots = roots
        self.lifetimes = lifetimes
        arenaBuffers = Set(roots).filter { !caller.contains($0) && lifetimes[$0] != nil }.sorted()
        sizes = graph.tensors.map(\.byteCount)
    }

    /// For every tensor, the tensor that owns its storage: itself, or the root of a reshape's input.
    public static func storageRoots(_ graph: QGraph) -> [TensorID] {
        var root = Array(graph.tensors.indices)
        for node in graph.nodes {
            if case .reshape = node.op { root[node.output] = root[node.inputs[0]] }
        }
        return root
    }

    /// The lifetime of an arena buffer.
    public func lifetime(of buffer: TensorID) -> ClosedRange<Int> { lifetimes[buffer]! }

    /// The most bytes the arena buffers live during one node take: no arena for this order is
    /// smaller. Buffers live together must not overlap, and each starts at a multiple of
    /// `alignment`, so all but the highest take their size rounded up to it: per node, the sum of
    /// the rounded sizes less the largest rounding (the plain sum when `alignment` is 1).
    public func peakLiveBytes(alignment: Int = 1) -> Int {
        let steps = (arenaBuffers.map { lifetime(of: $0).upperBound }.max() ?? -1) + 1
        return (0..<steps).map { step in
            let live = arenaBuffers.filter { lifetime(of: $0).contains(step) }.map { sizes[$0] }
            let rounded = live.map { ($0 + alignment - 1) / alignment * alignment }
            return rounded.reduce(0, +) - (zip(rounded, live).map { $0 - $1 }.max() ?? 0)
        }.max() ?? 0
    }
}
