import WhittleIR

/// Each supported TFLite operator as the QGraph node that computes what TFLite's reference
/// kernel (`tensorflow/lite/kernels/internal/reference/integer_ops/`) computes.
enum TFLiteOperatorMapping {
    static func map(_ context: OperatorContext, into g: inout GraphAssembly) throws {
        let op = context.op
        switch (op.kind, op.options) {
        case (.conv2D, .conv(let padding, let sh, let sw, let dh, let dw, let activation)):
            try requireNoDilation(dh, dw, context)
            try convolution(depthwise: false, padding: padding, strides: (sh, sw), activation: activation, context, &g)
        case (.depthwiseConv2D, .depthwiseConv(let padding, let sh, let sw, _, let dh, let dw, let activation)):
            try requireNoDilation(dh, dw, context)
            try convolution(depthwise: true, padding: padding, strides: (sh, sw), activation: activation, context, &g)
        case (.fullyConnected, .fullyConnected(let activation, _)):
            try fullyConnected(activation: activation, context, &g)
        case (.averagePool2D, .pool(let padding, let sh, let sw, let fh, let fw, let activation)),
             (.maxPool2D, .pool(let padding, let sh, let sw, let fh, let fw, let activation)):
            try pool(average: op.kind == .averagePool2D, padding: padding, strides: (sh, sw), filter: (fh, fw), activation: activation,
                     context, &g)
        case (.reshape, _):
            let x = try g.input(op.inputs[0], context)
            let out = try g.activation(op.outputs[0], "output of \(context.label)")
            try requireSameQuantization(g.tensor(x), out, context)
            _ = try g.append(.reshape, inputs: [x], shape: out.shape, context)
        case (.add, .add(let activation)):
            try add(activation: activation, context, &g)
        case (.softmax, .softmax(let beta)):
            try softmax(beta: beta, context, &g)
        case (.mean, .reducer(let keepDims)):
            try mean(keepDims: keepDims, context, &g)
        case (.mean, .none):
            try mean(keepDims: false, context, &g)
        case (.pad, _):
            try pad(context, &g)
        case (.quantize, _), (.dequantize, _):
            throw context.fail("converts between float and int8 inside the graph; whittle removes it only at the model's float input or output")
        case (.conv2D, _), (.depthwiseConv2D, _), (.fullyConnected, _), (.averagePool2D, _), (.maxPool2D, _), (.add, _), (.softmax, _):
            throw context.fail("has no builtin options of its kind")
        default:
            let names = TFLiteImporter.supportedOperators.map(\.description).joined(separator: ", ")
            throw context.fail("is not supported; whittle imports \(names), and QUANTIZE / DEQUANTIZE at a float input or output")
        }
    }

    private static func requireNoDilation(_ h: Int, _ w: Int, _ op: OperatorContext) throws {
        guard h == 1, w == 1 else { throw op.fail("has dilation \(h)x\(w); whittle supports dilation 1") }
    }

    private static func requireSameQuantization(_ input: QTensor, _ output: QTensor, _ op: OperatorContext) throws {
        guard input.quant == output.quant else {
            throw op.fail("changes the quantization (scale \(input.quant.scale), zero point \(input.quant.zeroPoint) → scale \(output.quant.scale), zero point \(output.quant.zeroPoint)); whittle needs it unchanged here")
        }
    }

    private static func clamp(_ activation: TFLiteActivation, _ output: QTensor, _ op: OperatorContext) throws -> ClampRange {
        guard let range = ClampRange(tflite: activation, scale: Float(output.quant.scale), zeroPoint: output.quant.zeroPoint) else {
            throw op.fail("has the fused activation \(activation); whittle supports none, relu, relu_n1_to_1 and relu6")
        }
        return range
    }

    /// `s_in · s_w[c] / s_out` in double from the file's float scales, as TFLite's
    /// `PopulateConvolutionQuantizationParams` computes it, then `QuantizeMultiplier`.
    private static func requantization(_ input: QTensor, _ weightScales: [Double], _ output: QTensor) -> [QuantizedMultiplier] {
        weightScales.map { QuantizedMultiplier(real: input.quant.scale * $0 / output.quant.scale) }
    }

