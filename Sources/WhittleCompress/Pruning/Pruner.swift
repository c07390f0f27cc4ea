import WhittleNN
import WhittleTensor

/// How much to prune.
public enum PruneAmount: Equatable, Sendable {
    /// Each named layer to its own sparsity. For an N:M pattern only the names count.
    case local([String: Double])
    /// One threshold over the named layers' scores, removing `sparsity` of all their groups
    /// (weights, or filters, channels, …: group scores are means, so comparable across layers).
    case global(layers: [String], sparsity: Double)

    public var layerNames: [String] {
        switch self {
        case .local(let d): return Array(d.keys)
        case .global(let names, _): return names
        }
    }
}

/// Owns a graph's pruning masks (1 keeps, 0 prunes, by parameter name as in PyTorch's
/// `conv1.weight_mask`) and keeps every masked weight at exactly 0.
///
/// Masks only grow: pruning again to a higher sparsity keeps what was pruned (already pruned
/// groups score lowest). During fine-tuning, `attach(to:)` zeroes the masked gradients after
/// every backward pass (so momentum never builds up for a pruned weight) and re-applies the
/// masks after every optimizer step (so weight decay, Adam or momentum from before pruning
/// cannot revive one). `remove()` makes the pruning permanent and drops the masks.
public final class Pruner {
    public let graph: Graph
    /// Every conv2d and linear layer of the graph.
    public let layers: [PrunableLayer]
    public private(set) var masks: [String: Tensor]
    private let parameters: [String: Parameter]

    /// Adopts `masks` (e.g. from a checkpoint) and applies them.
    public init(graph: Graph, masks: [String: Tensor] = [:]) throws {
        self.graph = graph
        layers = PrunableLayer.all(in: graph)
        parameters = Dictionary(uniqueKeysWithValues: graph.namedParameters.map { ($0.name, $0.parameter) })
        for (name, mask) in masks.sorted(by: { $0.key < $1.key }) {
            guard let p = parameters[name] else { throw PruneError("mask '\(name)': the model has no parameter '\(name)'") }
            guard p.value.shape == mask.shape else {
                throw PruneError("mask '\(name)' has shape \(mask.shape), the parameter has \(p.value.shape)")
            }
        }
        self.masks = masks
        applyMasks()
    }

    public func layer(named name: String) -> PrunableLayer? { layers.first { $0.name == name } }

    /// Prunes the lowest-scoring groups of the named layers. `scores` are element scores by
    /// weight name (see `PruneScores`); `rootMean` combines them as the L2 criterion does.
    public func prune(_ amount: PruneAmount, granularity: PruneGranularity, scores: [String: [Float]], rootMean: Bool = false) throws {
        var targets: [PrunableLayer] = []
        for name in amount.layerNames.sorted(by: { a, b in (layer(named: a)?.node ?? -1) < (layer(named: b)?.node ?? -1) }) {
            guard let layer = layer(named: name) else {
                throw PruneError("layer '\(name)': not a conv2d or linear layer of the model (\(layers.map(\.name).joined(separator: ", ")))")
            }
            guard scores[layer.weightName]?.count == layer.weightCount else { throw PruneError("layer '\(name)': no scores for its weight") }
            targets.append(layer)
        }
        var pruned: [String: Set<Int>] = [:]
        var groupsOf: [String: WeightGroups] = [:]
        for layer in targets { groupsOf[layer.name] = WeightGroups(granularity, for: layer) }

        if case .nm(let n, _) = granularity {
            for layer in targets { prunePattern(layer, keep: n, groups: groupsOf[layer.name]!, scores: scores[layer.weightName]!) }
            return
        }
        // Group scores; groups already fully masked score −1, below every real score.
        var groupScores: [String: [Float]] = [:]
        for layer in targets {
            let groups = groupsOf[layer.name]!
            var s = groups.groupScores(scores[layer.weightName]!, rootMean: rootMean)
            if let mask = masks[layer.weightName] {
                for (g, kept) in groups.groupScores(mask.storage).enumerated() where kept == 0 { s[g] = -1 }
            }
            groupScores[layer.name] = s
        }
        let unit = granularity == .element ? "weights" : "\(granularity)s"
        switch amount {
        case .local(let ratios):
            for layer in targets {
                let groups = groupsOf[layer.name]!, s = groupScores[layer.name]!, ratio = ratios[layer.name]!
                let k = Int((ratio * Double(groups.count)).rounded(.toNearestOrEven))
                guard k < groups.count else {
                    throw PruneError("layer '\(layer.name)': sparsity \(ratio) removes all \(groups.count) \(unit) "
                                     + "(at most \(PruneFormat.ratio(Double(groups.count - 1) / Double(groups.count))) keeps one)")
                }
                let order = (0..<groups.count).sorted { (s[$0], $0) < (s[$1], $1) }
                pruned[layer.name] = Set(order.prefix(k))
            }
        case .global(_, let sparsity):
            var entries: [(score: Float, layer: Int, group: Int)] = []
            for (li, layer) in targets.enumerated() {
                for (g, s) in groupScores[layer.name]!.enumerated() { entries.append((s, li, g)) }
            }
            entries.sort { ($0.score, $0.layer, $0.group) < ($1.score, $1.layer, $1.group) }
            let total = targets.reduce(0) { $0 + groupsOf[$1.name]!.count }
            let goal = Int((sparsity * Double(total)).rounded(.toNearestOrEven))
            for e in entries.prefix(goal) { pruned[targets[e.layer].name, default: []].insert(e.group) }
            for layer in targets where pruned[layer.name]?.count == groupsOf[layer.name]!.count {
                throw PruneError("layer '\(layer.name)': global sparsity \(sparsity) removes all its \(unit) "
                                 + "(lower the sparsity, or prune per layer)")
            }
        }
        for layer in targets {
            let mask = groupsOf[layer.name]!.elementMask(pruned: pruned[layer.name] ?? [])
            combine(layer.weightName, Tensor(shape: layer.weight.value.shape, storage: mask))
            if granularity == .filter { maskFilterCompanions(layer) }
        }
        applyMasks()
    }

