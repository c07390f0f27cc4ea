/*
 * fc_s8_bitmap.c - int8 fully connected layer with bitmap-sparse weights.
 *
 * Included by model.c (see conv2d_s8.c). Only the stored weights are
 * multiplied: each mask bit costs a test, each stored weight a multiply-accumulate, and a mask
 * byte of eight zeros is skipped whole.
 *
 * weights, per output in input order (see BitmapSparseWeights):
 *   masks:  (in_size + 7) / 8 bytes, bit i of byte j (least significant first) set when the
 *           weight of input 8j + i is stored;
 *   values: int8, the stored weights in order.
 * bias:    bias[o] - in_zero * sum(row o), folded by whittle at compile time.
 */
#ifndef FC_S8_BITMAP_C
#define FC_S8_BITMAP_C

#include "whittle_fixedpoint.h"

typedef struct {
    int in_size, out_size;
    int32_t out_zero;
    int32_t act_min, act_max;
} fc_s8_bitmap_params;

WHITTLE_INLINE void fc_s8_bitmap(
    const int8_t *input, int8_t *output,
    const int8_t *values, const uint8_t *masks,
    const int32_t *bias, const int32_t *multiplier, const int8_t *shift,
    const fc_s8_bitmap_params *p)
{
    const int in_size = p->in_size, out_size = p->out_size;
    const int32_t out_zero = p->out_zero, act_min = p->act_min, act_max = p->act_max;
    const int whole_bytes = in_size >> 3;
    const int rest = in_size & 7;
    for (int o = 0; o < out_size; ++o) {
        const int8_t *x = input;
        int32_t acc = bias[o];
        for (int b = 0; b < whole_bytes; ++b, x += 8) {
            const unsigned mask = *masks++;
            if (mask == 0) {
                continue;
            }
            WHITTLE_UNROLL_BLOCK for (int i = 0; i < 8; ++i) {
                if ((mask >> i) & 1) {
                    acc += x[i] * *values++;
                }
            }
        }
        if (rest > 0) {
            const unsigned mask = *masks++;
            for (int i = 0; i < rest; ++i) {
                if ((mask >> i) & 1) {
                    acc += x[i] * *values++;
                }
            }
        }
        output[o] = whittle_requantize_single(acc, multiplier[o], shift[o], out_zero, act_min, act_max);
    }
}

#endif /* FC_S8_BITMAP_C */
