/*
 * whittle_fixedpoint.h - integer fixed-point arithmetic with TFLite/gemmlowp semantics.
 *
 * The C twin of the Swift files in Sources/WhittleIR/FixedPoint/; both are tested against one table of
 * edge cases (templates/tests/fixed_point_cases.json). Integer only: no float, no libc.
 * Each function names its rounding rule (the swift-numerics names):
 *   nearest_up   - to nearest, a tie goes toward +infinity
 *   nearest_away - to nearest, a tie goes away from zero
 * Signed right shifts are assumed arithmetic, as on every compiler Whittle targets.
 */
#ifndef WHITTLE_FIXEDPOINT_H
#define WHITTLE_FIXEDPOINT_H

#include "whittle_kernel.h"

#if (-1 >> 1) != -1
#error "whittle kernels need an arithmetic right shift of negative integers"
#endif

/*
 * SaturatingRoundingDoublingHighMul: a*b / 2^31 rounded nearest_up; INT32_MIN*INT32_MIN, the
 * only product that does not fit, saturates to INT32_MAX.
 * Example: a = 127, b = 1077952576 -> 64 (exact 64.25).
 */
WHITTLE_INLINE int32_t whittle_doubling_high_mul_nearest_up(int32_t a, int32_t b)
{
    if (a == INT32_MIN && b == INT32_MIN) {
        return INT32_MAX;
    }
    return (int32_t)(((int64_t)a * (int64_t)b + ((int64_t)1 << 30)) >> 31);
}

/*
 * RoundingDivideByPOT: x / 2^exponent rounded nearest_away, exponent in 0..31.
 * Example: x = 64, exponent = 7 -> 1 (exact 0.5); x = -64 -> -1.
 */
WHITTLE_INLINE int32_t whittle_shift_right_nearest_away(int32_t x, int exponent)
{
    const uint32_t mask = ((uint32_t)1 << exponent) - 1u;
    const uint32_t remainder = (uint32_t)x & mask;
    const uint32_t threshold = (mask >> 1) + (x < 0 ? 1u : 0u);
    return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/*
 * MultiplyByQuantizedMultiplier with TFLite's default double rounding:
 * shift_right_nearest_away(doubling_high_mul_nearest_up(x * 2^left, m0), right).
 * Whittle's accumulator-range analysis proves x * 2^left fits before emitting a call.
 * Example: m0 = 1077952576, shift = -7 (M = 1/255), x = 127 -> 1.
 */
WHITTLE_INLINE int32_t whittle_multiply_by_quantized_multiplier(int32_t x, int32_t m0, int shift)
{
    const int left = shift > 0 ? shift : 0;
    const int right = shift > 0 ? 0 : -shift;
    return whittle_shift_right_nearest_away(whittle_doubling_high_mul_nearest_up(x * ((int32_t)1 << left), m0), right);
}

/* The output stage shared by conv and fully connected: scale, add the zero point, clamp. */
WHITTLE_INLINE int8_t whittle_requantize(int32_t acc, int32_t m0, int shift, int32_t out_zero,
                                         int32_t act_min, int32_t act_max)
{
    return whittle_clamp_s8(whittle_multiply_by_quantized_multiplier(acc, m0, shift) + out_zero, act_min, act_max);
}

/*
 * MultiplyByQuantizedMultiplier prepared once for a channel that requantizes many values (one
 * filter over every output pixel): the same results as whittle_multiply_by_quantized_multiplier
 * for the multipliers whittle emits (m0 = 0 or in [2^30, 2^31), where the high multiply never
 * saturates) and for x * 2^left inside int32 (which the accumulator-range analysis proves).
 * Both roundings happen in one 64-bit expression:
 *   u = x * m0 * 2^left + 2^30;  h = u >> 31 is doubling_high_mul_nearest_up;
 *   shift_right_nearest_away(h, right) = (h + 2^(right-1) - (h < 0)) >> right for right > 0, and
 *   since h < 0 exactly when u < 0, it is (u + 2^(30+right) - (u < 0 ? 2^31 : 0)) >> (31 + right).
 * Example: m0 = 1077952576, shift = -7 (M = 1/255), x = 127 -> 1, as the unprepared function.
 */
typedef struct {
    int64_t multiplier;     /* m0 * 2^left */
    int64_t round;          /* 2^30 + 2^(30 + right) (or 2^30 when right = 0) */
    int64_t negative_round; /* round - 2^31 when right > 0, else round */
    int shift;              /* 31 + right */
} whittle_multiplier;

WHITTLE_INLINE whittle_multiplier whittle_prepare_multiplier(int32_t m0, int shift)
{
    const int left = shift > 0 ? shift : 0;
    const int right = shift > 0 ? 0 : -shift;
    whittle_multiplier m;
    m.multiplier = (int64_t)m0 * ((int64_t)1 << left);
    m.round = ((int64_t)1 << 30) + (right > 0 ? (int64_t)1 << (30 + right) : 0);
    m.negative_round = m.round - (right > 0 ? (int64_t)1 << 31 : 0);
    m.shift = 31 + right;
    return m;
}

WHITTLE_INLINE int32_t whittle_multiply_prepared(int32_t x, whittle_multiplier m)
{
    return (int32_t)(((int64_t)x * m.multiplier + (x < 0 ? m.negative_round : m.round)) >> m.shift);
}

/* whittle_requantize with a prepared multiplier. */
WHITTLE_INLINE int8_t whittle_requantize_prepared(int32_t acc, whittle_multiplier m, int32_t out_zero,
                                                  int32_t act_min, int32_t act_max)
{
    return whittle_clamp_s8(whittle_multiply_prepared(acc, m) + out_zero, act_min, act_max);
}

#endif /* WHITTLE_FIXEDPOINT_H */
