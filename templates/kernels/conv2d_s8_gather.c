/*
 * conv2d_s8_gather.c - one filter of an int8 2-D convolution, given as its kept taps, over every
 * output pixel.
 *
 * Included by the sparse conv kernels (see conv2d_s8.c). conv2d_s8_indexed reads the taps
 * straight from flash; conv2d_s8_sparse, conv2d_s8_bitmap and conv2d_s8_nm decode a compressed
 * filter into them once per call. Either way the multiply-accumulates executed are the filter's
 * nonzero weights times the output pixels: the zeros cost nothing.
 *
 * output:  the filter's output channel at pixel (0, 0); pixel (y, x) is at
 *          output[(y * out_w + x) * out_c].
 * bias:    bias - in_zero * sum(filter), folded by whittle at compile time.
 * Interior pixels ([y_begin, y_end) x [x_begin, x_end), every tap inside the input) run in tiles
 * of at most `pixel_block` pixels (a folded pool's rows times a run of its columns), so each tap
 * loaded feeds a whole tile of multiply-accumulates. Border pixels check each tap and use
 * in_zero for taps outside the input, which cancels the fold. The filter's multiplier is
 * prepared once for all its pixels. A max pool folded into the conv (see conv2d_s8.c) keeps
 * each window's largest accumulator.
 */
#ifndef CONV2D_S8_GATHER_C
#define CONV2D_S8_GATHER_C

#include "whittle_dsp.h"

#define CONV2D_S8_GATHER_MAX_BLOCK 8

/* The shapes and quantization of a gather over every output pixel: conv2d_s8_indexed's
   parameters, and the first member of the decoding kernels' ones. */
typedef struct {
    int in_h, in_w, in_c;
    int out_h, out_w, out_c;      /* the conv output, before a folded pool */
    int stride_h, stride_w;
    int pad_top, pad_left;
    int pixel_block;              /* conv pixels per interior tile, at most CONV2D_S8_GATHER_MAX_BLOCK */
    int32_t in_zero, out_zero;
    int32_t act_min, act_max;
    int y_begin, y_end;           /* interior rows: every tap inside the input */
    int x_begin, x_end;           /* interior columns */
    int pool_h, pool_w;           /* the folded max pool; 1 x 1 without one */
} conv2d_s8_gather_params;

/* The parameters of a kernel that decodes each compressed filter into scratch first
   (conv2d_s8_sparse, conv2d_s8_bitmap): the gather's, the window and groups it decodes through,
   and the taps scratch holds (one more than the most nonzeros of any filter). */
typedef struct {
    conv2d_s8_gather_params gather;
    int k_h, k_w;
    int groups;
    int tap_capacity;
} conv2d_s8_decoding_params;

/* Whether some output pixel's window leaves the input (then the taps' positions are needed). */
WHITTLE_INLINE int conv2d_s8_gather_has_borders(const conv2d_s8_gather_params *p)
{
    return p->y_begin > 0 || p->y_end < p->out_h || p->x_begin > 0 || p->x_end < p->out_w;
}

/*
 * A kept tap is one word: the input offset of its weight from the window's top-left pixel,
 * (ky * in_w + kx) * in_c + channel, in the high 16 bits and the weight in the low 16 (sign
 * extended), so one load gives both, and SMLABB (whittle_mul_lane0) on Cortex-M4/M7 multiplies
 * by the low half as it is.
 * whittle checks at compile time that every offset of a sparse conv fits 16 bits.
 */
WHITTLE_INLINE int32_t conv2d_s8_tap(int offset, int32_t weight)
{
    return (int32_t)(((uint32_t)offset << 16) | ((uint32_t)weight & 0xFFFFu));
}

WHITTLE_INLINE int conv2d_s8_tap_offset(int32_t tap)
{
    return (int)((uint32_t)tap >> 16);
}

WHITTLE_INLINE int32_t conv2d_s8_tap_weight(int32_t tap)
{
    return (int16_t)(uint16_t)((uint32_t)tap & 0xFFFFu);
}

/* One filter: `count` tap words and, per tap, its ky and kx (positions[2k], positions[2k + 1]),
   read only for pixels whose window leaves the input. */
typedef struct {
    const int32_t *taps;
    const uint8_t *positions;
    int count;
} conv2d_s8_filter;

