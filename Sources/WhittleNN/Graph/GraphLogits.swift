import WhittleTensor

extension Graph {
    /// The node whose output is the model's logits: the input of a final softmax, else the
    /// last node (`Graph.input` when that is the model input). Cross-entropy and distillation
    /// read these, as log(softmax) of probabilities would be neither stable nor right.
    public var logitsIndex: Int {
        guard let last = nodes.last, last.layer is Softmax else { return nodes.count - 1 }
        return last.inputs[0]
    }

    /// The node a loss reads after a forward pass: the logits for a loss on logits, else the output.
    public func lossNode(onLogits: Bool) -> Int { onLogits ? logitsIndex : nodes.count - 1 }

    /// A node's output from the last forward pass on `x` (`x` itself for `Graph.input`).
    public func output(of node: Int, input x: Tensor) -> Tensor { node == Graph.input ? x : activations[node] }
}

extension Loss {
    /// Cross-entropy reads logits (a final softmax is skipped); MSE reads the model's output.
    public var readsLogits: Bool { self == .crossEntropy }
}
