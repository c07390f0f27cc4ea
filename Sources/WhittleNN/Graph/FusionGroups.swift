/// How a graph's nodes group for integer inference: a conv2d or linear layer, optionally the
/// BatchNorm after it (folded into it) and the ReLU/ReLU6 after that (fused as clamp bounds); an
/// `add` with the ReLU/ReLU6 after it (TFLite's ADD has a fused activation); every other node
/// stands alone. A node joins the group before it only when it is the sole reader of that
/// node's output, so no other branch needs the unfused value. Lowering and quantization-aware
/// training both read the model through these groups, so they agree on what becomes one integer op.
public struct FusionGroup: Sendable {
    /// Index of the group's first node (the conv/linear/add, or a lone node).
    public var main: Int
    public var batchNorm: Int?
    public var activation: Int?
    /// The nodes whose outputs the group reads (`Graph.input` for the model input).
    public var inputs: [Int]
    /// The last node of the group: its output is the group's output.
    public var last: Int { activation ?? batchNorm ?? main }
}

extension Graph {
    /// For each node, the nodes that read its output, in order.
    public var readers: [[Int]] {
        var result = [[Int]](repeating: [], count: nodes.count)
        for (k, node) in nodes.enumerated() { for p in Set(node.inputs) where p != Graph.input { result[p].append(k) } }
        return result
    }

    /// The nodes in fusion groups, in topological order (a group's inputs come from earlier groups).
    public func fusionGroups() -> [FusionGroup] {
        let readers = self.readers
        /// The one node reading `i`'s output, when it reads nothing else and `accepts` its layer.
        func soleReader(of i: Int, _ accepts: (Layer?) -> Bool) -> Int? {
            guard readers[i].count == 1, let r = readers[i].first, nodes[r].inputs == [i], accepts(nodes[r].layer) else { return nil }
            return r
        }
        var groups: [FusionGroup] = []
        var absorbed = Set<Int>()
        for (i, node) in nodes.enumerated() where !absorbed.contains(i) {
            var group = FusionGroup(main: i, inputs: node.inputs)
            let weighted = node.layer is Conv2d || node.layer is Linear
            if weighted { group.batchNorm = soleReader(of: i) { $0 is BatchNorm } }
            if weighted || node.layer == nil {
                group.activation = soleReader(of: group.last) { $0 is ClampActivation }
            }
            for k in [group.batchNorm, group.activation].compactMap({ $0 }) { absorbed.insert(k) }
            groups.append(group)
        }
        return groups
    }
}
