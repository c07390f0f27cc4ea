/// Fixed-point primitives with TFLite/gemmlowp semantics. Every function is written once here
/// and once in C (`templates/kernels/whittle_fixedpoint.h`); `templates/tests/fixed_point_cases.json`
/// holds the table both are tested against.
public enum FixedPoint {}

extension FixedPoint {
    /// gemmlowp's `SaturatingRoundingDoublingHighMul`: the high 32 bits of `2·a·b`, that is
    /// `a·b / 2^31` rounded by `rounding` (gemmlowp: `.toNearestOrUp`).
    ///
    /// The only product that does not fit is `INT32_MIN · INT32_MIN` (= +1.0 in Q31); it
    /// saturates to `Int32.max`.
    ///
    /// Worked examples (`.toNearestOrUp`):
    /// - `a = 2^30, b = 2^30`   → `2^29` (0.5 · 0.5 = 0.25 in Q31)
    /// - `a = 127, b = 1_077_952_576` → `64` (exact 64.25)
    /// - `a = -1, b = 2^30`     → `0` (exact -0.5, a tie, goes up)
    /// - `a = -3, b = 2^30`     → `-1` (exact -1.5, a tie, goes up)
    /// - `a = Int32.min, b = Int32.min` → `Int32.max`
    @inlinable
    public static func saturatingDoublingHighMultiply(
        _ a: Int32, _ b: Int32, rounding: RoundingRule
    ) -> Int32 {
        if a == .min && b == .min { return .max }
        let product = Int64(a) * Int64(b)
        let half: Int64 = 1 << 30
        switch rounding {
        case .toNearestOrUp:
            // floor((p + 2^30) / 2^31); `>>` on Int64 floors.
            return Int32((product + half) >> 31)
        case .toNearestOrAway:
            let magnitude = (product.magnitude + UInt64(half)) >> 31
            return product < 0 ? -Int32(magnitude) : Int32(magnitude)
        }
    }
}
