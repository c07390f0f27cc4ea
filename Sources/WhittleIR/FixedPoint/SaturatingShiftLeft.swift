extension FixedPoint {
    /// gemmlowp's `SaturatingRoundingMultiplyByPOT` for a positive exponent (what `Rescale` does
    /// when it moves bits from the fraction to the integer part): `x · 2^exponent`, saturated to
    /// `Int32.min` / `Int32.max` when `|x| > 2^(31 − exponent) − 1`. `exponent` is in 1...31.
    /// (A negative exponent is `shiftedRight(_:by:rounding: .toNearestOrAway)`.)
    ///
    /// Worked examples:
    /// - `x = 3, exponent = 2` → `12`
    /// - `x = 2^29 − 1, exponent = 2` → `2^31 − 4`
    /// - `x = 2^29, exponent = 2` → `Int32.max` (saturated)
    /// - `x = −2^29, exponent = 2` → `Int32.min` (saturated, although −2^31 would fit: gemmlowp's
    ///   threshold is symmetric)
    @inlinable
    public static func shiftedLeftWithSaturation(_ x: Int32, by exponent: Int) -> Int32 {
        precondition((1...31).contains(exponent), "shift exponent \(exponent) outside 1...31")
        let threshold = Int32((Int64(1) << (31 - exponent)) - 1)
        if x > threshold { return .max }
        if x < -threshold { return .min }
        return x << Int32(exponent)
    }

    /// TFLite's `MultiplyByQuantizedMultiplierGreaterThanOne` (the double-rounding build):
    /// `saturatingDoublingHighMultiply(x · 2^leftShift, m0, .toNearestOrUp)`. Softmax scales its
    /// input differences with it; `x · 2^leftShift` must fit Int32 (softmax's `diff_min` keeps it so).
    ///
    /// Worked example: `x = −3, m0 = 2^30, leftShift = 4` → `−24` (−3 · 16 · 0.5).
    @inlinable
    public static func multiplyByQuantizedMultiplierGreaterThanOne(_ x: Int32, _ m0: Int32, leftShift: Int) -> Int32 {
        precondition((0...31).contains(leftShift), "left shift \(leftShift) outside 0...31")
        let shifted = Int64(x) << Int64(leftShift)
        precondition(Int64(Int32.min)...Int64(Int32.max) ~= shifted, "x · 2^\(leftShift) overflows Int32 for x = \(x)")
        return saturatingDoublingHighMultiply(Int32(shifted), m0, rounding: .toNearestOrUp)
    }
}
