/*
 * conv2d_s8.c - int8 2-D convolution, channels-last (HWC), grouped.
 *
 * Included by model.c with a `static const conv2d_s8_params` per call: every call is inlined and
 * reads its parameters from that constant, so the compiler folds them as literals and
 * specialises the loops for that layer. The file also compiles on its own.
 *
 * Output channels are computed `block` at a time (block divides out_c / groups, at most 8) so
 * each input byte loaded feeds `block` multiply-accumulates.
 * weights: [out_c / block][k_h][k_w][in_c / groups][block] - the filters of one block
 *          interleaved, read front to back exactly once per output pixel.
 * bias:    bias[c] - in_zero * sum(filter c), folded by whittle at compile time, so the interior
 *          multiplies raw int8 inputs.
 * Output pixels in rows [y_begin, y_end) and columns [x_begin, x_end) (computed by whittle) have
 * every tap inside the input and run with no bounds checks. Border pixels use in_zero for taps
 * outside the input, which is exactly skipping them under the folded bias.
 * pool_h x pool_w > 1 x 1: a max pool with that kernel and stride (no padding) folded into the
 * output stage: output is the pooled (out_h / pool_h) x (out_w / pool_w) x out_c tensor, and each
 * channel's largest accumulator in a pool window is the one requantized (requantization never
 * decreases, so this equals pooling the requantized outputs).
 */
#ifndef CONV2D_S8_C
#define CONV2D_S8_C

#include "whittle_fixedpoint.h"

#define CONV2D_S8_MAX_BLOCK 8

/* The shapes and quantization of one call (conv2d_s8_dsp takes the same struct). */
typedef struct {
    int in_h, in_w, in_c;
    int out_h, out_w, out_c;      /* the conv output, before a folded pool */
    int k_h, k_w;
    int stride_h, stride_w;
    int pad_top, pad_left;
    int groups;
    int block;                    /* output channels computed at once */
    int32_t in_zero, out_zero;
    int32_t act_min, act_max;
    int y_begin, y_end;           /* interior rows: every tap inside the input */
    int x_begin, x_end;           /* interior columns */
    int pool_h, pool_w;           /* the folded max pool; 1 x 1 without one */
} conv2d_s8_params;

/* Accumulates one block of output channels at one output pixel into acc, bias included:
   conv2d_s8_accumulate here, conv2d_s8_dsp_accumulate on DSP cores. `inside` is a literal at each
   call, so the interior copy has no bounds checks at all. */
typedef void (*conv2d_s8_accumulate_fn)(
    int32_t *acc, const int8_t *input, const int8_t *w, const int32_t *bias, int inside, int iy0, int ix0, int channel0,
    const conv2d_s8_params *p);

WHITTLE_INLINE void conv2d_s8_accumulate(
    int32_t *acc, const int8_t *input, const int8_t *w, const int32_t *bias, int inside, int iy0, int ix0, int channel0,
    const conv2d_s8_params *p)
{
    const int in_h = p->in_h, in_w = p->in_w, in_c = p->in_c, k_h = p->k_h, k_w = p->k_w;
    const int groups = p->groups, block = p->block;
    const int32_t in_zero = p->in_zero;
    const int group_in = in_c / groups;
    WHITTLE_UNROLL_BLOCK for (int j = 0; j < block; ++j) {
        acc[j] = bias[j];
    }
    for (int ky = 0; ky < k_h; ++ky) {
        const int iy = iy0 + ky;
        if (inside && groups == 1) {
            /* One filter row is k_w * in_c contiguous input bytes. */
            const int8_t *x = input + (iy * in_w + ix0) * in_c;
            WHITTLE_UNROLL_TAPS for (int i = 0; i < k_w * in_c; ++i) {
                const int32_t xv = x[i];
                WHITTLE_UNROLL_BLOCK for (int j = 0; j < block; ++j) {
                    acc[j] += xv * w[j];
                }
                w += block;
            }
            continue;
        }
        for (int kx = 0; kx < k_w; ++kx) {
            const int ix = ix0 + kx;
            if (inside || (iy >= 0 && iy < in_h && ix >= 0 && ix < in_w)) {
                const int8_t *x = input + (iy * in_w + ix) * in_c + channel0;
                for (int i = 0; i < group_in; ++i) {
                    const int32_t xv = x[i];
                    WHITTLE_UNROLL_BLOCK for (int j = 0; j < block; ++j) {
                        acc[j] += xv * w[j];
                    }
                    w += block;
                }
            } else {
                for (int i = 0; i < group_in; ++i) {
                    WHITTLE_UNROLL_BLOCK for (int j = 0; j < block; ++j) {
                        acc[j] += in_zero * w[j];
                    }
                    w += block;
                }
            }
        }
    }
}

