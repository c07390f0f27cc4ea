/*
 * maxpool_s8.c - int8 max pooling, channels-last (HWC). The output keeps the input's scale and
 * zero point. Included by model.c (see conv2d_s8.c).
 *
 * Each window is clipped to the input once per pixel, so no tap is bounds-checked; the
 * innermost loop runs over contiguous channels, using the output pixel as the running maximum.
 */
#ifndef MAXPOOL_S8_C
#define MAXPOOL_S8_C

#include "whittle_pool.h"

typedef whittle_pool_params maxpool_s8_params;

WHITTLE_INLINE void maxpool_s8(
    const int8_t *input, int8_t *output, const maxpool_s8_params *p)
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
            int8_t *out = output + (oy * out_w + ox) * channels;
            for (int c = 0; c < channels; ++c) {
                out[c] = INT8_MIN;
            }
            for (int ky = ky_begin; ky < ky_end; ++ky) {
                for (int kx = kx_begin; kx < kx_end; ++kx) {
                    const int8_t *x = input + ((iy0 + ky) * in_w + ix0 + kx) * channels;
                    for (int c = 0; c < channels; ++c) {
                        out[c] = x[c] > out[c] ? x[c] : out[c];
                    }
                }
            }
            for (int c = 0; c < channels; ++c) {
                out[c] = whittle_clamp_s8(out[c], act_min, act_max);
            }
        }
    }
}

#endif /* MAXPOOL_S8_C */
