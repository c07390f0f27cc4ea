/*
 * mean_s8.c - int8 mean over the height and width of each channel (channels-last input, a
 * 1x1xC output), as TFLite's reference MEAN (reference_ops::QuantizedMeanOrSum):
 *   y = clamp(out_zero + (sum(x) - in_zero * count) * M),
 * M being s_in / s_out with 1/count folded in by whittle (an unnormalized Q31 m0 >= 0 and a
 * shift), applied with TFLite's double rounding. The accumulator-range analysis proves the sum
 * and the shifted value stay inside whittle_multiply_prepared's headroom: no division here.
 */
#ifndef MEAN_S8_C
#define MEAN_S8_C

#include "whittle_fixedpoint.h"

typedef struct {
    int count;          /* height * width: values a channel */
    int channels;
    int32_t in_zero, out_zero;
    int32_t m0;         /* 0 <= m0 < 2^31 */
    int shift;
} mean_s8_params;

WHITTLE_INLINE void mean_s8(const int8_t *input, int8_t *output, const mean_s8_params *p)
{
    const whittle_multiplier m = whittle_prepare_multiplier(p->m0, p->shift);
    const int channels = p->channels;
    for (int c = 0; c < channels; ++c) {
        int32_t sum = 0;
        for (int i = 0; i < p->count; ++i) {
            sum += input[i * channels + c];
        }
        output[c] = whittle_requantize_prepared(sum - p->in_zero * p->count, m, p->out_zero, -128, 127);
    }
}

#endif /* MEAN_S8_C */
