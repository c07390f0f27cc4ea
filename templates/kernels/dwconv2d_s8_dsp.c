/*
 * dwconv2d_s8_dsp.c - int8 depthwise 2-D convolution, channels-last (HWC), for cores with the
 * 16-bit multiply-accumulates SMLABB/SMLATT and SXTB16 (Cortex-M4/M7). Same arguments
 * (dwconv2d_s8_params), weight layout and results as dwconv2d_s8.c; plain C elsewhere
 * (whittle_dsp.h), so the host tests it too.
 *
 * Included by model.c (see conv2d_s8.c). Output channel c reads input
 * channel c / depth_multiplier.
 * With depth multiplier 1 and channels in whole words (dwconv2d_s8_dsp_blocks): a block of four
 * channels at a time over all pixels, its weights widened to pairs (channels 0, 2 and 1, 3) once.
 * Otherwise four channels at a time per pixel: per tap one input word and one weight word, widened,
 * feed four single-lane multiply-accumulates; other multipliers and the last out_c % 4 channels
 * take dwconv2d_s8.c's dwconv2d_s8_accumulate, and the pixel loop is its dwconv2d_s8_pixels.
 * weights: [k_h][k_w][out_c].
 * bias:    bias[c] - in_zero * sum(filter c), folded by whittle at compile time.
 * Interior pixels ([y_begin, y_end) x [x_begin, x_end)) skip bounds checks; border taps outside
 * the input read in_zero, which cancels the fold exactly.
 */
#ifndef DWCONV2D_S8_DSP_C
#define DWCONV2D_S8_DSP_C

#include "whittle_dsp.h"
#include "dwconv2d_s8.c"

/* The generic kernel's struct under this kernel's name: model.c swaps the two by name alone. */
typedef dwconv2d_s8_params dwconv2d_s8_dsp_params;

/* Channels accumulated at once: one word of int8 channels. */
#define DWCONV2D_S8_DSP_BLOCK 4

/*
 * The accumulators of output channels [c0, c0 + n) (n <= 4) at one output pixel, bias included:
 * acc[j] for channel c0 + j. The caller requantizes and stores them (or pools first). `inside`
 * is a literal at each call.
 */
WHITTLE_INLINE void dwconv2d_s8_dsp_accumulate(
    int32_t *acc, const int8_t *input, const int8_t *weights, const int32_t *bias, int c0, int n, int inside,
    int iy0, int ix0, int in_h, int in_w, int in_c, int depth_multiplier, int k_h, int k_w, int32_t in_zero)
{
    if (depth_multiplier == 1 && n == DWCONV2D_S8_DSP_BLOCK) {
        const int out_c = in_c;
        const uint32_t zero_word = whittle_pack_s8x4(in_zero, in_zero, in_zero, in_zero);
        int32_t a0 = bias[c0], a1 = bias[c0 + 1], a2 = bias[c0 + 2], a3 = bias[c0 + 3];
        for (int ky = 0; ky < k_h; ++ky) {
            const int iy = iy0 + ky;
            WHITTLE_UNROLL_TAPS for (int kx = 0; kx < k_w; ++kx) {
                const int ix = ix0 + kx;
                const uint32_t xw = inside || (iy >= 0 && iy < in_h && ix >= 0 && ix < in_w)
                                  ? whittle_load_s8x4(input + (iy * in_w + ix) * in_c + c0) : zero_word;
                const uint32_t ww = whittle_load_s8x4(weights + (ky * k_w + kx) * out_c + c0);
                const int32_t x_even = whittle_widen_even(xw), x_odd = whittle_widen_odd(xw);
                const int32_t w_even = whittle_widen_even(ww), w_odd = whittle_widen_odd(ww);
                a0 = whittle_mul_lane0(x_even, w_even, a0);
                a2 = whittle_mul_lane1(x_even, w_even, a2);
                a1 = whittle_mul_lane0(x_odd, w_odd, a1);
                a3 = whittle_mul_lane1(x_odd, w_odd, a3);
            }
        }
        acc[0] = a0, acc[1] = a1, acc[2] = a2, acc[3] = a3;
        return;
    }
    dwconv2d_s8_accumulate(acc, input, weights, bias, c0, n, inside, iy0, ix0, in_h, in_w, in_c, depth_multiplier,
                           k_h, k_w, in_zero);
}

/* Taps whose widened weights dwconv2d_s8_dsp keeps on the stack (a 5x5 window). */
#define DWCONV2D_S8_DSP_MAX_TAPS 25

/*
 * Depth multiplier 1, out_c a multiple of 4 and at most 25 taps: four channels at a time over
 * every output pixel, so each block's weights are widened once (two pairs per tap, on the stack)
 * and its four multipliers prepared once; per tap one input word, widened, feeds four single-lane
 * multiply-accumulates; the four results are stored as one word.
 */
