import WhittleIR

/// Each QGraph node as the TFLite operator whose reference kernel computes what Whittle's
/// reference interpreter computes (the inverse of `TFLiteOperatorMapping`): conv2d as CONV_2D
/// (filter OHWI; grouped convs too) or, when each group is one input channel, DEPTHWISE_CONV_2D
/// (filter 1HWC); a max pool folded into a conv as CONV_2D then MAX_POOL_2D; fully_connected,
/// the pools, reshape, add, softmax, mean and pad as themselves. Weights keep the graph's scales
/// (float32), per output channel (quantized dimension 0 for CONV_2D and FULLY_CONNECTED, 3 for
/// DEPTHWISE_CONV_2D; a fully connected layer with one scale for all gets it per tensor), biases
/// are int32 at `s_in · s_w`.
enum NodeMapping {
    static func map(_ node: QNode, into a: inout ExportAssembly) throws {
        switch node.op {
        case .conv2d(let conv):
            try convolution(conv, node, &a)
        case .fullyConnected(let fc):
            try fullyConnected(fc, node, &a)
        case .maxPool(let pool):
            try self.pool(pool, average: false, node, &a)
        case .averagePool(let pool):
            try self.pool(pool, average: true, node, &a)
        case .reshape:
            a.reshape(a.input(node.inputs[0]), to: node.output, node: node.name)
        case .add(let add):
            let inputs = node.inputs.map { a.input($0) }
            let activation = try fusedActivation(add.clamp, node, a)
            a.append(TFLiteOperator(kind: .add, inputs: inputs, outputs: [node.output], options: .add(activation: activation)), node: node.name)
        case .softmax(let softmax):
            a.append(TFLiteOperator(kind: .softmax, inputs: [a.input(node.inputs[0])], outputs: [node.output],
                                    options: .softmax(beta: Float(softmax.beta))), node: node.name)
        case .mean(let mean):
            let x = a.input(node.inputs[0])
            let axes = a.int32Constant("\(node.name)/axes", shape: [2], [1, 2])
            a.append(TFLiteOperator(kind: .mean, inputs: [x, axes], outputs: [node.output], options: .reducer(keepDims: mean.keepDims)),
                     node: node.name)
        case .pad(let pad):
            let x = a.input(node.inputs[0])
            let amounts = a.ranks.read[node.inputs[0]] == 4
                ? [0, 0, pad.top, pad.bottom, pad.left, pad.right, pad.channelsBefore, pad.channelsAfter]
                : [0, 0, pad.channelsBefore, pad.channelsAfter]
            let paddings = a.int32Constant("\(node.name)/paddings", shape: [amounts.count / 2, 2], amounts.map { Int32($0) })
            a.append(TFLiteOperator(kind: .pad, inputs: [x, paddings], outputs: [node.output], options: .pad), node: node.name)
        }
    }

    /// The activation TFLite fuses to compute exactly the node's clamp.
    private static func fusedActivation(_ clamp: ClampRange, _ node: QNode, _ a: ExportAssembly) throws -> TFLiteActivation {
        let output = a.graph.tensors[node.output].quant
        guard let activation = TFLiteActivation(exactly: clamp, output: output) else {
            let options = [TFLiteActivation.none, .relu, .relu6, .reluN1To1].map { act -> String in
                let c = ClampRange(tflite: act, scale: Float(output.scale), zeroPoint: output.zeroPoint)!
                return "\(act) \(c.min)…\(c.max)"
            }
            throw TFLiteExportError.layer(node, "clamps to \(clamp.min)…\(clamp.max), which no TFLite fused activation gives for the output's scale "
                                          + "\(Float(output.scale)) and zero point \(output.zeroPoint) (\(options.joined(separator: ", ")))")
        }
        return activation
    }

    private static func int8Bytes(_ values: [Int8]) -> [UInt8] { values.map { UInt8(bitPattern: $0) } }

    /// Per-channel weight scales (float32) along `dimension`, or one for all when `perTensor` and they are equal.
    private static func weightQuantization(_ scales: [Double], dimension: Int, perTensorWhenEqual: Bool) -> TFLiteQuantization {
        let floats = scales.map(Float.init)
        let one = perTensorWhenEqual && Set(floats).count == 1
        return TFLiteQuantization(scales: one ? [floats[0]] : floats, zeroPoints: Array(repeating: 0, count: one ? 1 : floats.count), dimension: dimension)
    }

    /// The int32 bias at scale `s_in · s_w[c]` (one scale when the weights have one).
    private static func bias(_ values: [Int32], weights: TFLiteQuantization, inputScale: Double, _ node: QNode, _ a: inout ExportAssembly) -> Int {
        let scales = weights.scales.map { Float(Double(Float(inputScale)) * Double($0)) }
        return a.int32Constant("\(node.name)/bias", shape: [values.count], values,
                               quantization: TFLiteQuantization(scales: scales, zeroPoints: Array(repeating: 0, count: scales.count)))
    }

