import WhittleNN

/// Element scores of each layer's weight under a criterion: the larger, the more important.
/// Groups average them (`WeightGroups.groupScores`), the L2 criterion as a root mean square.
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
                guard let bn = layer.batchNorm else {
                    throw PruneError("layer '\(layer.name)': bn_scaling needs a batchnorm after it (its γ scores the filters)")
                }
                let perFilter = layer.fanIn
                scores[layer.weightName] = (0..<layer.weightCount).map { abs(bn.layer.weight.value.storage[$0 / perFilter]) }
            }
        }
        return scores
    }

    /// Whether groups combine element scores as a root mean square (L2) rather than a mean.
    public static func groupsUseRootMean(_ criterion: PruneCriterion) -> Bool { criterion == .l2 }

    /// Whether the criterion reads gradients.
    public static func needsGradients(_ criterion: PruneCriterion) -> Bool { criterion == .gradient || criterion == .obd }
}