/*
 * The scratch a decoding kernel writes one filter into, and the window table it decodes
 * through:
 *   taps, positions: the filter (see conv2d_s8_filter); tap_capacity entries, one more than the
 *     most nonzeros of any filter, as a decoder writes each weight before it knows whether to
 *     keep it;
 *   spatial, spatial_positions: per window tap s = ky * k_w + kx its input offset, ky and kx;
 *     k_h * k_w + extra entries, the ones past the window a copy of the one k_h * k_w before
 *     them one channel on, so a decoder may step from a channel's last tap into the next's.
 * Scratch layout: taps, spatial (int32), then positions, spatial_positions (byte pairs):
 * CONV2D_S8_GATHER_SCRATCH_BYTES(tap_capacity, k_h * k_w + extra) bytes. Positions are written
 * only when some pixel's window leaves the input (`borders`).
 */
#define CONV2D_S8_GATHER_SCRATCH_BYTES(tap_capacity, window_taps) (6 * (tap_capacity) + 6 * (window_taps))

typedef struct {
    int32_t *taps;
    uint8_t *positions;
    int32_t *spatial;
    uint8_t *spatial_positions;
} conv2d_s8_decoder;

WHITTLE_INLINE conv2d_s8_decoder conv2d_s8_gather_decoder(int32_t *scratch, int tap_capacity,
                                                          int k_h, int k_w, int in_w, int in_c, int extra)
{
    const int window = k_h * k_w;
    conv2d_s8_decoder d;
    d.taps = scratch;
    d.spatial = scratch + tap_capacity;
    d.positions = (uint8_t *)(d.spatial + window + extra);
    d.spatial_positions = d.positions + 2 * tap_capacity;
    for (int s = 0; s < window + extra; ++s) {
        const int tap = s % window;
        d.spatial[s] = ((tap / k_w) * in_w + tap % k_w) * in_c + s / window;
        d.spatial_positions[2 * s] = (uint8_t)(tap / k_w);
        d.spatial_positions[2 * s + 1] = (uint8_t)(tap % k_w);
    }
    return d;
}

/* Writes weight w at window tap s of input channel `channel` as tap number `taps`; returns the
   number of taps kept (w = 0 is written but not kept). */
WHITTLE_INLINE int conv2d_s8_gather_keep(conv2d_s8_decoder d, int taps, int s, int channel, int8_t w, int borders)
{
    d.taps[taps] = conv2d_s8_tap(d.spatial[s] + channel, w);
    if (borders) {
        d.positions[2 * taps] = d.spatial_positions[2 * s];
        d.positions[2 * taps + 1] = d.spatial_positions[2 * s + 1];
    }
    return taps + (w != 0);
}

/* The decoded filter of `taps` taps. */
WHITTLE_INLINE conv2d_s8_filter conv2d_s8_gather_decoded(conv2d_s8_decoder d, int taps)
{
    conv2d_s8_filter f;
    f.taps = d.taps;
    f.positions = d.positions;
    f.count = taps;
    return f;
}

/* Adds tap t's products to the accumulators of a rows x cols tile (see conv2d_s8_gather_tile),
   or with `first` (a literal) sets them to bias plus the products. */
WHITTLE_INLINE void conv2d_s8_gather_tap(const int8_t *x, int32_t *acc, int32_t t, int first, int32_t bias, int rows,
                                         int cols, int row_step, int col_step)
{
    const int8_t *xt = x + conv2d_s8_tap_offset(t);
    WHITTLE_OPAQUE(xt);
    WHITTLE_UNROLL_BLOCK for (int r = 0; r < rows; ++r) {
        int c = 0;
#if WHITTLE_DSP_NATIVE
        /* Adjacent pixels in adjacent bytes (one input channel, stride 1): one word load and two
           SXTB16 give four pixels' inputs. */
        if (col_step == 1) {
            WHITTLE_UNROLL_BLOCK for (; c + 4 <= cols; c += 4) {
                int32_t even, odd;
                int32_t *a = acc + r * cols + c;
                whittle_widen(whittle_load_s8x4(xt + r * row_step + c), &even, &odd);
                a[0] = whittle_mul_lane0(even, t, first ? bias : a[0]);
                a[1] = whittle_mul_lane0(odd, t, first ? bias : a[1]);
                a[2] = whittle_mul_lane1_by_lane0(even, t, first ? bias : a[2]);
                a[3] = whittle_mul_lane1_by_lane0(odd, t, first ? bias : a[3]);
            }
        }
#endif
        WHITTLE_UNROLL_BLOCK for (; c < cols; ++c) {
            acc[r * cols + c] = whittle_mul_lane0(xt[r * row_step + c * col_step], t, first ? bias : acc[r * cols + c]);
        }
    }
}

