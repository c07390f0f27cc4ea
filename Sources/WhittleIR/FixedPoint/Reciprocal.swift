extension FixedPoint {
    /// gemmlowp's `RoundingHalfSum`: `(a + b) / 2`, a half rounded away from zero.
    ///
    /// Worked examples: `(3, 4)` → `4`; `(−3, −4)` → `−4`; `(Int32.max, Int32.max)` → `Int32.max`.
    @inlinable
    public static func roundingHalfSum(_ a: Int32, _ b: Int32) -> Int32 {
        let sum = Int64(a) + Int64(b)
        return Int32((sum + (sum >= 0 ? 1 : -1)) / 2)
    }

    /// gemmlowp's `one_over_one_plus_x_for_x_in_0_1`: `1 / (1 + a)` for `a` in Q0.31 within
    /// [0, 1), as Q0.31. Three Newton–Raphson steps on the half denominator `(1 + a) / 2` in
    /// Q2.29 from the start `48/17 − 32/17 · d`, then halved back to Q0.31.
    ///
    /// Worked examples: `a = 0` → `2_147_483_647` (1, saturated); `a = 2^30` (1/2) → `1_431_655_762` (2/3 is 1_431_655_765).
    @inlinable
    public static func oneOverOnePlusX(_ a: Int32) -> Int32 {
        precondition(a >= 0, "one_over_one_plus_x takes x in [0, 1), not raw \(a)")
        func mul(_ p: Int32, _ q: Int32) -> Int32 { saturatingDoublingHighMultiply(p, q, rounding: .toNearestOrUp) }
        let halfDenominator = roundingHalfSum(a, .max) // Q0.31
        let fortyEightSeventeenths: Int32 = 1_515_870_810 // 48/17 in Q2.29
        let minusThirtyTwoSeventeenths: Int32 = -1_010_580_540 // −32/17 in Q2.29
        let one: Int32 = 1 << 29 // 1 in Q2.29
        var x = fortyEightSeventeenths &+ mul(halfDenominator, minusThirtyTwoSeventeenths)
        for _ in 0..<3 {
            let oneMinusHalfDenominatorTimesX = one &- mul(halfDenominator, x)
            // Q2.29 · Q2.29 is Q4.27; Rescale<2> shifts it back up by 2.
            x = x &+ shiftedLeftWithSaturation(mul(x, oneMinusHalfDenominatorTimesX), by: 2)
        }
        // x / 2 in Q1.30 is the same bits; Rescale<0> shifts Q1.30 up by 1.
        return shiftedLeftWithSaturation(x, by: 1)
    }

    /// TFLite's `GetReciprocal`: for a positive `x` with `integerBits` integer bits, the
    /// reciprocal as Q0.31 of `x` scaled into [1, 2), and `bitsOverUnit`, the power of two that
    /// scaling took out: `1/x ≈ reciprocal / 2^31 / 2^bitsOverUnit`.
    ///
    /// Worked example: `x = 2^19` with 12 integer bits (1.0 in Q12.19) → `(2_147_483_647, 0)`;
    /// `x = 3 · 2^19` (3.0) → `(1_431_655_762, 1)` (1/3 = 2/3 / 2^1).
    @inlinable
    public static func reciprocal(_ x: Int32, integerBits: Int) -> (reciprocal: Int32, bitsOverUnit: Int) {
        precondition(x > 0, "a reciprocal of \(x)")
        let headroomPlusOne = UInt32(x).leadingZeroBitCount
        let shiftedMinusOne = Int32(bitPattern: (UInt32(x) << UInt32(headroomPlusOne)) &- (1 << 31))
        return (oneOverOnePlusX(shiftedMinusOne), integerBits - headroomPlusOne)
    }
}
