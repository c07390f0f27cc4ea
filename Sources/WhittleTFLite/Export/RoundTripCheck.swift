import WhittleIR

/// The exporter's proof: the exported model, imported again, is the graph it came from. TFLite
/// derives every multiplier from the file's float32 scales (in double, as `TFLiteImporter` does),
/// so a graph whose scales are doubles that float32 rounds can come back with other multipliers;
/// this check finds the first layer where it would, and names the channel and both multipliers.
/// Only the float metadata may differ (the scales as float32, beta), how weights are stored when
/// the metadata is ignored, a pool's padding after the input where it adds no output (TFLite's
/// SAME or VALID padding that computes the same), and a max pool folded into a conv comes back as
/// its own node.
enum RoundTripCheck {
    static func verify(_ model: TFLiteModel, against graph: QGraph) throws {
        let imported: QGraph
        do {
            imported = try TFLiteImporter.importModel(model, modelName: "the exported model").graph
        } catch {
            throw TFLiteExportError("the exported model does not import again (an exporter bug): \(error)")
        }
        let twins = Dictionary(imported.nodes.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        for node in graph.nodes {
            guard let twin = twins[node.name] else { throw TFLiteExportError.layer(node, "is missing from the exported model (an exporter bug)") }
            if let problem = difference(node.op, twin.op) { throw TFLiteExportError.layer(node, problem) }
            if case .conv2d(let conv) = node.op, conv.pool != nil { continue } // its output is the pool's
            let (output, copy) = (graph.tensors[node.output], imported.tensors[twin.output])
            guard output.shape == copy.shape, output.quant.zeroPoint == copy.quant.zeroPoint else {
                throw TFLiteExportError.layer(node, "its output \(output.shape) (zero point \(output.quant.zeroPoint)) comes back as \(copy.shape) "
                                              + "(zero point \(copy.quant.zeroPoint)) (an exporter bug)")
            }
        }
    }

    /// How `reimported` differs from `original` in what it computes, or nil.
    private static func difference(_ original: QOp, _ reimported: QOp) -> String? {
        let multipliers: [(String, QuantizedMultiplier, QuantizedMultiplier)]
        switch (original, reimported) {
        case (.conv2d(let a), .conv2d(let b)):
            multipliers = zip(a.requantization, b.requantization).enumerated().map { ("output channel \($0)'s", $1.0, $1.1) }
        case (.fullyConnected(let a), .fullyConnected(let b)):
            multipliers = zip(a.requantization, b.requantization).enumerated().map { ("output \($0)'s", $1.0, $1.1) }
        case (.add(let a), .add(let b)):
            multipliers = [("the first input's", a.input1, b.input1), ("the second input's", a.input2, b.input2), ("the output", a.output, b.output)]
        case (.mean(let a), .mean(let b)):
            multipliers = [("the", a.multiplier, b.multiplier)]
        case (.softmax(let a), .softmax(let b)):
            multipliers = [("the input", QuantizedMultiplier(multiplier: a.inputMultiplier, shift: a.inputLeftShift),
                            QuantizedMultiplier(multiplier: b.inputMultiplier, shift: b.inputLeftShift))]
        default:
            multipliers = []
        }
        if let (what, mine, tflites) = multipliers.first(where: { $0.1 != $0.2 }) {
            return "TFLite derives \(what) multiplier from the float32 scales as (M0 \(tflites.multiplier), shift \(tflites.shift)), the graph has "
                + "(\(mine.multiplier), \(mine.shift)): its scales are not float32 numbers (quantize with whittle quantize --float32-scales)"
        }
        return integerView(original) == integerView(reimported) ? nil : "comes back as a different \(reimported.kindName) (an exporter bug)"
    }

    /// A window without its padding after the input (the outputs are compared on their own).
    private static func leading(_ w: Window2D) -> Window2D {
        Window2D(kernelHeight: w.kernelHeight, kernelWidth: w.kernelWidth, strideHeight: w.strideHeight, strideWidth: w.strideWidth,
                 padTop: w.padTop, padLeft: w.padLeft)
    }

    /// The op without what a round trip may change: float metadata, the weights' storage, a pool's
    /// trailing padding, a folded pool.
    private static func integerView(_ op: QOp) -> QOp {
        switch op {
        case .conv2d(var conv):
            conv.weightScales = []
            conv.weights = .dense(conv.weights.denseValues)
            conv.pool = nil
            return .conv2d(conv)
        case .fullyConnected(var fc):
            fc.weightScales = []
            fc.weights = .dense(fc.weights.denseValues)
            return .fullyConnected(fc)
        case .softmax(var softmax):
            softmax.beta = 0
            return .softmax(softmax)
        case .maxPool(let pool):
            return .maxPool(Pool2D(window: leading(pool.window), clamp: pool.clamp))
        case .averagePool(let pool):
            return .averagePool(Pool2D(window: leading(pool.window), clamp: pool.clamp))
        default:
            return op
        }
    }
}