    private static func convolution(_ conv: Conv2D, _ node: QNode, _ a: inout ExportAssembly) throws {
        let input = a.graph.tensors[node.inputs[0]]
        var x = a.input(node.inputs[0])
        let window = conv.window
        let (kh, kw) = (window.kernelHeight, window.kernelWidth)
        let (inChannels, outChannels) = (input.shape.channels, conv.bias.count)
        var padding = TFLitePadding.valid
        if let exact = window.exactTFLitePadding(inHeight: input.shape.height, inWidth: input.shape.width) {
            padding = exact
        } else {
            // Neither SAME nor VALID: a PAD with the zero point (which the conv's skipped taps
            // equal), then VALID. The importer makes the PAD the conv's padding again.
            let pad = Pad(top: window.padTop, bottom: window.padBottom, left: window.padLeft, right: window.padRight)
            guard let shape = pad.outputShape(input: input.shape) else { throw TFLiteExportError.layer(node, "its padding overflows") }
            let padded = a.intermediate(QTensor(name: "\(node.name)/padded", shape: shape, quant: input.quant))
            let amounts = [0, 0, pad.top, pad.bottom, pad.left, pad.right, 0, 0].map { Int32($0) }
            let paddings = a.int32Constant("\(node.name)/paddings", shape: [4, 2], amounts)
            a.append(TFLiteOperator(kind: .pad, inputs: [x, paddings], outputs: [padded], options: .pad), node: nil)
            x = padded
        }
        let depthwise = conv.groups == inChannels && inChannels > 1
        let logical = conv.weights.denseValues
        let filter: [Int8]
        let shape: [Int]
        if depthwise {
            // [out][ky][kx] → 1HWC: [ky][kx][out].
            var values = logical
            for o in 0..<outChannels { for t in 0..<(kh * kw) { values[t * outChannels + o] = logical[o * kh * kw + t] } }
            (filter, shape) = (values, [1, kh, kw, outChannels])
        } else {
            (filter, shape) = (logical, [outChannels, kh, kw, inChannels / conv.groups])
        }
        let quantization = weightQuantization(conv.weightScales, dimension: depthwise ? 3 : 0, perTensorWhenEqual: false)
        let weights = a.constant("\(node.name)/weights", shape: shape, type: .int8, data: int8Bytes(filter), quantization: quantization)
        let biasTensor = bias(conv.bias, weights: quantization, inputScale: input.quant.scale, node, &a)
        let activation = try fusedActivation(conv.clamp, node, a)
        let options: TFLiteOptions = depthwise
            ? .depthwiseConv(padding: padding, strideH: window.strideHeight, strideW: window.strideWidth, depthMultiplier: outChannels / inChannels,
                             dilationH: 1, dilationW: 1, activation: activation)
            : .conv(padding: padding, strideH: window.strideHeight, strideW: window.strideWidth, dilationH: 1, dilationW: 1, activation: activation)
        let kind: TFLiteOperatorKind = depthwise ? .depthwiseConv2D : .conv2D
        guard let pool = conv.pool else {
            a.append(TFLiteOperator(kind: kind, inputs: [x, weights, biasTensor], outputs: [node.output], options: options), node: node.name,
                     weights: conv.weights)
            return
        }
        // A folded max pool: the conv's full-size output, then MAX_POOL_2D over windows that tile it.
        let output = a.graph.tensors[node.output]
        guard let convolved = conv.convolvedShape(input: input.shape) else { throw TFLiteExportError.layer(node, "its window does not fit its input") }
        let full = a.intermediate(QTensor(name: node.name, shape: convolved, quant: output.quant))
        a.append(TFLiteOperator(kind: kind, inputs: [x, weights, biasTensor], outputs: [full], options: options), node: node.name, weights: conv.weights)
        a.append(TFLiteOperator(kind: .maxPool2D, inputs: [full], outputs: [node.output],
                                options: .pool(padding: .valid, strideH: pool.height, strideW: pool.width, filterH: pool.height, filterW: pool.width,
                                               activation: .none)), node: pool.name)
    }

    private static func fullyConnected(_ fc: FullyConnected, _ node: QNode, _ a: inout ExportAssembly) throws {
        let input = a.graph.tensors[node.inputs[0]]
        let x = a.input(node.inputs[0])
        let (outputs, inputs) = (fc.bias.count, input.shape.elementCount)
        let quantization = weightQuantization(fc.weightScales, dimension: 0, perTensorWhenEqual: true)
        let weights = a.constant("\(node.name)/weights", shape: [outputs, inputs], type: .int8, data: int8Bytes(fc.weights.denseValues),
                                 quantization: quantization)
        let biasTensor = bias(fc.bias, weights: quantization, inputScale: input.quant.scale, node, &a)
        // A 1×1×K input read as [1, 1, 1, K] keeps its rank (and the output's) with keep_num_dims.
        let keepDims = a.tensors[x].shape.count == 4 && input.shape.height == 1 && input.shape.width == 1
        a.append(TFLiteOperator(kind: .fullyConnected, inputs: [x, weights, biasTensor], outputs: [node.output],
                                options: .fullyConnected(activation: try fusedActivation(fc.clamp, node, a), keepDims: keepDims)),
                 node: node.name, weights: fc.weights)
    }

    private static func pool(_ pool: Pool2D, average: Bool, _ node: QNode, _ a: inout ExportAssembly) throws {
        let input = a.graph.tensors[node.inputs[0]]
        let w = pool.window
        guard let padding = w.equivalentTFLitePadding(inHeight: input.shape.height, inWidth: input.shape.width) else {
            throw TFLiteExportError.layer(node, "its \(w.kernelHeight)x\(w.kernelWidth) window, stride \(w.strideHeight)x\(w.strideWidth), padding top \(w.padTop) "
                                          + "left \(w.padLeft) bottom \(w.padBottom) right \(w.padRight) over \(input.shape) is neither TFLite's SAME nor VALID, "
                                          + "and a TFLite pool cannot take other padding (a PAD would enter the pool's windows)")
        }
        let options = TFLiteOptions.pool(padding: padding, strideH: w.strideHeight, strideW: w.strideWidth, filterH: w.kernelHeight, filterW: w.kernelWidth,
                                         activation: try fusedActivation(pool.clamp, node, a))
        a.append(TFLiteOperator(kind: average ? .averagePool2D : .maxPool2D, inputs: [a.input(node.inputs[0])], outputs: [node.output], options: options),
                 node: node.name)
    }
}
