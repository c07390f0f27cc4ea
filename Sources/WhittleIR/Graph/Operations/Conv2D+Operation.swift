import WhittleSupport

extension Conv2D: QOperation {
    var kindName: String { "conv2d" }
    var tag: UInt8 { 1 }
    var layerWeights: WeightStorage? { weights }

    func verify(_ node: NodeContext) throws {
        let (input, output, location) = (node.input, node.output, node.location)
        try GraphVerifier.verifyWindow(window, input: input, output: output, pooledBy: pool, location)
        guard groups >= 1, input.shape.channels % groups == 0, output.shape.channels % groups == 0 else {
            throw node.fail(.groups, "groups \(groups) must divide input channels \(input.shape.channels) and output channels \(output.shape.channels)")
        }
        let perFilter = try GraphVerifier.verifyLayerWeights(
            outputs: output.shape.channels, perOutput: [window.kernelHeight, window.kernelWidth, input.shape.channels / groups], location)
        // The sparse conv kernels keep each kept tap's kernel row and column in a byte.
        if weights.format != .dense, max(window.kernelHeight, window.kernelWidth) > 255 {
            throw node.fail(.weightFormat, "\(weights.formatName) weights need a kernel of at most 255x255, not \(window.kernelHeight)x\(window.kernelWidth)")
        }
        try GraphVerifier.verifyAffine(weights: weights, scales: weightScales, bias: bias, requantization: requantization, clamp: clamp,
                                       outputs: output.shape.channels, perOutput: perFilter,
                                       reductionChannels: node.graph.reductionChannels(of: node.node, producers: node.producers),
                                       input: input, output: output, location)
    }

    /// Every tap of every pixel of the convolution's own output (a folded pool's too).
    func work(_ node: NodeContext) -> Int? {
        checkedProduct(node.output.shape.elementCount, window.kernelHeight, window.kernelWidth,
                       node.input.shape.channels / groups, pool?.height ?? 1, pool?.width ?? 1)
    }

    var textDetails: String {
        var text = " \(QGraphText.window(window)), groups \(groups), \(weights.formatName) \(weights.count) weights, \(QGraphText.clamp(clamp))"
        if let pool { text += ", max pool '\(pool.name)' \(pool.height)x\(pool.width) folded" }
        return text
    }

    /// Window, groups, the folded pool (a bool, then its name, height and width), then the weights.
    func encodeFields(into w: inout BinaryWriter) {
        QGraphCoding.encode(window, into: &w)
        w.write(Int32(groups))
        w.write(pool != nil)
        if let pool {
            w.write(pool.name)
            w.write(Int32(pool.height))
            w.write(Int32(pool.width))
        }
        QGraphCoding.encodeAffine(weights, weightScales, bias, requantization, clamp, into: &w)
    }

    static func decode(_ r: inout BinaryReader, _ what: String) throws -> QOp {
        let window = try QGraphCoding.decodeWindow(&r, what)
        let groups = try r.readInt("\(what) groups", in: 1...QGraphCoding.sizeLimit)
        let pool = try r.readBool("\(what) folded pool")
            ? FoldedMaxPool(name: try r.readString("\(what) folded pool name"),
                            height: try r.readInt("\(what) folded pool height", in: 1...QGraphCoding.sizeLimit),
                            width: try r.readInt("\(what) folded pool width", in: 1...QGraphCoding.sizeLimit))
            : nil
        let a = try QGraphCoding.decodeAffine(&r, what)
        return .conv2d(Conv2D(window: window, groups: groups, weights: a.weights, weightScales: a.scales,
                              bias: a.bias, requantization: a.requantization, clamp: a.clamp, pool: pool))
    }
}
