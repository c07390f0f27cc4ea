import WhittleIR

/// The `choose-sparse-format` pass (DESIGN.md, contract 3 "Sparsity must pay"): for every conv
/// and fully connected layer, cost dense, index-sparse (gap nibbles), bitmap and every N:M
/// pattern the weights follow, each with the kernel this target would run it with, and store the
/// layer in the best for the user's objective. The graph holds the logical weights (WhittleLower
/// stores them dense); the choice is made here, per target, and recorded in `WeightStorage`.
///
/// Costs are the target's: constant bytes exactly as the lowering lays out the candidate's
/// tables for this target (a ready-tap conv spends 4 bytes per kept weight where gap nibbles
/// spend half a byte), instructions from the target's `KernelCost` table for the kernel chosen.
/// `speed` takes the fewest instructions, `size` the fewest bytes (and leaves out the kernel
/// variants that grow flash). Candidates within 1 % on an axis tie there and are told apart by
/// the other, dense on a full tie. Bytes are exact, instructions an estimate (the cost tables
/// fit their samples to within about 10 %), so a sparse format must save more than 5 % of
/// dense's instructions to count as faster: fit noise never makes a dense layer sparse. A layer
/// without zeros stays dense.
///
/// Structured (filter or channel) pruning needs nothing here: it arrives as smaller dense layers.
public enum SparseFormatChoice {
    /// What `emit --optimize` minimizes.
    public enum Objective: String, CaseIterable, Sendable {
        case speed, size
    }

    /// One format considered for a layer.
    public struct Candidate: Sendable {
        public var storage: WeightStorage
        public var kernel: Kernel
        /// Bytes of every constant table of the layer as emitted for the target.
        public var constantBytes: Int
        public var instructions: Double
        public var executedMACs: Int

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
        /// The objective picks among all formats the weights allow.
        case best
        /// Every layer in this format where its weights allow it, else dense (to compare formats).
        case only(WeightFormat)
    }

    /// `graph` with every conv / fully connected layer stored in its chosen format, and the
    /// decisions in graph order.
    public static func apply(_ graph: QGraph, target: TargetDescriptor, objective: Objective, policy: Policy = .best) throws
        -> (graph: QGraph, decisions: [Decision]) {
        var result = graph
        var decisions: [Decision] = []
        for (i, node) in graph.nodes.enumerated() {
            guard let decision = decide(node, in: graph, target: target, objective: objective, policy: policy) else { continue }
            decisions.append(decision)
            result.nodes[i].op = node.op.replacingWeights(decision.chosen.storage)
        }
        try GraphVerifier.verify(result)
        return (result, decisions)
    }

    /// The candidates for one conv / fully connected node and the best; nil for other ops.
    public static func decide(_ node: QNode, in graph: QGraph, target: TargetDescriptor, objective: Objective,
                              policy: Policy = .best) -> Decision? {
        let profile = KernelProfile(target: target, objective: objective)
        guard let logical = node.op.weights?.denseValues, let outputs = node.op.outputChannels else { return nil }
        let channels = graph.reductionChannels(of: node)
        var formats: [WeightFormat] = [.dense]
        switch policy {
        case .only(let wanted):
            formats.append(wanted)
        case .best where logical.contains(0):
            formats += [.indexSparse, .bitmap]
            for m in 2...NMSparseWeights.maxGroup {
                if let n = NMSparseWeights.smallestN(of: logical, outputs: outputs, channels: channels, m: m) {
                    formats.append(.nm(n: n, m: m))
                }
            }
        case .best:
            break
        }
        let candidates = formats.compactMap { format -> Candidate? in
            // A pattern the weights do not follow is no candidate.
            guard let storage = try? WeightStorage(encoding: logical, as: format, outputs: outputs, channels: channels) else { return nil }
            return cost(node, storage: storage, in: graph, target: target, profile: profile)
        }
        var chosen = candidates[0]
        if case .only = policy {
            chosen = candidates.last!
        } else {
            for candidate in candidates.dropFirst() where better(candidate, than: chosen, objective) { chosen = candidate }
        }
        return Decision(layer: node.name, chosen: chosen, candidates: candidates)
    }

    /// `a` beats `b` when clearly ahead on the objective, or tied on it and clearly ahead on the other axis.
    private static func better(_ a: Candidate, than b: Candidate, _ objective: Objective) -> Bool {
        let againstDense = a.format == .dense || b.format == .dense
        let bytes = Axis(value: { Double($0.constantBytes) }, tolerance: 0.01)
        let instructions = Axis(value: \.instructions, tolerance: againstDense ? 0.05 : 0.01)
        let (first, second) = objective == .speed ? (instructions, bytes) : (bytes, instructions)
        if let order = first.order(a, b) { return order }
        return second.order(a, b) ?? false
    }

    /// One axis of the comparison: true when `a` is clearly lower, false when clearly higher, nil on a tie.
    private struct Axis {
        let value: (Candidate) -> Double
        let tolerance: Double

        func order(_ a: Candidate, _ b: Candidate) -> Bool? {
            let (x, y) = (value(a), value(b))
            if x < (1 - tolerance) * y { return true }
            if x > (1 + tolerance) * y { return false }
            return nil
        }
    }

    /// Lowers `node` with `storage` for the target: the kernel it gets, its exact table bytes and
    /// its instructions by the target's cost table.
    static func cost(_ node: QNode, storage: WeightStorage, in graph: QGraph, target: TargetDescriptor, profile: KernelProfile) -> Candidate? {
        var candidate = node
        candidate.op = node.op.replacingWeights(storage)
        let input = graph.tensors[node.inputs[0]]
        var output = graph.tensors[node.output]
        let (call, tables): (KernelCall, [ConstantTable])
        switch candidate.op {
        case .conv2d(let conv):
            // A sparse tap addresses its input in 16 bits: a wider window stays dense.
            guard (try? Conv2DLowering.checkTapReach(conv, name: node.name, input: input.shape)) != nil else { return nil }
            output.shape = conv.convolvedShape(input: input.shape) ?? output.shape
            (call, tables) = Conv2DLowering.lower(conv, identifier: "candidate", input: input, output: output, buffers: ("input", "output"), profile: profile)
        case .fullyConnected(let fc):
            (call, tables) = FullyConnectedLowering.lower(fc, identifier: "candidate", input: input, output: output, buffers: ("input", "output"), profile: profile)
        default:
            return nil
        }
        guard let kernel = KernelRegistry.named(call.kernel), let work = KernelWork.of(candidate, in: graph, kernel: kernel) else { return nil }
        return Candidate(storage: storage, kernel: kernel, constantBytes: tables.map(\.byteCount).reduce(0, +),
                         instructions: target.cost(of: kernel).instructions(work), executedMACs: work.interiorMACs + work.borderMACs)
    }

}
