/*
 * conv2d_s8_dsp.c - int8 2-D convolution, channels-last (HWC), grouped, for cores with the
 * dual 16-bit multiply-accumulate (SMLAD, SXTB16: Cortex-M4/M7). Same arguments (conv2d_s8_params)
 * and results as conv2d_s8.c; plain C elsewhere (whittle_dsp.h), so the host tests it too.
 *
 * Included by model.c (see conv2d_s8.c): every call is inlined with constant parameters.
 * A filter is read in runs of contiguous input: with groups == 1 a filter row of an interior
 * pixel is k_w * in_c contiguous bytes (even with one input channel: LeNet's conv1 reads 5); a
 * grouped filter reads in_c / groups bytes per tap. Four inputs at a time load as one word, and
 * both the input word and each weight word widen into pairs for SMLAD.
 * weights: per block of `block` filters (block divides out_c / groups, at most 8), per run
 *          (a row, or a tap when grouped) of `run` filter values in [k_h][k_w][in_c / groups]
 *          order: [run / 4][block][4] then [run % 4][block] (whittle_dsp_dot_block).
 * bias:    bias[c] - in_zero * sum(filter c), folded by whittle at compile time.
 * Pixels in rows [y_begin, y_end) and columns [x_begin, x_end) have every tap inside the input;
 * border pixels assemble each input word from the taps inside and in_zero for the others
 * (which is skipping them under the folded bias).
 * The pixel loop, pool and requantization are conv2d_s8.c's conv2d_s8_pooled.
 */
#ifndef CONV2D_S8_DSP_C
#define CONV2D_S8_DSP_C

#include "whittle_dsp.h"
#include "conv2d_s8.c"

/* The generic kernel's struct under this kernel's name: model.c swaps the two by name alone. */
typedef conv2d_s8_params conv2d_s8_dsp_params;

/* One run of a border pixel: the bytes [lo, hi) of the run are input[offset + i], the others
   in_zero. The same arithmetic as whittle_dsp_dot_block on the words this assembles. */
WHITTLE_INLINE const int8_t *conv2d_s8_dsp_border_run(
    int32_t *acc, const int8_t *input, int offset, int lo, int hi, int32_t in_zero,
    const int8_t *w, int run, int block)
{
    int i = 0;
    for (; i + 4 <= run; i += 4) {
        int32_t b[4];
        for (int k = 0; k < 4; ++k) {
            b[k] = i + k >= lo && i + k < hi ? input[offset + i + k] : in_zero;
        }
        const uint32_t xw = whittle_pack_s8x4(b[0], b[1], b[2], b[3]);
        const int32_t x_even = whittle_widen_even(xw), x_odd = whittle_widen_odd(xw);
        WHITTLE_UNROLL_BLOCK for (int j = 0; j < block; ++j) {
            const uint32_t ww = whittle_load_s8x4(w + 4 * j);
            acc[j] = whittle_dot2(x_even, whittle_widen_even(ww), acc[j]);
            acc[j] = whittle_dot2(x_odd, whittle_widen_odd(ww), acc[j]);
        }
        w += 4 * block;
    }
    for (; i < run; ++i) {
        const int32_t xv = i >= lo && i < hi ? input[offset + i] : in_zero;
        WHITTLE_UNROLL_BLOCK for (int j = 0; j < block; ++j) {
            acc[j] += xv * w[j];
        }
        w += block;
    }
    return w;
}

/*
 * The accumulators of one block of output channels at one output pixel, bias included:
 * acc[j] for output channel (block start + j). The caller requantizes and stores them (or pools
 * first). `inside` is a literal at each call, so the interior copy has no bounds checks at all.
 * w: the block's weights (weights + first channel * filter size); channel0: the group's first
 * input channel.
 */
WHITTLE_INLINE void conv2d_s8_dsp_accumulate(
    int32_t *acc, const int8_t *input, const int8_t *w, const int32_t *bias, int inside, int iy0, int ix0, int channel0,
    const conv2d_s8_params *p)
{
    const int in_h = p->in_h, in_w = p->in_w, in_c = p->in_c, k_h = p->k_h, k_w = p->k_w;
    const int groups = p->groups, block = p->block;
    const int32_t in_zero = p->in_zero;
    WHITTLE_UNROLL_BLOCK for (int j = 0; j < block; ++j) {
        acc[j] = bias[j];
    }
    if (groups == 1) {
        /* Runs are filter rows. Border pixels: taps [first, end) of a row lie inside, so its
           bytes [first * in_c, end * in_c). */
        const int run = k_w * in_c;
        const int lo = whittle_first_tap(ix0) * in_c;
        const int hi = whittle_tap_end(ix0, k_w, in_w) * in_c;
        if (inside) {
            const int8_t *x = input + (iy0 * in_w + ix0) * in_c;
            for (int ky = 0; ky < k_h; ++ky) {
                w = whittle_dsp_dot_block(acc, x + ky * in_w * in_c, w, run, block);
            }
            return;
        }
        for (int ky = 0; ky < k_h; ++ky) {
            const int iy = iy0 + ky;
            const int row_inside = iy >= 0 && iy < in_h;
            w = conv2d_s8_dsp_border_run(acc, input, (iy * in_w + ix0) * in_c, row_inside ? lo : 0, row_inside ? hi : 0,
                                         in_zero, w, run, block);
        }
        return;
    }
    /* Grouped: runs are the group's channels of one tap. */
    const int run = in_c / groups;
    for (int ky = 0; ky < k_h; ++ky) {
        const int iy = iy0 + ky;
        for (int kx = 0; kx < k_w; ++kx) {
            const int ix = ix0 + kx;
            const int offset = (iy * in_w + ix) * in_c + channel0;
            if (inside) {
                w = whittle_dsp_dot_block(acc, input + offset, w, run, block);
            } else {
                const int tap_inside = iy >= 0 && iy < in_h && ix >= 0 && ix < in_w;
                w = conv2d_s8_dsp_border_run(acc, input, offset, 0, tap_inside ? run : 0, in_zero, w, run, block);
            }
        }
    }
}

WHITTLE_INLINE void conv2d_s8_dsp(
    const int8_t *input, int8_t *output,
    const int8_t *weights, const int32_t *bias, const int32_t *multiplier, const int8_t *shift,
    const conv2d_s8_dsp_params *p)
{
    conv2d_s8_pooled(input, output, weights, bias, multiplier, shift, p, conv2d_s8_dsp_accumulate);
}

#endif /* CONV2D_S8_DSP_C */
