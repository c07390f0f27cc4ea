import WhittleIR

/// The pass between the IR and the printer: picks a kernel for every node, lays out its
/// tables, names them, and resolves every tensor to a buffer expression from the memory plan.
/// The printer then only prints what this plan says.
public enum KernelPlanner {
    /// `profile`: the target's decisions (blocks, layouts), derived once from its descriptor.
    /// `graph` has been through the rewrites (folded max pools are part of their convs).
    public static func plan(_ graph: QGraph, memory: MemoryPlan, bounds: [AccumulatorBound], profile: KernelProfile) -> EmissionPlan {
        var identifiers = Set<String>()
        var steps: [PlanStep] = []
        var tables: [ConstantTable] = []
        var kernels: [Kernel] = []
        var layers: [LayerReport] = []
        var scratchBytes = 0
        for node in graph.nodes {
            let input = graph.tensors[node.inputs[0]]
            var output = graph.tensors[node.output]
            // A conv with a folded pool computes its own output shape and writes the pooled tensor.
            if case .conv2d(let conv) = node.op, conv.pool != nil, let convolved = conv.convolvedShape(input: input.shape) {
                output.shape = convolved
            }
            let buffers = (buffer(memory.placements[node.inputs[0]]), buffer(memory.placements[node.output]))
            let inputBuffers = node.inputs.map { buffer(memory.placements[$0]) }
            let identifier = CIdentifier.unique(node.name, taken: &identifiers)
            var call: KernelCall?
            var layerTables: [ConstantTable] = []
            var parameters = 0
            switch node.op {
            case .conv2d(let conv):
                (call, layerTables) = Conv2DLowering.lower(conv, identifier: identifier, input: input, output: output, buffers: buffers,
                                                           profile: profile)
                parameters = conv.weights.count + conv.bias.count
            case .fullyConnected(let fc):
                (call, layerTables) = FullyConnectedLowering.lower(fc, identifier: identifier, input: input, output: output, buffers: buffers,
                                                                   profile: profile)
                parameters = fc.weights.count + fc.bias.count
            case .maxPool(let pool):
                call = PoolLowering.lower(pool, kernel: KernelRegistry.maxPool, input: input, output: output, buffers: buffers)
            case .averagePool(let pool):
                call = PoolLowering.lower(pool, kernel: KernelRegistry.averagePool, input: input, output: output, buffers: buffers)
            case .reshape:
                call = nil
            case .add(let add):
                call = AddLowering.lower(add, inputs: node.inputs.map { graph.tensors[$0] }, output: output,
                                         buffers: (inputBuffers, buffers.1))
            case .softmax(let softmax):
                call = TablelessLowering.lower(softmax, input: input, buffers: buffers)
            case .mean(let mean):
                call = TablelessLowering.lower(mean, input: input, output: output, buffers: buffers)
            case .pad(let pad):
                call = TablelessLowering.lower(pad, input: input, output: output, buffers: buffers)
            }
            if let name = call?.kernel, let kernel = KernelRegistry.named(name), !kernels.contains(kernel) { kernels.append(kernel) }
            scratchBytes = max(scratchBytes, call?.scratchBytes ?? 0)
            tables += layerTables
            steps.append(PlanStep(comment: summary(node, input, output), call: call, identifier: identifier))
            let macs = multiplyAccumulates(node.op, input: input.shape, output: output.shape)
            let footprint = LayerFootprint.of(node, in: graph)
            let constantBytes = layerTables.map(\.byteCount).reduce(0, +)
            layers.append(LayerReport(
                name: node.name, op: node.op.kindName,
                kernel: call?.kernel ?? "alias", weightFormat: footprint?.format.name,
                density: footprint?.density, inputShape: dimensions(input.shape), outputShape: dimensions(output.shape),
                macs: macs, executedMacs: footprint?.executedMACs ?? macs,
                constantBytes: constantBytes, denseConstantBytes: footprint?.denseFlashBytes ?? constantBytes, parameters: parameters,
                accumulatorBound: bounds.first { $0.layer == node.name }?.worst))
            // The folded pool keeps its line in reports: no kernel of its own, no storage.
            if case .conv2d(let conv) = node.op, let pool = conv.pool {
                let pooled = graph.tensors[node.output].shape
                layers.append(LayerReport(name: pool.name, op: QOp.maxPool(Pool2D(window: pool.window)).kindName, kernel: "fused",
                                          weightFormat: nil, density: nil, inputShape: dimensions(output.shape), outputShape: dimensions(pooled),
                                          macs: 0, executedMacs: 0, constantBytes: 0, denseConstantBytes: 0, parameters: 0, accumulatorBound: nil))
            }
        }
        // Whole int32 words, so the decoded tap offsets at its start are aligned.
        return EmissionPlan(steps: steps, tables: tables, kernels: KernelRegistry.files(for: kernels).kernels.map(\.name), memory: memory,
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
            if let pool = conv.pool { text += ", max pool '\(pool.name)' \(pool.height)x\(pool.width) folded into the output stage" }
        case .fullyConnected(let fc):
            text += ", clamp \(fc.clamp.min)..\(fc.clamp.max)"
        case .maxPool(let pool), .averagePool(let pool):
            text += ", \(windowText(pool.window)), clamp \(pool.clamp.min)..\(pool.clamp.max)"
        case .reshape:
            text += ", an alias of '\(input.name)' (no copy)"
        case .add(let add):
            text += ", clamp \(add.clamp.min)..\(add.clamp.max)"
        case .softmax(let softmax):
            text += ", beta \(softmax.beta), output scale 1/256, zero point -128"
        case .mean(let mean):
            text += ", over height and width (keep_dims \(mean.keepDims))"
        case .pad(let pad):
            text += ", top \(pad.top) bottom \(pad.bottom) left \(pad.left) right \(pad.right), channels \(pad.channelsBefore) before \(pad.channelsAfter) after"
        }
        return text
    }

    private static func windowText(_ w: Window2D) -> String {
        "kernel \(w.kernelHeight)x\(w.kernelWidth), stride \(w.strideHeight)x\(w.strideWidth), pad \(w.padTop)/\(w.padLeft)/\(w.padBottom)/\(w.padRight)"
    }
}
