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

    /// Training normalises with the batch statistics; channels run in parallel, each summing its
    /// planes in a fixed order (8-wide partial sums per plane, planes added in double), so the
    /// result does not depend on the core count.
    public func forward(_ x: Tensor, mode: Mode) -> Tensor {
        let n = x.shape[0], size = x.count / (n * channels)
        var y = Tensor(uninitializedShape: x.shape)
        var scale = [Float](repeating: 0, count: channels), shift = scale
        if mode == .eval {
            (scale, shift) = evalAffine
        } else {
            let count = Double(n * size)
            var mean = [Float](repeating: 0, count: channels), variance = [Double](repeating: 0, count: channels)
            var inv = [Float](repeating: 0, count: channels)
            x.withUnsafePointer { xp in mean.withUnsafeMutableBufferPointer { mb in
                variance.withUnsafeMutableBufferPointer { vb in inv.withUnsafeMutableBufferPointer { ib in
                    let channels = channels, eps = Double(eps)
                    Parallel.forEachChunk(channels) { range in
                        for c in range {
                            var sum = 0.0
                            for i in 0..<n { sum += Double(Elementwise.sum(xp + (i * channels + c) * size, count: size)) }
                            let m = Float(sum / count)
                            var squares = 0.0
                            for i in 0..<n {
                                squares += BatchNormKernels.squaredDeviations(xp + (i * channels + c) * size, count: size, from: m)
                            }
                            mb[c] = m
                            vb[c] = squares / count
                            ib[c] = Float(1 / (vb[c] + eps).squareRoot())
                        }
                    }
                }}
            }}
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
            let channels = channels
            Parallel.forEachChunk(n * channels, chunks: n * channels * size < 1 << 14 ? 1 : Parallel.workers) { planes in
                for plane in planes {
                    let c = plane % channels
                    BatchNormKernels.affine(xp + plane * size, yp + plane * size, count: size, scale: scale[c], shift: shift[c])
                }
            }
        }}
        return y
    }

    /// dx = γ/σ · (dy − mean(dy) − x̂ · mean(dy · x̂)), with x̂ = (x − μ)/σ recomputed from the
    /// saved input; parallel over channels like the forward pass.
    public func backward(_ gradOutput: Tensor) -> Tensor {
        let n = gradOutput.shape[0], size = gradOutput.count / (n * channels)
        let count = Float(n * size)
        var dx = Tensor(uninitializedShape: gradOutput.shape)
        var sumDy = [Float](repeating: 0, count: channels), sumDyH = sumDy
        gradOutput.withUnsafePointer { gp in input.withUnsafePointer { xp in dx.withUnsafeMutablePointer { dxp in
            sumDy.withUnsafeMutableBufferPointer { sdy in sumDyH.withUnsafeMutableBufferPointer { sdh in
                let channels = channels, mean = batchMean, inv = inverseStd, gamma = weight.value.storage
                Parallel.forEachChunk(channels) { range in
                    for c in range {
                        var dySum = 0.0, dyhSum = 0.0
                        for i in 0..<n {
                            let off = (i * channels + c) * size
                            let (a, b) = BatchNormKernels.gradientSums(gp + off, xp + off, count: size, mean: mean[c], inverseStd: inv[c])
                            dySum += Double(a); dyhSum += Double(b)
                        }
                        sdy[c] = Float(dySum); sdh[c] = Float(dyhSum)
                        let k = gamma[c] * inv[c]
                        let meanDy = sdy[c] / count, meanDyH = sdh[c] / count
                        for i in 0..<n {
                            let off = (i * channels + c) * size
                            BatchNormKernels.inputGradient(gp + off, xp + off, dxp + off, count: size, mean: mean[c], inverseStd: inv[c],
                                                           k: k, meanDy: meanDy, meanDyH: meanDyH)
                        }
                    }
                }
            }}
        }}}
        for c in 0..<channels {
            bias.grad.storage[c] += sumDy[c]
            weight.grad.storage[c] += sumDyH[c]
        }
        return dx
    }
}

/// The per-plane loops of `BatchNorm`, 8 floats at a time (a fixed order: the same bits on any
/// machine with the same vector width of the source, SIMD8).
enum BatchNormKernels {
    /// Σ (x − mean)² over one plane; in double when the float sum overflows (a diverging run
    /// then still sees a finite variance, as with double accumulation throughout).
    @inline(__always)
    static func squaredDeviations(_ x: UnsafePointer<Float>, count: Int, from mean: Float) -> Double {
        var acc = SIMD8<Float>(), i = 0
        let m = SIMD8(repeating: mean)
        while i &+ 8 <= count { let d = SIMD8(unalignedAt: x + i) - m; acc.addProduct(d, d); i &+= 8 }
        var s = acc.sum()
        while i < count { let d = x[i] - mean; s.addProduct(d, d); i &+= 1 }
        if s.isFinite { return Double(s) }
        var wide = 0.0
        for j in 0..<count { let d = Double(x[j]) - Double(mean); wide += d * d }
        return wide
    }

    @inline(__always)
    static func affine(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int, scale: Float, shift: Float) {
        var i = 0
        let a = SIMD8(repeating: scale), b = SIMD8(repeating: shift)
        while i &+ 8 <= count { (SIMD8(unalignedAt: x + i) * a + b).store(to: y + i); i &+= 8 }
        while i < count { y[i] = x[i] * scale + shift; i &+= 1 }
    }

    /// (Σ dy, Σ dy · x̂) over one plane.
    @inline(__always)
    static func gradientSums(_ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>, count: Int, mean: Float, inverseStd: Float) -> (Float, Float) {
        var a = SIMD8<Float>(), b = SIMD8<Float>(), i = 0
        let m = SIMD8(repeating: mean), inv = SIMD8(repeating: inverseStd)
        while i &+ 8 <= count {
            let g = SIMD8(unalignedAt: dy + i)
            a += g
            b.addProduct(g, (SIMD8(unalignedAt: x + i) - m) * inv)
            i &+= 8
        }
        var sa = a.sum(), sb = b.sum()
        while i < count { sa += dy[i]; sb.addProduct(dy[i], (x[i] - mean) * inverseStd); i &+= 1 }
        return (sa, sb)
    }

    @inline(__always)
    static func inputGradient(_ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, count: Int,
                              mean: Float, inverseStd: Float, k: Float, meanDy: Float, meanDyH: Float) {
        var i = 0
        let m = SIMD8(repeating: mean), inv = SIMD8(repeating: inverseStd), kv = SIMD8(repeating: k)
        let mdy = SIMD8(repeating: meanDy), mdh = SIMD8(repeating: meanDyH)
        while i &+ 8 <= count {
            let h = (SIMD8(unalignedAt: x + i) - m) * inv
            (kv * (SIMD8(unalignedAt: dy + i) - mdy - h * mdh)).store(to: dx + i)
            i &+= 8
        }
        while i < count { dx[i] = k * (dy[i] - meanDy - (x[i] - mean) * inverseStd * meanDyH); i &+= 1 }
    }
}