/* The accumulators of a rows x cols tile of interior conv pixels (rows and cols literals at each
   call, rows * cols at most CONV2D_S8_GATHER_MAX_BLOCK), bias included: pixel (r, c) reads input
   x + r * row_step + c * col_step plus each tap's offset, so all its loads address one pointer
   per tap with constant displacements. */
WHITTLE_INLINE void conv2d_s8_gather_tile(const int8_t *x, int32_t *acc, conv2d_s8_filter f, int rows, int cols,
                                          int row_step, int col_step, int32_t bias)
{
    const int32_t *tap = f.taps;
    const int32_t *end = f.taps + f.count;
    /* One register for the tile's origin, however the caller computed it. */
    WHITTLE_OPAQUE(x);
    if (tap == end) {
        WHITTLE_UNROLL_BLOCK for (int j = 0; j < rows * cols; ++j) {
            acc[j] = bias;
        }
        return;
    }
    /* The first tap starts the accumulators from the bias (multiply-accumulates, no moves). */
    conv2d_s8_gather_tap(x, acc, *tap, 1, bias, rows, cols, row_step, col_step);
    for (++tap; tap != end; ++tap) {
        conv2d_s8_gather_tap(x, acc, *tap, 0, bias, rows, cols, row_step, col_step);
    }
}

/* The accumulator of one pixel whose window reaches outside the input (only layers with padding
   have any). */
WHITTLE_INLINE int32_t conv2d_s8_gather_border(const int8_t *input, int iy0, int ix0, conv2d_s8_filter f, int32_t bias,
                                               const conv2d_s8_gather_params *p)
{
    const int in_h = p->in_h, in_w = p->in_w, in_c = p->in_c;
    const int32_t in_zero = p->in_zero;
    const int origin = (iy0 * in_w + ix0) * in_c;
    int32_t acc = bias;
    for (int k = 0; k < f.count; ++k) {
        const int iy = iy0 + f.positions[2 * k];
        const int ix = ix0 + f.positions[2 * k + 1];
        const int32_t xv = (iy >= 0 && iy < in_h && ix >= 0 && ix < in_w) ? input[origin + conv2d_s8_tap_offset(f.taps[k])]
                                                                           : in_zero;
        acc += xv * conv2d_s8_tap_weight(f.taps[k]);
    }
    return acc;
}

/* `count` (a literal) interior output pixels of one row, starting at output column px: each the
   largest accumulator of its pool_h x pool_w window (1 x 1 without a folded pool). The conv
   pixels are computed in tiles of `rows` (pool_h, or 1 when the window outgrows a block) rows
   by count * pool_w columns. */
WHITTLE_INLINE void conv2d_s8_gather_pooled_interior(
    const int8_t *input, int8_t *out, conv2d_s8_filter f, int count, int rows, int py, int px,
    int32_t bias, whittle_multiplier multiplier, const conv2d_s8_gather_params *p)
{
    const int in_w = p->in_w, in_c = p->in_c, out_c = p->out_c, pool_h = p->pool_h, pool_w = p->pool_w;
    const int stride_h = p->stride_h, stride_w = p->stride_w, pad_top = p->pad_top, pad_left = p->pad_left;
    const int32_t out_zero = p->out_zero, act_min = p->act_min, act_max = p->act_max;
    const int cols = count * pool_w;
    int32_t best[CONV2D_S8_GATHER_MAX_BLOCK];
    WHITTLE_UNROLL_BLOCK for (int j = 0; j < count; ++j) {
        best[j] = INT32_MIN;
    }
    for (int wy = 0; wy < pool_h; wy += rows) {
        const int iy0 = (py * pool_h + wy) * stride_h - pad_top;
        const int ix0 = px * pool_w * stride_w - pad_left;
        int32_t acc[CONV2D_S8_GATHER_MAX_BLOCK];
        conv2d_s8_gather_tile(input + (iy0 * in_w + ix0) * in_c, acc, f, rows, cols, stride_h * in_w * in_c, stride_w * in_c,
                              bias);
        WHITTLE_UNROLL_BLOCK for (int j = 0; j < count; ++j) {
            WHITTLE_UNROLL_BLOCK for (int r = 0; r < rows; ++r) {
                for (int wx = 0; wx < pool_w; ++wx) {
                    const int32_t a = acc[r * cols + j * pool_w + wx];
                    best[j] = a > best[j] ? a : best[j];
                }
            }
        }
    }
    WHITTLE_UNROLL_BLOCK for (int j = 0; j < count; ++j) {
        out[j * out_c] = whittle_requantize_prepared(best[j], multiplier, out_zero, act_min, act_max);
    }
}

