import WhittleSupport

extension FullyConnected: QOperation {
    var kindName: String { "fully_connected" }
    var tag: UInt8 { 2 }
    var layerWeights: WeightStorage? { weights }
    /// TFLite's reference FULLY_CONNECTED rounds once (measured on the MLPerf Tiny autoencoder:
    /// double rounding gets 19,978 of its 64,000 expected bytes wrong).
    var requantizationRounding: RequantizationRounding { .single }

    func verify(_ node: NodeContext) throws {
        let (input, output) = (node.input, node.output)
        _ = try GraphVerifier.verifyLayerWeights(outputs: output.shape.elementCount, perOutput: [input.shape.elementCount], node.location)
        try GraphVerifier.verifyAffine(weights: weights, scales: weightScales, bias: bias, requantization: requantization, clamp: clamp,
                                       outputs: output.shape.elementCount, perOutput: input.shape.elementCount,
                                       reductionChannels: node.graph.reductionChannels(of: node.node, producers: node.producers),
                                       input: input, output: output, node.location)
    }

    func work(_ node: NodeContext) -> Int? {
        checkedProduct(node.output.shape.elementCount, node.input.shape.elementCount)
    }

    var textDetails: String { " \(weights.formatName) \(weights.count) weights, \(QGraphText.clamp(clamp)), rounding \(requantizationRounding)" }

    func encodeFields(into w: inout BinaryWriter) {
        QGraphCoding.encodeAffine(weights, weightScales, bias, requantization, clamp, into: &w)
    }

    static func decode(_ r: inout BinaryReader, _ what: String) throws -> QOp {
        let a = try QGraphCoding.decodeAffine(&r, what)
        return .fullyConnected(FullyConnected(weights: a.weights, weightScales: a.scales, bias: a.bias,
                                              requantization: a.requantization, clamp: a.clamp))
    }
}
