extension FixedPoint {
    /// TFLite's `MultiplyByQuantizedMultiplier` with its default *double rounding*:
    /// `shiftedRight(saturatingDoublingHighMultiply(x · 2^left, M0, .toNearestOrUp), right,
    /// .toNearestOrAway)`, where `left = max(shift, 0)` and `right = max(−shift, 0)`.
    ///
    /// `x · 2^left` must fit in Int32; the accumulator-range analysis proves that before any
    /// kernel is emitted.
    ///
    /// Worked example: `M = 1/255` is `(1_077_952_576, −7)`; for `x = 127` the high multiply gives
    /// 64 (exact 64.25) and 64 / 2^7 = 0.5 rounds away from zero to **1**. A single rounding of
    /// 127/255 = 0.498 would give 0: this is why the rounding is named.
    @inlinable
    public static func multiplyByQuantizedMultiplier(_ x: Int32, _ m: QuantizedMultiplier) -> Int32 {
        let left = m.shift > 0 ? Int(m.shift) : 0
        let right = m.shift > 0 ? 0 : Int(-m.shift)
        let shifted = x << Int32(left)
        precondition(Int(shifted) >> left == Int(x), "x · 2^\(left) overflows Int32 for x = \(x)")
        let high = saturatingDoublingHighMultiply(shifted, m.multiplier, rounding: .toNearestOrUp)
        return shiftedRight(high, by: right, rounding: .toNearestOrAway)
    }
}
