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
 * Only the `live` channels with some nonzero weight are multiplied, in the order of `channels`
 * (0: all of them, in order); the others, listed after them, store their requantized bias,
 * computed once per call. When `inputs` is not 0 a column holds only those in_live input
 * channels of each tap (the others no filter reads), gathered byte by byte.
 *
 * weights: per pair of live channels (a, b) (the last paired with zeros when live is odd), per group
 *          of 4 depth positions k..k+3: the word {a[k], b[k], a[k+2], b[k+2]} then
 *          {a[k+1], b[k+1], a[k+3], b[k+3]}: SXTB16 of a word gives a's pair, with ROR #8 b's,
 *          in the lanes SXTB16 gives the input word {x[k], .., x[k+3]}.
 * bias:    bias[c] - in_zero * sum(filter c), folded by whittle at compile time.
 * scratch: CONV2D_S8_MM_SCRATCH_BYTES(depth, out_c): every channel's multiplier, prepared once per
 *          call (conv2d_s8_mm_channel), the four widened columns and one int8 column.
 */
#ifndef CONV2D_S8_MM_C
#define CONV2D_S8_MM_C

#include "whittle_dsp.h"

#define CONV2D_S8_MM_PIXELS 4
/* The widened columns (depth / 2 pairs x 4 pixels, int32 each) and one int8 column. */
#define CONV2D_S8_MM_SCRATCH_BYTES(depth, out_c) (16 * (out_c) + 8 * (depth) + (depth))

/* A channel's multiplier prepared for its output stage: whittle_prepare_multiplier's m0, left and
   right, and `rounding`: whittle_zero_rounding where whittle_zero_folds, else its round. */
typedef struct {
    int32_t m0, left, right, rounding;
} conv2d_s8_mm_channel;

typedef struct {
    int in_h, in_w, in_c, out_h, out_w, out_c;
    int k_h, k_w, stride_h, stride_w, pad_top, pad_left;
    int depth;          /* k_h * k_w * in_live rounded up to a multiple of 4 */
    int direct;         /* 1x1, stride 1, no padding, in_c a multiple of 4: columns are input rows */
    int live;           /* output channels with weights: channels[0..live), or 0..live when channels is 0 */
    int in_live;        /* input channels per tap in a column: inputs[0..in_live), or all in_c when inputs is 0 */
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
            /* A word at a time (unaligned loads and stores), then the last bytes. */
            const int8_t *src = row + ix0 * in_c;
            int i = 0;
            for (; i + 4 <= k_w * in_c; i += 4) whittle_store_s8x4(c + i, whittle_load_s8x4(src + i));
            for (; i < k_w * in_c; ++i) c[i] = src[i];
            c += k_w * in_c;
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
    WHITTLE_UNROLL_TAPS for (int k = 0; k < depth; k += 4) {
        const uint32_t word = whittle_load_s8x4(column + k);
        out[0] = whittle_widen_even(word);
        out[CONV2D_S8_MM_PIXELS] = whittle_widen_odd(word);
        out += 2 * CONV2D_S8_MM_PIXELS;
    }
}

/* The int8 column of output pixel (oy, ox) with only the input channels `inputs` of each tap
   (in_live of them; the others no filter reads), in_zero for taps outside the input, zeros up
   to depth. */
WHITTLE_INLINE const int8_t *conv2d_s8_mm_gather(int8_t *column, const int8_t *input, const uint16_t *inputs, int oy, int ox,
                                                 const conv2d_s8_mm_params *p)
{
    const int in_w = p->in_w, in_c = p->in_c, in_live = p->in_live;
    const int iy0 = oy * p->stride_h - p->pad_top, ix0 = ox * p->stride_w - p->pad_left;
    int8_t *c = column;
    for (int ky = 0; ky < p->k_h; ++ky) {
        const int iy = iy0 + ky;
        for (int kx = 0; kx < p->k_w; ++kx) {
            const int ix = ix0 + kx;
            if (iy < 0 || iy >= p->in_h || ix < 0 || ix >= in_w) {
                for (int j = 0; j < in_live; ++j) *c++ = (int8_t)p->in_zero;
                continue;
            }
            const int8_t *src = input + (iy * in_w + ix) * in_c;
            WHITTLE_UNROLL_TAPS for (int j = 0; j < in_live; ++j) c[j] = src[inputs[j]];
            c += in_live;
        }
    }
    while (c < column + p->depth) *c++ = 0;
    return column;
}

