/// What one conv / fully connected layer costs as stored: its flash bytes and the
/// multiply-accumulates its kernel executes per inference, beside the dense form's. The format
/// choice weighs these; `emit` and `inspect` report them.
///
/// Executed MACs follow the kernels (templates/kernels/): a dense kernel multiplies every
/// weight; the sparse conv kernels decode each filter once per call and drop its zero values
/// (N:M padding), so they execute the nonzeros times the output pixels; the sparse fully
/// connected kernels run their stored values as they are, N:M padding included.
public struct LayerFootprint: Hashable, Sendable {
    public var layer: String
    /// The op's kind name (`conv2d`, `fully_connected`).
    public var op: String
    public var format: WeightFormat
    /// Logical weights (the dense count) and how many are nonzero.
    public var weights: Int
    public var nonzeros: Int
    public var outputs: Int
    /// The weight tables: stored values (N:M padding included) and position information
    /// (gaps and counts, or N:M index bits; 0 dense).
    public var valueBytes: Int
    public var positionBytes: Int
    public var executedMACs: Int
    public var denseMACs: Int

    /// Nonzero weights over all weights (1 for an empty layer).
    public var density: Double { weights == 0 ? 1 : Double(nonzeros) / Double(weights) }
    public var weightBytes: Int { valueBytes + positionBytes }
    /// Per output: the folded bias (int32), the multiplier (int32) and the shift (int8).
    public var biasBytes: Int { 4 * outputs }
    public var multiplierBytes: Int { 4 * outputs }
    public var shiftBytes: Int { outputs }
    public var perChannelBytes: Int { biasBytes + multiplierBytes + shiftBytes }
    /// Every constant table of the layer.
    public var flashBytes: Int { weightBytes + perChannelBytes }
    public var denseFlashBytes: Int { weights + perChannelBytes }

    /// The footprint of `node` as stored, or with `storage` in place of its weights (to cost a
    /// candidate format); nil for ops without weights.
    public static func of(_ node: QNode, in graph: QGraph, storage: WeightStorage? = nil) -> LayerFootprint? {
        let output = graph.tensors[node.output].shape
        let weights: WeightStorage
        // A conv reuses each filter at every output pixel; a fully connected layer runs once.
        let (pixels, outputs, isConv): (Int, Int, Bool)
        switch node.op {
        case .conv2d(let conv):
            weights = storage ?? conv.weights
            // A folded pool's conv still computes every pixel of its own output.
            let convolved = conv.convolvedShape(input: graph.tensors[node.inputs[0]].shape) ?? output
            (pixels, outputs, isConv) = (convolved.height * convolved.width, output.channels, true)
        case .fullyConnected(let fc):
            weights = storage ?? fc.weights
            (pixels, outputs, isConv) = (1, output.elementCount, false)
        default: // ops without weights
            return nil
        }
        let dense = weights.denseValues
        let nonzeros = dense.filter { $0 != 0 }.count
        let denseMACs = pixels * dense.count
        let stored = weights.storedValues
        // Sparse conv kernels drop zero values when they decode a filter; the others run every stored value.
        let executed = weights.format != .dense && isConv ? pixels * nonzeros : pixels * stored.count
        return LayerFootprint(layer: node.name, op: node.op.kindName, format: weights.format, weights: dense.count,
                              nonzeros: nonzeros, outputs: outputs, valueBytes: stored.count,
                              positionBytes: weights.byteCount - stored.count, executedMACs: executed, denseMACs: denseMACs)
    }

    /// Every conv / fully connected layer of `graph`, in graph order.
    public static func of(_ graph: QGraph) -> [LayerFootprint] {
        graph.nodes.compactMap { of($0, in: graph) }
    }
}
