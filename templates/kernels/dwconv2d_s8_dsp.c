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

/* The accumulators of a block of four channels at one pixel. */
typedef struct {
    int32_t a0, a1, a2, a3;
} dwconv2d_s8_dsp_sums;

/* One tap: the four channels of the input word xw times the tap's widened weights, w_even
   (channels 0, 2) and w_odd (1, 3): two SXTB16s and four single-lane multiply-accumulates. */
WHITTLE_INLINE dwconv2d_s8_dsp_sums dwconv2d_s8_dsp_tap(dwconv2d_s8_dsp_sums s, uint32_t xw, int32_t w_even, int32_t w_odd)
{
    const int32_t x_even = whittle_widen_even(xw), x_odd = whittle_widen_odd(xw);
    s.a0 = whittle_mul_lane0(x_even, w_even, s.a0);
    s.a2 = whittle_mul_lane1(x_even, w_even, s.a2);
    s.a1 = whittle_mul_lane0(x_odd, w_odd, s.a1);
    s.a3 = whittle_mul_lane1(x_odd, w_odd, s.a3);
    return s;
}

#if WHITTLE_DSP_ASM
/* dwconv2d_s8_dsp_tap on the word at x, loaded inside the assembly (dwconv2d_s8_dsp_tap2). */
WHITTLE_INLINE void dwconv2d_s8_dsp_tap_asm(dwconv2d_s8_dsp_sums *s, const int8_t *x, int32_t w_even, int32_t w_odd)
{
    int32_t x_even, x_odd;
    __asm__("ldr    %[xe], %[x]\n\t"
            "sxtb16 %[xo], %[xe], ror #8\n\t"
            "sxtb16 %[xe], %[xe]\n\t"
            "smlabb %[s0], %[xe], %[we], %[s0]\n\t"
            "smlatt %[s2], %[xe], %[we], %[s2]\n\t"
            "smlabb %[s1], %[xo], %[wo], %[s1]\n\t"
            "smlatt %[s3], %[xo], %[wo], %[s3]"
            : [s0] "+r"(s->a0), [s1] "+r"(s->a1), [s2] "+r"(s->a2), [s3] "+r"(s->a3), [xe] "=&r"(x_even), [xo] "=&r"(x_odd)
            : [x] "m"(*(const uint32_t *)(const void *)x), [we] "r"(w_even), [wo] "r"(w_odd));
}
#endif

/*
 * One tap at two pixels: s += input word at xa times the tap's pairs w[0], w[1], u += the word at
 * xb times the same pairs, which are loaded once. On ARMv7E-M (WHITTLE_DSP_ASM) short assembly
 * statements, so that gcc, short of registers for the 8 accumulators, neither loads each pair
 * twice nor hoists the loads and spills (pairs and words are memory operands: one LDR each at a
 * literal offset); one statement for both pixels would ask for more registers than -Og finds.
 * Elsewhere dwconv2d_s8_dsp_tap twice.
 */
WHITTLE_INLINE void dwconv2d_s8_dsp_tap2(dwconv2d_s8_dsp_sums *s, dwconv2d_s8_dsp_sums *u, const int8_t *xa,
                                         const int8_t *xb, const int32_t *w)
{
#if WHITTLE_DSP_ASM
    int32_t w_even, w_odd;
    __asm__("ldr %[we], %[w0]\n\t"
            "ldr %[wo], %[w1]"
            : [we] "=&r"(w_even), [wo] "=r"(w_odd)
            : [w0] "m"(w[0]), [w1] "m"(w[1]));
    dwconv2d_s8_dsp_tap_asm(s, xa, w_even, w_odd);
    dwconv2d_s8_dsp_tap_asm(u, xb, w_even, w_odd);
#else
    const int32_t w_even = w[0], w_odd = w[1];
    *s = dwconv2d_s8_dsp_tap(*s, whittle_load_s8x4(xa), w_even, w_odd);
    *u = dwconv2d_s8_dsp_tap(*u, whittle_load_s8x4(xb), w_even, w_odd);
#endif
}

/* Requantizes a block's four channels at one pixel into out[0..3]. With `folded` every m[j].round
   holds its whittle_zero_rounding (dwconv2d_s8_dsp_blocks prepares them so where all four allow). */
WHITTLE_INLINE void dwconv2d_s8_dsp_store(int8_t *out, dwconv2d_s8_dsp_sums s, const whittle_multiplier *m, int folded,
                                          const dwconv2d_s8_dsp_params *p)
{
    if (folded) {
        out[0] = whittle_requantize_zero_folded(s.a0, m[0], m[0].round, p->act_min, p->act_max);
        out[1] = whittle_requantize_zero_folded(s.a1, m[1], m[1].round, p->act_min, p->act_max);
        out[2] = whittle_requantize_zero_folded(s.a2, m[2], m[2].round, p->act_min, p->act_max);
        out[3] = whittle_requantize_zero_folded(s.a3, m[3], m[3].round, p->act_min, p->act_max);
        return;
    }
    out[0] = whittle_requantize_prepared(s.a0, m[0], p->out_zero, p->act_min, p->act_max);
    out[1] = whittle_requantize_prepared(s.a1, m[1], p->out_zero, p->act_min, p->act_max);
    out[2] = whittle_requantize_prepared(s.a2, m[2], p->out_zero, p->act_min, p->act_max);
    out[3] = whittle_requantize_prepared(s.a3, m[3], p->out_zero, p->act_min, p->act_max);
}

