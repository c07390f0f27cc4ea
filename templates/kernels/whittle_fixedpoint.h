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

/*
 * The high multiply of the kernels' output stage, for m0 >= 0 (see whittle_multiply_prepared):
 * (a * b + 2^30) >> 31 in 64 bits, which is SRDHM's nudged division (its truncation toward zero
 * of (ab + 1 - 2^30) / 2^31 for ab < 0 equals this floor).
 * Cortex-M0 (ARMv6-M) has no 32 x 32 -> 64-bit multiply: gcc would call __aeabi_lmul for the
 * product (and __aeabi_lasr for a variable 64-bit shift). WHITTLE_SPLIT_MULTIPLY, on by
 * default there, forms the same product from four 16 x 16-bit multiplies instead
 * (whittle_multiply_wide_split); it can be forced anywhere (the tests build both forms on the host).
 */
#if !defined(WHITTLE_SPLIT_MULTIPLY) && defined(__ARM_ARCH_6M__)
#define WHITTLE_SPLIT_MULTIPLY 1
#endif

#if defined(WHITTLE_SPLIT_MULTIPLY) && WHITTLE_SPLIT_MULTIPLY
/* a * b + addend in 64 bits, as a high and a low word, for b >= 0: a = ah * 2^16 + al,
   b = bh * 2^16 + bl (al, bl, bh unsigned; bh < 2^15 as b >= 0), so
   a * b + addend = ah*bh * 2^32 + (ah*bl + al*bh) * 2^16 + al*bl + addend; each product fits
   32 bits, and the low word's carries go into the high word. */
typedef struct {
    int32_t high;
    uint32_t low;
} whittle_wide_product;

WHITTLE_INLINE whittle_wide_product whittle_multiply_wide_split(int32_t a, int32_t b, uint32_t addend)
{
    const int32_t ah = a >> 16;
    const uint32_t al = (uint32_t)a & 0xFFFFu;
    const uint32_t bh = (uint32_t)b >> 16;
    const uint32_t bl = (uint32_t)b & 0xFFFFu;
    const uint32_t low = al * bl;
    const int32_t cross_high = ah * (int32_t)bl;
    const uint32_t cross_low = al * bh;
    whittle_wide_product p;
    uint32_t sum = low + addend;
    int32_t high = ah * (int32_t)bh + (sum < low);
    uint32_t term = (uint32_t)cross_high << 16;
    sum += term;
    high += (cross_high >> 16) + (sum < term);
    term = cross_low << 16;
    sum += term;
    high += (int32_t)(cross_low >> 16) + (sum < term);
    p.high = high;
    p.low = sum;
    return p;
}
#endif

WHITTLE_INLINE int32_t whittle_doubling_high_mul_nonnegative(int32_t a, int32_t b)
{
#if defined(WHITTLE_SPLIT_MULTIPLY) && WHITTLE_SPLIT_MULTIPLY
    const whittle_wide_product p = whittle_multiply_wide_split(a, b, 0x40000000u);
    return (int32_t)(((uint32_t)p.high << 1) | (p.low >> 31));
#else
    return (int32_t)(((int64_t)a * (int64_t)b + ((int64_t)1 << 30)) >> 31);
#endif
}

/* floor(a * b / 2^30) for b >= 0 and |a| < 2^30 (so the result fits): the high part single
   rounding starts from. */
WHITTLE_INLINE int32_t whittle_high_mul_floor30(int32_t a, int32_t b)
{
#if defined(WHITTLE_SPLIT_MULTIPLY) && WHITTLE_SPLIT_MULTIPLY
    const whittle_wide_product p = whittle_multiply_wide_split(a, b, 0u);
    return (int32_t)(((uint32_t)p.high << 2) | (p.low >> 30));
#else
    return (int32_t)(((int64_t)a * (int64_t)b) >> 30);
#endif
}

