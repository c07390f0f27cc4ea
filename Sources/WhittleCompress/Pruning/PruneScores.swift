import WhittleNN

/// Element scores of each layer's weight under a criterion: the larger, the more important.
/// Groups average them (`WeightGroups.groupScores`), the L2 criterion as a root mean square;
/// filter pruning averages over the filters c of every layer writing one channel space
/// (`PruneUnit.channels`).
public enum PruneScores {
    /// Scores by weight name ("conv1.weight"). `gradients` must be given for `gradient` and `obd`.
    public static func compute(_ criterion: PruneCriterion, layers: [PrunableLayer],
                               gradients: GradientStatistics? = nil) throws -> [String: [Float]] {
        var scores: [String: [Float]] = [:]
        for layer in layers {
            let w = layer.weight.value.storage
            switch criterion {
            case .l1: scores[layer.weightName] = w.map { abs($0) }
            case .l2: scores[layer.weightName] = w.map { $0 * $0 }
            case .gradient, .obd:
                guard let gradients, let meanAbs = gradients.meanAbsolute(layer.weightName),
                      let meanSquare = gradients.meanSquare(layer.weightName) else {
                    throw PruneError("layer '\(layer.name)': the \(criterion.rawValue) criterion needs gradient statistics")
                }
                scores[layer.weightName] = criterion == .gradient ? meanAbs : zip(meanSquare, w).map { 0.5 * $0 * $1 * $1 }
            case .bnScaling:
                // The mean |γ_c| over every BatchNorm on the layer's output channels (one for a
                // chain). Within a space it ranks channels as the sum does; across spaces (a
                // global threshold) it compares like with like, where a sum would favour a
                // residual stage's two BatchNorms over an inner conv's one and empty the inner
                // spaces first.
                guard !layer.batchNorms.isEmpty else {
                    throw PruneError("layer '\(layer.name)': bn_scaling needs a batchnorm on its output channels (their γ scores the filters)")
                }
                let gamma = (0..<layer.outputs).map { c in
                    layer.batchNorms.reduce(Float(0)) { $0 + abs($1.layer.weight.value.storage[c]) } / Float(layer.batchNorms.count)
                }
                let perFilter = layer.fanIn
                scores[layer.weightName] = (0..<layer.weightCount).map { gamma[$0 / perFilter] }
            }
        }
        return scores
    }

    /// Whether groups combine element scores as a root mean square (L2) rather than a mean.
    public static func groupsUseRootMean(_ criterion: PruneCriterion) -> Bool { criterion == .l2 }

    /// Whether the criterion reads gradients.
    public static func needsGradients(_ criterion: PruneCriterion) -> Bool { criterion == .gradient || criterion == .obd }
}
