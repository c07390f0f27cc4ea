import WhittleNN
import WhittleTensor

/// A float graph rewritten for quantization-aware training: every fusion group becomes a
/// `FoldedQuantizedLayer` (BatchNorm folded, weights fake-quantized) followed by its activation
/// and a `FakeQuantize` of the group's output; the input is fake-quantized too. Layers and
/// statistics are shared with the float graph, so after training that graph holds the trained
/// weights, and `ranges` holds the activation ranges for lowering — the same QGraph path as
/// post-training quantization, with nothing new for the C back end.
public final class QATModel {
    public let float: Graph
    public let graph: Graph
    public let input: FakeQuantize
    /// Output fake-quantizers keyed by the float node whose output they model.
    public private(set) var outputs: [(node: String, quantizer: FakeQuantize)] = []
    public private(set) var folded: [FoldedQuantizedLayer] = []

    /// `initial` seeds every observer (typically a post-training calibration), so training
    /// starts from sensible ranges.
    public init(_ float: Graph, initial: CalibrationResult, perChannel: Bool = true, averagingConstant: Float = 0.01) throws {
        self.float = float
        graph = Graph(inputShape: float.inputShape)
        input = FakeQuantize(averagingConstant: averagingConstant, initial: initial.input)
        try graph.append("input.fq", .layer(input), inputs: [Graph.input])
        var previous: FakeQuantize = input
        let nodes = float.nodes
        for group in try float.fusionGroups() {
            let node = nodes[group.main], lastName = nodes[group.last].name
            func quantizer() -> FakeQuantize {
                FakeQuantize(averagingConstant: averagingConstant, initial: initial.outputs[lastName])
            }
            switch node.layer {
            case let layer? where layer is Conv2d || layer is Linear:
                let f = FoldedQuantizedLayer(base: layer, batchNorm: group.batchNorm.map { nodes[$0].layer as! BatchNorm },
                                             perChannel: perChannel)
                folded.append(f)
                try graph.append(node.name, .layer(f))
                if let a = group.activation, let act = nodes[a].layer as? ClampActivation {
                    try graph.append(nodes[a].name, .layer(ClampActivation(upper: act.upper)))
                }
                let fq = quantizer()
                try graph.append(lastName + ".fq", .layer(fq))
                outputs.append((lastName, fq))
                previous = fq
            case let pool as MaxPool2d:
                try graph.append(node.name, .layer(MaxPool2d(pool.window))) // max of grid values stays on the grid
            case let pool as AvgPool2d:
                let fresh = pool.isGlobal ? AvgPool2d(global: ()) : AvgPool2d(pool.window)
                try graph.append(node.name, .layer(fresh))
                let fq = FakeQuantize()
                fq.tiedTo = previous // integer average pooling rounds onto its input's grid
                try graph.append(node.name + ".fq", .layer(fq))
            case is Flatten:
                try graph.append(node.name, .layer(Flatten()))
            case is Softmax: // its int8 output quantization is fixed (1/256, −128); training skips it
                try graph.append(node.name, .layer(Softmax()))
            case is Dropout:
                continue
            default:
                throw GraphError("layer '\(node.name)' (\(node.layer?.kind ?? "add")): cannot be trained quantization-aware (it must fuse into a conv2d or linear layer)")
            }
        }
    }

    public func freezeBatchNorm() { for f in folded { f.batchNormFrozen = true } }

    public func freezeObservers() {
        input.frozen = true
        for (_, q) in outputs { q.frozen = true }
    }

    /// The learned activation ranges in the form lowering takes (keyed by float node names).
    public var ranges: CalibrationResult {
        var result = CalibrationResult(input: input.range!, outputs: [:], samples: 0)
        for (node, q) in outputs { result.outputs[node] = q.range }
        return result
    }
}
