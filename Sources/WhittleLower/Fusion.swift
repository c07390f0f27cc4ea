import WhittleNN
import WhittleTensor

/// Graph → FusedModel: folds BatchNorm into the conv/linear before it and fuses the ReLU/ReLU6
/// after it. Only chains are lowered (each node reads the one before it).
public enum Fusion {
    public static func fuse(_ graph: Graph) throws -> FusedModel {
        var steps: [FusedModel.Step] = []
        let nodes = graph.nodes
        var i = 0
        for (k, node) in nodes.enumerated() where node.inputs != [k - 1] && !(k == 0 && node.inputs == [Graph.input]) {
            throw LoweringError("layer '\(node.name)': the integer back end lowers chains only (this layer reads \(node.inputs.map { $0 == Graph.input ? "input" : nodes[$0].name }))")
        }
        while i < nodes.count {
            let node = nodes[i]
            guard let layer = node.layer else { throw LoweringError("layer '\(node.name)' (add): not supported by the integer back end") }
            func unsupported(_ why: String) -> LoweringError { LoweringError("layer '\(node.name)' (\(layer.kind)): \(why)") }
            switch layer {
            case let conv as Conv2d:
                var weight = conv.weight.value, bias = conv.bias?.value.storage ?? [Float](repeating: 0, count: conv.outChannels)
                var last = i
                if let bn = nodes[safe: i + 1]?.layer as? BatchNorm {
                    fold(bn, weight: &weight, bias: &bias)
                    last += 1
                }
                let activation = activationAfter(nodes, &last)
                steps.append(.init(name: node.name, op: .conv(.init(weight: weight, bias: bias, stride: conv.stride, padding: conv.padding,
                                                                   groups: conv.groups, activation: activation)),
                                   outputNode: nodes[last].name, inputShape: node.inputShape, outputShape: nodes[last].outputShape))
                i = last + 1
            case let fc as Linear:
                var weight = fc.weight.value, bias = fc.bias?.value.storage ?? [Float](repeating: 0, count: fc.outFeatures)
                var last = i
                if let bn = nodes[safe: i + 1]?.layer as? BatchNorm {
                    fold(bn, weight: &weight, bias: &bias)
                    last += 1
                }
                let activation = activationAfter(nodes, &last)
                steps.append(.init(name: node.name, op: .fullyConnected(.init(weight: weight, bias: bias, activation: activation)),
                                   outputNode: nodes[last].name, inputShape: node.inputShape, outputShape: nodes[last].outputShape))
                i = last + 1
            case let pool as MaxPool2d:
                steps.append(.init(name: node.name, op: .maxPool(pool.window), outputNode: node.name,
                                   inputShape: node.inputShape, outputShape: node.outputShape))
                i += 1
            case let pool as AvgPool2d:
                steps.append(.init(name: node.name, op: .avgPool(pool.window), outputNode: node.name,
                                   inputShape: node.inputShape, outputShape: node.outputShape))
                i += 1
            case is Flatten:
                steps.append(.init(name: node.name, op: .reshape, outputNode: node.name,
                                   inputShape: node.inputShape, outputShape: node.outputShape))
                i += 1
            case is Dropout:
                i += 1 // identity at inference
            case is ClampActivation:
                throw unsupported("an activation must follow a conv2d or linear layer (optionally through batchnorm) to be fused")
            case is BatchNorm:
                throw unsupported("batchnorm must follow a conv2d or linear layer to be folded")
            default:
                throw unsupported("not supported by the integer back end")
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

    /// If the node after `last` is a ReLU/ReLU6, consumes it.
    static func activationAfter(_ nodes: [Graph.Node], _ last: inout Int) -> FusedModel.Activation {
        guard let act = nodes[safe: last + 1]?.layer as? ClampActivation else { return .none }
        last += 1
        return act.upper == 6 ? .relu6 : .relu
    }
}

extension Array {
    subscript(safe i: Int) -> Element? { indices.contains(i) ? self[i] : nil }
}
