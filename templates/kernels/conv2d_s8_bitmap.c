/*
 * conv2d_s8_bitmap.c - int8 2-D convolution with bitmap-sparse weights, channels-last (HWC), grouped.
 *
 * Included by model.c, never compiled alone (see conv2d_s8.c); needs conv2d_s8_gather.c.
 * Each filter is decoded once per call into its kept taps (in `scratch`), then
 * conv2d_s8_gather runs those taps over every output pixel: the zeros are never multiplied.
 *
 * weights, per filter in logical order [k_h][k_w][in_c / groups] (see BitmapSparseWeights):
 *   masks:  (filter size + 7) / 8 bytes, bit i of byte j (least significant first) set when
 *           weight 8j + i is stored;
 *   values: int8, the stored weights in order (a stored 0 is dropped when decoding).
 * scratch: the decoded taps and window table of conv2d_s8_gather.c (extra 0).
 * bias:    bias[c] - in_zero * sum(filter c), folded by whittle at compile time.
 */
#include "whittle_fixedpoint.h"

WHITTLE_INLINE void conv2d_s8_bitmap(
    const int8_t *input, int8_t *output,
    const int8_t *values, const uint8_t *masks,
    const int32_t *bias, const int32_t *multiplier, const int8_t *shift, int32_t *scratch,
    int in_h, int in_w, int in_c, int out_h, int out_w, int out_c,
    int k_h, int k_w, int stride_h, int stride_w, int pad_top, int pad_left, int groups, int block, int tap_capacity,
    int32_t in_zero, int32_t out_zero, int32_t act_min, int32_t act_max,
    int y_begin, int y_end, int x_begin, int x_end, int pool_h, int pool_w)
{
    const int group_in = in_c / groups;
    const int group_out = out_c / groups;
    const int filter_size = k_h * k_w * group_in;
    const int borders = y_begin > 0 || y_end < out_h || x_begin > 0 || x_end < out_w;
    const conv2d_s8_decoder decoder = conv2d_s8_gather_decoder(scratch, tap_capacity, k_h, k_w, in_w, in_c, 0);
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
        conv2d_s8_gather(input, output + oc, conv2d_s8_gather_decoded(decoder, taps),
                         bias[oc], multiplier[oc], shift[oc],
                         in_h, in_w, in_c, out_h, out_w, out_c, stride_h, stride_w, pad_top, pad_left, block,
                         in_zero, out_zero, act_min, act_max, y_begin, y_end, x_begin, x_end, pool_h, pool_w);
    }
}
