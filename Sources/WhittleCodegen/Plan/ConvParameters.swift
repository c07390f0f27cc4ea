import WhittleIR

/// The parameter structs of the conv kernels, field by field in the order the C declares them:
/// `conv2d_s8_params` (and `_dsp`), `dwconv2d_s8_params`, `conv2d_s8_gather_params` (the
/// indexed kernel's) and the decoding kernels' structs, which nest the gather's as `.gather`.
struct ConvParameters {
    let conv: Conv2D
    let input: QTensor
    let output: QTensor
    /// The max pool folded into the output stage (see MaxPoolFolding), nil without one.
    let pool: Window2D?

    private var inputShape: [ParameterField] {
        [ParameterField("in_h", input.shape.height), ParameterField("in_w", input.shape.width), ParameterField("in_c", input.shape.channels)]
    }

    private var outputShape: [ParameterField] {
        [ParameterField("out_h", output.shape.height), ParameterField("out_w", output.shape.width),
         ParameterField("out_c", output.shape.channels)]
    }

    /// `in_zero, out_zero, act_min, act_max`.
    private var quantization: [ParameterField] {
        [ParameterField("in_zero", Int(input.quant.zeroPoint)), ParameterField("out_zero", Int(output.quant.zeroPoint))]
            + ParameterField.clamp(conv.clamp)
    }

    private var interiorRows: Range<Int> {
        conv.window.interiorRows(inputHeight: input.shape.height, outputHeight: output.shape.height)
    }

    private var interiorColumns: Range<Int> {
        conv.window.interiorColumns(inputWidth: input.shape.width, outputWidth: output.shape.width)
    }

    /// Whether some output pixel's window leaves the input (only with padding).
    var hasBorders: Bool {
        interiorRows != 0..<output.shape.height || interiorColumns != 0..<output.shape.width
    }

    /// `y_begin, y_end, x_begin, x_end`: the output pixels whose every tap lies inside the input.
    private var interior: [ParameterField] {
        [ParameterField("y_begin", interiorRows.lowerBound), ParameterField("y_end", interiorRows.upperBound),
         ParameterField("x_begin", interiorColumns.lowerBound), ParameterField("x_end", interiorColumns.upperBound)]
    }

    /// `pool_h, pool_w`: the pooled output stage; 1 x 1 writes the conv output itself.
    private var pooling: [ParameterField] {
        [ParameterField("pool_h", pool?.kernelHeight ?? 1), ParameterField("pool_w", pool?.kernelWidth ?? 1)]
    }

    /// `conv2d_s8` and `conv2d_s8_dsp`, computing `block` output channels at once.
    func dense(block: Int) -> [ParameterField] {
        inputShape + outputShape + ParameterField.window(conv.window)
            + [ParameterField("groups", conv.groups), ParameterField("block", block)] + quantization + interior + pooling
    }

    /// `conv2d_s8_mm`: `depth` values per column; `direct` when a column is an input pixel's
    /// channels (1x1, stride 1, no padding, whole words, none left out); `live` output channels
    /// with weights, the rest computing their bias alone, and `in_live` input channels per tap in
    /// a column (`ChannelBlocking.matrixChannels`).
    func matrix(depth: Int, live: Int, columnChannels: Int) -> [ParameterField] {
        let w = conv.window
        let direct = w.kernelHeight == 1 && w.kernelWidth == 1 && w.strideHeight == 1 && w.strideWidth == 1
            && [w.padTop, w.padLeft, w.padBottom, w.padRight].allSatisfy { $0 == 0 } && input.shape.channels % 4 == 0
            && columnChannels == input.shape.channels
        return inputShape + outputShape
            + [ParameterField("k_h", w.kernelHeight), ParameterField("k_w", w.kernelWidth),
               ParameterField("stride_h", w.strideHeight), ParameterField("stride_w", w.strideWidth),
               ParameterField("pad_top", w.padTop), ParameterField("pad_left", w.padLeft),
               ParameterField("depth", depth), ParameterField("direct", direct ? 1 : 0), ParameterField("live", live),
               ParameterField("in_live", columnChannels)] + quantization
    }

    /// `dwconv2d_s8` and `dwconv2d_s8_dsp`.
    var depthwise: [ParameterField] {
        inputShape + [ParameterField("out_h", output.shape.height), ParameterField("out_w", output.shape.width),
                      ParameterField("depth_multiplier", output.shape.channels / input.shape.channels)]
            + ParameterField.window(conv.window) + quantization + interior
    }

    /// `conv2d_s8_gather` over ready taps (`conv2d_s8_indexed`): no kernel size or groups, the
    /// taps' offsets say it all; tiles of `pixelBlock` conv pixels.
    func gather(pixelBlock: Int) -> [ParameterField] {
        inputShape + outputShape + ParameterField.stepping(conv.window) + [ParameterField("pixel_block", pixelBlock)]
            + quantization + interior + pooling
    }

    /// A kernel that decodes each filter into `tapCapacity` scratch taps first: the gather's
    /// fields as `.gather`, then the window and groups it decodes through.
    func decoding(pixelBlock: Int, tapCapacity: Int) -> [ParameterField] {
        gather(pixelBlock: pixelBlock).map { $0.inside("gather") } + [
            ParameterField("k_h", conv.window.kernelHeight), ParameterField("k_w", conv.window.kernelWidth),
            ParameterField("groups", conv.groups), ParameterField("tap_capacity", tapCapacity),
        ]
    }
}
