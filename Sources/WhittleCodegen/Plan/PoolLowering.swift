import WhittleIR

/// Max and average pooling calls (`maxpool_s8`, `avgpool_s8`, both taking `whittle_pool.h`'s
/// parameters); no tables.
enum PoolLowering {
    static func lower(_ pool: Pool2D, kernel: Kernel, input: QTensor, output: QTensor,
                      buffers: (input: String, output: String)) -> KernelCall {
        let (inS, outS, w) = (input.shape, output.shape, pool.window)
        return KernelCall(kernel: kernel.name, inputs: [buffers.input], output: buffers.output, fields: [
            ParameterField("in_h", inS.height), ParameterField("in_w", inS.width), ParameterField("channels", inS.channels),
            ParameterField("out_h", outS.height), ParameterField("out_w", outS.width),
        ] + ParameterField.window(w) + ParameterField.clamp(pool.clamp))
    }
}