    /// CONV_2D (filter OHWI, grouped when its I divides the input's channels) and
    /// DEPTHWISE_CONV_2D (filter 1HWC, C = input channels × depth multiplier).
    private static func convolution(depthwise: Bool, padding: TFLitePadding, strides: (Int, Int), activation: TFLiteActivation,
                                    _ op: OperatorContext, _ g: inout GraphAssembly) throws {
        guard op.op.inputs.count >= 2 else { throw op.fail("needs an input and a filter") }
        let (x, absorbedPad) = try g.convolutionInput(op.op.inputs[0], op)
        let input = g.tensor(x)
        let pad = absorbedPad ?? Pad()
        let filterShape = g.model.tensors[op.op.inputs[1]].shape
        guard filterShape.count == 4, filterShape.allSatisfy({ $0 > 0 }), strides.0 > 0, strides.1 > 0 else {
            throw op.fail("has filter shape \(filterShape) and stride \(strides.0)x\(strides.1); expected 4 positive dimensions and strides")
        }
        let (kh, kw) = (filterShape[1], filterShape[2])
        let outChannels = depthwise ? filterShape[3] : filterShape[0]
        let perGroup = depthwise ? 1 : filterShape[3]
        guard input.shape.channels % perGroup == 0, depthwise ? outChannels % input.shape.channels == 0 : filterShape[0] > 0,
              depthwise ? filterShape[0] == 1 : outChannels % (input.shape.channels / perGroup) == 0 else {
            throw op.fail("has filter \(filterShape) for an input of \(input.shape.channels) channels")
        }
        let groups = input.shape.channels / perGroup
        // TFLite's padding of the padded input, plus the absorbed PAD's.
        var window = Window2D(tflite: padding, kernelHeight: kh, kernelWidth: kw, strideHeight: strides.0, strideWidth: strides.1,
                              inHeight: input.shape.height + pad.top + pad.bottom, inWidth: input.shape.width + pad.left + pad.right)
        window.padTop += pad.top
        window.padBottom += pad.bottom
        window.padLeft += pad.left
        window.padRight += pad.right
        guard let size = window.outputSize(height: input.shape.height, width: input.shape.width) else {
            throw op.fail("a \(kh)x\(kw) filter does not fit the input \(input.shape)")
        }
        let (raw, scales) = try g.weights(op.op.inputs[1], elements: outChannels * kh * kw * perGroup, channels: outChannels,
                                          dimension: depthwise ? 3 : 0, op)
        // The IR's order is [out][ky][kx][in of group]: OHWI already; 1HWC transposed.
        var weights = raw
        if depthwise {
            for o in 0..<outChannels { for t in 0..<(kh * kw) { weights[o * kh * kw + t] = raw[t * outChannels + o] } }
        }
        let output = try g.activation(op.op.outputs.first ?? -1, "output of \(op.label)")
        var conv = Conv2D(window: window, groups: groups, weights: .dense(weights), weightScales: scales,
                          bias: try g.bias(op.op.inputs.count > 2 ? op.op.inputs[2] : nil, count: outChannels, op),
                          requantization: requantization(input, scales, output), clamp: try clamp(activation, output, op))
        let constant = ConstantChannels.restate(weights: weights, scales: &conv.weightScales, bias: &conv.bias,
                                                requantization: &conv.requantization, inputScale: input.quant.scale,
                                                outputScale: output.quant.scale, rounding: QOp.conv2d(conv).requantizationRounding)
        g.noteConstantChannels(constant, of: outChannels, op)
        _ = try g.append(.conv2d(conv), inputs: [x], shape: TensorShape(height: size.height, width: size.width, channels: outChannels), op)
    }

