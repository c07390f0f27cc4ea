import WhittleIR

/// The sparse-format choice (DESIGN.md, contract 3 "Sparsity must pay"): for every conv and
/// fully connected layer of a lowered graph, cost dense, index-sparse (gap nibbles), bitmap and
/// every N:M pattern the weights follow, and store the layer in the cheapest. The decision is made once, here, and
/// recorded in the graph's `WeightStorage`; the code generator only prints it.
///
/// Rule: each candidate gets the score `flash / dense flash + instructions / dense instructions`
/// (flash: every constant table of the layer; instructions: `KernelCostModel`), and the lowest
/// score wins, dense on a tie. Dense scores 2, so a format is taken only when what it saves on
/// one axis outweighs what it costs on the other, and never when it is both larger and slower.
/// A layer without zeros stays dense, so a dense model lowers exactly as before.
///
/// Structured (filter or channel) pruning needs nothing here: it arrives as smaller dense layers.
public enum SparseFormatChoice {
    /// One format considered for a layer.
    public struct Candidate: Sendable {
        public var storage: WeightStorage
        public var footprint: LayerFootprint
        public var instructions: Double
        /// `flash / dense flash + instructions / dense instructions` (dense: 2).
        public var score: Double

        public var format: WeightFormat { storage.format }
    }

    /// What was decided for one layer, with the alternatives.
    public struct Decision: Sendable {
        public var layer: String
        public var chosen: Candidate
        /// Every format costed, dense first.
        public var candidates: [Candidate]
    }

    /// Which formats the choice may take.
    public enum Policy: Sendable, Equatable {
        /// The cost model picks among all formats the weights allow.
        case cheapest
        /// Every layer in this format where its weights allow it, else dense (to compare formats).
        case only(WeightFormat)
    }

    /// `graph` with every conv / fully connected layer stored in its chosen format, and the
    /// decisions in graph order.
    public static func apply(_ graph: QGraph, policy: Policy = .cheapest, costs: KernelCostModel = KernelCostModel()) throws
        -> (graph: QGraph, decisions: [Decision]) {
        var result = graph
        var decisions: [Decision] = []
        for (i, node) in graph.nodes.enumerated() {
            guard let decision = decide(node, in: graph, policy: policy, costs: costs) else { continue }
            decisions.append(decision)
            let storage = decision.chosen.storage
            switch node.op {
            case .conv2d(var conv):
                conv.weights = storage
                result.nodes[i].op = .conv2d(conv)
            case .fullyConnected(var fc):
                fc.weights = storage
                result.nodes[i].op = .fullyConnected(fc)
            default: // ops without weights
                break
            }
        }
        try GraphVerifier.verify(result)
        return (result, decisions)
    }

    /// The candidates for one conv / fully connected node and the cheapest; nil for other ops.
    public static func decide(_ node: QNode, in graph: QGraph, policy: Policy = .cheapest,
                              costs: KernelCostModel = KernelCostModel()) -> Decision? {
        guard let logical = logicalWeights(node) else { return nil }
        let outputs = graph.tensors[node.output].shape.elementCount / pixels(node, graph)
        let channels = graph.reductionChannels(of: node)
        var formats: [WeightFormat] = [.dense]
        switch policy {
        case .only(let wanted):
            formats.append(wanted)
        case .cheapest where logical.contains(0):
            formats += [.indexSparse, .bitmap]
            for m in 2...NMSparseWeights.maxGroup {
                if let n = NMSparseWeights.smallestN(of: logical, outputs: outputs, channels: channels, m: m) {
                    formats.append(.nm(n: n, m: m))
                }
            }
        case .cheapest:
            break
        }
        var candidates: [Candidate] = []
        for format in formats {
            // A pattern the weights do not follow is no candidate.
            guard let storage = try? WeightStorage(encoding: logical, as: format, outputs: outputs, channels: channels),
                  let footprint = LayerFootprint.of(node, in: graph, storage: storage) else { continue }
            let instructions = costs.instructions(footprint, node: node, in: graph, storage: storage)
            candidates.append(Candidate(storage: storage, footprint: footprint, instructions: instructions, score: 0))
        }
        let dense = candidates[0]
        for i in candidates.indices {
            candidates[i].score = Double(candidates[i].footprint.flashBytes) / Double(dense.footprint.flashBytes)
                + candidates[i].instructions / dense.instructions
        }
        var chosen = candidates[0]
        if case .only = policy {
            chosen = candidates.last!
        } else {
            for candidate in candidates.dropFirst() where candidate.score < chosen.score { chosen = candidate }
        }
        return Decision(layer: node.name, chosen: chosen, candidates: candidates)
    }

    private static func logicalWeights(_ node: QNode) -> [Int8]? {
        switch node.op {
        case .conv2d(let conv): return conv.weights.denseValues
        case .fullyConnected(let fc): return fc.weights.denseValues
        default: return nil // ops without weights
        }
    }

    /// Output pixels a conv's filters run over (1 for a fully connected layer).
    private static func pixels(_ node: QNode, _ graph: QGraph) -> Int {
        guard case .conv2d = node.op else { return 1 }
        let shape = graph.tensors[node.output].shape
        return shape.height * shape.width
    }
}
