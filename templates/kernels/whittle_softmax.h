/*
 * whittle_softmax.h - gemmlowp's fixed-point exponential and reciprocal, as TFLite's reference
 * int8 SOFTMAX uses them. The C twin of Sources/WhittleIR/FixedPoint/ (SaturatingShiftLeft.swift,
 * ExpOnNegativeValues.swift, Reciprocal.swift); both are tested against one table
 * (templates/tests/fixed_point_cases.json). Integer only, 32-bit arithmetic except the high
 * multiply, which Cortex-M0 forms from 16-bit products (whittle_doubling_high_mul_nonnegative).
 *
 * Every product here is gemmlowp's SaturatingRoundingDoublingHighMul (nearest_up) with a second
 * factor >= 0 (each call below says why), so the non-negative form is exact and never saturates.
 * Q formats: Qm.n holds m integer bits and n = 31 - m fraction bits.
 */
#ifndef WHITTLE_SOFTMAX_H
#define WHITTLE_SOFTMAX_H

#include "whittle_fixedpoint.h"

/* The integer bits of softmax's scaled differences (Q5.26) and of its sum of exponentials (Q12.19). */
#define WHITTLE_SOFTMAX_DIFF_INTEGER_BITS 5
#define WHITTLE_SOFTMAX_SUM_INTEGER_BITS 12

/*
 * SaturatingRoundingMultiplyByPOT for exponent 1..31: x * 2^exponent, saturated when
 * |x| > 2^(31 - exponent) - 1 (symmetric, as gemmlowp's threshold is).
 * Example: x = 2^29, exponent = 2 -> INT32_MAX; x = 3 -> 12.
 */
WHITTLE_INLINE int32_t whittle_shift_left_saturating(int32_t x, int exponent)
{
    const int32_t threshold = (int32_t)(((uint32_t)1 << (31 - exponent)) - 1u);
    if (x > threshold) {
        return INT32_MAX;
    }
    if (x < -threshold) {
        return INT32_MIN;
    }
    return (int32_t)((uint32_t)x << exponent);
}

/*
 * MultiplyByQuantizedMultiplierGreaterThanOne (double rounding): the high multiply of
 * x * 2^left_shift by m0 >= 0, for x * 2^left_shift inside int32 (softmax's diff_min keeps it so).
 * Example: x = -3, m0 = 2^30, left_shift = 4 -> -24.
 */
WHITTLE_INLINE int32_t whittle_multiply_greater_than_one(int32_t x, int32_t m0, int left_shift)
{
    return whittle_doubling_high_mul_nonnegative((int32_t)((uint32_t)x << left_shift), m0);
}

/*
 * exp(a) for a in Q0.31 within [-1/4, 0), as Q0.31: exp(-1/8) * (1 + x + x^2/2 + x^3/6 + x^4/24)
 * with x = a + 1/8 in [-1/8, 1/8). x^2 is taken of |x| (same product, second factor >= 0); the
 * other second factors are x^2, constants and exp(-1/8).
 * Example: a = -2^28 (-1/8) -> 1895147668.
 */
WHITTLE_INLINE int32_t whittle_exp_on_interval_neg_quarter(int32_t a)
{
    const int32_t exp_minus_one_eighth = 1895147668; /* exp(-1/8), Q0.31 */
    const int32_t one_third = 715827883;            /* 1/3, Q0.31 */
    const int32_t x = a + ((int32_t)1 << 28);
    const int32_t magnitude = x < 0 ? -x : x;
    const int32_t x2 = whittle_doubling_high_mul_nonnegative(magnitude, magnitude);
    const int32_t x3 = whittle_doubling_high_mul_nonnegative(x, x2);
    const int32_t x4 = whittle_doubling_high_mul_nonnegative(x2, x2);
    const int32_t x4_over_4 = whittle_shift_right_nearest_away(x4, 2);
    const int32_t polynomial = whittle_shift_right_nearest_away(
        whittle_doubling_high_mul_nonnegative(x4_over_4 + x3, one_third) + x2, 1);
    return exp_minus_one_eighth + whittle_doubling_high_mul_nonnegative(x + polynomial, exp_minus_one_eighth);
}