/* Every output pixel (every pooled one with a folded max pool), `block` channels at a time:
   `accumulate` fills the block's accumulators at each conv pixel of the pool window, the largest
   is requantized. Shared by conv2d_s8 and conv2d_s8_dsp, which differ only in `accumulate`. */
WHITTLE_INLINE void conv2d_s8_pooled(
    const int8_t *input, int8_t *output,
    const int8_t *weights, const int32_t *bias, const int32_t *multiplier, const int8_t *shift,
    const conv2d_s8_params *p, conv2d_s8_accumulate_fn accumulate)
{
    const int in_c = p->in_c, out_h = p->out_h, out_w = p->out_w, out_c = p->out_c, k_h = p->k_h, k_w = p->k_w;
    const int stride_h = p->stride_h, stride_w = p->stride_w, pad_top = p->pad_top, pad_left = p->pad_left;
    const int groups = p->groups, block = p->block, pool_h = p->pool_h, pool_w = p->pool_w;
    const int y_begin = p->y_begin, y_end = p->y_end, x_begin = p->x_begin, x_end = p->x_end;
    const int32_t out_zero = p->out_zero, act_min = p->act_min, act_max = p->act_max;
    const int group_in = in_c / groups;
    const int group_out = out_c / groups;
    const int filter_size = k_h * k_w * group_in;
    const int pooled_h = out_h / pool_h;
    const int pooled_w = out_w / pool_w;
    for (int py = 0; py < pooled_h; ++py) {
        for (int px = 0; px < pooled_w; ++px) {
            int8_t *out = output + (py * pooled_w + px) * out_c;
            for (int oc = 0; oc < out_c; oc += block) {
                const int channel0 = (oc / group_out) * group_in;
                const int8_t *w = weights + oc * filter_size;
                int32_t best[CONV2D_S8_MAX_BLOCK];
                WHITTLE_UNROLL_BLOCK for (int j = 0; j < block; ++j) {
                    best[j] = INT32_MIN;
                }
                for (int wy = 0; wy < pool_h; ++wy) {
                    const int oy = py * pool_h + wy;
                    const int row_inside = oy >= y_begin && oy < y_end;
                    for (int wx = 0; wx < pool_w; ++wx) {
                        const int ox = px * pool_w + wx;
                        int32_t acc[CONV2D_S8_MAX_BLOCK];
                        if (row_inside && ox >= x_begin && ox < x_end) {
                            accumulate(acc, input, w, bias + oc, 1, oy * stride_h - pad_top, ox * stride_w - pad_left, channel0, p);
                        } else {
                            accumulate(acc, input, w, bias + oc, 0, oy * stride_h - pad_top, ox * stride_w - pad_left, channel0, p);
                        }
                        WHITTLE_UNROLL_BLOCK for (int j = 0; j < block; ++j) {
                            best[j] = acc[j] > best[j] ? acc[j] : best[j];
                        }
                    }
                }
                WHITTLE_UNROLL_BLOCK for (int j = 0; j < block; ++j) {
                    out[oc + j] = whittle_requantize(best[j], multiplier[oc + j], shift[oc + j], out_zero, act_min, act_max);
                }
            }
        }
    }
}

WHITTLE_INLINE void conv2d_s8(
    const int8_t *input, int8_t *output,
    const int8_t *weights, const int32_t *bias, const int32_t *multiplier, const int8_t *shift,
    const conv2d_s8_params *p)
{
    conv2d_s8_pooled(input, output, weights, bias, multiplier, shift, p, conv2d_s8_accumulate);
}

#endif /* CONV2D_S8_C */
