import WhittleNN
import WhittleTensor

/// A conv2d or linear layer for quantization-aware training, with the BatchNorm after it folded
/// in the way inference will fold it (Jacob et al. 2018; PyTorch's ConvBn):
///
///     s = γ / √(running_var + ε)          per output channel
///     y = x ⊛ fakeQuant(W · s)            weights as the integer kernel will see them
///     training, BN live:  out = BN_batch(y / s + b)     (batch statistics, running ones updated)
///     BN frozen or eval:  out = y + (b − running_mean)·s + β
///
/// The layer shares its `Conv2d`/`Linear` and `BatchNorm` with the float graph it came from, so
/// training updates that graph's weights and statistics, ready for lowering. Gradients reach W
/// through the straight-through estimator (s is held constant in the weight path).
public final class FoldedQuantizedLayer: LayerBase, Layer {
    public let base: Layer            // Conv2d or Linear: owns W and b
    public let batchNorm: BatchNorm?
    public let perChannel: Bool
    /// Set after `freeze_bn_after` epochs: running statistics stop moving.
    public var batchNormFrozen = false

    private let scratch: Layer        // same geometry, no bias: runs with the fake-quantized weights
    private let scratchWeight: Parameter
    private var scale: [Float] = []
    private var usedBatchStatistics = false

    public init(base: Layer, batchNorm: BatchNorm?, perChannel: Bool = true) {
        self.base = base
        self.batchNorm = batchNorm
        self.perChannel = perChannel
        var rng = RNG(seed: 0) // the scratch weights are overwritten on every forward pass
        switch base {
        case let c as Conv2d:
            let conv = Conv2d(inChannels: c.inChannels, outChannels: c.outChannels, kernel: (c.kernel.h, c.kernel.w),
                              stride: (c.stride.h, c.stride.w), padding: c.padding, groups: c.groups, bias: false, rng: &rng)
            scratch = conv; scratchWeight = conv.weight
        case let l as Linear:
            let fc = Linear(inFeatures: l.inFeatures, outFeatures: l.outFeatures, bias: false, rng: &rng)
            scratch = fc; scratchWeight = fc.weight
        default:
            preconditionFailure("FoldedQuantizedLayer wraps conv2d or linear, got \(base.kind)")
        }
    }

    public var kind: String { "qat_" + base.kind }

    private var weight: Parameter { base.parameters[0].parameter }
    private var bias: Parameter? { base.parameters.count > 1 ? base.parameters[1].parameter : nil }

    public var parameters: [(name: String, parameter: Parameter)] {
        base.parameters + (batchNorm?.parameters.map { ("bn.\($0.name)", $0.parameter) } ?? [])
    }

    public func outputShape(for input: [Int]) throws -> [Int] { try base.outputShape(for: input) }
    public func macs(for input: [Int]) -> Int { base.macs(for: input) }

    /// The per-channel factor BatchNorm folds into the weights (1 without BatchNorm), computed
    /// exactly as lowering computes it.
    var foldScale: [Float] {
        batchNorm?.evalAffine.scale ?? [Float](repeating: 1, count: weight.value.shape[0])
    }

    public func forward(_ x: Tensor, mode: Mode) -> Tensor {
        scale = foldScale
        var folded = weight.value
        let per = folded.count / scale.count
        for c in 0..<scale.count { for j in 0..<per { folded.storage[c * per + j] *= scale[c] } }
        FakeQuantization.symmetricPerChannel(&folded, perChannel: perChannel)
        scratchWeight.value = folded
        scratch.needsInputGradient = needsInputGradient
        var y = scratch.forward(x, mode: mode)
        let b = bias?.value.storage ?? [Float](repeating: 0, count: scale.count)
        usedBatchStatistics = mode == .train && !batchNormFrozen && batchNorm != nil
        if usedBatchStatistics, let bn = batchNorm {
            forEachChannel(&y) { c, v in v = v / scale[c] + b[c] }
            return bn.forward(y, mode: .train)
        }
        let shift: [Float]
        if let bn = batchNorm {
            let (s, t) = (scale, bn.evalAffine.shift)
            shift = (0..<s.count).map { b[$0] * s[$0] + t[$0] } // (b − μ)·s + β
        } else {
            shift = b
        }
        forEachChannel(&y) { c, v in v += shift[c] }
        return y
    }

    public func backward(_ gradOutput: Tensor) -> Tensor {
        var g = gradOutput
        let channels = scale.count
        var biasGrad = [Float](repeating: 0, count: channels)
        if usedBatchStatistics, let bn = batchNorm {
            g = bn.backward(g)
            forEachChannel(&g) { c, v in biasGrad[c] += v; v /= scale[c] }
        } else if let bn = batchNorm {
            var betaGrad = [Float](repeating: 0, count: channels)
            forEachChannel(&g) { c, v in betaGrad[c] += v; biasGrad[c] += v * scale[c] }
            for c in 0..<channels { bn.bias.grad.storage[c] += betaGrad[c] }
        } else {
            forEachChannel(&g) { c, v in biasGrad[c] += v }
        }
        if let bias { for c in 0..<channels { bias.grad.storage[c] += biasGrad[c] } }
        scratchWeight.zeroGrad()
        let dx = scratch.backward(g)
        // Straight-through: d/dW of fakeQuant(W·s) is taken as s.
        let per = weight.value.count / channels
        for c in 0..<channels { for j in 0..<per { weight.grad.storage[c * per + j] += scratchWeight.grad.storage[c * per + j] * scale[c] } }
        return dx
    }

    /// Calls `body(channel, &value)` for every element of a [N, C, …] tensor.
    private func forEachChannel(_ t: inout Tensor, _ body: (Int, inout Float) -> Void) {
        let channels = scale.count, n = t.shape[0], size = t.count / max(n * channels, 1)
        t.withUnsafeMutablePointer { p in
            for i in 0..<n { for c in 0..<channels {
                let base = p + (i * channels + c) * size
                for k in 0..<size { body(c, &base[k]) }
            }}
        }
    }
}
