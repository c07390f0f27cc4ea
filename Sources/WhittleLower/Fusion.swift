import WhittleNN
import WhittleTensor

/// Graph → FusedModel: folds BatchNorm into the conv/linear before it and fuses the ReLU/ReLU6
/// after it, following `Graph.fusionGroups()`.
public enum Fusion {
    public static func fuse(_ graph: Graph) throws -> FusedModel {
        let nodes = graph.nodes
        let groups: [FusionGroup]
        do { groups = try graph.fusionGroups() } catch let e as GraphError { throw LoweringError(e.description) }
        var steps: [FusedModel.Step] = []
        for group in groups {
            let node = nodes[group.main], last = nodes[group.last]
            guard let layer = node.layer else { throw LoweringError("layer '\(node.name)' (add): not supported by the integer back end") }
            func step(_ op: FusedModel.Op) -> FusedModel.Step {
                .init(name: node.name, op: op, outputNode: last.name, inputShape: node.inputShape, outputShape: last.outputShape)
            }
            let activation = activationOf(group.activation.map { nodes[$0] })
            let bn = group.batchNorm.map { nodes[$0].layer as! BatchNorm }
            switch layer {
            case let conv as Conv2d:
                var weight = conv.weight.value, bias = conv.bias?.value.storage ?? [Float](repeating: 0, count: conv.outChannels)
                if let bn { fold(bn, weight: &weight, bias: &bias) }
                steps.append(step(.conv(.init(weight: weight, bias: bias, stride: conv.stride, padding: conv.padding,
                                              groups: conv.groups, activation: activation))))
            case let fc as Linear:
                var weight = fc.weight.value, bias = fc.bias?.value.storage ?? [Float](repeating: 0, count: fc.outFeatures)
                if let bn { fold(bn, weight: &weight, bias: &bias) }
                steps.append(step(.fullyConnected(.init(weight: weight, bias: bias, activation: activation))))
            case let pool as MaxPool2d: steps.append(step(.maxPool(pool.window)))
            case let pool as AvgPool2d: steps.append(step(.avgPool(pool.window)))
            case is Flatten: steps.append(step(.reshape))
            case is Dropout: continue // identity at inference
            case is ClampActivation:
                throw LoweringError("layer '\(node.name)' (\(layer.kind)): an activation must follow a conv2d or linear layer (optionally through batchnorm) to be fused")
            case is BatchNorm:
                throw LoweringError("layer '\(node.name)' (\(layer.kind)): batchnorm must follow a conv2d or linear layer to be folded")
            default:
                throw LoweringError("layer '\(node.name)' (\(layer.kind)): not supported by the integer back end")
            }
        }
        return FusedModel(inputShape: graph.inputShape, steps: steps)
    }

    /// Folds eval-mode BatchNorm y = x·scale + shift into the layer before it:
    /// W'[c] = W[c]·scale[c], b'[c] = b[c]·scale[c] + shift[c].
    static func fold(_ bn: BatchNorm, weight: inout Tensor, bias: inout [Float]) {
        let (scale, shift) = bn.evalAffine
        let perChannel = weight.count / scale.count
        for c in 0..<scale.count {
            for j in 0..<perChannel { weight.storage[c * perChannel + j] *= scale[c] }
            bias[c] = bias[c] * scale[c] + shift[c]
        }
    }

    static func activationOf(_ node: Graph.Node?) -> FusedModel.Activation {
        guard let act = node?.layer as? ClampActivation else { return .none }
        return act.upper == 6 ? .relu6 : .relu
    }
}
