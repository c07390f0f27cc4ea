/*
 * conv2d_s8_gather.c - one filter of an int8 2-D convolution, given as its kept taps, over every
 * output pixel.
 *
 * Included by model.c, never compiled alone (see conv2d_s8.c). conv2d_s8_sparse and conv2d_s8_nm
 * decode a compressed filter into this form once per call, so the multiply-accumulates executed
 * are the filter's nonzero weights times the output pixels: the zeros cost nothing.
 *
 * taps:    the first `taps` entries of `kept` (see conv2d_s8_taps below).
 * output:  the filter's output channel at pixel (0, 0); pixel (y, x) is at
 *          output[(y * out_w + x) * out_c].
 * bias:    bias - in_zero * sum(filter), folded by whittle at compile time.
 * Interior pixels ([y_begin, y_end) x [x_begin, x_end), every tap inside the input) run `block`
 * pixels of a row at a time, four taps per step (two on Thumb), so each weight loaded feeds `block`
 * multiply-accumulates. Border pixels check each tap and use in_zero for taps outside the input,
 * which cancels the fold. The filter's multiplier is prepared once for all its pixels.
 * A max pool folded into the conv (see conv2d_s8.c) keeps each window's largest accumulator.
 */
#include "whittle_fixedpoint.h"

#define CONV2D_S8_GATHER_MAX_BLOCK 8

/*
 * A filter's kept taps as conv2d_s8_sparse, conv2d_s8_bitmap and conv2d_s8_nm decode them into
 * scratch, with the window table they decode through:
 *   offsets, values, rows, columns: per kept tap its input offset (relative to the window's
 *     top-left pixel), weight, ky and kx; tap_capacity entries, one more than the most nonzeros
 *     of any filter, as a decoder writes each weight before it knows whether to keep it;
 *   spatial, spatial_y, spatial_x: per window tap s = ky * k_w + kx its input offset, ky and kx;
 *     k_h * k_w + extra entries, the ones past the window a copy of the one k_h * k_w before
 *     them one channel on, so a decoder may step from a channel's last tap into the next's.
 * Scratch layout: offsets, spatial (int32), then values, rows, columns, spatial_y, spatial_x
 * (bytes): 7 * tap_capacity + 6 * (k_h * k_w + extra) bytes. Rows and columns are written only
 * when some pixel's window leaves the input (`borders`).
 */
typedef struct {
    int32_t *offsets;
    int8_t *values;
    uint8_t *rows;
    uint8_t *columns;
    int32_t *spatial;
    uint8_t *spatial_y;
    uint8_t *spatial_x;
} conv2d_s8_taps;

WHITTLE_INLINE conv2d_s8_taps conv2d_s8_gather_taps(int32_t *scratch, int tap_capacity,
                                                    int k_h, int k_w, int in_w, int in_c, int extra)
{
    const int window = k_h * k_w;
    conv2d_s8_taps t;
    t.offsets = scratch;
    t.spatial = scratch + tap_capacity;
    t.values = (int8_t *)(t.spatial + window + extra);
    t.rows = (uint8_t *)(t.values + tap_capacity);
    t.columns = t.rows + tap_capacity;
    t.spatial_y = t.columns + tap_capacity;
    t.spatial_x = t.spatial_y + window + extra;
    for (int s = 0; s < window + extra; ++s) {
        const int tap = s % window;
        t.spatial[s] = ((tap / k_w) * in_w + tap % k_w) * in_c + s / window;
        t.spatial_y[s] = (uint8_t)(tap / k_w);
        t.spatial_x[s] = (uint8_t)(tap % k_w);
    }
    return t;
}

/* Writes weight w at window tap s of input channel `channel` as tap number `taps`; returns the
   number of taps kept (w = 0 is written but not kept). */
WHITTLE_INLINE int conv2d_s8_gather_keep(conv2d_s8_taps t, int taps, int s, int channel, int8_t w, int borders)
{
    t.offsets[taps] = t.spatial[s] + channel;
    t.values[taps] = w;
    if (borders) {
        t.rows[taps] = t.spatial_y[s];
        t.columns[taps] = t.spatial_x[s];
    }
    return taps + (w != 0);
}

/* Accumulates `count` (a literal: block or 1) interior pixels of one row into acc, starting at
   input pixel x, `step` input bytes apart; bias included. */
