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

#endif /* WHITTLE_FIXEDPOINT_H */
