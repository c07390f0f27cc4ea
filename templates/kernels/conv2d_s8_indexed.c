/*
 * conv2d_s8_indexed.c - int8 2-D convolution with index-sparse weights stored as ready taps: the
 * fast layout of index-sparse weights for cores where decoding conv2d_s8_sparse's 4-bit gaps on
 * every call costs more than it saves (a target's "indexed-sparse" variant): 4 bytes of flash
 * per kept weight instead of about 1.5, no decoding and no scratch.
 *
 * Included by model.c (see conv2d_s8.c); runs on conv2d_s8_gather.c, whose parameters it takes.
 * weights, per filter (output channel), computed by whittle for this layer's input width and
 * channels:
 *   taps:      one word per nonzero weight, conv2d_s8_gather.c's tap (offset and weight);
 *   positions: per tap its ky and kx, only for layers where some window leaves the input
 *              (padding); 0 otherwise;
 *   counts:    uint16, the number of taps of each filter.
 * bias:    bias[c] - in_zero * sum(filter c), folded by whittle at compile time.
 */
#ifndef CONV2D_S8_INDEXED_C
#define CONV2D_S8_INDEXED_C

#include "conv2d_s8_gather.c"

typedef conv2d_s8_gather_params conv2d_s8_indexed_params;

WHITTLE_INLINE void conv2d_s8_indexed(
    const int8_t *input, int8_t *output,
    const int32_t *taps, const uint8_t *positions, const uint16_t *counts,
    const int32_t *bias, const int32_t *multiplier, const int8_t *shift,
    const conv2d_s8_indexed_params *p)
{
    const int out_c = p->out_c;
    const int borders = conv2d_s8_gather_has_borders(p);
    for (int oc = 0; oc < out_c; ++oc) {
        conv2d_s8_filter f;
        f.taps = taps;
        f.positions = positions;
        f.count = counts[oc];
        conv2d_s8_gather(input, output + oc, f, bias[oc], multiplier[oc], shift[oc], p);
        taps += f.count;
        if (borders) {
            positions += 2 * f.count;
        }
    }
}

#endif /* CONV2D_S8_INDEXED_C */