/*
 * A pixel whose window crosses the border, (iy0, ix0) its top-left input position: only the taps
 * inside the input, each input lane less in_zero (SSUB16), added to `base`, the block's bias with
 * the fold undone (bias[c] + in_zero * sum(filter c)). A tap outside would have added
 * (in_zero - in_zero) * w = 0, so the sum equals the folded one over every tap exactly.
 */
WHITTLE_INLINE dwconv2d_s8_dsp_sums dwconv2d_s8_dsp_border(
    dwconv2d_s8_dsp_sums s, const int8_t *input, const int32_t *pairs, int32_t zeros, int c0, int iy0, int ix0,
    const dwconv2d_s8_dsp_params *p)
{
    const int in_c = p->in_c, k_w = p->k_w;
    const int ky_end = whittle_tap_end(iy0, p->k_h, p->in_h), kx0 = whittle_first_tap(ix0);
    const int kx_end = whittle_tap_end(ix0, k_w, p->in_w);
    for (int ky = whittle_first_tap(iy0); ky < ky_end; ++ky) {
        const int8_t *x = input + ((iy0 + ky) * p->in_w + ix0 + kx0) * in_c + c0;
        const int32_t *w = pairs + 2 * (ky * k_w + kx0);
        for (int kx = kx0; kx < kx_end; ++kx) {
            const uint32_t xw = whittle_load_s8x4(x);
            const int32_t x_even = whittle_sub16(whittle_widen_even(xw), zeros);
            const int32_t x_odd = whittle_sub16(whittle_widen_odd(xw), zeros);
            s.a0 = whittle_mul_lane0(x_even, w[0], s.a0);
            s.a2 = whittle_mul_lane1(x_even, w[0], s.a2);
            s.a1 = whittle_mul_lane0(x_odd, w[1], s.a1);
            s.a3 = whittle_mul_lane1(x_odd, w[1], s.a3);
            x += in_c;
            w += 2;
        }
    }
    return s;
}

/* dwconv2d_s8_dsp_border for a pixel whose window rows are all inside the input (a left or right
   border pixel of an interior row): the columns inside, each with its k_h taps unrolled. */
WHITTLE_INLINE dwconv2d_s8_dsp_sums dwconv2d_s8_dsp_side(
    dwconv2d_s8_dsp_sums s, const int8_t *input, const int32_t *pairs, int32_t zeros, int c0, int iy0, int ix0,
    const dwconv2d_s8_dsp_params *p)
{
    const int in_c = p->in_c, k_w = p->k_w, row = p->in_w * in_c;
    const int kx0 = whittle_first_tap(ix0), kx_end = whittle_tap_end(ix0, k_w, p->in_w);
    const int8_t *x = input + (iy0 * p->in_w + ix0 + kx0) * in_c + c0;
    const int32_t *w = pairs + 2 * kx0;
    for (int kx = kx0; kx < kx_end; ++kx) {
        WHITTLE_UNROLL_TAPS for (int ky = 0; ky < p->k_h; ++ky) {
            const uint32_t xw = whittle_load_s8x4(x + ky * row);
            const int32_t w_even = w[2 * ky * k_w], w_odd = w[2 * ky * k_w + 1];
            const int32_t x_even = whittle_sub16(whittle_widen_even(xw), zeros);
            const int32_t x_odd = whittle_sub16(whittle_widen_odd(xw), zeros);
            s.a0 = whittle_mul_lane0(x_even, w_even, s.a0);
            s.a2 = whittle_mul_lane1(x_even, w_even, s.a2);
            s.a1 = whittle_mul_lane0(x_odd, w_odd, s.a1);
            s.a3 = whittle_mul_lane1(x_odd, w_odd, s.a3);
        }
        x += in_c;
        w += 2;
    }
    return s;
}

/*
 * Depth multiplier 1, out_c a multiple of 4 and at most 25 taps: four channels at a time over
 * every output pixel, so each block's weights are widened once (two pairs per tap, on the stack)
 * and its four multipliers prepared once (the zero point folded into their rounding where all
 * four allow, whittle_zero_folds). Interior pixels go two at a time where they can: each
 * tap's two weight pairs are loaded once for both, and the window loops, whose bounds are
 * literals, unroll. Border pixels run only their taps inside the input (dwconv2d_s8_dsp_border).
 */
