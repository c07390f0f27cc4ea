/*
 * conv2d_s8_mm.c - int8 2-D convolution (groups 1, no folded pool) as a matrix product with
 * SMLAD, for cores with the DSP extension (Cortex-M4/M7); plain C elsewhere (whittle_dsp.h), so
 * the host tests it too. Same results as conv2d_s8.c.
 *
 * Four output pixels at a time, each pixel's window is laid out as a column of `depth` values
 * (im2col, in the filter's [k_h][k_w][in_c] order; taps outside the input read in_zero, which
 * the folded bias cancels; the column is padded with zeros to a multiple of 4) and widened once
 * into 16-bit pairs, the four columns interleaved pair by pair. Then, per pair of output
 * channels, one weight word widens into both channels' pairs and feeds 8 SMLADs (4 pixels x 2
 * channels): 15 instructions for 16 multiply-accumulates, the 8 accumulators, both weight
 * pairs, one input pair and the two pointers in registers. A 1x1 conv with stride 1 and no
 * padding reads its columns straight from the input.
 *
 * weights: per pair of channels (a, b) (the last paired with zeros when out_c is odd), per group
 *          of 4 depth positions k..k+3: the word {a[k], b[k], a[k+2], b[k+2]} then
 *          {a[k+1], b[k+1], a[k+3], b[k+3]}: SXTB16 of a word gives a's pair, with ROR #8 b's,
 *          in the lanes SXTB16 gives the input word {x[k], .., x[k+3]}.
 * bias:    bias[c] - in_zero * sum(filter c), folded by whittle at compile time.
 * scratch: CONV2D_S8_MM_SCRATCH_BYTES(depth): the four widened columns and one int8 column.
 */
#ifndef CONV2D_S8_MM_C
#define CONV2D_S8_MM_C

#include "whittle_dsp.h"

#define CONV2D_S8_MM_PIXELS 4
/* The widened columns (depth / 2 pairs x 4 pixels, int32 each) and one int8 column. */
#define CONV2D_S8_MM_SCRATCH_BYTES(depth) (8 * (depth) + (depth))

typedef struct {
    int in_h, in_w, in_c, out_h, out_w, out_c;
    int k_h, k_w, stride_h, stride_w, pad_top, pad_left;
    int depth;          /* k_h * k_w * in_c rounded up to a multiple of 4 */
    int direct;         /* 1x1, stride 1, no padding, in_c a multiple of 4: columns are input rows */
    int32_t in_zero, out_zero;
    int32_t act_min, act_max;
} conv2d_s8_mm_params;

/* The int8 column of output pixel (oy, ox): its window in [k_h][k_w][in_c] order, in_zero for
   taps outside the input, zeros up to depth. */
WHITTLE_INLINE const int8_t *conv2d_s8_mm_column(int8_t *column, const int8_t *input, int oy, int ox, const conv2d_s8_mm_params *p)
{
    const int in_h = p->in_h, in_w = p->in_w, in_c = p->in_c, k_w = p->k_w;
    if (p->direct) {
        return input + (oy * in_w + ox) * in_c;
    }
    const int iy0 = oy * p->stride_h - p->pad_top, ix0 = ox * p->stride_w - p->pad_left;
    const int8_t fill = (int8_t)p->in_zero;
    int8_t *c = column;
    for (int ky = 0; ky < p->k_h; ++ky) {
        const int iy = iy0 + ky;
        if (iy < 0 || iy >= in_h) {
            for (int i = 0; i < k_w * in_c; ++i) *c++ = fill;
            continue;
        }
        const int8_t *row = input + iy * in_w * in_c;
        if (ix0 >= 0 && ix0 + k_w <= in_w) {
            const int8_t *src = row + ix0 * in_c;
            for (int i = 0; i < k_w * in_c; ++i) *c++ = src[i];
            continue;
        }
        for (int kx = 0; kx < k_w; ++kx) {
            const int ix = ix0 + kx;
            const int inside = ix >= 0 && ix < in_w;
            for (int i = 0; i < in_c; ++i) *c++ = inside ? row[ix * in_c + i] : fill;
        }
    }
    while (c < column + p->depth) *c++ = 0;
    return column;
}