/*
 * Lays out pixel `pixel` of the widened columns for output pixel (oy, ox). When each window row
 * is whole words (k_w * in_c a multiple of 4, so depth has no padding) rows inside the input are
 * widened straight from it and rows outside written as in_zero pairs; only a row cut by the left
 * or right border goes through the int8 column. Otherwise the whole column does.
 */
WHITTLE_INLINE void conv2d_s8_mm_fill(int32_t *pairs, int8_t *column, const int8_t *input, const uint16_t *inputs, int oy,
                                      int ox, int pixel, const conv2d_s8_mm_params *p)
{
    const int in_w = p->in_w, in_c = p->in_c, k_w = p->k_w, segment = k_w * in_c;
    if (inputs) {
        conv2d_s8_mm_widen(pairs, conv2d_s8_mm_gather(column, input, inputs, oy, ox, p), p->depth, pixel);
        return;
    }
    if (p->direct || segment % 4 != 0) {
        conv2d_s8_mm_widen(pairs, conv2d_s8_mm_column(column, input, oy, ox, p), p->depth, pixel);
        return;
    }
    const int iy0 = oy * p->stride_h - p->pad_top, ix0 = ox * p->stride_w - p->pad_left;
    const int inside = ix0 >= 0 && ix0 + k_w <= in_w;
    const int32_t zeros = (int32_t)(((uint32_t)p->in_zero & 0xFFFFu) | (uint32_t)p->in_zero << 16);
    int32_t *out = pairs + pixel;
    for (int ky = 0; ky < p->k_h; ++ky) {
        const int iy = iy0 + ky;
        if (iy < 0 || iy >= p->in_h) {
            for (int i = 0; i < segment; i += 4) {
                out[0] = zeros;
                out[CONV2D_S8_MM_PIXELS] = zeros;
                out += 2 * CONV2D_S8_MM_PIXELS;
            }
            continue;
        }
        const int8_t *src = input + (iy * in_w + ix0) * in_c;
        if (!inside) {
            for (int kx = 0; kx < k_w; ++kx) {
                const int ix_inside = ix0 + kx >= 0 && ix0 + kx < in_w;
                for (int i = 0; i < in_c; ++i) column[kx * in_c + i] = ix_inside ? src[kx * in_c + i] : (int8_t)p->in_zero;
            }
            src = column;
        }
        WHITTLE_UNROLL_TAPS for (int i = 0; i < segment; i += 4) {
            const uint32_t word = whittle_load_s8x4(src + i);
            out[0] = whittle_widen_even(word);
            out[CONV2D_S8_MM_PIXELS] = whittle_widen_odd(word);
            out += 2 * CONV2D_S8_MM_PIXELS;
        }
    }
}

/* gcc's array-bounds check (-Werror on the host) does not follow `count` on the last pixels of an
   output smaller than one block of columns, and flags the stores it keeps inside. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Warray-bounds"
#endif
/* Requantizes one channel's accumulators v0..v3 and stores the first `count` (1..4) at out, one
   pixel every out_c bytes (literal offsets, so no address arithmetic); the zero point folded into
   the rounding where the multiplier allows (whittle_zero_folds), as for every layer of MLPerf
   Tiny's models. */
