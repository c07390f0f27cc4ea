import WhittleNN
import WhittleTensor

/// Graph → FusedModel: folds BatchNorm into the conv/linear before it and fuses the ReLU/ReLU6
/// after a conv, linear or add, following `Graph.fusionGroups()`. Branches and joins carry over:
/// each step names the steps it reads.
public enum Fusion {
    public static func fuse(_ graph: Graph) throws -> FusedModel {
        let nodes = graph.nodes
        var steps: [FusedModel.Step] = []
        /// The step producing each node's output (dropout passes its input's through).
        var producer: [Int: Int] = [Graph.input: FusedModel.input]
        for group in graph.fusionGroups() {
            let node = nodes[group.main], last = nodes[group.last]
            let inputs = group.inputs.map { producer[$0]! }
            func append(_ op: FusedModel.Op) {
                steps.append(.init(name: node.name, op: op, inputs: inputs, outputNode: last.name,
                                   inputShape: node.inputShape, outputShape: last.outputShape))
                producer[group.last] = steps.count - 1
            }
            let activation = activationOf(group.activation.map { nodes[$0] })
            guard let layer = node.layer else {
                guard inputs.count == 2 else {
                    throw LoweringError("layer '\(node.name)' (add): the integer ADD sums two tensors, this one \(inputs.count); chain two-input adds")
                }
                append(.add(activation))
                continue
            }
            let bn = group.batchNorm.map { nodes[$0].layer as! BatchNorm }
            switch layer {
            case let conv as Conv2d:
                var weight = conv.weight.value, bias = conv.bias?.value.storage ?? [Float](repeating: 0, count: conv.outChannels)
                if let bn { fold(bn, weight: &weight, bias: &bias) }
                append(.conv(.init(weight: weight, bias: bias, stride: conv.stride, padding: conv.padding,
                                   groups: conv.groups, activation: activation)))
            case let fc as Linear:
                var weight = fc.weight.value, bias = fc.bias?.value.storage ?? [Float](repeating: 0, count: fc.outFeatures)
                if let bn { fold(bn, weight: &weight, bias: &bias) }
                append(.fullyConnected(.init(weight: weight, bias: bias, activation: activation)))
            case let pool as MaxPool2d: append(.maxPool(pool.window))
            case let pool as AvgPool2d: append(.avgPool(pool.window))
            case is Flatten: append(.reshape)
            case is Softmax:
                guard group.last == nodes.count - 1 else {
                    throw LoweringError("layer '\(node.name)' (softmax): the integer back end takes softmax only as the model's last layer")
                }
                append(.softmax)
            case is Dropout: producer[group.main] = inputs[0] // identity at inference
            case is ClampActivation:
                throw LoweringError("layer '\(node.name)' (\(layer.kind)): an activation must follow a conv2d, linear or add layer (optionally through batchnorm), as that layer's only reader, to be fused")
            case is BatchNorm:
                throw LoweringError("layer '\(node.name)' (\(layer.kind)): batchnorm must follow a conv2d or linear layer, as its only reader, to be folded")
            default:
                throw LoweringError("layer '\(node.name)' (\(layer.kind)): not supported by the integer back end")
            }
        }
        guard let output = producer[nodes.count - 1], output != FusedModel.input else {
            throw LoweringError("the model computes nothing the integer back end keeps (its output is its input)")
        }
        return FusedModel(inputShape: graph.inputShape, steps: steps, output: output)
    }

    /// Folds eval-mode BatchNorm y = x·scale + shift into the layer before it:
    /// W'[c] = W[c]·scale[c], b'[c] = b[c]·scale[c] + shift[c]. A depthwise filter is one channel's,
    /// so the same rule folds it.
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