WHITTLE_INLINE void conv2d_s8_gather_interior(
    const int8_t *x, int32_t *acc, const int32_t *offsets, const int8_t *values, int taps, int count,
    int step, int32_t bias)
{
    int k = 0;
    WHITTLE_UNROLL_BLOCK for (int j = 0; j < count; ++j) {
        acc[j] = bias;
    }
#if !WHITTLE_FEW_REGISTERS
    /* Four taps per step where registers allow (not on Thumb, where it spills). */
    for (; k + 4 <= taps; k += 4) {
        const int8_t *xa = x + offsets[k];
        const int8_t *xb = x + offsets[k + 1];
        const int8_t *xc = x + offsets[k + 2];
        const int8_t *xd = x + offsets[k + 3];
        const int32_t wa = values[k];
        const int32_t wb = values[k + 1];
        const int32_t wc = values[k + 2];
        const int32_t wd = values[k + 3];
        WHITTLE_OPAQUE(xa);
        WHITTLE_OPAQUE(xb);
        WHITTLE_OPAQUE(xc);
        WHITTLE_OPAQUE(xd);
        WHITTLE_UNROLL_BLOCK for (int j = 0; j < count; ++j) {
            acc[j] += xa[j * step] * wa + xb[j * step] * wb + xc[j * step] * wc + xd[j * step] * wd;
        }
    }
#endif
    /* Two taps per step, each added straight into the accumulators. */
    for (; k + 2 <= taps; k += 2) {
        const int8_t *xa = x + offsets[k];
        const int8_t *xb = x + offsets[k + 1];
        const int32_t wa = values[k];
        const int32_t wb = values[k + 1];
        WHITTLE_OPAQUE(xa);
        WHITTLE_OPAQUE(xb);
        WHITTLE_UNROLL_BLOCK for (int j = 0; j < count; ++j) {
            acc[j] += xa[j * step] * wa;
        }
        WHITTLE_UNROLL_BLOCK for (int j = 0; j < count; ++j) {
            acc[j] += xb[j * step] * wb;
        }
    }
    if (k < taps) {
        const int8_t *xa = x + offsets[k];
        const int32_t wa = values[k];
        WHITTLE_OPAQUE(xa);
        WHITTLE_UNROLL_BLOCK for (int j = 0; j < count; ++j) {
            acc[j] += xa[j * step] * wa;
        }
    }
}

/* The accumulator of one pixel whose window reaches outside the input (only layers with padding
   have any). */
WHITTLE_INLINE int32_t conv2d_s8_gather_border(
    const int8_t *input, int iy0, int ix0, const int32_t *offsets, const int8_t *values,
    const uint8_t *tap_y, const uint8_t *tap_x, int taps, int32_t bias,
    int in_h, int in_w, int in_c, int32_t in_zero)
{
    const int origin = (iy0 * in_w + ix0) * in_c;
    int32_t acc = bias;
    for (int k = 0; k < taps; ++k) {
        const int iy = iy0 + tap_y[k];
        const int ix = ix0 + tap_x[k];
        const int32_t xv = (iy >= 0 && iy < in_h && ix >= 0 && ix < in_w) ? input[origin + offsets[k]] : in_zero;
        acc += xv * values[k];
    }
    return acc;
}

/* `count` (a literal: block or 1) interior output pixels of one row, starting at output column
   px: each the largest accumulator of its pool_h x pool_w window (1 x 1 without a folded pool). */
WHITTLE_INLINE void conv2d_s8_gather_pooled_interior(
    const int8_t *input, int8_t *out, conv2d_s8_taps kept, int taps, int count, int py, int px,
    int32_t bias, whittle_multiplier multiplier, int in_w, int in_c, int out_c,
    int stride_h, int stride_w, int pad_top, int pad_left, int pool_h, int pool_w,
    int32_t out_zero, int32_t act_min, int32_t act_max)
{
    int32_t best[CONV2D_S8_GATHER_MAX_BLOCK];
    WHITTLE_UNROLL_BLOCK for (int j = 0; j < count; ++j) {
        best[j] = INT32_MIN;
    }
    for (int wy = 0; wy < pool_h; ++wy) {
        const int iy0 = (py * pool_h + wy) * stride_h - pad_top;
        if (count * pool_w <= CONV2D_S8_GATHER_MAX_BLOCK) {
            /* The windows' conv pixels of this row are count * pool_w neighbours: one pass over
               the taps for all of them. */
            const int ix0 = px * pool_w * stride_w - pad_left;
            int32_t acc[CONV2D_S8_GATHER_MAX_BLOCK];
            conv2d_s8_gather_interior(input + (iy0 * in_w + ix0) * in_c, acc, kept.offsets, kept.values, taps, count * pool_w,
                                      stride_w * in_c, bias);
            WHITTLE_UNROLL_BLOCK for (int j = 0; j < count; ++j) {
                for (int wx = 0; wx < pool_w; ++wx) {
                    best[j] = acc[j * pool_w + wx] > best[j] ? acc[j * pool_w + wx] : best[j];
                }
            }
            continue;
        }
        for (int wx = 0; wx < pool_w; ++wx) {
            const int ix0 = (px * pool_w + wx) * stride_w - pad_left;
            int32_t acc[CONV2D_S8_GATHER_MAX_BLOCK];
            conv2d_s8_gather_interior(input + (iy0 * in_w + ix0) * in_c, acc, kept.offsets, kept.values, taps, count,
                                      pool_w * stride_w * in_c, bias);
            WHITTLE_UNROLL_BLOCK for (int j = 0; j < count; ++j) {
                best[j] = acc[j] > best[j] ? acc[j] : best[j];
            }
        }
    }
    WHITTLE_UNROLL_BLOCK for (int j = 0; j < count; ++j) {
        out[j * out_c] = whittle_requantize_prepared(best[j], multiplier, out_zero, act_min, act_max);
    }
}

