import WhittleNN
import WhittleTensor

/// Network slimming (Liu et al. 2017), the training half: a sparsity penalty on the scale γ of
/// every BatchNorm, added to the gradients after each backward pass, drives the γ of unimportant
/// channels toward 0. The `bn_scaling` criterion then prunes the filters whose γ is smallest.
///
/// - L1: λ·Σ|γ|, gradient λ·sign(γ).
/// - Polarization (Zhuang et al. 2020), per BatchNorm with γ̄ its mean γ:
///   λ·(t·Σ|γ| − Σ|γ − γ̄|), gradient λ·(t·sign(γ_c) − sign(γ_c − γ̄) + mean_j sign(γ_j − γ̄)).
///   Below the mean the push toward 0 is t + 1, above it t − 1: with t = 1.2 an 11× difference,
///   so the γs separate instead of shrinking together, which plain L1 does when the next layer
///   can grow to compensate a smaller scale.
public struct NetworkSlimming {
    public var penalty: Float
    /// t of the polarization regularizer; nil: plain L1.
    public var polarization: Float?

    public init(penalty: Float, polarization: Float? = nil) {
        self.penalty = penalty
        self.polarization = polarization
    }

    /// The penalty's gradient for one BatchNorm's γs.
    public func gradient(_ gamma: [Float]) -> [Float] {
        func sign(_ x: Float) -> Float { x > 0 ? 1 : x < 0 ? -1 : 0 }
        guard let t = polarization else { return gamma.map { penalty * sign($0) } }
        let mean = gamma.reduce(0, +) / Float(max(gamma.count, 1))
        let meanSign = gamma.reduce(0) { $0 + sign($1 - mean) } / Float(max(gamma.count, 1))
        return gamma.map { penalty * (t * sign($0) - sign($0 - mean) + meanSign) }
    }

    /// Adds the penalty's gradient to every BatchNorm γ gradient during training.
    public func attach(to trainer: Trainer) {
        trainer.afterBackward.append { graph in
            for node in graph.nodes {
                guard let bn = node.layer as? BatchNorm else { continue }
                for (c, g) in gradient(bn.weight.value.storage).enumerated() { bn.weight.grad.storage[c] += g }
            }
        }
    }

    /// Every BatchNorm's γ by layer name, in node order.
    public static func gammas(_ graph: Graph) -> [(layer: String, values: [Float])] {
        graph.nodes.compactMap { node in (node.layer as? BatchNorm).map { (node.name, $0.weight.value.storage) } }
    }
}
