import WhittleTensor

/// y = x · Wᵀ + b, with W stored [out, in] as in PyTorch.
public final class Linear: LayerBase, Layer {
    public let inFeatures, outFeatures: Int
    public let weight: Parameter
    public let bias: Parameter?
    private var input = Tensor(shape: [0])

    public init(inFeatures: Int, outFeatures: Int, bias: Bool = true, rng: inout RNG) {
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
        weight = Parameter(Initialization.uniformFanIn(shape: [outFeatures, inFeatures], fanIn: inFeatures, rng: &rng))
        self.bias = bias ? Parameter(Initialization.uniformFanIn(shape: [outFeatures], fanIn: inFeatures, rng: &rng)) : nil
    }

    public var kind: String { "linear" }

    public var parameters: [(name: String, parameter: Parameter)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    public func outputShape(for input: [Int]) throws -> [Int] {
        guard input.count == 1 else { throw ShapeError("expects a flat input of \(inFeatures) features, got shape \(input) (add a flatten layer)") }
        guard input[0] == inFeatures else { throw ShapeError("expects \(inFeatures) input features, got \(input[0])") }
        return [outFeatures]
    }

    public func macs(for input: [Int]) -> Int { inFeatures * outFeatures }

    public func forward(_ x: Tensor, mode: Mode) -> Tensor {
        let n = x.shape[0]
        if mode == .train { input = x }
        var y = Tensor(shape: [n, outFeatures])
        if let b = bias {
            y.withUnsafeMutablePointer { yp in
                for i in 0..<n { for j in 0..<outFeatures { yp[i * outFeatures + j] = b.value.storage[j] } }
            }
        }
        let beta: Float = bias == nil ? 0 : 1
        x.withUnsafePointer { xp in weight.value.withUnsafePointer { wp in y.withUnsafeMutablePointer { yp in
            GemmRows.multiply(transB: true, m: n, n: outFeatures, k: inFeatures,
                              a: xp, lda: inFeatures, b: wp, ldb: inFeatures, beta: beta, c: yp, ldc: outFeatures)
        }}}
        return y
    }

    public func backward(_ gradOutput: Tensor) -> Tensor {
        let n = gradOutput.shape[0]
        gradOutput.withUnsafePointer { gp in
            input.withUnsafePointer { xp in weight.grad.withUnsafeMutablePointer { dw in
                // dW[out×in] += dYᵀ · X
                GemmRows.multiply(transA: true, m: outFeatures, n: inFeatures, k: n,
                                  a: gp, lda: outFeatures, b: xp, ldb: inFeatures, beta: 1, c: dw, ldc: inFeatures)
            }}
            if let b = bias {
                b.grad.withUnsafeMutablePointer { db in
                    for i in 0..<n { for j in 0..<outFeatures { db[j] += gp[i * outFeatures + j] } }
                }
            }
        }
        guard needsInputGradient else { return Tensor(shape: [0]) }
        var dx = Tensor(shape: [n, inFeatures])
        gradOutput.withUnsafePointer { gp in weight.value.withUnsafePointer { wp in dx.withUnsafeMutablePointer { dxp in
            GemmRows.multiply(m: n, n: inFeatures, k: outFeatures,
                              a: gp, lda: outFeatures, b: wp, ldb: inFeatures, beta: 0, c: dxp, ldc: inFeatures)
        }}}
        return dx
    }
}
