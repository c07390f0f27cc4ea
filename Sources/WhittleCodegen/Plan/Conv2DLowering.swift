import WhittleIR

/// Chooses the kernel for a `Conv2D` and lays out its tables: `dwconv2d_s8` for depthwise
/// (one input channel per group), `conv2d_s8` otherwise.
enum Conv2DLowering {
    static func isDepthwise(_ conv: Conv2D, input: QTensor) -> Bool {
        conv.groups > 1 && conv.groups == input.shape.channels
    }

    static func lower(_ conv: Conv2D, identifier: String, input: QTensor, output: QTensor,
                      buffers: (input: String, output: String), channelBlock: Int) -> (KernelCall, [ConstantTable]) {
        let (inS, outS, w) = (input.shape, output.shape, conv.window)
        let logical = conv.weights.denseValues
        let depthwise = isDepthwise(conv, input: input)
        let block = ChannelBlocking.block(outputsPerGroup: outS.channels / conv.groups, limit: channelBlock)
        // Depthwise kernels read [k_h][k_w][out_c] so their channel loop is contiguous; the
        // grouped kernel reads `block` interleaved filters front to back.
        let weights = depthwise ? transposedToTapsFirst(logical, outputs: outS.channels)
                                : ChannelBlocking.interleave(logical, outputs: outS.channels, block: block)
        let tables = AffineTables.tables(for: identifier, weights: weights, logicalWeights: logical, bias: conv.bias,
                                         requantization: conv.requantization, inputZero: input.quant.zeroPoint)
        let rows = w.interiorRows(inputHeight: inS.height, outputHeight: outS.height)
        let columns = w.interiorColumns(inputWidth: inS.width, outputWidth: outS.width)
        var parameters = [
            ParameterGroup("in h, w, c", [inS.height, inS.width, inS.channels]),
            depthwise ? ParameterGroup("out h, w, depth multiplier", [outS.height, outS.width, outS.channels / inS.channels])
                      : ParameterGroup("out h, w, c", [outS.height, outS.width, outS.channels]),
            ParameterGroup("kernel h, w", [w.kernelHeight, w.kernelWidth]),
            ParameterGroup("stride h, w", [w.strideHeight, w.strideWidth]),
            ParameterGroup("pad top, left", [w.padTop, w.padLeft]),
        ]
        if !depthwise { parameters.append(ParameterGroup("groups, channel block", [conv.groups, block])) }
        parameters += [
            ParameterGroup("in zero, out zero", [Int(input.quant.zeroPoint), Int(output.quant.zeroPoint)]),
            ParameterGroup.clamp(conv.clamp),
            ParameterGroup("interior rows", [rows.lowerBound, rows.upperBound]),
            ParameterGroup("interior columns", [columns.lowerBound, columns.upperBound]),
        ]
        let call = KernelCall(kernel: depthwise ? "dwconv2d_s8" : "conv2d_s8", input: buffers.input, output: buffers.output,
                              tables: tables.map(\.name), parameters: parameters)
        return (call, tables)
    }

    /// `[out][k_h][k_w][1]` → `[k_h][k_w][out]`.
    private static func transposedToTapsFirst(_ weights: [Int8], outputs: Int) -> [Int8] {
        let taps = weights.count / outputs
        var result = weights
        for o in 0..<outputs {
            for t in 0..<taps {
                result[t * outputs + o] = weights[o * taps + t]
            }
        }
        return result
    }
}
