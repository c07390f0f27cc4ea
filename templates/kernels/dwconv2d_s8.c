/*
 * dwconv2d_s8.c - int8 depthwise 2-D convolution, channels-last (HWC).
 *
 * Included by model.c (see conv2d_s8.c). Output channel c reads input
 * channel c / depth_multiplier.
 *
 * weights: [k_h][k_w][out_c], so the innermost loop runs over contiguous channels of both the
 *          input pixel and the weights.
 * bias:    bias[c] - in_zero * sum(filter c), folded by whittle at compile time.
 * Interior pixels ([y_begin, y_end) x [x_begin, x_end)) skip bounds checks; border taps outside
 * the input contribute in_zero * w, which cancels the fold exactly.
 */
#ifndef DWCONV2D_S8_C
#define DWCONV2D_S8_C

#include "whittle_fixedpoint.h"

/* Channels accumulated at once: a fixed stack block, no variable-length arrays. */
#define DWCONV2D_S8_BLOCK 16

/* The shapes and quantization of one call (dwconv2d_s8_dsp takes the same struct). */
typedef struct {
    int in_h, in_w, in_c;
    int out_h, out_w;
    int depth_multiplier;         /* output channels per input channel */
    int k_h, k_w;
    int stride_h, stride_w;
    int pad_top, pad_left;
    int32_t in_zero, out_zero;
    int32_t act_min, act_max;
    int y_begin, y_end;           /* interior rows: every tap inside the input */
    int x_begin, x_end;           /* interior columns */
} dwconv2d_s8_params;

/* Accumulates output channels [c0, c0 + n) at one output pixel into acc (acc[j] for channel
   c0 + j), bias included: dwconv2d_s8_accumulate here, dwconv2d_s8_dsp_accumulate on DSP cores.
   `inside` is a literal at each call. */
typedef void (*dwconv2d_s8_accumulate_fn)(
    int32_t *acc, const int8_t *input, const int8_t *weights, const int32_t *bias, int c0, int n, int inside,
    int iy0, int ix0, int in_h, int in_w, int in_c, int depth_multiplier, int k_h, int k_w, int32_t in_zero);

WHITTLE_INLINE void dwconv2d_s8_accumulate(
    int32_t *acc, const int8_t *input, const int8_t *weights, const int32_t *bias, int c0, int n, int inside,
    int iy0, int ix0, int in_h, int in_w, int in_c, int depth_multiplier, int k_h, int k_w, int32_t in_zero)
{
    const int out_c = in_c * depth_multiplier;
    for (int j = 0; j < n; ++j) {
        acc[j] = bias[c0 + j];
    }
    for (int ky = 0; ky < k_h; ++ky) {
        const int iy = iy0 + ky;
        for (int kx = 0; kx < k_w; ++kx) {
            const int ix = ix0 + kx;
            const int8_t *w = weights + (ky * k_w + kx) * out_c + c0;
            if (inside || (iy >= 0 && iy < in_h && ix >= 0 && ix < in_w)) {
                const int8_t *x = input + (iy * in_w + ix) * in_c;
                for (int j = 0; j < n; ++j) {
                    acc[j] += (int32_t)x[(c0 + j) / depth_multiplier] * w[j];
                }
            } else {
                for (int j = 0; j < n; ++j) {
                    acc[j] += in_zero * w[j];
                }
            }
        }
    }
}

/* Every output pixel, `block` (at most DWCONV2D_S8_BLOCK) channels at a time. Shared by
   dwconv2d_s8 and dwconv2d_s8_dsp, which differ only in `accumulate`. */
WHITTLE_INLINE void dwconv2d_s8_pixels(
    const int8_t *input, int8_t *output,
    const int8_t *weights, const int32_t *bias, const int32_t *multiplier, const int8_t *shift,
    int in_h, int in_w, int in_c, int out_h, int out_w, int depth_multiplier,
    int k_h, int k_w, int stride_h, int stride_w, int pad_top, int pad_left,
    int32_t in_zero, int32_t out_zero, int32_t act_min, int32_t act_max,
    int y_begin, int y_end, int x_begin, int x_end,
    int block, dwconv2d_s8_accumulate_fn accumulate)
{
    const int out_c = in_c * depth_multiplier;
    for (int oy = 0; oy < out_h; ++oy) {
        const int iy0 = oy * stride_h - pad_top;
        const int row_inside = oy >= y_begin && oy < y_end;
        for (int ox = 0; ox < out_w; ++ox) {
            const int ix0 = ox * stride_w - pad_left;
            int8_t *out = output + (oy * out_w + ox) * out_c;
            for (int c0 = 0; c0 < out_c; c0 += block) {
                const int n = out_c - c0 < block ? out_c - c0 : block;
                int32_t acc[DWCONV2D_S8_BLOCK];
                if (row_inside && ox >= x_begin && ox < x_end) {
                    accumulate(acc, input, weights, bias, c0, n, 1, iy0, ix0, in_h, in_w, in_c, depth_multiplier, k_h, k_w, in_zero);
                } else {
                    accumulate(acc, input, weights, bias, c0, n, 0, iy0, ix0, in_h, in_w, in_c, depth_multiplier, k_h, k_w, in_zero);
                }
                for (int j = 0; j < n; ++j) {
                    out[c0 + j] = whittle_requantize(acc[j], multiplier[c0 + j], shift[c0 + j], out_zero, act_min, act_max);
                }
            }
        }
    }
}

/* The pixel loop of one call's parameters. The helpers above take the fields as arguments: a
   literal argument folds as the call is inlined, a field read only a pass later, and on the
   depthwise loops (reached through `accumulate`) that order changed gcc's code by a few
   instructions either way. */
WHITTLE_INLINE void dwconv2d_s8_run(
    const int8_t *input, int8_t *output,
    const int8_t *weights, const int32_t *bias, const int32_t *multiplier, const int8_t *shift,
    const dwconv2d_s8_params *p, int block, dwconv2d_s8_accumulate_fn accumulate)
{
    dwconv2d_s8_pixels(input, output, weights, bias, multiplier, shift, p->in_h, p->in_w, p->in_c, p->out_h, p->out_w,
                       p->depth_multiplier, p->k_h, p->k_w, p->stride_h, p->stride_w, p->pad_top, p->pad_left,
                       p->in_zero, p->out_zero, p->act_min, p->act_max, p->y_begin, p->y_end, p->x_begin, p->x_end,
                       block, accumulate);
}

WHITTLE_INLINE void dwconv2d_s8(
    const int8_t *input, int8_t *output,
    const int8_t *weights, const int32_t *bias, const int32_t *multiplier, const int8_t *shift,
    const dwconv2d_s8_params *p)
{
    dwconv2d_s8_run(input, output, weights, bias, multiplier, shift, p, DWCONV2D_S8_BLOCK, dwconv2d_s8_accumulate);
}

#endif /* DWCONV2D_S8_C */
