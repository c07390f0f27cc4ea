/// The pruned LeNets of the issues' measurements, on random weights: the sample graphs that
/// `make test` verifies on every target, and the shapes `whittle bench` measures.
extension SampleGraphs {
    /// The PyTorch tutorial's per-layer sparsities (fine-grained, by magnitude).
    public static let tutorialSparsity = ["conv1": 0.85, "conv2": 0.8, "fc1": 0.75, "fc2": 0.7, "fc3": 0.8]

    /// The four example LeNets of the issues' target measurements, from one dense LeNet: itself,
    /// magnitude-pruned to the tutorial's sparsities, pruned 2:4 (both in int8, without fine-tuning:
    /// their costs depend on shapes and sparsity, not accuracy), and the 3-and-8-filter shape
    /// with weights seeded by `seed`.
    public static func exampleLeNets(dense: QGraph, seed: UInt64) throws -> [(name: String, graph: QGraph)] {
        [("dense", dense),
         ("pruned (tutorial)", try magnitudePruned(dense, sparsity: tutorialSparsity)),
         ("2:4", try nmPruned(dense, n: 2, m: 4)),
         ("filter-pruned", leNet(seed: seed, filters: (3, 8)))]
    }

    /// `graph` with the smallest-magnitude weights of each named layer zeroed (`sparsity[name]` of
    /// them) and stored index-sparse.
    public static func magnitudePruned(_ graph: QGraph, sparsity: [String: Double]) throws -> QGraph {
        try rewritingWeights(graph) { node, logical, _ in
            guard let fraction = sparsity[node.name] else { return nil }
            var values = logical
            let cut = Int((fraction * Double(values.count)).rounded())
            let order = values.indices.sorted { (values[$0].magnitude, $0) < (values[$1].magnitude, $1) }
            for j in order.prefix(cut) { values[j] = 0 }
            return (values, .indexSparse)
        }
    }

    /// `graph` with every layer pruned N:M in PyTorch's group order (see `NMSparseWeights`): the
    /// `m - n` smallest of each group zeroed, a tail shorter than `m` kept dense.
    public static func nmPruned(_ graph: QGraph, n: Int, m: Int) throws -> QGraph {
        try rewritingWeights(graph) { _, logical, shape in
            var values = logical
            let positions = shape.perOutput / shape.channels
            for o in 0..<shape.outputs {
                let groups = shape.perOutput / m
                for g in 0..<groups {
                    // The q-th weight of the group order is logical (q % positions) * channels + q / positions.
                    let members = (g * m..<(g + 1) * m).map { o * shape.perOutput + ($0 % positions) * shape.channels + $0 / positions }
                    for j in members.sorted(by: { (values[$0].magnitude, $0) < (values[$1].magnitude, $1) }).prefix(m - n) { values[j] = 0 }
                }
            }
            return (values, .nm(n: n, m: m))
        }
    }

    private typealias Rewrite = (QNode, [Int8], (outputs: Int, perOutput: Int, channels: Int)) -> ([Int8], WeightFormat)?

    private static func rewritingWeights(_ graph: QGraph, _ rewrite: Rewrite) throws -> QGraph {
        var result = graph
        for (i, node) in graph.nodes.enumerated() {
            guard let logical = node.op.weights?.denseValues, let outputs = node.op.outputChannels else { continue }
            let channels = graph.reductionChannels(of: node)
            guard let (values, format) = rewrite(node, logical, (outputs, logical.count / outputs, channels)) else { continue }
            result.nodes[i].op = node.op.replacingWeights(try WeightStorage(encoding: values, as: format, outputs: outputs, channels: channels))
        }
        try GraphVerifier.verify(result)
        return result
    }
}