WHITTLE_INLINE void dwconv2d_s8_dsp_blocks(
    const int8_t *input, int8_t *output,
    const int8_t *weights, const int32_t *bias, const int32_t *multiplier, const int8_t *shift,
    const dwconv2d_s8_dsp_params *p)
{
    const int in_h = p->in_h, in_w = p->in_w, in_c = p->in_c, out_h = p->out_h, out_w = p->out_w;
    const int k_h = p->k_h, k_w = p->k_w, taps = k_h * k_w;
    const uint32_t zero_word = whittle_pack_s8x4(p->in_zero, p->in_zero, p->in_zero, p->in_zero);
    for (int c0 = 0; c0 < in_c; c0 += DWCONV2D_S8_DSP_BLOCK) {
        int32_t pairs[2 * DWCONV2D_S8_DSP_MAX_TAPS];
        for (int t = 0; t < taps; ++t) {
            whittle_widen(whittle_load_s8x4(weights + t * in_c + c0), &pairs[2 * t], &pairs[2 * t + 1]);
        }
        whittle_multiplier m[DWCONV2D_S8_DSP_BLOCK];
        for (int j = 0; j < DWCONV2D_S8_DSP_BLOCK; ++j) {
            m[j] = whittle_prepare_multiplier(multiplier[c0 + j], shift[c0 + j]);
        }
        const int32_t b0 = bias[c0], b1 = bias[c0 + 1], b2 = bias[c0 + 2], b3 = bias[c0 + 3];
        for (int oy = 0; oy < out_h; ++oy) {
            const int iy0 = oy * p->stride_h - p->pad_top;
            const int row_inside = oy >= p->y_begin && oy < p->y_end;
            for (int ox = 0; ox < out_w; ++ox) {
                const int ix0 = ox * p->stride_w - p->pad_left;
                int32_t a0 = b0, a1 = b1, a2 = b2, a3 = b3;
                const int32_t *w = pairs;
                if (row_inside && ox >= p->x_begin && ox < p->x_end) {
                    const int8_t *x = input + (iy0 * in_w + ix0) * in_c + c0;
                    for (int ky = 0; ky < k_h; ++ky) {
                        WHITTLE_UNROLL_TAPS for (int kx = 0; kx < k_w; ++kx) {
                            const uint32_t xw = whittle_load_s8x4(x + kx * in_c);
                            const int32_t x_even = whittle_widen_even(xw), x_odd = whittle_widen_odd(xw);
                            a0 = whittle_mul_lane0(x_even, w[0], a0);
                            a2 = whittle_mul_lane1(x_even, w[0], a2);
                            a1 = whittle_mul_lane0(x_odd, w[1], a1);
                            a3 = whittle_mul_lane1(x_odd, w[1], a3);
                            w += 2;
                        }
                        x += in_w * in_c;
                    }
                } else {
                    for (int ky = 0; ky < k_h; ++ky) {
                        const int iy = iy0 + ky;
                        for (int kx = 0; kx < k_w; ++kx) {
                            const int ix = ix0 + kx;
                            const uint32_t xw = iy >= 0 && iy < in_h && ix >= 0 && ix < in_w
                                              ? whittle_load_s8x4(input + (iy * in_w + ix) * in_c + c0) : zero_word;
                            const int32_t x_even = whittle_widen_even(xw), x_odd = whittle_widen_odd(xw);
                            a0 = whittle_mul_lane0(x_even, w[0], a0);
                            a2 = whittle_mul_lane1(x_even, w[0], a2);
                            a1 = whittle_mul_lane0(x_odd, w[1], a1);
                            a3 = whittle_mul_lane1(x_odd, w[1], a3);
                            w += 2;
                        }
                    }
                }
                int8_t *out = output + (oy * out_w + ox) * in_c + c0;
                out[0] = whittle_requantize_prepared(a0, m[0], p->out_zero, p->act_min, p->act_max);
                out[1] = whittle_requantize_prepared(a1, m[1], p->out_zero, p->act_min, p->act_max);
                out[2] = whittle_requantize_prepared(a2, m[2], p->out_zero, p->act_min, p->act_max);
                out[3] = whittle_requantize_prepared(a3, m[3], p->out_zero, p->act_min, p->act_max);
            }
        }
    }
}

WHITTLE_INLINE void dwconv2d_s8_dsp(
    const int8_t *input, int8_t *output,
    const int8_t *weights, const int32_t *bias, const int32_t *multiplier, const int8_t *shift,
    const dwconv2d_s8_dsp_params *p)
{
    if (p->depth_multiplier == 1 && p->in_c % DWCONV2D_S8_DSP_BLOCK == 0 && p->k_h * p->k_w <= DWCONV2D_S8_DSP_MAX_TAPS) {
        dwconv2d_s8_dsp_blocks(input, output, weights, bias, multiplier, shift, p);
        return;
    }
    dwconv2d_s8_run(input, output, weights, bias, multiplier, shift, p, DWCONV2D_S8_DSP_BLOCK, dwconv2d_s8_dsp_accumulate);
}

#endif /* DWCONV2D_S8_DSP_C */
