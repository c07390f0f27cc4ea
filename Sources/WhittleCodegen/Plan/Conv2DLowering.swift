import WhittleIR

/// Chooses the kernel for a `Conv2D` and lays out its tables: by the weights' storage,
/// `conv2d_s8_sparse` (index-sparse; `conv2d_s8_indexed` with ready taps when the profile says
/// so and each filter's tap count fits 16 bits), `conv2d_s8_bitmap` or `conv2d_s8_nm` (N:M);
/// dense weights take `dwconv2d_s8` when depthwise (one input channel per group) and
/// `conv2d_s8` otherwise, or their `_dsp` twins when the profile says so — where an ungrouped
/// conv without a folded pool takes the matrix-product kernel `conv2d_s8_mm`.
enum Conv2DLowering {
    static func isDepthwise(_ conv: Conv2D, input: QTensor) -> Bool {
        conv.groups > 1 && conv.groups == input.shape.channels
    }

    /// The kernel `lower` picks.
    static func kernel(_ conv: Conv2D, input: QTensor, profile: KernelProfile) -> Kernel {
        switch conv.weights {
        case .dense:
            if isDepthwise(conv, input: input) { return profile.kernel(KernelRegistry.depthwiseConv2d) }
            let kernel = profile.kernel(KernelRegistry.conv2d)
            return kernel == KernelRegistry.conv2dDSP && conv.groups == 1 && conv.pool == nil ? KernelRegistry.conv2dMatrix : kernel
        case .indexSparse: return fitsIndexedCounts(conv, input: input) ? profile.kernel(KernelRegistry.conv2dSparse) : KernelRegistry.conv2dSparse
        case .bitmap: return KernelRegistry.conv2dBitmap
        case .nm: return KernelRegistry.conv2dNM
        }
    }

    /// `conv2d_s8_indexed` counts each filter's taps in 16 bits: a filter of more weights takes
    /// the gap-decoding kernel instead.
    private static func fitsIndexedCounts(_ conv: Conv2D, input: QTensor) -> Bool {
        conv.window.kernelHeight * conv.window.kernelWidth * (input.shape.channels / conv.groups) <= Int(UInt16.max)
    }

    static func lower(_ conv: Conv2D, identifier: String, input: QTensor, output: QTensor,
                      buffers: (input: String, output: String), profile: KernelProfile) -> (KernelCall, [ConstantTable]) {
        let (inS, outS, w) = (input.shape, output.shape, conv.window)
        let kernel = kernel(conv, input: input, profile: profile)
        let depthwise = kernel == profile.kernel(KernelRegistry.depthwiseConv2d)
        let wordLayout = kernel == KernelRegistry.conv2dDSP
        let matrix = kernel == KernelRegistry.conv2dMatrix
        // conv2d_s8_mm multiplies only the output channels with weights, in pairs, in
        // `channels.order`, over columns of the input channels some filter reads.
        let channels = matrix ? ChannelBlocking.matrixChannels(conv.weights.denseValues, outputs: outS.channels, inputChannels: inS.channels)
            : ChannelBlocking.MatrixChannels(order: [], live: 0, inputs: nil)
        let columnChannels = channels.columnChannels(inputChannels: inS.channels)
        let depth = (w.kernelHeight * w.kernelWidth * columnChannels + 3) / 4 * 4
        func pairWords(_ weights: [Int8]) -> [Int8] {
            var rows = ChannelBlocking.rows(weights, outputs: outS.channels, order: channels.order.prefix(channels.live))
            if let inputs = channels.inputs { rows = ChannelBlocking.keepingInputs(rows, inputChannels: inS.channels, inputs: inputs) }
            return ChannelBlocking.pairWords(rows, outputs: channels.live, depth: depth)
        }
        let block = ChannelBlocking.block(outputsPerGroup: outS.channels / conv.groups, limit: profile.channelBlock)
        // Depthwise kernels read [k_h][k_w][out_c] so their channel loop is contiguous; the
        // grouped kernel reads `block` interleaved filters front to back, conv2d_s8_dsp in words
        // of runs of contiguous input (a filter row, or one tap of a group).
        let groupInputs = inS.channels / conv.groups
        let run = conv.groups == 1 ? w.kernelWidth * groupInputs : groupInputs
        var tables = AffineTables.tables(
            for: identifier, weights: conv.weights,
            denseLayout: { depthwise ? transposedToTapsFirst($0, outputs: outS.channels)
                         : matrix ? pairWords($0)
                         : wordLayout ? ChannelBlocking.interleaveWords($0, outputs: outS.channels, block: block, run: run)
                         : ChannelBlocking.interleave($0, outputs: outS.channels, block: block) },
            bias: conv.bias, requantization: conv.requantization, inputZero: input.quant.zeroPoint)
        let parameters = ConvParameters(conv: conv, input: input, output: output, pool: conv.pool?.window)
        var fields: [ParameterField]
        var tableArguments: [String]?
        var scratch: ScratchUse?
        switch conv.weights {
        case .dense where matrix:
            fields = parameters.matrix(depth: depth, live: channels.live, columnChannels: columnChannels)
            scratch = kernel.scratch?.use([depth, outS.channels])
            // The output channel order only when some channel has no weights, the column's input
            // channels only when some are left out; else the kernel gets 0 for each.
            var arguments = [tables[0].name]
            if channels.live < outS.channels {
                tables.insert(ConstantTable(name: "\(identifier)_channels", values: .uint16(channels.order.map { UInt16($0) })), at: 1)
                arguments.append(tables[1].name)
            } else {
                arguments.append("0")
            }
            if let inputs = channels.inputs {
                let table = ConstantTable(name: "\(identifier)_inputs", values: .uint16(inputs.map { UInt16($0) }))
                tables.insert(table, at: tables.count - 3)
                arguments.append(table.name)
            } else {
                arguments.append("0")
            }
            tableArguments = arguments + tables.suffix(3).map(\.name)
        case .dense:
            fields = depthwise ? parameters.depthwise : parameters.dense(block: block)
        case .indexSparse where kernel == KernelRegistry.conv2dIndexed:
            // Positions only where some window leaves the input; elsewhere the kernel gets 0.
            tables.replaceSubrange(0..<3, with: indexedTables(identifier, conv, input: inS, outputs: outS.channels,
                                                              borders: parameters.hasBorders))
            tableArguments = tables.map(\.name)
            if !parameters.hasBorders { tableArguments?.insert("0", at: 1) }
            fields = parameters.gather(pixelBlock: profile.pixelBlock)
        case .indexSparse, .bitmap, .nm:
            let tapCapacity = AffineTables.mostNonzerosPerOutput(conv.weights.denseValues, outputs: outS.channels) + 1
            let window = w.kernelHeight * w.kernelWidth
            fields = parameters.decoding(pixelBlock: profile.pixelBlock, tapCapacity: tapCapacity)
            if case .nm(let nm) = conv.weights {
                fields += [ParameterField("n", nm.n), ParameterField("m", nm.m), ParameterField("index_bits", nm.indexBits),
                           ParameterField("groups_per_byte", nm.groupsPerIndexByte)]
                scratch = kernel.scratch?.use([tapCapacity, w.kernelHeight, w.kernelWidth, nm.m, nm.groupsPerIndexByte])
            } else {
                scratch = kernel.scratch?.use([tapCapacity, window])
            }
        }
        let call = KernelCall(kernel: kernel.name, inputs: [buffers.input], output: buffers.output,
                              tables: tableArguments ?? tables.map(\.name), scratch: scratch, fields: fields)
        return (call, tables)
    }

