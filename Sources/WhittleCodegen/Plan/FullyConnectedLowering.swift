import WhittleIR

/// Lays out a `FullyConnected` for `fc_s8`: the rows of each block of outputs interleaved.
enum FullyConnectedLowering {
    static func lower(_ fc: FullyConnected, identifier: String, input: QTensor, output: QTensor,
                      buffers: (input: String, output: String), channelBlock: Int) -> (KernelCall, [ConstantTable]) {
        let logical = fc.weights.denseValues
        let outputs = output.shape.elementCount
        let block = ChannelBlocking.block(outputsPerGroup: outputs, limit: channelBlock)
        let tables = AffineTables.tables(for: identifier, weights: ChannelBlocking.interleave(logical, outputs: outputs, block: block),
                                         logicalWeights: logical, bias: fc.bias,
                                         requantization: fc.requantization, inputZero: input.quant.zeroPoint)
        let call = KernelCall(kernel: "fc_s8", input: buffers.input, output: buffers.output, tables: tables.map(\.name),
                              parameters: [
                                  ParameterGroup("in size, out size, output block", [input.shape.elementCount, outputs, block]),
                                  ParameterGroup("out zero", [Int(output.quant.zeroPoint)]),
                                  ParameterGroup.clamp(fc.clamp),
                              ])
        return (call, tables)
    }
}
