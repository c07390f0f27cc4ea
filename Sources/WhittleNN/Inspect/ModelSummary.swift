import WhittleTensor

/// Per-layer sizes and costs of a float model: what `whittle inspect` prints.
public struct ModelSummary: Sendable {
    public struct Row: Sendable {
        public var name: String
        public var kind: String
        public var outputShape: [Int]
        public var parameters: Int
        public var nonzeros: Int
        /// Multiply-accumulates per inference (weights × positions; bias adds excluded).
        public var macs: Int

        public var sparsity: Double { parameters == 0 ? 0 : 1 - Double(nonzeros) / Double(parameters) }
        public var bytesFloat32: Int { 4 * parameters }
        public var bytesInt8: Int { parameters }
    }

    public var rows: [Row]
    /// Parameters once each BatchNorm is folded into the conv/linear before it: that layer's
    /// weights and one bias per output (what the int8 model stores, and what model zoos count).
    public var foldedParameters: Int

    public init(_ graph: Graph) {
        foldedParameters = graph.fusionGroups().reduce(0) { total, group in
            let node = graph.nodes[group.main]
            switch node.layer {
            case let conv as Conv2d: return total + conv.weight.value.count + conv.outChannels
            case let fc as Linear: return total + fc.weight.value.count + fc.outFeatures
            default: return total + (node.layer?.parameters ?? []).reduce(0) { $0 + $1.parameter.value.count }
            }
        }
        rows = graph.nodes.map { node in
            let params = node.layer?.parameters ?? []
            return Row(name: node.name, kind: node.layer?.kind ?? "add", outputShape: node.outputShape,
                       parameters: params.reduce(0) { $0 + $1.parameter.value.count },
                       nonzeros: params.reduce(0) { $0 + $1.parameter.value.count - $1.parameter.value.zeroCount },
                       macs: node.layer?.macs(for: node.inputShape) ?? 0)
        }
    }

    public var totalParameters: Int { rows.reduce(0) { $0 + $1.parameters } }
    public var totalNonzeros: Int { rows.reduce(0) { $0 + $1.nonzeros } }
    public var totalMACs: Int { rows.reduce(0) { $0 + $1.macs } }
}