/* Widens column into pixel `pixel` of the interleaved pairs: pairs[(2g) * 4 + pixel] holds
   (x[4g], x[4g + 2]), pairs[(2g + 1) * 4 + pixel] (x[4g + 1], x[4g + 3]). */
WHITTLE_INLINE void conv2d_s8_mm_widen(int32_t *pairs, const int8_t *column, int depth, int pixel)
{
    int32_t *out = pairs + pixel;
    for (int k = 0; k < depth; k += 4) {
        const uint32_t word = whittle_load_s8x4(column + k);
        out[0] = whittle_widen_even(word);
        out[CONV2D_S8_MM_PIXELS] = whittle_widen_odd(word);
        out += 2 * CONV2D_S8_MM_PIXELS;
    }
}

/* Requantizes and stores the accumulators of channel o at `count` pixels starting at pixel. */
WHITTLE_INLINE void conv2d_s8_mm_store(int8_t *output, const int32_t *acc, int pixel, int count, int o, const int32_t *multiplier,
                                       const int8_t *shift, const conv2d_s8_mm_params *p)
{
    const whittle_multiplier m = whittle_prepare_multiplier(multiplier[o], shift[o]);
    for (int i = 0; i < count; ++i) {
        output[(pixel + i) * p->out_c + o] = whittle_requantize_prepared(acc[i], m, p->out_zero, p->act_min, p->act_max);
    }
}

WHITTLE_INLINE void conv2d_s8_mm(
    const int8_t *input, int8_t *output,
    const int8_t *weights, const int32_t *bias, const int32_t *multiplier, const int8_t *shift, int32_t *scratch,
    const conv2d_s8_mm_params *p)
{
    const int depth = p->depth, out_c = p->out_c, pixels = p->out_h * p->out_w;
    int32_t *pairs = scratch;
    int8_t *column = (int8_t *)(scratch + 2 * depth);
    for (int pixel = 0; pixel < pixels; pixel += CONV2D_S8_MM_PIXELS) {
        const int count = pixels - pixel < CONV2D_S8_MM_PIXELS ? pixels - pixel : CONV2D_S8_MM_PIXELS;
        for (int i = 0; i < CONV2D_S8_MM_PIXELS; ++i) {
            /* Past the last pixel the columns repeat it; those results are not stored. */
            const int at = pixel + (i < count ? i : count - 1);
            conv2d_s8_mm_widen(pairs, conv2d_s8_mm_column(column, input, at / p->out_w, at % p->out_w, p), depth, i);
        }
        const int8_t *w = weights;
        for (int o = 0; o < out_c; o += 2) {
            int32_t a0 = bias[o], a1 = a0, a2 = a0, a3 = a0;
            int32_t b0 = o + 1 < out_c ? bias[o + 1] : 0, b1 = b0, b2 = b0, b3 = b0;
            const int32_t *x = pairs;
            WHITTLE_UNROLL_TAPS for (int k = 0; k < depth; k += 2) {
                const uint32_t word = whittle_load_s8x4(w);
                const int32_t wa = whittle_widen_even(word), wb = whittle_widen_odd(word);
                w += 4;
                a0 = whittle_dot2(x[0], wa, a0);
                b0 = whittle_dot2(x[0], wb, b0);
                a1 = whittle_dot2(x[1], wa, a1);
                b1 = whittle_dot2(x[1], wb, b1);
                a2 = whittle_dot2(x[2], wa, a2);
                b2 = whittle_dot2(x[2], wb, b2);
                a3 = whittle_dot2(x[3], wa, a3);
                b3 = whittle_dot2(x[3], wb, b3);
                x += CONV2D_S8_MM_PIXELS;
            }
            const int32_t a[CONV2D_S8_MM_PIXELS] = {a0, a1, a2, a3};
            conv2d_s8_mm_store(output, a, pixel, count, o, multiplier, shift, p);
            if (o + 1 < out_c) {
                const int32_t b[CONV2D_S8_MM_PIXELS] = {b0, b1, b2, b3};
                conv2d_s8_mm_store(output, b, pixel, count, o + 1, multiplier, shift, p);
            }
        }
    }
}

#endif /* CONV2D_S8_MM_C */
