import WhittleNN

/// One conv2d or linear layer's size and sparsity: what pruning reports compare.
public struct LayerSparsity: Codable, Equatable, Sendable {
    public var name: String
    public var kind: String
    public var outputs: Int
    public var weights: Int
    public var nonzeroWeights: Int
    /// Dense multiply-accumulates per inference.
    public var macs: Int
    /// Multiply-accumulates with nonzero weights only (each weight is used the same number of
    /// times, so macs · nonzero / weights): what a kernel that skips zeros executes.
    public var sparseMACs: Int

    public var density: Double { weights == 0 ? 1 : Double(nonzeroWeights) / Double(weights) }

    /// Every conv2d and linear layer of `graph`, in node order.
    public static func measure(_ graph: Graph) -> [LayerSparsity] {
        PrunableLayer.all(in: graph).map { layer in
            let node = graph.nodes[layer.node]
            let macs = node.layer?.macs(for: node.inputShape) ?? 0
            let nonzero = layer.weightCount - layer.weight.value.zeroCount
            return LayerSparsity(name: layer.name, kind: node.layer?.kind ?? "", outputs: layer.outputs, weights: layer.weightCount,
                                 nonzeroWeights: nonzero, macs: macs, sparseMACs: layer.weightCount == 0 ? 0 : macs * nonzero / layer.weightCount)
        }
    }
}
