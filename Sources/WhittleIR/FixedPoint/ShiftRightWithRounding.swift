extension FixedPoint {
    /// gemmlowp's `RoundingDivideByPOT`: `x / 2^exponent` rounded by `rounding` (gemmlowp:
    /// `.toNearestOrAway`). `exponent` is in 0...31.
    ///
    /// Worked examples (`.toNearestOrAway`):
    /// - `x = 64, exponent = 7`  → `1` (exact 0.5, a tie, goes away from zero)
    /// - `x = -64, exponent = 7` → `-1`
    /// - `x = -63, exponent = 7` → `0`
    /// - `x = 5, exponent = 0`   → `5`
    /// - `x = Int32.min, exponent = 31` → `-1`
    /// - `x = Int32.max, exponent = 31` → `1` (exact 0.99999…)
    @inlinable
    public static func shiftedRight(_ x: Int32, by exponent: Int, rounding: RoundingRule) -> Int32 {
        precondition((0...31).contains(exponent), "shift exponent \(exponent) outside 0...31")
        let wide = Int64(x)
        let half: Int64 = exponent == 0 ? 0 : 1 << (exponent - 1)
        switch rounding {
        case .toNearestOrUp:
            return Int32((wide + half) >> exponent)
        case .toNearestOrAway:
            let magnitude = (wide.magnitude + UInt64(half)) >> exponent
            return x < 0 ? Int32(-Int64(magnitude)) : Int32(magnitude)
        }
    }
}
