import WhittleIR

/// Chooses the kernel for a `FullyConnected` by its weights' storage and lays out its tables:
/// `fc_s8` with the rows of each block of outputs interleaved (dense; `fc_s8_dsp` in words of
/// four when the profile says so), `fc_s8_sparse`
/// (index-sparse), `fc_s8_bitmap` or `fc_s8_nm` (N:M, which copies its input to scratch widened to int32 and,
/// when its groups need it, reordered channels-first).
enum FullyConnectedLowering {
    static func lower(_ fc: FullyConnected, identifier: String, input: QTensor, output: QTensor,
                      buffers: (input: String, output: String), profile: KernelProfile) -> (KernelCall, [ConstantTable]) {
        let outputs = output.shape.elementCount, inputs = input.shape.elementCount
        let block = ChannelBlocking.block(outputsPerGroup: outputs, limit: profile.channelBlock)
        let tables = AffineTables.tables(for: identifier, weights: fc.weights,
                                         denseLayout: { profile.dsp ? ChannelBlocking.interleaveWords($0, outputs: outputs, block: block, run: inputs)
                                                                     : ChannelBlocking.interleave($0, outputs: outputs, block: block) },
                                         bias: fc.bias, requantization: fc.requantization, inputZero: input.quant.zeroPoint)
        let kernel: String
        var scratchBytes: Int?
        var parameters: [ParameterGroup]
        switch fc.weights {
        case .dense:
            kernel = profile.denseKernel("fc_s8")
            parameters = [ParameterGroup("in size, out size, output block", [inputs, outputs, block])]
        case .indexSparse:
            kernel = "fc_s8_sparse"
            parameters = [ParameterGroup("in size, out size", [inputs, outputs])]
        case .bitmap:
            kernel = "fc_s8_bitmap"
            parameters = [ParameterGroup("in size, out size", [inputs, outputs])]
        case .nm(let nm):
            kernel = "fc_s8_nm"
            // The input widened to int32 (reordered channels-first when the groups need it).
            scratchBytes = 4 * inputs
            parameters = [ParameterGroup("in size, out size", [inputs, outputs]),
                          ParameterGroup("positions, channels", [nm.positions, nm.channels]),
                          ParameterGroup("N, M, index bits, groups per byte", [nm.n, nm.m, nm.indexBits, nm.groupsPerIndexByte])]
        }
        parameters += [ParameterGroup("out zero", [Int(output.quant.zeroPoint)]), ParameterGroup.clamp(fc.clamp)]
        let call = KernelCall(kernel: kernel, input: buffers.input, output: buffers.output, tables: tables.map(\.name),
                              scratchBytes: scratchBytes, parameters: parameters)
        return (call, tables)
    }
}
