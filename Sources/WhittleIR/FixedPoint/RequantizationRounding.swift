/// Which of TFLite's two `MultiplyByQuantizedMultiplier` an op's output stage uses. TFLite builds
/// either one, and its reference kernels do not all agree: measured against LiteRT 2.3's
/// reference kernels, `CONV_2D`, `DEPTHWISE_CONV_2D` and `ADD` round twice while
/// `FULLY_CONNECTED` rounds once. So the rule belongs to each op (`QOp.requantizationRounding`),
/// and Whittle's own lowering uses the one TFLite's reference uses for that op, so an exported
/// model is exact too.
///
/// Worked example, `M = 1/255` (`(1_077_952_576, −7)`) and `x = 127` (exact 0.498):
/// - `.double` → 1: the high multiply gives 64 (exact 64.25), then 64 / 2^7 = 0.5 rounds away to 1;
/// - `.single` → 0: 127 · 1_077_952_576 / 2^38 = 0.498 rounds to 0.
public enum RequantizationRounding: String, Hashable, Sendable {
    /// `shiftedRight(saturatingDoublingHighMultiply(x · 2^left, M0, .toNearestOrUp), right,
    /// .toNearestOrAway)`: TFLite's default build (gemmlowp's two steps).
    case double
    /// `(x · M0 + 2^(30 − shift)) >> (31 − shift)`: one rounding, a tie toward +∞
    /// (TFLite's `TFLITE_SINGLE_ROUNDING` build).
    case single
}

extension FixedPoint {
    /// `multiplyByQuantizedMultiplier` under `rounding`.
    @inlinable
    public static func multiplyByQuantizedMultiplier(_ x: Int32, _ m: QuantizedMultiplier, rounding: RequantizationRounding) -> Int32 {
        switch rounding {
        case .double: return multiplyByQuantizedMultiplier(x, m)
        case .single: return multiplyByQuantizedMultiplierSingleRounding(x, m)
        }
    }

    /// TFLite's single-rounding `MultiplyByQuantizedMultiplier`: the exact product `x · M0` in 64
    /// bits, plus half of `2^(31 − shift)`, shifted right arithmetically (a tie goes toward +∞).
    /// `shift` must be at most 30 (TFLite's bound), and the result must fit Int32.
    ///
    /// Worked examples:
    /// - `x = 127, M0 = 1_077_952_576, shift = −7` → `0` (exact 0.498)
    /// - `x = 128, M0 = 2^30, shift = −7` → `1` (exact 0.5, a tie, goes up)
    /// - `x = −128, M0 = 2^30, shift = −7` → `0` (exact −0.5, a tie, goes up)
    @inlinable
    public static func multiplyByQuantizedMultiplierSingleRounding(_ x: Int32, _ m: QuantizedMultiplier) -> Int32 {
        precondition(m.shift <= 30, "single rounding needs shift ≤ 30, not \(m.shift)")
        let total = Int64(31 - m.shift)
        let result = (Int64(x) * Int64(m.multiplier) + (1 << (total - 1))) >> total
        precondition(Int64(Int32.min)...Int64(Int32.max) ~= result, "x · M = \(result) does not fit Int32")
        return Int32(result)
    }
}
