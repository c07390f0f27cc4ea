import WhittleIR

/// Folds a max pool into the conv that feeds it, so the conv's full-resolution output is never
/// stored and only one accumulator in each pool window is requantized.
///
/// Exact, not approximate: requantization (a positive multiplier, rounding shifts, the zero point,
/// the clamp) never decreases as the accumulator grows, so the largest requantized value of a
/// window is the requantized largest accumulator, and a max pool keeps its input's quantization
/// (the verifier checks that). Fused when the pool windows tile the conv output without padding or
/// overlap (kernel = stride), the pool has no clamp of its own, the conv's output is read by the
/// pool alone and is not the graph output, and the conv's kernel has the pooled output stage.
public struct MaxPoolFusion: Hashable, Sendable {
    /// Conv node index → the index of the max pool folded into it.
    public private(set) var poolOfConv: [Int: Int] = [:]

    /// Conv kernels with the pooled output stage (`pool_h, pool_w` parameters).
    static let poolingKernels: Set<String> = ["conv2d_s8", "conv2d_s8_dsp", "conv2d_s8_sparse", "conv2d_s8_bitmap", "conv2d_s8_nm",
                                              "conv2d_s8_indexed"]

    public init(_ graph: QGraph, profile: KernelProfile) {
        var readers = [Int](repeating: 0, count: graph.tensors.count)
        for node in graph.nodes { node.inputs.forEach { readers[$0] += 1 } }
        for (p, pool) in graph.nodes.enumerated() {
            guard case .maxPool(let window) = pool.op, window.clamp == .int8, Self.tiles(window.window) else { continue }
            let tensor = pool.inputs[0]
            guard tensor != graph.output, readers[tensor] == 1,
                  let c = graph.nodes.firstIndex(where: { $0.output == tensor }),
                  case .conv2d(let conv) = graph.nodes[c].op,
                  Self.poolingKernels.contains(Conv2DLowering.kernel(conv, input: graph.tensors[graph.nodes[c].inputs[0]], profile: profile))
            else { continue }
            poolOfConv[c] = p
        }
    }

    /// Non-overlapping windows without padding.
    private static func tiles(_ w: Window2D) -> Bool {
        w.kernelHeight == w.strideHeight && w.kernelWidth == w.strideWidth
            && w.padTop == 0 && w.padLeft == 0 && w.padBottom == 0 && w.padRight == 0
    }

    /// The graph the memory planner sees: each fused conv writes its pool's output and the pool
    /// node is gone, so the conv's own output needs no storage.
    public func graphForMemory(_ graph: QGraph) -> QGraph {
        guard !poolOfConv.isEmpty else { return graph }
        var result = graph
        let folded = Set(poolOfConv.values)
        result.nodes = graph.nodes.enumerated().compactMap { index, node in
            if folded.contains(index) { return nil }
            var node = node
            if let p = poolOfConv[index] { node.output = graph.nodes[p].output }
            return node
        }
        return result
    }

    /// The conv that max pool node `index` is folded into, if any.
    public func conv(ofPool index: Int) -> Int? {
        poolOfConv.first { $0.value == index }?.key
    }

    /// The pool window folded into conv node `index`, if any.
    public func pool(ofConv index: Int, in graph: QGraph) -> Window2D? {
        guard let p = poolOfConv[index], case .maxPool(let pool) = graph.nodes[p].op else { return nil }
        return pool.window
    }
}
