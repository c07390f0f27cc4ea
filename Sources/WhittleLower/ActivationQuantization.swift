import WhittleCompress
import WhittleIR

/// Activation quantization parameters: int8, asymmetric, per tensor.
public enum ActivationQuantization {
    /// The parameters that map `range` (widened to contain 0, so real 0 is exact — padding and
    /// ReLU depend on it) onto −128…127: scale = (hi − lo)/255, zero point = round(−128 − lo/scale).
    /// `float32Scale` rounds the scale to float32 first (TFLite's type for scales; the zero point
    /// follows the rounded scale), so an exported model's multipliers are the ones computed here.
    public static func params(for range: ObservedRange, float32Scale: Bool = false) -> QuantParams {
        let lo = Double(min(range.min, 0)), hi = Double(max(range.max, 0))
        guard hi > lo else { return QuantParams(scale: 1, zeroPoint: 0) } // an all-zero tensor
        let scale = float32Scale ? Double(Float((hi - lo) / 255)) : (hi - lo) / 255
        let zero = (-128 - lo / scale).rounded(.toNearestOrAwayFromZero)
        return QuantParams(scale: scale, zeroPoint: Int32(max(-128, min(127, zero))))
    }
}