    /// FULLY_CONNECTED over all the input's elements (batch 1), weights `[out][in]`, one scale or
    /// one per output.
    private static func fullyConnected(activation: TFLiteActivation, _ op: OperatorContext, _ g: inout GraphAssembly) throws {
        guard op.op.inputs.count >= 2 else { throw op.fail("needs an input and weights") }
        let x = try g.input(op.op.inputs[0], op)
        let input = g.tensor(x)
        let weightShape = g.model.tensors[op.op.inputs[1]].shape
        guard weightShape.count == 2, weightShape[0] > 0, weightShape[1] == input.shape.elementCount else {
            throw op.fail("has weights \(weightShape) for an input of \(input.shape.elementCount) elements (batch 1)")
        }
        let outputs = weightShape[0]
        let (weights, scales) = try g.weights(op.op.inputs[1], elements: outputs * weightShape[1], channels: outputs, dimension: 0, op)
        let output = try g.activation(op.op.outputs.first ?? -1, "output of \(op.label)")
        var fc = FullyConnected(weights: .dense(weights), weightScales: scales,
                                bias: try g.bias(op.op.inputs.count > 2 ? op.op.inputs[2] : nil, count: outputs, op),
                                requantization: requantization(input, scales, output), clamp: try clamp(activation, output, op))
        let constant = ConstantChannels.restate(weights: weights, scales: &fc.weightScales, bias: &fc.bias,
                                                requantization: &fc.requantization, inputScale: input.quant.scale,
                                                outputScale: output.quant.scale, rounding: QOp.fullyConnected(fc).requantizationRounding)
        g.noteConstantChannels(constant, of: outputs, op)
        guard output.shape.elementCount == outputs else { throw op.fail("writes \(output.shape.elementCount) values, its weights give \(outputs)") }
        _ = try g.append(.fullyConnected(fc), inputs: [x], shape: output.shape, op)
    }

    private static func pool(average: Bool, padding: TFLitePadding, strides: (Int, Int), filter: (Int, Int), activation: TFLiteActivation,
                             _ op: OperatorContext, _ g: inout GraphAssembly) throws {
        let x = try g.input(op.op.inputs.first ?? -1, op)
        let input = g.tensor(x)
        guard filter.0 > 0, filter.1 > 0, strides.0 > 0, strides.1 > 0 else {
            throw op.fail("has filter \(filter.0)x\(filter.1) and stride \(strides.0)x\(strides.1); expected positive sizes")
        }
        let window = Window2D(tflite: padding, kernelHeight: filter.0, kernelWidth: filter.1, strideHeight: strides.0, strideWidth: strides.1,
                              inHeight: input.shape.height, inWidth: input.shape.width)
        guard let size = window.outputSize(height: input.shape.height, width: input.shape.width) else {
            throw op.fail("a \(filter.0)x\(filter.1) window does not fit the input \(input.shape)")
        }
        let output = try g.activation(op.op.outputs.first ?? -1, "output of \(op.label)")
        try requireSameQuantization(input, output, op)
        let pool = Pool2D(window: window, clamp: try clamp(activation, output, op))
        _ = try g.append(average ? .averagePool(pool) : .maxPool(pool), inputs: [x],
                         shape: TensorShape(height: size.height, width: size.width, channels: input.shape.channels), op)
    }

    /// ADD of two tensors of one shape (no broadcasting), TFLite's left shift of 20 and three multipliers.
    private static func add(activation: TFLiteActivation, _ op: OperatorContext, _ g: inout GraphAssembly) throws {
        guard op.op.inputs.count == 2 else { throw op.fail("has \(op.op.inputs.count) inputs; ADD takes two") }
        let a = try g.input(op.op.inputs[0], op), b = try g.input(op.op.inputs[1], op)
        let (first, second) = (g.tensor(a), g.tensor(b))
        guard first.shape == second.shape else {
            throw op.fail("adds \(first.shape) to \(second.shape); whittle adds tensors of one shape (no broadcasting)")
        }
        let output = try g.activation(op.op.outputs.first ?? -1, "output of \(op.label)")
        let add = Add(inputs: first.quant, second.quant, output: output.quant, clamp: try clamp(activation, output, op))
        _ = try g.append(.add(add), inputs: [a, b], shape: first.shape, op)
    }