    /// N:M: in every block keep the `keep` best-scoring weights (a tail block keeps min(keep, size)).
    private func prunePattern(_ layer: PrunableLayer, keep: Int, groups: WeightGroups, scores: [Float]) {
        var members = [[Int]](repeating: [], count: groups.count)
        for (e, g) in groups.groupOfElement.enumerated() { members[g].append(e) }
        let old = masks[layer.weightName]?.storage
        var mask = [Float](repeating: 0, count: layer.weightCount)
        for block in members {
            let ranked = block.sorted { a, b in
                let (sa, sb) = (old?[a] == 0 ? -1 : scores[a], old?[b] == 0 ? -1 : scores[b])
                return sa != sb ? sa > sb : a < b
            }
            for e in ranked.prefix(keep) { mask[e] = 1 }
        }
        combine(layer.weightName, Tensor(shape: layer.weight.value.shape, storage: mask))
        applyMasks()
    }

    /// A removed filter takes its bias and the γ and β of the BatchNorm after it, so its output
    /// channel is exactly 0 (and surgery that deletes it changes nothing).
    private func maskFilterCompanions(_ layer: PrunableLayer) {
        guard let mask = masks[layer.weightName] else { return }
        let perFilter = layer.fanIn
        let kept = (0..<layer.outputs).map { o in (0..<perFilter).contains { mask.storage[o * perFilter + $0] != 0 } ? Float(1) : 0 }
        var names: [String] = []
        if layer.bias != nil { names.append(layer.name + ".bias") }
        if let bn = layer.batchNorm { names += [bn.name + ".weight", bn.name + ".bias"] }
        for name in names { combine(name, Tensor(shape: [layer.outputs], storage: kept)) }
    }

    /// Intersects a new mask with the existing one (masks only grow).
    private func combine(_ name: String, _ mask: Tensor) {
        guard let old = masks[name] else { masks[name] = mask; return }
        masks[name] = Tensor(shape: mask.shape, storage: zip(old.storage, mask.storage).map { min($0, $1) })
    }

    /// Sets every masked weight to 0.
    public func applyMasks() {
        for (name, mask) in masks {
            guard let p = parameters[name] else { continue }
            p.value.withUnsafeMutablePointer { w in
                for i in 0..<mask.count where mask.storage[i] == 0 { w[i] = 0 }
            }
        }
    }

    /// Sets every masked gradient to 0.
    public func maskGradients() {
        for (name, mask) in masks {
            guard let p = parameters[name] else { continue }
            p.grad.withUnsafeMutablePointer { g in
                for i in 0..<mask.count where mask.storage[i] == 0 { g[i] = 0 }
            }
        }
    }

    /// Keeps the masks through training: gradients masked after backward, weights after each step.
    public func attach(to trainer: Trainer) {
        trainer.afterBackward.append { _ in self.maskGradients() }
        trainer.afterStep.append { _ in self.applyMasks() }
    }

    /// Makes the pruning permanent: the weights keep their zeros, the masks are dropped.
    public func remove() {
        applyMasks()
        masks = [:]
    }

    /// The fraction of a parameter's entries its mask keeps (1 without a mask).
    public func density(_ parameterName: String) -> Double {
        guard let m = masks[parameterName], m.count > 0 else { return 1 }
        return Double(m.count - m.zeroCount) / Double(m.count)
    }
}
