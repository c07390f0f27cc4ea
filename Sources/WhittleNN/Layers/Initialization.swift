import WhittleTensor

/// PyTorch's default initialisation for Linear and Conv2d (kaiming_uniform with a = √5), which
/// amounts to U(−1/√fan_in, 1/√fan_in) for both weight and bias. Matching it keeps our
/// recipes comparable with PyTorch's.
enum Initialization {
    static func uniformFanIn(shape: [Int], fanIn: Int, rng: inout RNG) -> Tensor {
        let bound = 1 / Float(fanIn).squareRoot()
        return Tensor(shape: shape, storage: (0..<shape.reduce(1, *)).map { _ in rng.uniform(-bound, bound) })
    }
}