/*
 * SMMULR on ARMv7E-M (Cortex-M4/M7): (a * b + 2^31) >> 32 in one instruction. With a doubled it
 * is doubling_high_mul_nonnegative: (2a * b + 2^31) >> 32 == (a * b + 2^30) >> 31 exactly, for
 * any 2a inside int32.
 */
#if defined(__ARM_FEATURE_DSP) && defined(__GNUC__)
WHITTLE_INLINE int32_t whittle_high_mul_rounded(int32_t a, int32_t b)
{
    int32_t result;
    __asm__("smmulr %0, %1, %2" : "=r"(result) : "r"(a), "r"(b));
    return result;
}
#endif

/*
 * A multiplier prepared once for the values it requantizes (a channel's outputs): the shifts
 * split and the rounding constants of the shift computed.
 * Example: m0 = 1077952576, shift = -7 (M = 1/255), x = 127 -> 1.
 */
typedef struct {
    int32_t m0;
    int left;       /* shift > 0 ? shift : 0 */
    int right;      /* shift < 0 ? -shift : 0 */
    int32_t round;  /* 2^(right-1), 0 for right = 0: added before the shift */
    int32_t toward; /* -1 for right > 0, else 0: what a negative h adds, so its ties go away from zero */
} whittle_multiplier;

WHITTLE_INLINE whittle_multiplier whittle_prepare_multiplier(int32_t m0, int shift)
{
    whittle_multiplier m;
    /* Without branches (the kernels prepare a channel's multiplier in their loops): shift >> 31
       is -1 for a negative shift, else 0; -right >> 31 is -1 for right > 0, else 0. */
    const int negative = shift >> 31;
    m.m0 = m0;
    m.left = shift & ~negative;
    m.right = -shift & negative;
    m.round = (int32_t)(((uint32_t)1 << m.right) >> 1);
    m.toward = (int32_t)(0u - (uint32_t)m.right) >> 31;
    return m;
}

/*
 * whittle_multiply_by_quantized_multiplier for what the kernels requantize: the multipliers
 * whittle emits (m0 = 0, or m0 in [2^30, 2^31), so m0 >= 0 and the high multiply never
 * saturates) and accumulators with |x * 2^left| < 2^30, the bit of headroom the
 * accumulator-range analysis proves for every layer. Then |h| < 2^30, so
 *   h / 2^right rounded nearest_away = (h + round + (h < 0 ? toward : 0)) >> right
 * forms no overflowing sum, and on ARMv7E-M the high multiply is one SMMULR of 2x.
 */
WHITTLE_INLINE int32_t whittle_high_mul_prepared(int32_t x, whittle_multiplier m)
{
#if defined(__ARM_FEATURE_DSP) && defined(__GNUC__)
    return whittle_high_mul_rounded((int32_t)((uint32_t)x << (m.left + 1)), m.m0);
#else
    return whittle_doubling_high_mul_nonnegative((int32_t)((uint32_t)x << m.left), m.m0);
#endif
}

WHITTLE_INLINE int32_t whittle_multiply_prepared(int32_t x, whittle_multiplier m)
{
    const int32_t h = whittle_high_mul_prepared(x, m);
    return (h + m.round + ((h >> 31) & m.toward)) >> m.right;
}

/*
 * whittle_multiply_prepared plus out_zero, for a multiplier that shifts right by 1 to 22
 * (whittle_zero_folds): with rounding = 2^(right-1) + out_zero * 2^right (whittle_zero_rounding),
 *   ((h + 2^(right-1) - (h < 0)) >> right) + out_zero == (h + (h >> 31) + rounding) >> right,
 * as adding a multiple of 2^right commutes with the floor shift, and h >> 31 is the -1 a
 * negative h adds. |h| < 2^30 and |rounding| <= 2^21 + 128 * 2^22 = 2^29 + 2^21 (|out_zero| <=
 * 128), so no sum overflows. Two operations fewer per output than adding out_zero after
 * whittle_multiply_prepared, and no `toward`.
 * Example: m0 = 1077952576, shift = -7, out_zero = -128: rounding = 64 - 16384; x = 127 -> 1 - 128.
 */
