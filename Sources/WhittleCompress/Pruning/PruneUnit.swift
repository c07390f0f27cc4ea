import WhittleNN
import WhittleTensor

/// One pruning decision: the groups of one layer, or, for filter pruning, the channels of one
/// channel space (see `ChannelSpaces`), which every layer writing or carrying them loses together.
struct PruneUnit {
    /// The requested layers it covers, in node order (errors name the first).
    var names: [String]
    /// One score per group, the lowest pruned first; −1 for a group already pruned.
    var scores: [Float]
    /// Weights that lose the pruned groups.
    var weights: [(layer: PrunableLayer, groups: WeightGroups)]
    /// Per-channel parameters that go with a removed channel: biases, BatchNorm γ and β.
    var companions: [String] = []

    var count: Int { scores.count }

    /// One layer's groups at `granularity`.
    static func layer(_ layer: PrunableLayer, _ granularity: PruneGranularity, scores: [Float], rootMean: Bool,
                      mask: Tensor?) -> PruneUnit {
        let groups = WeightGroups(granularity, for: layer)
        var s = groups.groupScores(scores, rootMean: rootMean)
        if let mask { for (g, kept) in groups.groupScores(mask.storage).enumerated() where kept == 0 { s[g] = -1 } }
        return PruneUnit(names: [layer.name], scores: s, weights: [(layer, groups)])
    }

    /// The channels of `space`, for filter pruning of `names` (the layers asked for in it).
    ///
    /// The score of channel c is the mean (L2: the root mean) of the element scores of filter c
    /// of every producer together, as if the filters were one group: for L2 that is
    /// √(Σ_p ‖W_p[c]‖² / Σ_p fan-in_p), the root of the summed squared L2 norms scaled so that
    /// global thresholds compare spaces of different sizes; with one producer it is exactly
    /// the layer's own filter score. Depthwise convs and BatchNorms in the space follow the
    /// decision without voting (bn_scaling's element scores already average |γ_c| over the BatchNorms).
    static func channels(_ space: ChannelSpaces.Space, names: [String], layers byNode: [Int: PrunableLayer], graph: Graph,
                         scores: [String: [Float]], rootMean: Bool, masks: [String: Tensor]) throws -> PruneUnit {
        let producers = space.producers.compactMap { byNode[$0] }, depthwise = space.depthwise.compactMap { byNode[$0] }
        let voters = producers.isEmpty ? depthwise : producers
        var sums = [Double](repeating: 0, count: space.width), size = 0
        var pruned = [Bool](repeating: !voters.isEmpty, count: space.width)
        for p in voters {
            guard let s = scores[p.weightName], s.count == p.weightCount else {
                throw PruneError("layer '\(p.name)': no scores for its weight (its filters are pruned with '\(names[0])')")
            }
            for e in 0..<p.weightCount { sums[e / p.fanIn] += Double(s[e]) }
            size += p.fanIn
            let mask = masks[p.weightName]?.storage
            for c in 0..<space.width where mask == nil || (0..<p.fanIn).contains(where: { mask![c * p.fanIn + $0] != 0 }) { pruned[c] = false }
        }
        let channelScores = (0..<space.width).map { c -> Float in
            if pruned[c] { return -1 }
            let mean = sums[c] / Double(max(size, 1))
            return Float(rootMean ? mean.squareRoot() : mean)
        }
        let carriers = producers + depthwise
        let companions = carriers.filter { $0.bias != nil }.map { $0.name + ".bias" }
            + space.batchNorms.flatMap { [graph.nodes[$0].name + ".weight", graph.nodes[$0].name + ".bias"] }
        return PruneUnit(names: names, scores: channelScores, weights: carriers.map { ($0, WeightGroups(.filter, for: $0)) },
                         companions: companions)
    }

    /// The sparsity `ratios` give this unit: its layers' one ratio (coupled layers must agree).
    func ratio(_ ratios: [String: Double]) throws -> Double {
        let asked = names.compactMap { n in ratios[n].map { (n, $0) } }
        guard let first = asked.first else { throw PruneError("layer '\(names[0])': no sparsity given") }
        if let other = asked.first(where: { $0.1 != first.1 }) {
            throw PruneError("layers '\(first.0)' (\(first.1)) and '\(other.0)' (\(other.1)) share their output channels "
                             + "and are pruned together; give them one sparsity")
        }
        return first.1
    }
}
