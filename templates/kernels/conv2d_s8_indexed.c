/*
 * conv2d_s8_indexed.c - int8 2-D convolution with index-sparse weights stored as ready taps: the
 * fast layout of index-sparse weights for cores where decoding conv2d_s8_sparse's 4-bit gaps on
 * every call costs more than it saves (a target's "indexed-sparse" variant): 4 bytes of flash
 * per kept weight instead of about 1.5, no decoding and no scratch.
 *
 * Included by model.c, never compiled alone (see conv2d_s8.c); needs conv2d_s8_gather.c.
 * weights, per filter (output channel), computed by whittle for this layer's input width and
 * channels:
 *   taps:      one word per nonzero weight, conv2d_s8_gather.c's tap (offset and weight);
 *   positions: per tap its ky and kx, only for layers where some window leaves the input
 *              (padding); 0 otherwise;
 *   counts:    uint16, the number of taps of each filter.
 * bias:    bias[c] - in_zero * sum(filter c), folded by whittle at compile time.
 */
#include "whittle_fixedpoint.h"

WHITTLE_INLINE void conv2d_s8_indexed(
    const int8_t *input, int8_t *output,
    const int32_t *taps, const uint8_t *positions, const uint16_t *counts,
    const int32_t *bias, const int32_t *multiplier, const int8_t *shift,
    int in_h, int in_w, int in_c, int out_h, int out_w, int out_c, int stride_h, int stride_w, int pad_top, int pad_left,
    int block, int32_t in_zero, int32_t out_zero, int32_t act_min, int32_t act_max,
    int y_begin, int y_end, int x_begin, int x_end, int pool_h, int pool_w)
{
    const int borders = y_begin > 0 || y_end < out_h || x_begin > 0 || x_end < out_w;
    for (int oc = 0; oc < out_c; ++oc) {
        conv2d_s8_filter f;
        f.taps = taps;
        f.positions = positions;
        f.count = counts[oc];
        conv2d_s8_gather(input, output + oc, f, bias[oc], multiplier[oc], shift[oc],
                         in_h, in_w, in_c, out_h, out_w, out_c, stride_h, stride_w, pad_top, pad_left, block,
                         in_zero, out_zero, act_min, act_max, y_begin, y_end, x_begin, x_end, pool_h, pool_w);
        taps += f.count;
        if (borders) {
            positions += 2 * f.count;
        }
    }
}