/* One output pixel some of whose pool window's conv pixels reach outside the input. */
WHITTLE_INLINE int8_t conv2d_s8_gather_pooled_border(
    const int8_t *input, conv2d_s8_filter f, int py, int px, int32_t bias, whittle_multiplier multiplier,
    const conv2d_s8_gather_params *p)
{
    const int stride_h = p->stride_h, stride_w = p->stride_w, pad_top = p->pad_top, pad_left = p->pad_left;
    const int pool_h = p->pool_h, pool_w = p->pool_w;
    int32_t best = INT32_MIN;
    for (int wy = 0; wy < pool_h; ++wy) {
        for (int wx = 0; wx < pool_w; ++wx) {
            const int32_t acc = conv2d_s8_gather_border(input, (py * pool_h + wy) * stride_h - pad_top,
                                                        (px * pool_w + wx) * stride_w - pad_left, f, bias, p);
            best = acc > best ? acc : best;
        }
    }
    return whittle_requantize_prepared(best, multiplier, p->out_zero, p->act_min, p->act_max);
}

/* The filter over every output pixel; `output` is the filter's channel at pixel (0, 0). With a
   folded max pool (pool_h x pool_w > 1 x 1) the pixels are the pooled ones. Interior output
   pixels (every conv pixel of their window interior) run in tiles of at most `pixel_block` conv
   pixels. */
WHITTLE_INLINE void conv2d_s8_gather(
    const int8_t *input, int8_t *output, conv2d_s8_filter f, int32_t bias, int32_t multiplier, int shift,
    const conv2d_s8_gather_params *p)
{
    const int out_h = p->out_h, out_w = p->out_w, out_c = p->out_c, block = p->pixel_block;
    const int pool_h = p->pool_h, pool_w = p->pool_w;
    const int y_begin = p->y_begin, y_end = p->y_end, x_begin = p->x_begin, x_end = p->x_end;
    const whittle_multiplier prepared = whittle_prepare_multiplier(multiplier, shift);
    const int pooled_h = out_h / pool_h;
    const int pooled_w = out_w / pool_w;
    /* Output pixels whose whole window is interior. */
    const int py_begin = (y_begin + pool_h - 1) / pool_h;
    const int py_end = y_end / pool_h;
    const int px_begin = (x_begin + pool_w - 1) / pool_w;
    const int px_end = x_end / pool_w;
    /* A tile spans the pool's rows when the window fits a block; output pixels per step fill the
       rest of the block with their columns. */
    const int rows = pool_h * pool_w <= block ? pool_h : 1;
    const int pooled_block = block / (rows * pool_w) > 0 ? block / (rows * pool_w) : 1;
    for (int py = 0; py < pooled_h; ++py) {
        int8_t *out = output + py * pooled_w * out_c;
        int px = 0;
        if (py >= py_begin && py < py_end) {
            for (; px < px_begin; ++px) {
                out[px * out_c] = conv2d_s8_gather_pooled_border(input, f, py, px, bias, prepared, p);
            }
            for (; px + pooled_block <= px_end; px += pooled_block) {
                conv2d_s8_gather_pooled_interior(input, out + px * out_c, f, pooled_block, rows, py, px, bias, prepared, p);
            }
            /* The rest of the row in halving blocks, so a short row still shares each tap load. */
            if (pooled_block > 4 && px + 4 <= px_end) {
                conv2d_s8_gather_pooled_interior(input, out + px * out_c, f, 4, rows, py, px, bias, prepared, p);
                px += 4;
            }
            if (pooled_block > 2 && px + 2 <= px_end) {
                conv2d_s8_gather_pooled_interior(input, out + px * out_c, f, 2, rows, py, px, bias, prepared, p);
                px += 2;
            }
            for (; px < px_end; ++px) {
                conv2d_s8_gather_pooled_interior(input, out + px * out_c, f, 1, rows, py, px, bias, prepared, p);
            }
        }
        for (; px < pooled_w; ++px) {
            out[px * out_c] = conv2d_s8_gather_pooled_border(input, f, py, px, bias, prepared, p);
        }
    }
}

#endif /* CONV2D_S8_GATHER_C */
