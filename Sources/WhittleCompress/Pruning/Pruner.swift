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
    /// Which channels filter pruning must remove together.
    public let spaces: ChannelSpaces
    public private(set) var masks: [String: Tensor]
    private let parameters: [String: Parameter]

    /// Adopts `masks` (e.g. from a checkpoint) and applies them.
    public init(graph: Graph, masks: [String: Tensor] = [:]) throws {
        self.graph = graph
        spaces = ChannelSpaces(graph)
        layers = PrunableLayer.all(in: graph, spaces: spaces)
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
    ///
    /// Filter pruning prunes channel spaces (see `ChannelSpaces`): naming any layer of a space
    /// prunes the same channels from every layer writing it (so `scores` must hold those
    /// layers' too, see `layersScored`), from the depthwise convs and BatchNorms in it, and a
    /// space counts once for its ratio and in a global threshold.
    public func prune(_ amount: PruneAmount, granularity: PruneGranularity, scores: [String: [Float]], rootMean: Bool = false) throws {
        var targets: [PrunableLayer] = []
        for name in amount.layerNames.sorted(by: { a, b in (layer(named: a)?.node ?? -1) < (layer(named: b)?.node ?? -1) }) {
            guard let layer = layer(named: name) else {
                throw PruneError("layer '\(name)': not a conv2d or linear layer of the model (\(layers.map(\.name).joined(separator: ", ")))")
            }
            guard granularity == .filter || scores[layer.weightName]?.count == layer.weightCount else {
                throw PruneError("layer '\(name)': no scores for its weight")
            }
            targets.append(layer)
        }
        if case .nm(let n, _) = granularity {
            for layer in targets { prunePattern(layer, keep: n, groups: WeightGroups(granularity, for: layer), scores: scores[layer.weightName]!) }
            return
        }
        let units = try granularity == .filter ? channelUnits(targets, scores: scores, rootMean: rootMean) : targets.map {
            PruneUnit.layer($0, granularity, scores: scores[$0.weightName]!, rootMean: rootMean, mask: masks[$0.weightName])
        }
        var pruned = [Set<Int>](repeating: [], count: units.count)
        let unit = granularity == .element ? "weights" : "\(granularity)s"
        switch amount {
        case .local(let ratios):
            for (ui, u) in units.enumerated() {
                let ratio = try u.ratio(ratios)
                let k = Int((ratio * Double(u.count)).rounded(.toNearestOrEven))
                guard k < u.count else {
                    throw PruneError("layer '\(u.names[0])': sparsity \(ratio) removes all \(u.count) \(unit) "
                                     + "(at most \(PruneFormat.ratio(Double(u.count - 1) / Double(u.count))) keeps one)")
                }
                let order = (0..<u.count).sorted { (u.scores[$0], $0) < (u.scores[$1], $1) }
                pruned[ui] = Set(order.prefix(k))
            }
        case .global(_, let sparsity):
            var entries: [(score: Float, unit: Int, group: Int)] = []
            for (ui, u) in units.enumerated() {
                for (g, s) in u.scores.enumerated() { entries.append((s, ui, g)) }
            }
            entries.sort { ($0.score, $0.unit, $0.group) < ($1.score, $1.unit, $1.group) }
            let goal = Int((sparsity * Double(entries.count)).rounded(.toNearestOrEven))
            for e in entries.prefix(goal) { pruned[e.unit].insert(e.group) }
            for (ui, u) in units.enumerated() where pruned[ui].count == u.count {
                throw PruneError("layer '\(u.names[0])': global sparsity \(sparsity) removes all its \(unit) "
                                 + "(lower the sparsity, or prune per layer)")
            }
        }
        for (ui, u) in units.enumerated() {
            for (layer, groups) in u.weights {
                combine(layer.weightName, Tensor(shape: layer.weight.value.shape, storage: groups.elementMask(pruned: pruned[ui])))
            }
            let channels = (0..<u.count).map { pruned[ui].contains($0) ? Float(0) : 1 }
            for name in u.companions { combine(name, Tensor(shape: [u.count], storage: channels)) }
        }
        applyMasks()
    }

    /// The layers whose element scores `prune` reads for `names` at `granularity`: the named
    /// ones, and for filter pruning every layer writing the same channels, in node order.
    public func layersScored(for names: [String], granularity: PruneGranularity) -> [PrunableLayer] {
        let named = layers.filter { names.contains($0.name) }
        guard granularity == .filter else { return named }
        let spaces = Set(named.map(\.outputSpace))
        return layers.filter { spaces.contains($0.outputSpace) && (!$0.isDepthwise || self.spaces.spaces[$0.outputSpace].producers.isEmpty) }
    }

    /// One unit per channel space of the targets, in the order of their first target.
    private func channelUnits(_ targets: [PrunableLayer], scores: [String: [Float]], rootMean: Bool) throws -> [PruneUnit] {
        var order: [Int] = [], names: [Int: [String]] = [:]
        for t in targets {
            if names[t.outputSpace] == nil { order.append(t.outputSpace) }
            names[t.outputSpace, default: []].append(t.name)
        }
        let byNode = Dictionary(uniqueKeysWithValues: layers.map { ($0.node, $0) })
        return try order.map { s in
            try PruneUnit.channels(spaces.spaces[s], names: names[s]!, layers: byNode, graph: graph, scores: scores,
                                   rootMean: rootMean, masks: masks)
        }
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
