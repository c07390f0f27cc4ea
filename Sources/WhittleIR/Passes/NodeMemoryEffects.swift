/// What running one node does to the live arena bytes, whatever order the nodes run in: the
/// model `MemorySchedule` searches over. It counts exactly what `BufferLifetimes` does for a
/// fixed order: after a set of nodes has run, the live buffers are those written by the set
/// that a node outside it still reads, so they depend on the set, not on its order.
struct NodeMemoryEffects {
    /// Per node, the arena buffer it writes, if any (a reshape writes none).
    private let writes: [TensorID?]
    /// Per node, the distinct arena buffers it reads.
    private let reads: [[TensorID]]
    /// Per arena buffer, the distinct nodes that read it (reshapes of it included, and the
    /// readers of those reshapes).
    private let readers: [TensorID: [Int]]
    /// Indexed by `TensorID`.
    private let sizes: [Int]
    /// Nodes by the bytes live during each in every order, most first (`bytesLiveInEveryOrder`).
    private let byFootprint: [(node: Int, bytes: Int)]
    /// Per node, the distinct nodes that write its inputs: they must run before it.
    let predecessors: [[Int]]
    /// Per node, the nodes that read its output.
    let successors: [[Int]]

    init(_ graph: QGraph) {
        let lives = BufferLifetimes(graph)
        let arena = Set(lives.arenaBuffers)
        let producers = graph.producers
        var readers: [TensorID: [Int]] = [:]
        var successors = [[Int]](repeating: [], count: graph.nodes.count)
        var predecessors: [[Int]] = []
        var reads: [[TensorID]] = []
        for (index, node) in graph.nodes.enumerated() {
            let buffers = Set(node.inputs.map { lives.roots[$0] }).filter(arena.contains).sorted()
            buffers.forEach { readers[$0, default: []].append(index) }
            reads.append(buffers)
            let before = Set(node.inputs.compactMap { producers[$0] }).sorted()
            before.forEach { successors[$0].append(index) }
            predecessors.append(before)
        }
        let writes = graph.nodes.map { node -> TensorID? in
            if case .reshape = node.op { return nil }
            return arena.contains(node.output) ? node.output : nil
        }
        (self.writes, self.reads, self.readers, self.predecessors, self.successors) = (writes, reads, readers, predecessors, successors)
        sizes = graph.tensors.map(\.byteCount)
        byFootprint = Self.bytesLiveInEveryOrder(writes: writes, reads: reads, readers: readers, predecessors: predecessors, sizes: sizes)
            .enumerated().map { (node: $0.offset, bytes: $0.element) }.sorted { $0.bytes > $1.bytes }
    }

    /// Per node, the bytes live while it runs in every order: its arena inputs and output, and
    /// each buffer written by one of its ancestors and read by one of its descendants (a skip
    /// connection across it).
    private static func bytesLiveInEveryOrder(writes: [TensorID?], reads: [[TensorID]], readers: [TensorID: [Int]],
                                              predecessors: [[Int]], sizes: [Int]) -> [Int] {
        var ancestors: [NodeSet] = []
        for before in predecessors {
            var set = NodeSet(count: predecessors.count)
            for p in before {
                set.formUnion(ancestors[p])
                set.insert(p)
            }
            ancestors.append(set)
        }
        let written = writes.enumerated().compactMap { node, buffer in buffer.map { (buffer: $0, writer: node) } }
        return predecessors.indices.map { node in
            written.filter { buffer, writer in
                writer == node || reads[node].contains(buffer)
                    || ancestors[node].contains(writer) && readers[buffer, default: []].contains { ancestors[$0].contains(node) }
            }.map { sizes[$0.buffer] }.reduce(0, +)
        }
    }

    /// The most bytes one node not in `done` has live in every order: any order that runs
    /// `done` first peaks at least this high after it.
    func floor(after done: NodeSet) -> Int {
        byFootprint.first { !done.contains($0.node) }?.bytes ?? 0
    }

    /// With the nodes of `done` run and `live` bytes live, the bytes live while `node` runs (its
    /// output added) and after it (its output kept if read later, each input buffer freed once
    /// no node outside `done` and `node` reads it).
    func run(_ node: Int, after done: NodeSet, live: Int) -> (during: Int, after: Int) {
        let output = writes[node]
        let during = live + (output.map { sizes[$0] } ?? 0)
        var after = during
        if let output, readers[output] == nil { after -= sizes[output] }
        for buffer in reads[node] where readers[buffer]!.allSatisfy({ $0 == node || done.contains($0) }) {
            after -= sizes[buffer]
        }
        return (during, after)
    }
}

/// A set of node indices, as bits: the key of a partial schedule.
struct NodeSet: Hashable {
    private var words: [UInt64]

    init(count: Int) { words = [UInt64](repeating: 0, count: (count + 63) / 64) }

    func contains(_ node: Int) -> Bool { words[node / 64] & (1 << UInt64(node % 64)) != 0 }

    mutating func insert(_ node: Int) { words[node / 64] |= 1 << UInt64(node % 64) }

    mutating func formUnion(_ other: NodeSet) {
        for i in words.indices { words[i] |= other.words[i] }
    }
}