WHITTLE_INLINE void dwconv2d_s8_dsp_blocks(
    const int8_t *input, int8_t *output,
    const int8_t *weights, const int32_t *bias, const int32_t *multiplier, const int8_t *shift,
    const dwconv2d_s8_dsp_params *p)
{
    const int in_w = p->in_w, in_c = p->in_c, out_h = p->out_h, out_w = p->out_w;
    const int k_h = p->k_h, k_w = p->k_w, taps = k_h * k_w;
    const int row = in_w * in_c, step = p->stride_w * in_c;
    const int32_t zeros = (int32_t)(((uint32_t)p->in_zero & 0xFFFFu) | (uint32_t)p->in_zero << 16);
    for (int c0 = 0; c0 < in_c; c0 += DWCONV2D_S8_DSP_BLOCK) {
        int32_t pairs[2 * DWCONV2D_S8_DSP_MAX_TAPS];
        dwconv2d_s8_dsp_sums bias_sums = {bias[c0], bias[c0 + 1], bias[c0 + 2], bias[c0 + 3]};
        dwconv2d_s8_dsp_sums border_sums = bias_sums;
        for (int t = 0; t < taps; ++t) {
            whittle_widen(whittle_load_s8x4(weights + t * in_c + c0), &pairs[2 * t], &pairs[2 * t + 1]);
            border_sums.a0 = whittle_mul_lane0(zeros, pairs[2 * t], border_sums.a0);
            border_sums.a2 = whittle_mul_lane1(zeros, pairs[2 * t], border_sums.a2);
            border_sums.a1 = whittle_mul_lane0(zeros, pairs[2 * t + 1], border_sums.a1);
            border_sums.a3 = whittle_mul_lane1(zeros, pairs[2 * t + 1], border_sums.a3);
        }
        whittle_multiplier m[DWCONV2D_S8_DSP_BLOCK];
        int folded = 1;
        for (int j = 0; j < DWCONV2D_S8_DSP_BLOCK; ++j) {
            m[j] = whittle_prepare_multiplier(multiplier[c0 + j], shift[c0 + j]);
            folded = folded && whittle_zero_folds(m[j]);
        }
        for (int j = 0; folded && j < DWCONV2D_S8_DSP_BLOCK; ++j) {
            m[j].round = whittle_zero_rounding(m[j], p->out_zero);
        }
        for (int oy = 0; oy < out_h; ++oy) {
            const int iy0 = oy * p->stride_h - p->pad_top;
            const int row_inside = oy >= p->y_begin && oy < p->y_end;
            const int x_begin = p->x_begin, x_end = p->x_end;
            int8_t *out = output + oy * out_w * in_c + c0;
            if (!row_inside) {
                for (int ox = 0; ox < out_w; ++ox) {
                    const dwconv2d_s8_dsp_sums s = dwconv2d_s8_dsp_border(border_sums, input, pairs, zeros, c0, iy0,
                                                                          ox * p->stride_w - p->pad_left, p);
                    dwconv2d_s8_dsp_store(out + ox * in_c, s, m, folded, p);
                }
                continue;
            }
            int ox = 0;
            for (; ox < x_begin; ++ox) {
                const dwconv2d_s8_dsp_sums s = dwconv2d_s8_dsp_side(border_sums, input, pairs, zeros, c0, iy0,
                                                                    ox * p->stride_w - p->pad_left, p);
                dwconv2d_s8_dsp_store(out + ox * in_c, s, m, folded, p);
            }
            for (; ox + 1 < x_end; ox += 2) {
                const int8_t *x = input + (iy0 * in_w + ox * p->stride_w - p->pad_left) * in_c + c0;
                dwconv2d_s8_dsp_sums s = bias_sums, u = bias_sums;
                const int32_t *w = pairs;
                WHITTLE_UNROLL_TAPS for (int ky = 0; ky < k_h; ++ky) {
                    WHITTLE_UNROLL_TAPS for (int kx = 0; kx < k_w; ++kx) {
                        dwconv2d_s8_dsp_tap2(&s, &u, x + ky * row + kx * in_c, x + ky * row + kx * in_c + step, w);
                        w += 2;
                    }
                }
                dwconv2d_s8_dsp_store(out + ox * in_c, s, m, folded, p);
                dwconv2d_s8_dsp_store(out + (ox + 1) * in_c, u, m, folded, p);
            }
            for (; ox < x_end; ++ox) {
                const int8_t *x = input + (iy0 * in_w + ox * p->stride_w - p->pad_left) * in_c + c0;
                dwconv2d_s8_dsp_sums s = bias_sums;
                const int32_t *w = pairs;
                WHITTLE_UNROLL_TAPS for (int ky = 0; ky < k_h; ++ky) {
                    WHITTLE_UNROLL_TAPS for (int kx = 0; kx < k_w; ++kx) {
                        s = dwconv2d_s8_dsp_tap(s, whittle_load_s8x4(x + ky * row + kx * in_c), w[0], w[1]);
                        w += 2;
                    }
                }
                dwconv2d_s8_dsp_store(out + ox * in_c, s, m, folded, p);
            }
            for (; ox < out_w; ++ox) {
                const dwconv2d_s8_dsp_sums s = dwconv2d_s8_dsp_side(border_sums, input, pairs, zeros, c0, iy0,
                                                                    ox * p->stride_w - p->pad_left, p);
                dwconv2d_s8_dsp_store(out + ox * in_c, s, m, folded, p);
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
