import WhittleIR

/// Chooses the kernel for a `FullyConnected` by its weights' storage and lays out its tables:
/// `fc_s8` with the rows of each block of outputs interleaved (dense; `fc_s8_dsp` in words of
/// four when the profile says so), `fc_s8_sparse` (index-sparse; `fc_s8_indexed` with a column
/// per value when the profile says so and its columns and counts fit 16 bits), `fc_s8_bitmap`
/// or `fc_s8_nm` (N:M, which copies its input to scratch widened to int32 and, when its groups
/// need it, reordered channels-first).
enum FullyConnectedLowering {
    static func lower(_ fc: FullyConnected, identifier: String, input: QTensor, output: QTensor,
                      buffers: (input: String, output: String), profile: KernelProfile) -> (KernelCall, [ConstantTable]) {
        let outputs = output.shape.elementCount, inputs = input.shape.elementCount
        let block = ChannelBlocking.block(outputsPerGroup: outputs, limit: profile.channelBlock)
        let denseKernel = profile.kernel(KernelRegistry.fullyConnected)
        var tables = AffineTables.tables(for: identifier, weights: fc.weights,
                                         denseLayout: { denseKernel == KernelRegistry.fullyConnectedDSP ? ChannelBlocking.interleaveWords($0, outputs: outputs, block: block, run: inputs)
                                                                     : ChannelBlocking.interleave($0, outputs: outputs, block: block) },
                                         bias: fc.bias, requantization: fc.requantization, inputZero: input.quant.zeroPoint)
        let kernel: Kernel
        var scratch: ScratchUse?
        // Every fully connected kernel's struct begins with the sizes and ends with the output stage.
        var fields = [ParameterField("in_size", inputs), ParameterField("out_size", outputs)]
        switch fc.weights {
        case .dense:
            kernel = denseKernel
            fields.append(ParameterField("block", block))
        case .indexSparse(let sparse) where profile.kernel(KernelRegistry.fullyConnectedSparse) == KernelRegistry.fullyConnectedIndexed
                                            && inputs <= Int(UInt16.max):
            kernel = KernelRegistry.fullyConnectedIndexed
            tables.replaceSubrange(0..<3, with: indexedTables(identifier, sparse.denseValues, outputs: outputs, inputs: inputs))
            fields.append(ParameterField("wide", inputs > 256 ? 1 : 0))
        case .indexSparse:
            kernel = KernelRegistry.fullyConnectedSparse
        case .bitmap:
            kernel = KernelRegistry.fullyConnectedBitmap
        case .nm(let nm):
            kernel = KernelRegistry.fullyConnectedNM
            // The input widened to int32 (reordered channels-first when the groups need it).
            scratch = kernel.scratch?.use([inputs])
            fields += [ParameterField("positions", nm.positions), ParameterField("channels", nm.channels),
                       ParameterField("n", nm.n), ParameterField("m", nm.m),
                       ParameterField("index_bits", nm.indexBits), ParameterField("groups_per_byte", nm.groupsPerIndexByte)]
        }
        fields += [ParameterField("out_zero", Int(output.quant.zeroPoint))] + ParameterField.clamp(fc.clamp)
        let call = KernelCall(kernel: kernel.name, inputs: [buffers.input], output: buffers.output, tables: tables.map(\.name),
                              scratch: scratch, fields: fields)
        return (call, tables)
    }

    /// `fc_s8_indexed`'s tables: the kept values, their columns (uint8, or uint16 past 256
    /// inputs) and the count of each output's values (uint16).
    private static func indexedTables(_ identifier: String, _ logical: [Int8], outputs: Int, inputs: Int) -> [ConstantTable] {
        var values: [Int8] = [], columns: [Int] = [], counts: [UInt16] = []
        for o in 0..<outputs {
            let row = logical[(o * inputs)..<((o + 1) * inputs)]
            let kept = row.indices.filter { row[$0] != 0 }
            values += kept.map { row[$0] }
            columns += kept.map { $0 - o * inputs }
            counts.append(UInt16(kept.count))
        }
        return [ConstantTable(name: "\(identifier)_values", values: .int8(values)),
                ConstantTable(name: "\(identifier)_columns", values: inputs > 256 ? .uint16(columns.map { UInt16($0) }) : .uint8(columns.map { UInt8($0) })),
                ConstantTable(name: "\(identifier)_counts", values: .uint16(counts))]
    }
}
