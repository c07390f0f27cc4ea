/*
 * conv2d_s8_bitmap.c - int8 2-D convolution with bitmap-sparse weights, channels-last (HWC), grouped.
 *
 * Included by model.c (see conv2d_s8.c); runs on conv2d_s8_gather.c.
 * Each filter is decoded once per call into its kept taps (in `scratch`), then
 * conv2d_s8_gather runs those taps over every output pixel: the zeros are never multiplied.
 *
 * weights, per filter in logical order [k_h][k_w][in_c / groups] (see BitmapSparseWeights):
 *   masks:  (filter size + 7) / 8 bytes, bit i of byte j (least significant first) set when
 *           weight 8j + i is stored;
 *   values: int8, the stored weights in order (a stored 0 is dropped when decoding).
 * scratch: the decoded taps and window table of conv2d_s8_gather.c (extra 0), so
 *          CONV2D_S8_GATHER_SCRATCH_BYTES(tap_capacity, k_h * k_w) bytes.
 * bias:    bias[c] - in_zero * sum(filter c), folded by whittle at compile time.
 */
#ifndef CONV2D_S8_BITMAP_C
#define CONV2D_S8_BITMAP_C

#include "conv2d_s8_gather.c"

typedef conv2d_s8_decoding_params conv2d_s8_bitmap_params;

WHITTLE_INLINE void conv2d_s8_bitmap(
    const int8_t *input, int8_t *output,
    const int8_t *values, const uint8_t *masks,
    const int32_t *bias, const int32_t *multiplier, const int8_t *shift, int32_t *scratch,
    const conv2d_s8_bitmap_params *p)
{
    const conv2d_s8_gather_params *gather = &p->gather;
    const int group_in = gather->in_c / p->groups;
    const int out_c = gather->out_c;
    const int group_out = out_c / p->groups;
    const int filter_size = p->k_h * p->k_w * group_in;
    const int borders = conv2d_s8_gather_has_borders(gather);
    const conv2d_s8_decoder decoder = conv2d_s8_gather_decoder(scratch, p->tap_capacity, p->k_h, p->k_w, gather->in_w, gather->in_c, 0);
    for (int oc = 0; oc < out_c; ++oc) {
        const int channel0 = (oc / group_out) * group_in;
        int taps = 0;
        for (int position = 0; position < filter_size; ++position) {
            if ((masks[position >> 3] >> (position & 7)) & 1) {
                const int s = position / group_in;
                taps = conv2d_s8_gather_keep(decoder, taps, s, channel0 + (position - s * group_in), *values++, borders);
            }
        }
        masks += (filter_size + 7) >> 3;
        conv2d_s8_gather(input, output + oc, conv2d_s8_gather_decoded(decoder, taps), bias[oc], multiplier[oc], shift[oc], gather);
    }
}

#endif /* CONV2D_S8_BITMAP_C */