    /// A sparse conv's taps address the input from the window's top-left pixel in 16 bits
    /// (conv2d_s8_gather.c): the furthest weight of `conv` must lie within 65,535 bytes of it.
    static func checkTapReach(_ conv: Conv2D, name: String, input: TensorShape) throws {
        if case .dense = conv.weights { return }
        let w = conv.window
        let reach = ((w.kernelHeight - 1) * input.width + w.kernelWidth) * input.channels - 1
        if reach > Int(UInt16.max) {
            throw CodegenError("layer '\(name)': a sparse conv window reaches \(reach) bytes into its input, "
                               + "past the 65535 a sparse tap addresses; store this layer dense")
        }
    }

    /// `conv2d_s8_indexed`'s tables: per filter its taps (offset from the window's top-left
    /// pixel, channel included, in the high 16 bits; the weight in the low 16), per tap its ky
    /// and kx when some window leaves the input, and the count of each filter's taps.
    private static func indexedTables(_ identifier: String, _ conv: Conv2D, input: TensorShape, outputs: Int,
                                      borders: Bool) -> [ConstantTable] {
        let w = conv.window
        let groupInputs = input.channels / conv.groups, groupOutputs = outputs / conv.groups
        let perFilter = w.kernelHeight * w.kernelWidth * groupInputs
        let logical = conv.weights.denseValues
        var taps: [Int32] = [], positions: [UInt8] = [], counts: [UInt16] = []
        for o in 0..<outputs {
            let channel0 = (o / groupOutputs) * groupInputs
            var count = 0
            for i in 0..<perFilter where logical[o * perFilter + i] != 0 {
                let (spatial, channel) = i.quotientAndRemainder(dividingBy: groupInputs)
                let (ky, kx) = spatial.quotientAndRemainder(dividingBy: w.kernelWidth)
                let offset = (ky * input.width + kx) * input.channels + channel0 + channel
                taps.append(Int32(bitPattern: UInt32(offset) << 16 | UInt32(UInt16(bitPattern: Int16(logical[o * perFilter + i])))))
                positions += [UInt8(ky), UInt8(kx)]
                count += 1
            }
            counts.append(UInt16(count))
        }
        return [ConstantTable(name: "\(identifier)_taps", values: .int32(taps))]
            + (borders ? [ConstantTable(name: "\(identifier)_positions", values: .uint8(positions))] : [])
            + [ConstantTable(name: "\(identifier)_counts", values: .uint16(counts))]
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
