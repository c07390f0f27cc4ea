import Foundation
import WhittleNN
import WhittleTensor

/// Simulated int8 quantization in float (quantize then dequantize), with the same rounding as
/// lowering uses, so a fake-quantized forward pass predicts the integer model.
public enum FakeQuantization {
    /// Asymmetric int8 grid covering `range` widened to contain 0 — the same parameters
    /// lowering derives (scale = (hi − lo)/255, zero point = round(−128 − lo/scale)).
    /// The arithmetic is in Double, exactly as lowering quantizes inputs, so values on a
    /// rounding tie (8-bit pixels normalised to [−1, 1] all are) round the same way in both.
    public struct Grid: Equatable, Sendable {
        public var scale: Double
        public var zeroPoint: Double

        public init(range: ObservedRange) {
            let lo = Double(min(range.min, 0)), hi = Double(max(range.max, 0))
            guard hi > lo else { scale = 1; zeroPoint = 0; return }
            scale = (hi - lo) / 255
            zeroPoint = max(-128, min(127, (-128 - lo / scale).rounded(.toNearestOrAwayFromZero)))
        }

        /// The int8 code of `x`: round(x/scale) + zp, clamped to −128…127.
        @inline(__always) public func code(_ x: Float) -> Double {
            min(max((Double(x) / scale).rounded(.toNearestOrAwayFromZero) + zeroPoint, -128), 127)
        }

        /// Quantize, then back to real.
        @inline(__always) public func apply(_ x: Float) -> Float { Float((code(x) - zeroPoint) * scale) }

        /// Whether `x` lies inside the representable range (where the straight-through
        /// estimator passes the gradient).
        @inline(__always) public func contains(_ x: Float) -> Bool {
            let q = (Double(x) / scale).rounded(.toNearestOrAwayFromZero) + zeroPoint
            return q >= -128 && q <= 127
        }
    }

    /// Symmetric per-output-channel int8 weights (−127…127, scale max|w|/127), in place.
    /// Weights never fall outside their own range, so the straight-through gradient is identity.
    public static func symmetricPerChannel(_ w: inout Tensor, perChannel: Bool = true) {
        let channels = w.shape[0], per = w.count / max(channels, 1)
        let global = w.storage.reduce(0) { max($0, abs($1)) }
        for c in 0..<channels {
            let slice = (c * per)..<((c + 1) * per)
            let m = perChannel ? w.storage[slice].reduce(0) { max($0, abs($1)) } : global
            guard m > 0 else { continue }
            let scale = Double(m) / 127
            for j in slice {
                let q = max(-127, min(127, (Double(w.storage[j]) / scale).rounded(.toNearestOrAwayFromZero)))
                w.storage[j] = Float(q * scale)
            }
        }
    }
}

/// A fake-quantize node for activations: observes the range with an exponential moving average
/// of batch min/max while training (until frozen), then quantizes-dequantizes with that grid.
/// Backward is the straight-through estimator: the gradient passes where the input was inside
/// the representable range and is zero where it was clipped.
public final class FakeQuantize: LayerBase, Layer {
    public var observer: MovingAverageMinMaxObserver
    /// When true the range no longer moves (after `freeze_observers_after` epochs).
    public var frozen = false
    /// Use another node's grid instead of observing (average pooling keeps its input's grid).
    public var tiedTo: FakeQuantize?
    private var passMask: [Bool] = []

    public init(averagingConstant: Float = 0.01, initial: ObservedRange? = nil) {
        observer = MovingAverageMinMaxObserver(averagingConstant: averagingConstant)
        if let initial { initial.withSeed(into: &observer) }
    }

    public var kind: String { "fake_quantize" }
    public var range: ObservedRange? { tiedTo?.range ?? observer.range }
    public var grid: FakeQuantization.Grid? { range.map(FakeQuantization.Grid.init) }

    public func outputShape(for input: [Int]) throws -> [Int] { input }

    public func forward(_ x: Tensor, mode: Mode) -> Tensor {
        if mode == .train && !frozen && tiedTo == nil { x.storage.withUnsafeBufferPointer { observer.observe($0) } }
        guard let grid else { return x }
        var y = x
        if mode == .train { passMask = x.storage.map(grid.contains) }
        for i in 0..<y.count { y.storage[i] = grid.apply(y.storage[i]) }
        return y
    }

    public func backward(_ gradOutput: Tensor) -> Tensor {
        guard passMask.count == gradOutput.count else { return gradOutput }
        var g = gradOutput
        for i in 0..<g.count where !passMask[i] { g.storage[i] = 0 }
        return g
    }
}

extension ObservedRange {
    /// Starts a moving-average observer at this range (QAT starts from calibrated ranges).
    func withSeed(into observer: inout MovingAverageMinMaxObserver) {
        [min, max].withUnsafeBufferPointer { observer.observe($0) }
    }
}
