/*
 * softmax_s8.c - int8 softmax over the channels of each pixel (channels-last rows), output scale
 * 1/256 and zero point -128, as TFLite's reference SOFTMAX (reference_ops::Softmax):
 *   d = x - max(row); rows values with d < diff_min give -128 and add nothing;
 *   e = exp(d * beta * s_in) in Q0.31 (whittle_multiply_greater_than_one into Q5.26, then
 *       whittle_exp_on_negative_values_q5); sum = sum of e rescaled to Q12.19;
 *   y = clamp(round(reciprocal(sum) * e / 2^(k + 23)) - 128), k the reciprocal's bits over unit.
 * Each exponential is computed twice (for the sum and for the output) as TFLite does: no scratch.
 * At most 511 values a row (the verifier's rule), so the sum stays under 2^28 and k + 23 <= 31.
 */
#ifndef SOFTMAX_S8_C
#define SOFTMAX_S8_C

#include "whittle_softmax.h"

typedef struct {
    int rows;                  /* pixels: height * width */
    int depth;                 /* values a row: the channels */
    int32_t input_multiplier;  /* M0 of beta * s_in * 2^26, in [2^30, 2^31) */
    int input_left_shift;      /* its power of two, 0..31 */
    int32_t diff_min;          /* the smallest x - max that counts, <= 0 */
} softmax_s8_params;

WHITTLE_INLINE int32_t softmax_s8_exp(int32_t difference, const softmax_s8_params *p)
{
    return whittle_exp_on_negative_values_q5(
        whittle_multiply_greater_than_one(difference, p->input_multiplier, p->input_left_shift));
}

WHITTLE_INLINE void softmax_s8(const int8_t *input, int8_t *output, const softmax_s8_params *p)
{
    const int depth = p->depth;
    for (int r = 0; r < p->rows; ++r) {
        const int8_t *x = input + r * depth;
        int8_t *y = output + r * depth;
        int32_t maximum = -128;
        for (int c = 0; c < depth; ++c) {
            maximum = x[c] > maximum ? x[c] : maximum;
        }
        int32_t sum = 0;
        for (int c = 0; c < depth; ++c) {
            const int32_t difference = x[c] - maximum;
            if (difference >= p->diff_min) {
                sum += whittle_shift_right_nearest_away(softmax_s8_exp(difference, p), WHITTLE_SOFTMAX_SUM_INTEGER_BITS);
            }
        }
        int bits_over_unit;
        const int32_t scale = whittle_reciprocal(sum, WHITTLE_SOFTMAX_SUM_INTEGER_BITS, &bits_over_unit);
        const int exponent = bits_over_unit + 31 - 8;
        for (int c = 0; c < depth; ++c) {
            const int32_t difference = x[c] - maximum;
            int32_t value = -128;
            if (difference >= p->diff_min) {
                /* scale >= 0 is the second factor */
                value = whittle_shift_right_nearest_away(
                            whittle_doubling_high_mul_nonnegative(softmax_s8_exp(difference, p), scale), exponent) - 128;
            }
            y[c] = whittle_clamp_s8(value, -128, 127);
        }
    }
}

#endif /* SOFTMAX_S8_C */