/* One output pixel some of whose pool window's conv pixels reach outside the input. */
WHITTLE_INLINE int8_t conv2d_s8_gather_pooled_border(
    const int8_t *input, conv2d_s8_taps kept, int taps, int py, int px, int32_t bias, whittle_multiplier multiplier,
    int in_h, int in_w, int in_c, int stride_h, int stride_w, int pad_top, int pad_left, int pool_h, int pool_w,
    int32_t in_zero, int32_t out_zero, int32_t act_min, int32_t act_max)
{
    int32_t best = INT32_MIN;
    for (int wy = 0; wy < pool_h; ++wy) {
        for (int wx = 0; wx < pool_w; ++wx) {
            const int32_t acc = conv2d_s8_gather_border(input, (py * pool_h + wy) * stride_h - pad_top,
                                                        (px * pool_w + wx) * stride_w - pad_left, kept.offsets, kept.values,
                                                        kept.rows, kept.columns, taps, bias, in_h, in_w, in_c, in_zero);
            best = acc > best ? acc : best;
        }
    }
    return whittle_requantize_prepared(best, multiplier, out_zero, act_min, act_max);
}

/* The filter over every output pixel; `output` is the filter's channel at pixel (0, 0). With a
   folded max pool (pool_h x pool_w > 1 x 1) the pixels are the pooled ones. Interior output
   pixels (every conv pixel of their window interior) run `block` at a time. */
WHITTLE_INLINE void conv2d_s8_gather(
    const int8_t *input, int8_t *output, conv2d_s8_taps kept, int taps,
    int32_t bias, int32_t multiplier, int shift,
    int in_h, int in_w, int in_c, int out_h, int out_w, int out_c,
    int stride_h, int stride_w, int pad_top, int pad_left, int block,
    int32_t in_zero, int32_t out_zero, int32_t act_min, int32_t act_max,
    int y_begin, int y_end, int x_begin, int x_end, int pool_h, int pool_w)
{
    const whittle_multiplier prepared = whittle_prepare_multiplier(multiplier, shift);
    const int pooled_h = out_h / pool_h;
    const int pooled_w = out_w / pool_w;
    /* Output pixels whose whole window is interior. */
    const int py_begin = (y_begin + pool_h - 1) / pool_h;
    const int py_end = y_end / pool_h;
    const int px_begin = (x_begin + pool_w - 1) / pool_w;
    const int px_end = x_end / pool_w;
    /* Output pixels per step: their pool_w-times-as-many conv pixels fill the block. */
    const int pooled_block = block / pool_w > 0 ? block / pool_w : 1;
    for (int py = 0; py < pooled_h; ++py) {
        int8_t *out = output + py * pooled_w * out_c;
        int px = 0;
        if (py >= py_begin && py < py_end) {
            for (; px < px_begin; ++px) {
                out[px * out_c] = conv2d_s8_gather_pooled_border(input, kept, taps, py, px, bias, prepared, in_h, in_w, in_c,
                                                                 stride_h, stride_w, pad_top, pad_left, pool_h, pool_w,
                                                                 in_zero, out_zero, act_min, act_max);
            }
            for (; px + pooled_block <= px_end; px += pooled_block) {
                conv2d_s8_gather_pooled_interior(input, out + px * out_c, kept, taps, pooled_block, py, px, bias, prepared,
                                                 in_w, in_c, out_c, stride_h, stride_w, pad_top, pad_left, pool_h, pool_w,
                                                 out_zero, act_min, act_max);
            }
            /* The rest of the row in halving blocks, so a short row still shares each tap load. */
            if (pooled_block > 4 && px + 4 <= px_end) {
                conv2d_s8_gather_pooled_interior(input, out + px * out_c, kept, taps, 4, py, px, bias, prepared,
                                                 in_w, in_c, out_c, stride_h, stride_w, pad_top, pad_left, pool_h, pool_w,
                                                 out_zero, act_min, act_max);
                px += 4;
            }
            if (pooled_block > 2 && px + 2 <= px_end) {
                conv2d_s8_gather_pooled_interior(input, out + px * out_c, kept, taps, 2, py, px, bias, prepared,
                                                 in_w, in_c, out_c, stride_h, stride_w, pad_top, pad_left, pool_h, pool_w,
                                                 out_zero, act_min, act_max);
                px += 2;
            }
            for (; px < px_end; ++px) {
                conv2d_s8_gather_pooled_interior(input, out + px * out_c, kept, taps, 1, py, px, bias, prepared,
                                                 in_w, in_c, out_c, stride_h, stride_w, pad_top, pad_left, pool_h, pool_w,
                                                 out_zero, act_min, act_max);
            }
        }
        for (; px < pooled_w; ++px) {
            out[px * out_c] = conv2d_s8_gather_pooled_border(input, kept, taps, py, px, bias, prepared, in_h, in_w, in_c,
                                                             stride_h, stride_w, pad_top, pad_left, pool_h, pool_w,
                                                             in_zero, out_zero, act_min, act_max);
        }
    }
}
