/*
 * fc_s8_dsp.c - int8 fully connected layer for cores with the dual 16-bit multiply-accumulate
 * (SMLAD, SXTB16: Cortex-M4/M7). Same arguments and results as fc_s8.c; plain C elsewhere
 * (whittle_dsp.h), so the host tests it too.
 *
 * Included by model.c, never compiled alone (see conv2d_s8.c).
 * Outputs are computed `block` at a time (block divides out_size, at most 8); each input word
 * loaded and widened feeds 4 * block multiply-accumulates, two per SMLAD.
 * weights: per block of outputs [in_size / 4][block][4] then [in_size % 4][block]
 *          (whittle_dsp_dot_block's layout, made by whittle at compile time).
 * bias:    bias[o] - in_zero * sum(row o), folded by whittle at compile time.
 */
#include "whittle_dsp.h"

#define FC_S8_DSP_MAX_BLOCK 8

/* The accumulators of outputs [o, o + block), bias included; the caller requantizes them. */
WHITTLE_INLINE void fc_s8_dsp_accumulate(int32_t *acc, const int8_t *input, const int8_t *w, const int32_t *bias,
                                         int in_size, int block)
{
    WHITTLE_UNROLL_BLOCK for (int j = 0; j < block; ++j) {
        acc[j] = bias[j];
    }
    whittle_dsp_dot_block(acc, input, w, in_size, block);
}

WHITTLE_INLINE void fc_s8_dsp(
    const int8_t *input, int8_t *output,
    const int8_t *weights, const int32_t *bias, const int32_t *multiplier, const int8_t *shift,
    int in_size, int out_size, int block, int32_t out_zero, int32_t act_min, int32_t act_max)
{
    for (int o = 0; o < out_size; o += block) {
        int32_t acc[FC_S8_DSP_MAX_BLOCK];
        fc_s8_dsp_accumulate(acc, input, weights + o * in_size, bias + o, in_size, block);
        WHITTLE_UNROLL_BLOCK for (int j = 0; j < block; ++j) {
            output[o + j] = whittle_requantize(acc[j], multiplier[o + j], shift[o + j], out_zero, act_min, act_max);
        }
    }
}
