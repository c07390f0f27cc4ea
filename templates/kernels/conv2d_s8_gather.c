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
 * pixels of a row at a time, two taps per step, so each weight loaded feeds `block`
 * multiply-accumulates. Border pixels check each tap and use in_zero for taps outside the input,
 * which cancels the fold. The filter's multiplier is prepared once for all its pixels.
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

/* `count` (a literal: block or 1) interior pixels of one row, starting at input pixel x. */
WHITTLE_INLINE void conv2d_s8_gather_interior(
    const int8_t *x, int8_t *out, const int32_t *offsets, const int8_t *values, int taps, int count,
    int step, int out_step, int32_t bias, whittle_multiplier multiplier,
    int32_t out_zero, int32_t act_min, int32_t act_max)
{
    int32_t acc[CONV2D_S8_GATHER_MAX_BLOCK];
    int k = 0;
    WHITTLE_UNROLL_BLOCK for (int j = 0; j < count; ++j) {
        acc[j] = bias;
    }
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
    if (k + 2 <= taps) {
        const int8_t *xa = x + offsets[k];
        const int8_t *xb = x + offsets[k + 1];
        const int32_t wa = values[k];
        const int32_t wb = values[k + 1];
        WHITTLE_OPAQUE(xa);
        WHITTLE_OPAQUE(xb);
        WHITTLE_UNROLL_BLOCK for (int j = 0; j < count; ++j) {
            acc[j] += xa[j * step] * wa + xb[j * step] * wb;
        }
        k += 2;
    }
    if (k < taps) {
        const int8_t *xa = x + offsets[k];
        const int32_t wa = values[k];
        WHITTLE_OPAQUE(xa);
        WHITTLE_UNROLL_BLOCK for (int j = 0; j < count; ++j) {
            acc[j] += xa[j * step] * wa;
        }
    }
    WHITTLE_UNROLL_BLOCK for (int j = 0; j < count; ++j) {
        out[j * out_step] = whittle_requantize_prepared(acc[j], multiplier, out_zero, act_min, act_max);
    }
}

/* One pixel whose window reaches outside the input (only layers with padding have any). */
WHITTLE_INLINE int8_t conv2d_s8_gather_border(
    const int8_t *input, int iy0, int ix0, const int32_t *offsets, const int8_t *values,
    const uint8_t *tap_y, const uint8_t *tap_x, int taps, int32_t bias, whittle_multiplier multiplier,
    int in_h, int in_w, int in_c, int32_t in_zero, int32_t out_zero, int32_t act_min, int32_t act_max)
{
    const int origin = (iy0 * in_w + ix0) * in_c;
    int32_t acc = bias;
    for (int k = 0; k < taps; ++k) {
        const int iy = iy0 + tap_y[k];
        const int ix = ix0 + tap_x[k];
        const int32_t xv = (iy >= 0 && iy < in_h && ix >= 0 && ix < in_w) ? input[origin + offsets[k]] : in_zero;
        acc += xv * values[k];
    }
    return whittle_requantize_prepared(acc, multiplier, out_zero, act_min, act_max);
}

WHITTLE_INLINE void conv2d_s8_gather(
    const int8_t *input, int8_t *output, conv2d_s8_taps kept, int taps,
    int32_t bias, int32_t multiplier, int shift,
    int in_h, int in_w, int in_c, int out_h, int out_w, int out_c,
    int stride_h, int stride_w, int pad_top, int pad_left, int block,
    int32_t in_zero, int32_t out_zero, int32_t act_min, int32_t act_max,
    int y_begin, int y_end, int x_begin, int x_end)
{
    const int32_t *offsets = kept.offsets;
    const int8_t *values = kept.values;
    const uint8_t *tap_y = kept.rows;
    const uint8_t *tap_x = kept.columns;
    const int step = stride_w * in_c;
    const whittle_multiplier prepared = whittle_prepare_multiplier(multiplier, shift);
    for (int oy = 0; oy < out_h; ++oy) {
        const int iy0 = oy * stride_h - pad_top;
        int8_t *out = output + oy * out_w * out_c;
        int ox = 0;
        if (oy >= y_begin && oy < y_end) {
            for (; ox < x_begin; ++ox) {
                out[ox * out_c] = conv2d_s8_gather_border(input, iy0, ox * stride_w - pad_left, offsets, values, tap_y, tap_x,
                                                          taps, bias, prepared, in_h, in_w, in_c,
                                                          in_zero, out_zero, act_min, act_max);
            }
            for (; ox + block <= x_end; ox += block) {
                conv2d_s8_gather_interior(input + (iy0 * in_w + ox * stride_w - pad_left) * in_c, out + ox * out_c,
                                          offsets, values, taps, block, step, out_c, bias, prepared,
                                          out_zero, act_min, act_max);
            }
            for (; ox < x_end; ++ox) {
                conv2d_s8_gather_interior(input + (iy0 * in_w + ox * stride_w - pad_left) * in_c, out + ox * out_c,
                                          offsets, values, taps, 1, step, out_c, bias, prepared,
                                          out_zero, act_min, act_max);
            }
        }
        for (; ox < out_w; ++ox) {
            out[ox * out_c] = conv2d_s8_gather_border(input, iy0, ox * stride_w - pad_left, offsets, values, tap_y, tap_x,
                                                      taps, bias, prepared, in_h, in_w, in_c,
                                                      in_zero, out_zero, act_min, act_max);
        }
    }
}