    /// SOFTMAX over the last axis (a pixel's channels): TFLite's int8 reference, its output at
    /// scale 1/256 and zero point −128.
    private static func softmax(beta: Float, _ op: OperatorContext, _ g: inout GraphAssembly) throws {
        let x = try g.input(op.op.inputs.first ?? -1, op)
        let input = g.tensor(x)
        let output = try g.activation(op.op.outputs.first ?? -1, "output of \(op.label)")
        guard output.quant == Softmax.outputQuant else {
            throw op.fail("has output scale \(output.quant.scale) and zero point \(output.quant.zeroPoint); TFLite's int8 softmax writes scale 1/256, zero point −128")
        }
        guard let softmax = Softmax(beta: Double(beta), inputScale: input.quant.scale) else {
            throw op.fail("beta \(beta) times the input scale \(input.quant.scale) is too small for TFLite's int8 softmax")
        }
        _ = try g.append(.softmax(softmax), inputs: [x], shape: input.shape, op)
    }

    /// MEAN over height and width (axes 1 and 2 of NHWC, in any order).
    private static func mean(keepDims: Bool, _ op: OperatorContext, _ g: inout GraphAssembly) throws {
        guard op.op.inputs.count == 2 else { throw op.fail("needs an input and its axes") }
        let x = try g.input(op.op.inputs[0], op)
        let input = g.tensor(x)
        let rank = g.model.tensors[op.op.inputs[0]].shape.count
        let axes = Set(try g.int32Constant(op.op.inputs[1], "axes", op).map { $0 < 0 ? Int($0) + rank : Int($0) })
        guard rank == 4, axes == [1, 2] else {
            throw op.fail("averages axes \(axes.sorted()) of a rank-\(rank) tensor; whittle imports the mean over height and width (axes 1 and 2 of NHWC)")
        }
        let output = try g.activation(op.op.outputs.first ?? -1, "output of \(op.label)")
        let mean = Mean(inputScale: input.quant.scale, outputScale: output.quant.scale,
                        count: input.shape.height * input.shape.width, keepDims: keepDims)
        _ = try g.append(.mean(mean), inputs: [x], shape: TensorShape(height: 1, width: 1, channels: input.shape.channels), op)
    }

    /// PAD of height, width and channels with the zero point (batch padding refused).
    private static func pad(_ op: OperatorContext, _ g: inout GraphAssembly) throws {
        guard op.op.inputs.count == 2 else { throw op.fail("needs an input and its paddings (PADV2's constant value is not supported)") }
        let x = try g.input(op.op.inputs[0], op)
        let input = g.tensor(x)
        let rank = g.model.tensors[op.op.inputs[0]].shape.count
        let amounts = try g.int32Constant(op.op.inputs[1], "paddings", op).map(Int.init)
        guard amounts.count == 2 * rank, rank == 4 || rank == 2, amounts.allSatisfy({ $0 >= 0 }), amounts[0] == 0, amounts[1] == 0 else {
            throw op.fail("pads \(amounts) on a rank-\(rank) tensor; whittle pads height, width and channels of NHWC (or channels of [1, n]) by amounts ≥ 0")
        }
        let pad = rank == 4
            ? Pad(top: amounts[2], bottom: amounts[3], left: amounts[4], right: amounts[5], channelsBefore: amounts[6], channelsAfter: amounts[7])
            : Pad(channelsBefore: amounts[2], channelsAfter: amounts[3])
        let output = try g.activation(op.op.outputs.first ?? -1, "output of \(op.label)")
        try requireSameQuantization(input, output, op)
        guard let shape = pad.outputShape(input: input.shape) else { throw op.fail("pads \(input.shape) past the size limits") }
        _ = try g.append(.pad(pad), inputs: [x], shape: shape, op)
    }
}
