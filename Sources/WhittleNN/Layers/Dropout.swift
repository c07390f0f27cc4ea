import WhittleTensor

/// Inverted dropout: in training, zero each element with probability p and scale the rest by
/// 1/(1−p); identity in evaluation. Draws from its own seeded stream.
public final class Dropout: LayerBase, Layer {
    public let p: Float
    private var rng: RNG
    private var mask: [Float] = []

    public init(p: Float, rng: RNG) {
        self.p = p
        self.rng = rng
    }

    public var kind: String { "dropout" }
    public func outputShape(for input: [Int]) throws -> [Int] { input }

    public func forward(_ x: Tensor, mode: Mode) -> Tensor {
        guard mode == .train, p > 0 else { return x }
        let keep = 1 - p, scale = 1 / keep
        mask = (0..<x.count).map { _ in rng.uniform() < keep ? scale : 0 }
        var y = x
        for i in 0..<y.count { y.storage[i] *= mask[i] }
        return y
    }

    public func backward(_ gradOutput: Tensor) -> Tensor {
        guard !mask.isEmpty else { return gradOutput }
        var g = gradOutput
        for i in 0..<g.count { g.storage[i] *= mask[i] }
        return g
    }
}
