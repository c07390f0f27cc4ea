import WhittleTensor

/// Batch normalisation over the channel axis of [N, C] (BatchNorm1d) or [N, C, H, W]
/// (BatchNorm2d) input, with PyTorch's conventions: biased batch variance to normalise,
/// unbiased variance into the running estimate, momentum 0.1, eps 1e-5.
public final class BatchNorm: LayerBase, Layer {
    public let channels: Int
    public let spatial: Bool          // true: BatchNorm2d
    public let eps: Float, momentum: Float
    public let weight: Parameter      // γ
    public let bias: Parameter        // β
    public private(set) var runningMean: Tensor
    public private(set) var runningVar: Tensor
    public private(set) var batchesTracked: Float = 0

    private var normalized: [Float] = []
    private var inverseStd: [Float] = []

    public init(channels: Int, spatial: Bool, eps: Float = 1e-5, momentum: Float = 0.1) {
        self.channels = channels; self.spatial = spatial; self.eps = eps; self.momentum = momentum
        weight = Parameter(Tensor(shape: [channels], repeating: 1))
        bias = Parameter(Tensor(shape: [channels]))
        runningMean = Tensor(shape: [channels])
        runningVar = Tensor(shape: [channels], repeating: 1)
    }

    public var kind: String { spatial ? "batchnorm2d" : "batchnorm1d" }

    public var parameters: [(name: String, parameter: Parameter)] { [("weight", weight), ("bias", bias)] }

    public var buffers: [(name: String, tensor: Tensor)] {
        [("running_mean", runningMean), ("running_var", runningVar),
         ("num_batches_tracked", Tensor(shape: [], storage: [batchesTracked]))]
    }

    public func setBuffer(_ name: String, _ tensor: Tensor) {
        switch name {
        case "running_mean": runningMean = tensor
        case "running_var": runningVar = tensor
        case "num_batches_tracked": batchesTracked = tensor.storage.first ?? 0
        default: break
        }
    }

    public func outputShape(for input: [Int]) throws -> [Int] {
        let expected = spatial ? 3 : 1
        guard input.count == expected else {
            throw ShapeError("\(kind) expects a \(spatial ? "[channels, height, width]" : "[features]") input, got shape \(input)")
        }
        guard input[0] == channels else { throw ShapeError("expects \(channels) channels, got \(input[0])") }
        return input
    }

    /// Per-channel scale and shift that evaluation mode applies: y = x·scale + shift.
    public var evalAffine: (scale: [Float], shift: [Float]) {
        var scale = [Float](repeating: 0, count: channels), shift = scale
        for c in 0..<channels {
            scale[c] = weight.value.storage[c] / (runningVar.storage[c] + eps).squareRoot()
            shift[c] = bias.value.storage[c] - runningMean.storage[c] * scale[c]
        }
        return (scale, shift)
    }

    public func forward(_ x: Tensor, mode: Mode) -> Tensor {
        let n = x.shape[0], size = x.count / (n * channels)
        var y = x
        if mode == .eval {
            let (scale, shift) = evalAffine
            y.withUnsafeMutablePointer { p in
                for i in 0..<n { for c in 0..<channels {
                    let base = p + (i * channels + c) * size
                    for s in 0..<size { base[s] = base[s] * scale[c] + shift[c] }
                }}
            }
            return y
        }
        let count = Double(n * size)
        normalized = [Float](repeating: 0, count: x.count)
        inverseStd = [Float](repeating: 0, count: channels)
        x.withUnsafePointer { xp in y.withUnsafeMutablePointer { yp in
            for c in 0..<channels {
                var sum = 0.0, sumSq = 0.0
                for i in 0..<n { let b = xp + (i * channels + c) * size; for s in 0..<size { sum += Double(b[s]) } }
                let mean = sum / count
                for i in 0..<n { let b = xp + (i * channels + c) * size; for s in 0..<size { let d = Double(b[s]) - mean; sumSq += d * d } }
                let variance = sumSq / count
                let inv = Float(1 / (variance + Double(eps)).squareRoot())
                inverseStd[c] = inv
                let gamma = weight.value.storage[c], beta = bias.value.storage[c], m = Float(mean)
                for i in 0..<n {
                    let off = (i * channels + c) * size
                    for s in 0..<size {
                        let h = (xp[off + s] - m) * inv
                        normalized[off + s] = h
                        yp[off + s] = gamma * h + beta
                    }
                }
                let unbiased = count > 1 ? variance * count / (count - 1) : variance
                runningMean.storage[c] = (1 - momentum) * runningMean.storage[c] + momentum * m
                runningVar.storage[c] = (1 - momentum) * runningVar.storage[c] + momentum * Float(unbiased)
            }
        }}
        batchesTracked += 1
        return y
    }

    public func backward(_ gradOutput: Tensor) -> Tensor {
        let n = gradOutput.shape[0], size = gradOutput.count / (n * channels)
        let count = Float(n * size)
        var dx = Tensor(shape: gradOutput.shape)
        gradOutput.withUnsafePointer { gp in dx.withUnsafeMutablePointer { dxp in
            for c in 0..<channels {
                var sumDy: Float = 0, sumDyH: Float = 0
                for i in 0..<n {
                    let off = (i * channels + c) * size
                    for s in 0..<size { sumDy += gp[off + s]; sumDyH += gp[off + s] * normalized[off + s] }
                }
                bias.grad.storage[c] += sumDy
                weight.grad.storage[c] += sumDyH
                let k = weight.value.storage[c] * inverseStd[c]
                let meanDy = sumDy / count, meanDyH = sumDyH / count
                for i in 0..<n {
                    let off = (i * channels + c) * size
                    for s in 0..<size { dxp[off + s] = k * (gp[off + s] - meanDy - normalized[off + s] * meanDyH) }
                }
            }
        }}
        return dx
    }
}
