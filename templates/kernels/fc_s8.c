/*
 * fc_s8.c - int8 fully connected layer.
 *
 * Included by model.c (see conv2d_s8.c).
 * Outputs are computed `block` at a time (block divides out_size, at most 8), so each input
 * byte loaded feeds `block` multiply-accumulates.
 * weights: [out_size / block][in_size][block] - the rows of one block interleaved.
 * bias:    bias[o] - in_zero * sum(row o), folded by whittle at compile time.
 * Every fully connected kernel requantizes with single rounding (whittle_requantize_single), the
 * rule TFLite's reference FULLY_CONNECTED uses; convolutions round twice.
 */
#ifndef FC_S8_C
#define FC_S8_C

#include "whittle_fixedpoint.h"

#define FC_S8_MAX_BLOCK 8

/* The sizes and output quantization of one call (fc_s8_dsp takes the same struct). */
typedef struct {
    int in_size, out_size;
    int block;                    /* outputs computed at once */
    int32_t out_zero;
    int32_t act_min, act_max;
} fc_s8_params;

WHITTLE_INLINE void fc_s8(
    const int8_t *input, int8_t *output,
    const int8_t *weights, const int32_t *bias, const int32_t *multiplier, const int8_t *shift,
    const fc_s8_params *p)
{
    const int in_size = p->in_size, out_size = p->out_size, block = p->block;
    const int32_t out_zero = p->out_zero, act_min = p->act_min, act_max = p->act_max;
    for (int o = 0; o < out_size; o += block) {
        const int8_t *w = weights + o * in_size;
        int32_t acc[FC_S8_MAX_BLOCK];
        WHITTLE_UNROLL_BLOCK for (int j = 0; j < block; ++j) {
            acc[j] = bias[o + j];
        }
        WHITTLE_UNROLL_TAPS for (int i = 0; i < in_size; ++i) {
            const int32_t xv = input[i];
            WHITTLE_UNROLL_BLOCK for (int j = 0; j < block; ++j) {
                acc[j] += xv * w[j];
            }
            w += block;
        }
        WHITTLE_UNROLL_BLOCK for (int j = 0; j < block; ++j) {
            output[o + j] = whittle_requantize_single(acc[j], multiplier[o + j], shift[o + j], out_zero, act_min, act_max);
        }
    }
}

#endif /* FC_S8_C */
