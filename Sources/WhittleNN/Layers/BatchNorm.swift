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

    /// The training batch's input, mean and 1/σ per channel, for backward (which recomputes
    /// the normalised values from them instead of storing a second activation-sized array).
    private var input = Tensor(shape: [0])
    private var batchMean: [Float] = []
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

    /// Per-channel sums over a batch of [n, channels, size] planes: `body(plane offset, channel)`
    /// gives one plane's pair of terms. Images run in `Parallel.reductionChunks` chunks, each
    /// walking its images' planes in memory order into its own partial sums, which are added in
    /// chunk order: the same bits on any core count.
    private func channelSums(_ n: Int, size: Int, _ body: (Int, Int) -> (Double, Double)) -> [(Double, Double)] {
        let chunks = Parallel.reductionChunks, channels = channels
        var partial = [Double](repeating: 0, count: chunks * channels * 2)
        partial.withUnsafeMutableBufferPointer { pb in
            let p = pb.baseAddress!
            Parallel.forEachIndexedChunk(n, chunks: chunks) { chunk, images in
                let sums = p + chunk * channels * 2
                for i in images {
                    for c in 0..<channels {
                        let (a, b) = body((i * channels + c) * size, c)
                        sums[2 * c] += a; sums[2 * c + 1] += b
                    }
                }
            }
        }
        return (0..<channels).map { c in
            var a = 0.0, b = 0.0
            for chunk in 0..<chunks { a += partial[(chunk * channels + c) * 2]; b += partial[(chunk * channels + c) * 2 + 1] }
            return (a, b)
        }
    }

    /// Calls `body(plane offset, channel)` for every plane, in parallel, in memory order.
    private func forEachPlane(_ n: Int, size: Int, _ body: (Int, Int) -> Void) {
        let channels = channels
        Parallel.forEachChunk(n * channels, chunks: n * channels * size < 1 << 14 ? 1 : Parallel.workers) { planes in
            for plane in planes { body(plane * size, plane % channels) }
        }
    }

    /// Training normalises with the batch statistics (mean, then the mean squared deviation
    /// from it: two passes, each summing 8-wide within a plane and in double across planes).
    public func forward(_ x: Tensor, mode: Mode) -> Tensor { forward(x, mode: mode, then: Unchanged()) }

    /// `forward` and then `map` on each value in the same pass (a ReLU after the BatchNorm: one
    /// read and one write of the activation instead of two).
    func forward<Map: ElementMap>(_ x: Tensor, mode: Mode, then map: Map) -> Tensor {
        let n = x.shape[0], size = x.count / (n * channels)
        var y = Tensor(uninitializedShape: x.shape)
        var scale = [Float](repeating: 0, count: channels), shift = scale
        if mode == .eval {
            (scale, shift) = evalAffine
        } else {
            let count = Double(n * size)
            var mean = [Float](repeating: 0, count: channels), variance = [Double](repeating: 0, count: channels)
            var inv = [Float](repeating: 0, count: channels)
            x.withUnsafePointer { xp in
                let sums = channelSums(n, size: size) { off, _ in (Double(Elementwise.sum(xp + off, count: size)), 0) }
                for c in 0..<channels { mean[c] = Float(sums[c].0 / count) }
                let squares = channelSums(n, size: size) { off, c in
                    (BatchNormKernels.squaredDeviations(xp + off, count: size, from: mean[c]), 0)
                }
                for c in 0..<channels {
                    variance[c] = squares[c].0 / count
                    inv[c] = Float(1 / (variance[c] + Double(eps)).squareRoot())
                }
            }
            for c in 0..<channels {
                scale[c] = weight.value.storage[c] * inv[c]
                shift[c] = bias.value.storage[c] - mean[c] * scale[c]
                let unbiased = count > 1 ? variance[c] * count / (count - 1) : variance[c]
                runningMean.storage[c] = (1 - momentum) * runningMean.storage[c] + momentum * mean[c]
                runningVar.storage[c] = (1 - momentum) * runningVar.storage[c] + momentum * Float(unbiased)
            }
            input = x
            batchMean = mean
            inverseStd = inv
            batchesTracked += 1
        }
        x.withUnsafePointer { xp in y.withUnsafeMutablePointer { yp in
            forEachPlane(n, size: size) { off, c in
                BatchNormKernels.affine(xp + off, yp + off, count: size, scale: scale[c], shift: shift[c], then: map)
            }
        }}
        return y
    }

    /// dx = γ/σ · (dy − mean(dy) − x̂ · mean(dy · x̂)), with x̂ = (x − μ)/σ recomputed from the
    /// saved input.
    public func backward(_ gradOutput: Tensor) -> Tensor {
        gradOutput.withUnsafePointer { backward(DirectGradient(dy: $0), shape: gradOutput.shape) }
    }

    /// `backward` of this layer and the clamp after it, whose output was `clampOutput`, in the
    /// same passes (dy through the clamp is read where it is used, never stored).
    func backward(_ gradOutput: Tensor, throughClampWithOutput clampOutput: Tensor, upper: Float) -> Tensor {
        gradOutput.withUnsafePointer { dy in clampOutput.withUnsafePointer { y in
            backward(ClampedGradient(dy: dy, y: y, upper: upper), shape: gradOutput.shape)
        }}
    }

    private func backward<Gradient: GradientSource>(_ gp: Gradient, shape: [Int]) -> Tensor {
        let n = shape[0], size = shape.reduce(1, *) / (n * channels)
        let count = Float(n * size)
        var dx = Tensor(uninitializedShape: shape)
        var sumDy = [Float](repeating: 0, count: channels), sumDyH = sumDy
        input.withUnsafePointer { xp in dx.withUnsafeMutablePointer { dxp in
            let mean = batchMean, inv = inverseStd, gamma = weight.value.storage
            let sums = channelSums(n, size: size) { off, c in
                let (a, b) = BatchNormKernels.gradientSums(gp.advanced(by: off), xp + off, count: size, mean: mean[c], inverseStd: inv[c])
                return (Double(a), Double(b))
            }
            for c in 0..<channels { sumDy[c] = Float(sums[c].0); sumDyH[c] = Float(sums[c].1) }
            forEachPlane(n, size: size) { off, c in
                BatchNormKernels.inputGradient(gp.advanced(by: off), xp + off, dxp + off, count: size, mean: mean[c], inverseStd: inv[c],
                                               k: gamma[c] * inv[c], meanDy: sumDy[c] / count, meanDyH: sumDyH[c] / count)
            }
        }}
        for c in 0..<channels {
            bias.grad.storage[c] += sumDy[c]
            weight.grad.storage[c] += sumDyH[c]
        }
        return dx
    }
}
