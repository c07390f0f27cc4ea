import WhittleIR

/// What one call of a weight kernel does, in the units its cost is counted in (`KernelCost`):
/// multiply-accumulates at output pixels whose window lies inside the input and at the border
/// (where the kernels clip each window, slower per MAC, sparse ones much slower), output
/// values, and units decoded from the tables per call.
public struct KernelWork: Hashable, Sendable {
    public var interiorMACs: Int
    public var borderMACs: Int
    public var outputs: Int
    public var decodes: Int

    public init(interiorMACs: Int, borderMACs: Int, outputs: Int, decodes: Int) {
        self.interiorMACs = interiorMACs
        self.borderMACs = borderMACs
        self.outputs = outputs
        self.decodes = decodes
    }

    /// The work of conv / fully connected `node` (its weights as stored) run by `kernel`; nil for
    /// other ops.
    public static func of(_ node: QNode, in graph: QGraph, kernel: Kernel) -> KernelWork? {
        guard let footprint = LayerFootprint.of(node, in: graph) else { return nil }
        let input = graph.tensors[node.inputs[0]].shape
        var interiorShare = 1.0, outputs = graph.tensors[node.output].shape.elementCount, weights: WeightStorage, columnValues = 0
        switch node.op {
        case .conv2d(let conv):
            weights = conv.weights
            let full = conv.convolvedShape(input: input) ?? graph.tensors[node.output].shape
            let rows = conv.window.interiorRows(inputHeight: input.height, outputHeight: full.height)
            let columns = conv.window.interiorColumns(inputWidth: input.width, outputWidth: full.width)
            interiorShare = Double(rows.count * columns.count) / Double(max(full.height * full.width, 1))
            outputs = full.elementCount
            columnValues = full.height * full.width * conv.weights.count / max(full.channels, 1)
        case .fullyConnected(let fc):
            weights = fc.weights
        default:
            return nil
        }
        var executed = footprint.executedMACs
        // conv2d_s8_mm multiplies and requantizes the output channels with weights only, in pairs,
        // over columns of the input channels some filter reads (ChannelBlocking.matrixChannels);
        // the other outputs are a constant it computes once per call.
        if kernel == KernelRegistry.conv2dMatrix, case .dense(let values) = weights {
            let (channels, inputChannels) = (graph.tensors[node.output].shape.channels, input.channels)
            let m = ChannelBlocking.matrixChannels(values, outputs: channels, inputChannels: inputChannels)
            let kept = m.columnChannels(inputChannels: inputChannels)
            executed = executed / max(channels * inputChannels, 1) * ((m.live + 1) / 2 * 2) * kept
            outputs = outputs / max(channels, 1) * m.live
            columnValues = columnValues / max(inputChannels, 1) * kept
        }
        let interior = Int((Double(executed) * interiorShare).rounded())
        return KernelWork(interiorMACs: interior, borderMACs: executed - interior, outputs: outputs,
                          decodes: kernel.decodes.count(in: weights, inputs: input.elementCount, columnValues: columnValues))
    }
}