WHITTLE_INLINE void conv2d_s8_mm_store(int8_t *out, int32_t v0, int32_t v1, int32_t v2, int32_t v3, int count,
                                       const conv2d_s8_mm_channel *channel, const conv2d_s8_mm_params *p)
{
    const int out_c = p->out_c;
    whittle_multiplier m;
    m.m0 = channel->m0;
    m.left = channel->left;
    m.right = channel->right;
    m.round = channel->rounding;
    if (whittle_zero_folds(m)) {
        const int32_t r = m.round;
        out[0] = whittle_requantize_zero_folded(v0, m, r, p->act_min, p->act_max);
        if (count > 1) out[out_c] = whittle_requantize_zero_folded(v1, m, r, p->act_min, p->act_max);
        if (count > 2) out[2 * out_c] = whittle_requantize_zero_folded(v2, m, r, p->act_min, p->act_max);
        if (count > 3) out[3 * out_c] = whittle_requantize_zero_folded(v3, m, r, p->act_min, p->act_max);
        return;
    }
    m.toward = m.right > 0 ? -1 : 0;
    out[0] = whittle_requantize_prepared(v0, m, p->out_zero, p->act_min, p->act_max);
    if (count > 1) out[out_c] = whittle_requantize_prepared(v1, m, p->out_zero, p->act_min, p->act_max);
    if (count > 2) out[2 * out_c] = whittle_requantize_prepared(v2, m, p->out_zero, p->act_min, p->act_max);
    if (count > 3) out[3 * out_c] = whittle_requantize_prepared(v3, m, p->out_zero, p->act_min, p->act_max);
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

/*
 * CONV2D_S8_MM_PRODUCT(w, pairs, depth, a0..a3, b0..b3): adds the products of one channel pair's
 * weights (advancing w past them) with the four widened columns at pairs to the accumulators of
 * channels a and b at the four pixels. Per 2 depth positions one weight word (two SXTB16s), two
 * column words loaded back to back (which the Cortex-M4 pipelines) and eight SMLADs.
 *
 * On ARMv7E-M (WHITTLE_DSP_ASM) it is assembly: gcc spills some of the 14 live values (8 accumulators, the weight
 * word and its odd pair, 2 column words, 2 pointers) to the stack inside the loop. The assembly
 * runs 8 steps (16 depth positions) per turn and compares the column pointer with its end, which
 * it reads from the stack into a register that is free at the bottom of the turn; the depth's
 * remainder mod 16 runs first, as 2 and 4 steps without a loop. Elsewhere the plain C loop, the
 * same sums.
 */
#if WHITTLE_DSP_ASM

/* One step at column offset xo (bytes): 16 multiply-accumulates. */
#define CONV2D_S8_MM_STEP(xo)                                   \
    "ldr    %[wv], [%[w]], #4\n\t"                             \
    "ldr    %[x0], [%[x], #" #xo "]\n\t"                       \
    "ldr    %[x1], [%[x], #" #xo " + 4]\n\t"                   \
    "sxtb16 %[wb], %[wv], ror #8\n\t"                          \
    "sxtb16 %[wv], %[wv]\n\t"                                  \
    "smlad  %[a0], %[x0], %[wv], %[a0]\n\t"                    \
    "smlad  %[b0], %[x0], %[wb], %[b0]\n\t"                    \
    "smlad  %[a1], %[x1], %[wv], %[a1]\n\t"                    \
    "smlad  %[b1], %[x1], %[wb], %[b1]\n\t"                    \
    "ldr    %[x0], [%[x], #" #xo " + 8]\n\t"                   \
    "ldr    %[x1], [%[x], #" #xo " + 12]\n\t"                  \
    "smlad  %[a2], %[x0], %[wv], %[a2]\n\t"                    \
    "smlad  %[b2], %[x0], %[wb], %[b2]\n\t"                    \
    "smlad  %[a3], %[x1], %[wv], %[a3]\n\t"                    \
    "smlad  %[b3], %[x1], %[wb], %[b3]\n\t"

#define CONV2D_S8_MM_OPERANDS(a0, a1, a2, a3, b0, b1, b2, b3)                                             \
    [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2), [a3] "+r"(a3), [b0] "+r"(b0), [b1] "+r"(b1),           \
    [b2] "+r"(b2), [b3] "+r"(b3), [w] "+r"(w_), [x] "+r"(x_), [wv] "=&r"(wv_), [wb] "=&r"(wb_),       \
    [x0] "=&r"(x0_), [x1] "=&r"(x1_)

#define CONV2D_S8_MM_PRODUCT(w, pairs, depth, a0, a1, a2, a3, b0, b1, b2, b3)                           \
    do {                                                                                                \
        const int8_t *w_ = (w);                                                                         \
        const int32_t *x_ = (pairs);                                                                    \
        int32_t wv_, wb_, x0_, x1_;                                                                     \
        if ((depth) & 4) {                                                                              \
            __asm__(CONV2D_S8_MM_STEP(0) CONV2D_S8_MM_STEP(16) "add %[x], %[x], #32"                    \
                    : CONV2D_S8_MM_OPERANDS(a0, a1, a2, a3, b0, b1, b2, b3)                             \
                    :                                                                                   \
                    : "memory");                                                                        \
        }                                                                                               \
        if ((depth) & 8) {                                                                              \
            __asm__(CONV2D_S8_MM_STEP(0) CONV2D_S8_MM_STEP(16) CONV2D_S8_MM_STEP(32)                    \
                    CONV2D_S8_MM_STEP(48) "add %[x], %[x], #64"                                         \
                    : CONV2D_S8_MM_OPERANDS(a0, a1, a2, a3, b0, b1, b2, b3)                             \
                    :                                                                                   \
                    : "memory");                                                                        \
        }                                                                                               \
        if ((depth) >= 16) {                                                                            \
            const int32_t *const end_ = (pairs) + CONV2D_S8_MM_PIXELS * ((depth) / 2);                  \
            __asm__("1:\n\t" CONV2D_S8_MM_STEP(0) CONV2D_S8_MM_STEP(16) CONV2D_S8_MM_STEP(32)          \
                    CONV2D_S8_MM_STEP(48) CONV2D_S8_MM_STEP(64) CONV2D_S8_MM_STEP(80)                   \
                    CONV2D_S8_MM_STEP(96) CONV2D_S8_MM_STEP(112) "add %[x], %[x], #128\n\t"            \
                    "ldr %[x0], %[end]\n\t"                                                             \
                    "cmp %[x], %[x0]\n\t"                                                               \
                    "bne 1b"                                                                            \
                    : CONV2D_S8_MM_OPERANDS(a0, a1, a2, a3, b0, b1, b2, b3)                             \
                    : [end] "m"(end_)                                                                   \
                    : "cc", "memory");                                                                  \
        }                                                                                               \
        (w) = w_;                                                                                       \
    } while (0)

#else

#define CONV2D_S8_MM_PRODUCT(w, pairs, depth, a0, a1, a2, a3, b0, b1, b2, b3)                           \
    do {                                                                                                \
        const int32_t *x_ = (pairs);                                                                    \
        WHITTLE_UNROLL_TAPS for (int k_ = 0; k_ < (depth); k_ += 2) {                                   \
            const uint32_t word_ = whittle_load_s8x4(w);                                                \
            const int32_t wa_ = whittle_widen_even(word_), wb_ = whittle_widen_odd(word_);              \
            (w) += 4;                                                                                   \
            a0 = whittle_dot2(x_[0], wa_, a0);                                                          \
            b0 = whittle_dot2(x_[0], wb_, b0);                                                          \
            a1 = whittle_dot2(x_[1], wa_, a1);                                                          \
            b1 = whittle_dot2(x_[1], wb_, b1);                                                          \
            a2 = whittle_dot2(x_[2], wa_, a2);                                                          \
            b2 = whittle_dot2(x_[2], wb_, b2);                                                          \
            a3 = whittle_dot2(x_[3], wa_, a3);                                                          \
            b3 = whittle_dot2(x_[3], wb_, b3);                                                          \
            x_ += CONV2D_S8_MM_PIXELS;                                                                  \
        }                                                                                               \
    } while (0)

#endif

WHITTLE_INLINE void conv2d_s8_mm(
    const int8_t *input, int8_t *output,
    const int8_t *weights, const uint16_t *channels, const uint16_t *inputs, const int32_t *bias, const int32_t *multiplier,
    const int8_t *shift, int32_t *scratch, const conv2d_s8_mm_params *p)
{
    const int depth = p->depth, out_c = p->out_c, live = p->live, pixels = p->out_h * p->out_w;
    conv2d_s8_mm_channel *prepared = (conv2d_s8_mm_channel *)(void *)scratch;
    int32_t *pairs = scratch + 4 * out_c;
    int8_t *column = (int8_t *)(pairs + 2 * depth);
    for (int c = 0; c < out_c; ++c) {
        const whittle_multiplier m = whittle_prepare_multiplier(multiplier[c], shift[c]);
        prepared[c].m0 = m.m0;
        prepared[c].left = m.left;
        prepared[c].right = m.right;
        prepared[c].rounding = whittle_zero_folds(m) ? whittle_zero_rounding(m, p->out_zero) : m.round;
    }
    /* A channel without weights computes its bias alone: its output, the same at every pixel,
       replaces its m0 (which nothing else reads). */
    for (int i = live; i < out_c; ++i) {
        const int c = channels[i];
        prepared[c].m0 = whittle_requantize(bias[c], multiplier[c], shift[c], p->out_zero, p->act_min, p->act_max);
    }
    for (int pixel = 0; pixel < pixels; pixel += CONV2D_S8_MM_PIXELS) {
        const int count = pixels - pixel < CONV2D_S8_MM_PIXELS ? pixels - pixel : CONV2D_S8_MM_PIXELS;
        for (int i = 0; i < CONV2D_S8_MM_PIXELS; ++i) {
            /* Past the last pixel the columns repeat it; those results are not stored. */
            const int at = pixel + (i < count ? i : count - 1);
            conv2d_s8_mm_fill(pairs, column, input, inputs, at / p->out_w, at % p->out_w, i, p);
        }
        int8_t *out = output + pixel * out_c;
        const int8_t *w = weights;
        for (int i = 0; i < live; i += 2) {
            /* Channels a and b; an odd last channel pairs with zero weights and stores alone. */
            const int a = channels ? channels[i] : i;
            int32_t a0 = bias[a], a1 = a0, a2 = a0, a3 = a0;
            if (i + 1 == live) {
                int32_t b0 = 0, b1 = 0, b2 = 0, b3 = 0;
                CONV2D_S8_MM_PRODUCT(w, pairs, depth, a0, a1, a2, a3, b0, b1, b2, b3);
                conv2d_s8_mm_store(out + a, a0, a1, a2, a3, count, &prepared[a], p);
                break;
            }
            const int b = channels ? channels[i + 1] : i + 1;
            int32_t b0 = bias[b], b1 = b0, b2 = b0, b3 = b0;
            CONV2D_S8_MM_PRODUCT(w, pairs, depth, a0, a1, a2, a3, b0, b1, b2, b3);
            conv2d_s8_mm_store(out + a, a0, a1, a2, a3, count, &prepared[a], p);
            conv2d_s8_mm_store(out + b, b0, b1, b2, b3, count, &prepared[b], p);
        }
        /* Channels without weights: their constant output at every pixel. */
        for (int i = live; i < out_c; ++i) {
            const int c = channels[i];
            const int8_t value = (int8_t)prepared[c].m0;
            for (int j = 0; j < count; ++j) out[j * out_c + c] = value;
        }
    }
}

#endif /* CONV2D_S8_MM_C */