WHITTLE_INLINE int whittle_zero_folds(whittle_multiplier m)
{
    return m.right >= 1 && m.right <= 22;
}

WHITTLE_INLINE int32_t whittle_zero_rounding(whittle_multiplier m, int32_t out_zero)
{
    return m.round + out_zero * ((int32_t)1 << m.right);
}

WHITTLE_INLINE int32_t whittle_multiply_zero_folded(int32_t x, whittle_multiplier m, int32_t rounding)
{
    const int32_t h = whittle_high_mul_prepared(x, m);
    return (h + (h >> 31) + rounding) >> m.right;
}

/*
 * MultiplyByQuantizedMultiplier with TFLite's single rounding, the rule of its reference
 * FULLY_CONNECTED: (x * m0 + 2^(30 - shift)) >> (31 - shift), one rounding nearest_up, for
 * shift <= 30. Any x whose result fits int32; a 64-bit product (the tests' exact form).
 * Example: m0 = 1077952576, shift = -7 (M = 1/255), x = 127 -> 0 (exact 0.498).
 */
WHITTLE_INLINE int32_t whittle_multiply_single_rounding(int32_t x, int32_t m0, int shift)
{
    const int total = 31 - shift;
    return (int32_t)(((int64_t)x * (int64_t)m0 + ((int64_t)1 << (total - 1))) >> total);
}

/*
 * whittle_multiply_single_rounding for what the kernels requantize (m0 >= 0 and
 * |x * 2^left| < 2^30, as for whittle_multiply_prepared). With g = floor(x * 2^left * m0 / 2^30),
 * which fits int32, the result floor((g + 2^right) / 2^(right + 1)) is (t >> 1) + (t & 1) for
 * t = g >> right: no 64-bit shift, no sum that overflows.
 */
WHITTLE_INLINE int32_t whittle_multiply_prepared_single(int32_t x, whittle_multiplier m)
{
    const int32_t t = whittle_high_mul_floor30((int32_t)((uint32_t)x << m.left), m.m0) >> m.right;
    return (t >> 1) + (t & 1);
}

/* The output stage of convolutions and ADD (double rounding): scale, add the zero point, clamp. */
WHITTLE_INLINE int8_t whittle_requantize_prepared(int32_t acc, whittle_multiplier m, int32_t out_zero,
                                                  int32_t act_min, int32_t act_max)
{
    return whittle_clamp_s8(whittle_multiply_prepared(acc, m) + out_zero, act_min, act_max);
}

/* The output stage of whittle_multiply_zero_folded: scale with the zero point folded, clamp. */
WHITTLE_INLINE int8_t whittle_requantize_zero_folded(int32_t acc, whittle_multiplier m, int32_t rounding,
                                                     int32_t act_min, int32_t act_max)
{
    return whittle_clamp_s8(whittle_multiply_zero_folded(acc, m, rounding), act_min, act_max);
}

WHITTLE_INLINE int8_t whittle_requantize(int32_t acc, int32_t m0, int shift, int32_t out_zero,
                                         int32_t act_min, int32_t act_max)
{
    return whittle_requantize_prepared(acc, whittle_prepare_multiplier(m0, shift), out_zero, act_min, act_max);
}

/* The fully connected output stage: single rounding (whittle_multiply_prepared_single). */
WHITTLE_INLINE int8_t whittle_requantize_single(int32_t acc, int32_t m0, int shift, int32_t out_zero,
                                                int32_t act_min, int32_t act_max)
{
    return whittle_clamp_s8(whittle_multiply_prepared_single(acc, whittle_prepare_multiplier(m0, shift)) + out_zero,
                            act_min, act_max);
}

#endif /* WHITTLE_FIXEDPOINT_H */
