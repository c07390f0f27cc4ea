/*
 * dwconv2d_s8_dsp.c - int8 depthwise 2-D convolution, channels-last (HWC), for cores with the
 * 16-bit multiply-accumulates SMLABB/SMLATT and SXTB16 (Cortex-M4/M7). Same arguments
 * (dwconv2d_s8_params), weight layout and results as dwconv2d_s8.c; plain C elsewhere
 * (whittle_dsp.h), so the host tests it too.
 *
 * Included by model.c (see conv2d_s8.c). Output channel c reads input
 * channel c / depth_multiplier.
 * With depth multiplier 1, four channels at a time: per tap one input word and one weight word
 * (four contiguous channels each), widened to pairs (channels 0, 2 and 1, 3), feed four
 * single-lane multiply-accumulates. Other multipliers and the last out_c % 4 channels take
 * dwconv2d_s8.c's dwconv2d_s8_accumulate, and the pixel loop is its dwconv2d_s8_pixels.
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

WHITTLE_INLINE void dwconv2d_s8_dsp(
    const int8_t *input, int8_t *output,
    const int8_t *weights, const int32_t *bias, const int32_t *multiplier, const int8_t *shift,
    const dwconv2d_s8_dsp_params *p)
{
    dwconv2d_s8_run(input, output, weights, bias, multiplier, shift, p, DWCONV2D_S8_DSP_BLOCK, dwconv2d_s8_dsp_accumulate);
}

#endif /* DWCONV2D_S8_DSP_C */
