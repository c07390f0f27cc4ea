import WhittleIR

/// The `fold-max-pool` rewrite: a max pool whose windows tile its conv's output (kernel = stride,
/// no padding, no clamp of its own) becomes the conv's `pool`, so the conv's full-resolution
/// output is never stored and only one accumulator per pool window is requantized (exact: see
/// `FoldedMaxPool`). Folded when the conv's output is read by the pool alone and is not the graph
/// output, and the kernel the target would pick for the conv has the pooled output stage.
enum MaxPoolFolding {
    static func apply(_ graph: QGraph, profile: KernelProfile) -> QGraph {
        var readers = [Int](repeating: 0, count: graph.tensors.count)
        for node in graph.nodes { node.inputs.forEach { readers[$0] += 1 } }
        let producers = graph.producers
        var result = graph
        var folded = Set<Int>()
        for (p, pool) in graph.nodes.enumerated() {
            guard case .maxPool(let window) = pool.op, window.clamp == .int8, tiles(window.window) else { continue }
            let tensor = pool.inputs[0]
            guard tensor != graph.output, readers[tensor] == 1, let c = producers[tensor],
                  case .conv2d(var conv) = result.nodes[c].op, conv.pool == nil else { continue }
            conv.pool = FoldedMaxPool(name: pool.name, height: window.window.kernelHeight, width: window.window.kernelWidth)
            // The kernel the conv would take with the pool folded must have the pooled output stage.
            guard Conv2DLowering.kernel(conv, input: graph.tensors[graph.nodes[c].inputs[0]], profile: profile).foldsMaxPool else { continue }
            result.nodes[c].op = .conv2d(conv)
            result.nodes[c].output = pool.output
            folded.insert(p)
        }
        guard !folded.isEmpty else { return graph }
        result.nodes = result.nodes.enumerated().filter { !folded.contains($0.offset) }.map(\.element)
        return result.removingUnusedTensors()
    }

    /// Non-overlapping windows without padding.
    private static func tiles(_ w: Window2D) -> Bool {
        w.kernelHeight == w.strideHeight && w.kernelWidth == w.strideWidth
            && w.padTop == 0 && w.padLeft == 0 && w.padBottom == 0 && w.padRight == 0
    }
}
