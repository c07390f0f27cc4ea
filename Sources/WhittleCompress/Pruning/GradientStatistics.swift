import WhittleNN
import WhittleTensor

/// Per-weight gradient statistics over a number of batches, for the `gradient` and `obd`
/// criteria: the mean of |g| and the mean of g², g being the gradient of one batch's mean loss.
///
/// The mean of g² over batches is the diagonal of the empirical Fisher information computed
/// from batch gradients; OBD uses it as its Hessian diagonal h_ii (the Fisher equals the
/// Hessian of the cross-entropy at a well-fitted model, and is never negative).
public struct GradientStatistics {
    public private(set) var batches = 0
    private var sumAbs: [String: [Float]] = [:]
    private var sumSquares: [String: [Float]] = [:]

    public init() {}

    /// Adds the gradients the layers' weights hold now (call after a backward pass).
    public mutating func accumulate(_ layers: [PrunableLayer]) {
        for layer in layers {
            let g = layer.weight.grad.storage
            var abs = sumAbs[layer.weightName] ?? [Float](repeating: 0, count: g.count)
            var squares = sumSquares[layer.weightName] ?? abs
            for i in 0..<g.count { abs[i] += Swift.abs(g[i]); squares[i] += g[i] * g[i] }
            sumAbs[layer.weightName] = abs
            sumSquares[layer.weightName] = squares
        }
        batches += 1
    }

    public func meanAbsolute(_ weightName: String) -> [Float]? { sumAbs[weightName].map { $0.map { $0 / Float(max(batches, 1)) } } }
    public func meanSquare(_ weightName: String) -> [Float]? { sumSquares[weightName].map { $0.map { $0 / Float(max(batches, 1)) } } }

    /// Runs `batches` batches of `data` (in a seeded order) forward and backward without touching
    /// the weights; BatchNorm running statistics are restored afterwards.
    public static func collect(_ graph: Graph, layers: [PrunableLayer], data: Dataset, batches: Int, batchSize: Int,
                               seed: UInt64, loss: Loss = .crossEntropy) -> GradientStatistics {
        let saved = graph.nodes.compactMap { node in node.layer.map { layer in (layer, layer.buffers) } }
        defer { for (layer, buffers) in saved { for (name, t) in buffers { layer.setBuffer(name, t) } } }
        var shuffle: RNG? = RNG(seed: seed).derived("prune.scores")
        let order = data.batchOrder(batchSize: batchSize, shuffle: &shuffle)
        var stats = GradientStatistics()
        for indices in order.prefix(batches) {
            let (x, labels) = data.batch(indices)
            graph.zeroGrad()
            graph.forward(x, mode: .train)
            let scored = graph.lossNode(onLogits: loss.readsLogits)
            graph.backward(loss.evaluate(logits: graph.output(of: scored, input: x), labels: labels).gradient, from: scored)
            stats.accumulate(layers)
        }
        graph.zeroGrad()
        return stats
    }
}
