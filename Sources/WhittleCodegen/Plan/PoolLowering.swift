import WhittleIR

/// Max and average pooling calls (`maxpool_s8`, `avgpool_s8`); no tables.
enum PoolLowering {
    static func lower(_ pool: Pool2D, kernel: Kernel, input: QTensor, output: QTensor,
                      buffers: (input: String, output: String)) -> KernelCall {
        let (inS, outS, w) = (input.shape, output.shape, pool.window)
        return KernelCall(kernel: kernel.name, inputs: [buffers.input], output: buffers.output, tables: [], parameters: [
            ParameterGroup("in h, w, c", [inS.height, inS.width, inS.channels]),
            ParameterGroup("out h, w", [outS.height, outS.width]),
            ParameterGroup("kernel h, w", [w.kernelHeight, w.kernelWidth]),
            ParameterGroup("stride h, w", [w.strideHeight, w.strideWidth]),
            ParameterGroup("pad top, left", [w.padTop, w.padLeft]),
            ParameterGroup.clamp(pool.clamp),
        ])
    }
}
