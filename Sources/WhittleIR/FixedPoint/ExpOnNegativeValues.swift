extension FixedPoint {
    /// gemmlowp's `exp_on_interval_between_negative_one_quarter_and_0_excl`: `exp(a)` for `a` in
    /// Q0.31 within [−1/4, 0), as Q0.31. A Taylor expansion around −1/8: with `x = a + 1/8`,
    /// `exp(−1/8) · (1 + x + x²/2 + x³/6 + x⁴/24)`, each product a `saturatingDoublingHighMultiply`
    /// (`.toNearestOrUp`), each division by a power of two `.toNearestOrAway`.
    ///
    /// Worked example: `a = −2^28` (−1/8) → `1_895_147_668` (exp(−1/8) in Q0.31, the constant term).
    @inlinable
    public static func expOnIntervalBetweenNegativeOneQuarterAnd0Excl(_ a: Int32) -> Int32 {
        let expMinusOneEighth: Int32 = 1_895_147_668 // exp(−1/8) in Q0.31
        let oneThird: Int32 = 715_827_883 // 1/3 in Q0.31
        func mul(_ p: Int32, _ q: Int32) -> Int32 { saturatingDoublingHighMultiply(p, q, rounding: .toNearestOrUp) }
        let x = a &+ (1 << 28)
        let x2 = mul(x, x), x3 = mul(x2, x), x4 = mul(x2, x2)
        let x4Over4 = shiftedRight(x4, by: 2, rounding: .toNearestOrAway)
        let polynomial = shiftedRight(mul(x4Over4 &+ x3, oneThird) &+ x2, by: 1, rounding: .toNearestOrAway)
        return expMinusOneEighth &+ mul(expMinusOneEighth, x &+ polynomial)
    }

    /// The integer bits of softmax's scaled input differences: Q5.26, so differences down to −32
    /// fit (TFLite's `kScaledDiffIntegerBits`).
    public static let softmaxDifferenceIntegerBits = 5

    /// gemmlowp's `exp_on_negative_values` for a Q5.26 input (`FixedPoint<int32, 5>`, the form
    /// TFLite's softmax feeds it): `exp(a)` for `a ≤ 0`, as Q0.31 (`exp(0)` is `Int32.max`).
    ///
    /// `a` splits into its remainder modulo 1/4, moved into [−1/4, 0) and evaluated by
    /// `expOnIntervalBetweenNegativeOneQuarterAnd0Excl`, and whole quarters, each set bit of
    /// which multiplies by `exp(−2^k)` (k = −2…4, constants in Q0.31), a barrel shifter.
    ///
    /// Worked examples: `a = 0` → `2_147_483_647`; `a = −2^26` (−1) → `790_015_308` (e^−1 ≈ 0.36788 is 790_015_084: the barrel shifter rounds each step);
    /// `a = Int32.min` (−32) → `0`.
    @inlinable
    public static func expOnNegativeValuesQ5(_ a: Int32) -> Int32 {
        let fractionalBits = 31 - softmaxDifferenceIntegerBits // 26
        let quarter: Int32 = 1 << (fractionalBits - 2)
        let moduloQuarterMinusQuarter = (a & (quarter - 1)) - quarter
        // Rescale<0> from Q5.26 to Q0.31: a saturating left shift by 5.
        var result = expOnIntervalBetweenNegativeOneQuarterAnd0Excl(
            shiftedLeftWithSaturation(moduloQuarterMinusQuarter, by: softmaxDifferenceIntegerBits))
        let remainder = moduloQuarterMinusQuarter &- a
        // exp(−2^k) in Q0.31 for k = −2, −1, 0, 1, 2, 3, 4.
        let multipliers: [Int32] = [1_672_461_947, 1_302_514_674, 790_015_084, 290_630_308, 39_332_535, 720_401, 242]
        for (i, multiplier) in multipliers.enumerated() where remainder & (1 << (fractionalBits - 2 + i)) != 0 {
            result = saturatingDoublingHighMultiply(result, multiplier, rounding: .toNearestOrUp)
        }
        return a == 0 ? .max : result
    }
}
