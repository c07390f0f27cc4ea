import WhittleIR

/// The calls of the ops without weights that keep no window: `softmax_s8`, `mean_s8` and
/// `pad_s8`, each its shapes and integer parameters in its struct. No tables.
enum TablelessLowering {
    /// One row per pixel, the channels its values.
    static func lower(_ softmax: Softmax, input: QTensor, buffers: (input: String, output: String)) -> KernelCall {
        let s = input.shape
        return KernelCall(kernel: KernelRegistry.softmax.name, inputs: [buffers.input], output: buffers.output, fields: [
            ParameterField("rows", s.height * s.width),
            ParameterField("depth", s.channels),
            ParameterField("input_multiplier", Int(softmax.inputMultiplier)),
            ParameterField("input_left_shift", Int(softmax.inputLeftShift)),
            ParameterField("diff_min", Int(softmax.diffMin)),
        ])
    }

    static func lower(_ mean: Mean, input: QTensor, output: QTensor, buffers: (input: String, output: String)) -> KernelCall {
        let s = input.shape
        return KernelCall(kernel: KernelRegistry.mean.name, inputs: [buffers.input], output: buffers.output, fields: [
            ParameterField("count", s.height * s.width),
            ParameterField("channels", s.channels),
            ParameterField("in_zero", Int(input.quant.zeroPoint)),
            ParameterField("out_zero", Int(output.quant.zeroPoint)),
            ParameterField("m0", Int(mean.multiplier.multiplier)),
            ParameterField("shift", Int(mean.multiplier.shift)),
        ])
    }

    static func lower(_ pad: Pad, input: QTensor, output: QTensor, buffers: (input: String, output: String)) -> KernelCall {
        let (i, o) = (input.shape, output.shape)
        return KernelCall(kernel: KernelRegistry.pad.name, inputs: [buffers.input], output: buffers.output, fields: [
            ParameterField("in_h", i.height), ParameterField("in_w", i.width), ParameterField("in_c", i.channels),
            ParameterField("out_h", o.height), ParameterField("out_w", o.width), ParameterField("out_c", o.channels),
            ParameterField("top", pad.top), ParameterField("left", pad.left),
            ParameterField("channels_before", pad.channelsBefore),
            ParameterField("zero", Int(output.quant.zeroPoint)),
        ])
    }
}
