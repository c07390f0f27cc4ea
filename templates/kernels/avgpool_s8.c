/*
 * avgpool_s8.c - int8 average pooling, channels-last (HWC). The output keeps the input's scale
 * and zero point. Included by model.c (see conv2d_s8.c).
 *
 * Sums the in-bounds taps of each window and divides by their count, rounding to nearest with
 * ties away from zero (TFLite's reference). Each window is clipped to the input once per pixel.
 */
#ifndef AVGPOOL_S8_C
#define AVGPOOL_S8_C

#include "whittle_pool.h"

typedef whittle_pool_params avgpool_s8_params;

WHITTLE_INLINE void avgpool_s8(
    const int8_t *input, int8_t *output, const avgpool_s8_params *p)
{
    const int in_h = p->in_h, in_w = p->in_w, channels = p->channels, out_h = p->out_h, out_w = p->out_w;
    const int k_h = p->k_h, k_w = p->k_w, stride_h = p->stride_h, stride_w = p->stride_w;
    const int pad_top = p->pad_top, pad_left = p->pad_left;
    const int32_t act_min = p->act_min, act_max = p->act_max;
    for (int oy = 0; oy < out_h; ++oy) {
        const int iy0 = oy * stride_h - pad_top;
        const int ky_begin = whittle_first_tap(iy0);
        const int ky_end = whittle_tap_end(iy0, k_h, in_h);
        for (int ox = 0; ox < out_w; ++ox) {
            const int ix0 = ox * stride_w - pad_left;
            const int kx_begin = whittle_first_tap(ix0);
            const int kx_end = whittle_tap_end(ix0, k_w, in_w);
            const int32_t count = (ky_end - ky_begin) * (kx_end - kx_begin);
            int8_t *out = output + (oy * out_w + ox) * channels;
            for (int c = 0; c < channels; ++c) {
                int32_t sum = 0;
                for (int ky = ky_begin; ky < ky_end; ++ky) {
                    for (int kx = kx_begin; kx < kx_end; ++kx) {
                        sum += input[((iy0 + ky) * in_w + ix0 + kx) * channels + c];
                    }
                }
                out[c] = whittle_clamp_s8(sum >= 0 ? (sum + count / 2) / count : (sum - count / 2) / count,
                                          act_min, act_max);
            }
        }
    }
}

#endif /* AVGPOOL_S8_C */
