import WhittleCompress
import WhittleIR

/// Activation quantization parameters: int8, asymmetric, per tensor.
public enum ActivationQuantization {
    /// The parameters that map `range` (widened to contain 0, so real 0 is exact — padding and
    /// ReLU depend on it) onto −128…127: scale = (hi − lo)/255, zero point = round(−128 − lo/scale).
    public static func params(for range: ObservedRange) -> QuantParams {
        let lo = Double(min(range.min, 0)), hi = Double(max(range.max, 0))
        guard hi > lo else { return QuantParams(scale: 1, zeroPoint: 0) } // an all-zero tensor
        let scale = (hi - lo) / 255
        let zero = (-128 - lo / scale).rounded(.toNearestOrAwayFromZero)
        return QuantParams(scale: scale, zeroPoint: Int32(max(-128, min(127, zero))))
    }
}