/*
 * exp(a) for a <= 0 in Q5.26, as Q0.31 (exp(0) = INT32_MAX): the remainder of a modulo 1/4,
 * moved into [-1/4, 0), by whittle_exp_on_interval_neg_quarter, then one multiply by exp(-2^k)
 * (Q0.31 constants, second factor) for each bit k = -2..4 of the whole quarters.
 * Example: a = -2^26 (-1) -> 790015308; a = INT32_MIN (-32) -> 0.
 */
WHITTLE_INLINE int32_t whittle_exp_on_negative_values_q5(int32_t a)
{
    static const int32_t exp_minus_power_of_two[7] = {1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242};
    const int32_t quarter = (int32_t)1 << (31 - WHITTLE_SOFTMAX_DIFF_INTEGER_BITS - 2);
    const int32_t modulo_quarter_minus_quarter = (a & (quarter - 1)) - quarter;
    const int32_t remainder = modulo_quarter_minus_quarter - a; /* a <= 0: no overflow */
    int32_t result = whittle_exp_on_interval_neg_quarter(
        whittle_shift_left_saturating(modulo_quarter_minus_quarter, WHITTLE_SOFTMAX_DIFF_INTEGER_BITS));
    for (int k = 0; k < 7; ++k) {
        if ((uint32_t)remainder & ((uint32_t)quarter << k)) {
            result = whittle_doubling_high_mul_nonnegative(result, exp_minus_power_of_two[k]);
        }
    }
    return a == 0 ? INT32_MAX : result;
}

/*
 * 1 / (1 + a) for a in Q0.31 within [0, 1), as Q0.31: three Newton-Raphson steps in Q2.29 on
 * the half denominator d = (1 + a) / 2 (RoundingHalfSum: for a >= 0 exactly a / 2 + 1/2, in
 * [1/2, 1)) from 48/17 - 32/17 d. The iterate stays in (0, 2), so it is a valid second factor.
 * Example: a = 2^30 (1/2) -> 1431655762.
 */
WHITTLE_INLINE int32_t whittle_one_over_one_plus_x(int32_t a)
{
    const int32_t half_denominator = (int32_t)(((uint32_t)a >> 1) + 0x40000000u);
    const int32_t one = (int32_t)1 << 29; /* 1, Q2.29 */
    int32_t x = 1515870810 /* 48/17, Q2.29 */ + whittle_doubling_high_mul_nonnegative(-1010580540 /* -32/17 */, half_denominator);
    for (int i = 0; i < 3; ++i) {
        const int32_t one_minus_dx = one - whittle_doubling_high_mul_nonnegative(x, half_denominator);
        x += whittle_shift_left_saturating(whittle_doubling_high_mul_nonnegative(one_minus_dx, x), 2);
    }
    return whittle_shift_left_saturating(x, 1);
}

/* Leading zero bits of x (32 for 0), without a library call (ARMv6-M and RV32IMAC have no CLZ). */
WHITTLE_INLINE int whittle_count_leading_zeros(uint32_t x)
{
    int n = 0;
    if (x == 0) {
        return 32;
    }
    if (!(x & 0xFFFF0000u)) { n += 16; x <<= 16; }
    if (!(x & 0xFF000000u)) { n += 8; x <<= 8; }
    if (!(x & 0xF0000000u)) { n += 4; x <<= 4; }
    if (!(x & 0xC0000000u)) { n += 2; x <<= 2; }
    if (!(x & 0x80000000u)) { n += 1; }
    return n;
}

/*
 * GetReciprocal: for x > 0 with integer_bits integer bits, 1 / (x scaled into [1, 2)) as Q0.31,
 * and in *bits_over_unit the power of two the scaling took out (1/x = result / 2^31 / 2^k).
 * Example: x = 3 * 2^19, integer_bits = 12 (3.0) -> 1431655762, k = 1.
 */
WHITTLE_INLINE int32_t whittle_reciprocal(int32_t x, int integer_bits, int *bits_over_unit)
{
    const int headroom_plus_one = whittle_count_leading_zeros((uint32_t)x);
    *bits_over_unit = integer_bits - headroom_plus_one;
    return whittle_one_over_one_plus_x((int32_t)(((uint32_t)x << headroom_plus_one) - 0x80000000u));
}

#endif /* WHITTLE_SOFTMAX_H */
