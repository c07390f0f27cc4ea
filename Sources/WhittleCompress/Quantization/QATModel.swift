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
        let nodes = float.nodes
        /// The QAT node holding each float node's output, and the quantizer whose grid it is on.
        var nodeOf: [Int: Int] = [Graph.input: 0]
        var gridOf: [Int: FakeQuantize] = [0: input]
        for group in float.fusionGroups() {
            let node = nodes[group.main], lastName = nodes[group.last].name
            let inputs = group.inputs.map { nodeOf[$0]! }
            /// Appends a node; the group's first node reads the group's inputs, the rest the node before.
            func append(_ name: String, _ op: Graph.Op, first: Bool = false) throws {
                try graph.append(name, op, inputs: first ? inputs : nil)
            }
            /// Ends the group with a fake-quantizer of its output, observed from `initial`'s range.
            func quantizeOutput() throws {
                let fq = FakeQuantize(averagingConstant: averagingConstant, initial: initial.outputs[lastName])
                try append(lastName + ".fq", .layer(fq))
                outputs.append((lastName, fq))
                gridOf[graph.nodes.count - 1] = fq
            }
            func fusedActivation() throws {
                if let a = group.activation, let act = nodes[a].layer as? ClampActivation {
                    try append(nodes[a].name, .layer(ClampActivation(upper: act.upper)))
                }
            }
            switch node.layer {
            case let layer? where layer is Conv2d || layer is Linear:
                let f = FoldedQuantizedLayer(base: layer, batchNorm: group.batchNorm.map { nodes[$0].layer as! BatchNorm },
                                             perChannel: perChannel)
                folded.append(f)
                try append(node.name, .layer(f), first: true)
                try fusedActivation()
                try quantizeOutput()
            case nil:
                // ADD: its inputs are on their producers' grids already; the sum gets its own (as TFLite's QAT does).
                try append(node.name, .add, first: true)
                try fusedActivation()
                try quantizeOutput()
            case let pool as MaxPool2d:
                try append(node.name, .layer(MaxPool2d(pool.window)), first: true) // max of grid values stays on the grid
                gridOf[graph.nodes.count - 1] = gridOf[inputs[0]]
            case let pool as AvgPool2d:
                let fresh = pool.isGlobal ? AvgPool2d(global: ()) : AvgPool2d(pool.window)
                try append(node.name, .layer(fresh), first: true)
                let fq = FakeQuantize()
                fq.tiedTo = gridOf[inputs[0]] // integer average pooling rounds onto its input's grid
                try append(node.name + ".fq", .layer(fq))
                gridOf[graph.nodes.count - 1] = gridOf[inputs[0]]
            case is Flatten:
                try append(node.name, .layer(Flatten()), first: true)
                gridOf[graph.nodes.count - 1] = gridOf[inputs[0]]
            case is Dropout:
                nodeOf[group.main] = inputs[0]
                continue
            case is Softmax: // its int8 output quantization is fixed (1/256, −128); training reads the logits before it
                try append(node.name, .layer(Softmax()), first: true)
            default:
                throw GraphError("layer '\(node.name)' (\(node.layer?.kind ?? "add")): cannot be trained quantization-aware (it must fuse into a conv2d, linear or add layer)")
            }
            nodeOf[group.last] = graph.nodes.count - 1
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
