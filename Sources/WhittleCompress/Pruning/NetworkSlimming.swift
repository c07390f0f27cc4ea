import WhittleNN
import WhittleTensor

/// Network slimming (Liu et al. 2017), the training half: an L1 penalty λ·Σ|γ| on the scale of
/// every BatchNorm, added to the gradients after each backward pass (∂/∂γ = λ·sign(γ)), drives
/// the γ of unimportant channels toward 0. The `bn_scaling` criterion then prunes the filters
/// whose BatchNorm γ is smallest.
public struct NetworkSlimming {
    public var penalty: Float

    public init(penalty: Float) { self.penalty = penalty }

    /// Adds the penalty's subgradient to every BatchNorm γ gradient during training.
    public func attach(to trainer: Trainer) {
        let lambda = penalty
        trainer.afterBackward.append { graph in
            for node in graph.nodes {
                guard let bn = node.layer as? BatchNorm else { continue }
                for c in 0..<bn.channels {
                    let g = bn.weight.value.storage[c]
                    bn.weight.grad.storage[c] += g > 0 ? lambda : g < 0 ? -lambda : 0
                }
            }
        }
    }

    /// Every BatchNorm's γ by layer name, in node order.
    public static func gammas(_ graph: Graph) -> [(layer: String, values: [Float])] {
        graph.nodes.compactMap { node in (node.layer as? BatchNorm).map { (node.name, $0.weight.value.storage) } }
    }
}
