/// How a chain of nodes groups for integer inference: a conv2d or linear layer, optionally the
/// BatchNorm after it (folded into it) and the ReLU/ReLU6 after that (fused as clamp bounds);
/// every other node stands alone. Lowering and quantization-aware training both read the model
/// through these groups, so they agree on what becomes one integer op.
public struct FusionGroup: Sendable {
    /// Index of the group's first node (the conv/linear, or a lone node).
    public var main: Int
    public var batchNorm: Int?
    public var activation: Int?
    /// The last node of the group: its output is the group's output.
    public var last: Int { activation ?? batchNorm ?? main }
}

extension Graph {
    /// The nodes of a chain in fusion groups, in order. Nodes that do not read the node before
    /// them (branches, `add`) are an error naming the layer.
    public func fusionGroups() throws -> [FusionGroup] {
        for (k, node) in nodes.enumerated() where node.inputs != [k - 1] && !(k == 0 && node.inputs == [Graph.input]) {
            throw GraphError("layer '\(node.name)': only chains can be fused (this layer reads \(node.inputs.map { $0 == Graph.input ? "input" : nodes[$0].name }))")
        }
        var groups: [FusionGroup] = []
        var i = 0
        while i < nodes.count {
            var group = FusionGroup(main: i)
            if nodes[i].layer is Conv2d || nodes[i].layer is Linear {
                if i + 1 < nodes.count, nodes[i + 1].layer is BatchNorm { group.batchNorm = i + 1 }
                let next = group.last + 1
                if next < nodes.count, nodes[next].layer is ClampActivation { group.activation = next }
            }
            groups.append(group)
            i = group.last + 1
        }
        return groups
    }
}
