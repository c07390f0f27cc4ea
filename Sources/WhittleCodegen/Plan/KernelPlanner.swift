import WhittleIR

/// The pass between the IR and the printer: picks a kernel for every node, lays out its
/// tables, names them, and resolves every tensor to a buffer expression from the memory plan.
/// The printer then only prints what this plan says.
public enum KernelPlanner {
    /// Kernel files a kernel calls into: included before it.
    static let dependencies = ["conv2d_s8_sparse": ["conv2d_s8_gather"], "conv2d_s8_bitmap": ["conv2d_s8_gather"],
                               // The DSP kernels take the generic ones' parameter structs (and the conv pixel loops).
                               "conv2d_s8_dsp": ["conv2d_s8"], "dwconv2d_s8_dsp": ["dwconv2d_s8"], "fc_s8_dsp": ["fc_s8"],
                               "conv2d_s8_nm": ["conv2d_s8_gather"], "conv2d_s8_indexed": ["conv2d_s8_gather"]]

    /// `profile`: the target's decisions (blocks, layouts), derived once from its descriptor.
    /// `fusion`: the max pools folded into their convs (`memory` is planned without their inputs).
    public static func plan(_ graph: QGraph, memory: MemoryPlan, bounds: [AccumulatorBound], profile: KernelProfile,
                            fusion: MaxPoolFusion) -> EmissionPlan {
        var identifiers = Set<String>()
        var steps: [PlanStep] = []
        var tables: [ConstantTable] = []
        var kernels: [String] = []
        var layers: [LayerReport] = []
        var scratchBytes = 0
        for (index, node) in graph.nodes.enumerated() {
            let input = graph.tensors[node.inputs[0]], output = graph.tensors[node.output]
            let foldedInto = fusion.conv(ofPool: index)
            // A fused conv writes where its pool's output lives.
            let written = fusion.poolOfConv[index].map { graph.nodes[$0].output } ?? node.output
            let buffers = (buffer(memory.placements[node.inputs[0]]), buffer(memory.placements[written]))
            let inputBuffers = node.inputs.map { buffer(memory.placements[$0]) }
            let identifier = CIdentifier.unique(node.name, taken: &identifiers)
            var call: KernelCall?
            var layerTables: [ConstantTable] = []
            var parameters = 0
            switch node.op {
            case .conv2d(let conv):
                (call, layerTables) = Conv2DLowering.lower(conv, identifier: identifier, input: input, output: output, buffers: buffers,
                                                           profile: profile, pool: fusion.pool(ofConv: index, in: graph))
                parameters = conv.weights.count + conv.bias.count
            case .fullyConnected(let fc):
                (call, layerTables) = FullyConnectedLowering.lower(fc, identifier: identifier, input: input, output: output, buffers: buffers,
                                                                   profile: profile)
                parameters = fc.weights.count + fc.bias.count
            case .maxPool(let pool):
                call = foldedInto != nil ? nil
                     : PoolLowering.lower(pool, kernel: "maxpool_s8", input: input, output: output, buffers: buffers)
            case .averagePool(let pool):
                call = PoolLowering.lower(pool, kernel: "avgpool_s8", input: input, output: output, buffers: buffers)
            case .reshape:
                call = nil
            case .add(let add):
                call = AddLowering.lower(add, inputs: node.inputs.map { graph.tensors[$0] }, output: output,
                                         buffers: (inputBuffers, buffers.1))
            }
            if let kernel = call?.kernel {
                for file in (dependencies[kernel] ?? []) + [kernel] where !kernels.contains(file) { kernels.append(file) }
            }
            scratchBytes = max(scratchBytes, call?.scratchBytes ?? 0)
            tables += layerTables
            var comment = summary(node, input, output)
            if let conv = foldedInto { comment = "\(node.name): max pool folded into the output stage of '\(graph.nodes[conv].name)'" }
            steps.append(PlanStep(comment: comment, call: call, identifier: identifier))
            let macs = multiplyAccumulates(node.op, input: input.shape, output: output.shape)
            let footprint = LayerFootprint.of(node, in: graph)
            let constantBytes = layerTables.map(\.byteCount).reduce(0, +)
            layers.append(LayerReport(
                name: node.name, op: node.op.kindName,
                kernel: call?.kernel ?? (foldedInto != nil ? "fused" : "alias"), weightFormat: footprint?.format.name,
                density: footprint?.density, inputShape: dimensions(input.shape), outputShape: dimensions(output.shape),
                macs: macs, executedMacs: footprint?.executedMACs ?? macs,
                constantBytes: constantBytes, denseConstantBytes: footprint?.denseFlashBytes ?? constantBytes, parameters: parameters,
                accumulatorBound: bounds.first { $0.layer == node.name }?.worst))
        }
        // Whole int32 words, so the decoded tap offsets at its start are aligned.
        return EmissionPlan(steps: steps, tables: tables, kernels: kernels, memory: memory,
                            scratchBytes: (scratchBytes + 3) / 4 * 4, layers: layers)
    }

    /// Multiply-accumulates per inference of one node.
    public static func multiplyAccumulates(_ op: QOp, input: TensorShape, output: TensorShape) -> Int {
        switch op {
        case .conv2d(let conv):
            return output.elementCount * conv.window.kernelHeight * conv.window.kernelWidth * (input.channels / conv.groups)
        case .fullyConnected:
            return input.elementCount * output.elementCount
        default: // ops without weights
            return 0
        }
    }

    private static func buffer(_ placement: MemoryPlan.Placement) -> String {
        switch placement {
        case .input: return "input"
        case .output: return "output"
        case .arena(let offset): return "arena + \(offset)"
        }
    }

    private static func dimensions(_ s: TensorShape) -> [Int] { [s.height, s.width, s.channels] }

    private static func summary(_ node: QNode, _ input: QTensor, _ output: QTensor) -> String {
        var text = "\(node.name): \(node.op.kindName) \(input.shape) -> \(output.shape)"
        switch node.op {
        case .conv2d(let conv):
            text += ", \(windowText(conv.window)), groups \(conv.groups), clamp \(conv.clamp.min)..\(conv.clamp.max)"
        case .fullyConnected(let fc):
            text += ", clamp \(fc.clamp.min)..\(fc.clamp.max)"
        case .maxPool(let pool), .averagePool(let pool):
            text += ", \(windowText(pool.window)), clamp \(pool.clamp.min)..\(pool.clamp.max)"
        case .reshape:
            text += ", an alias of '\(input.name)' (no copy)"
        case .add(let add):
            text += ", clamp \(add.clamp.min)..\(add.clamp.max)"
        }
        return text
    }

    private static func windowText(_ w: Window2D) -> String {
        "kernel \(w.kernelHeight)x\(w.kernelWidth), stride \(w.strideHeight)x\(w.strideWidth), pad \(w.padTop)/\(w.padLeft)/\(w.padBottom)/\(w.padRight)"
    }
}
