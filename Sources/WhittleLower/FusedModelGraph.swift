import WhittleNN
import WhittleTensor

extension FusedModel {
    /// The fused model as a plain float graph (folded weights, activations as layers): it must
    /// compute what the original graph computes in evaluation mode, up to float rounding.
    public func floatGraph() throws -> Graph {
        let graph = Graph(inputShape: inputShape)
        var rng = RNG(seed: 0) // initial values are overwritten below
        func appendActivation(_ a: Activation, after name: String) throws {
            switch a {
            case .none: break
            case .relu: try graph.append(name + ".relu", .layer(ClampActivation.relu()))
            case .relu6: try graph.append(name + ".relu6", .layer(ClampActivation.relu6()))
            }
        }
        /// The graph node holding each step's output.
        var nodeOf: [Int] = []
        for step in steps {
            let inputs = step.inputs.map { $0 == FusedModel.input ? Graph.input : nodeOf[$0] }
            func append(_ name: String, _ op: Graph.Op) throws { try graph.append(name, op, inputs: inputs) }
            defer { nodeOf.append(graph.nodes.count - 1) }
            switch step.op {
            case .conv(let c):
                let layer = Conv2d(inChannels: step.inputShape[0], outChannels: c.weight.shape[0],
                                   kernel: (c.weight.shape[2], c.weight.shape[3]), stride: c.stride, padding: c.padding,
                                   groups: c.groups, rng: &rng)
                layer.weight.value = c.weight
                layer.bias!.value = Tensor(shape: [c.bias.count], storage: c.bias)
                try append(step.name, .layer(layer))
                try appendActivation(c.activation, after: step.name)
            case .fullyConnected(let f):
                let layer = Linear(inFeatures: f.weight.shape[1], outFeatures: f.weight.shape[0], rng: &rng)
                layer.weight.value = f.weight
                layer.bias!.value = Tensor(shape: [f.bias.count], storage: f.bias)
                try append(step.name, .layer(layer))
                try appendActivation(f.activation, after: step.name)
            case .maxPool(let w): try append(step.name, .layer(MaxPool2d(w)))
            case .avgPool(let w): try append(step.name, .layer(AvgPool2d(w)))
            case .reshape: try append(step.name, .layer(Flatten()))
            case .add(let a):
                try append(step.name, .add)
                try appendActivation(a, after: step.name)
            case .softmax: try append(step.name, .layer(Softmax()))
            }
        }
        return graph
    }
}
