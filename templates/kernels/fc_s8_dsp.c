/*
 * fc_s8_dsp.c - int8 fully connected layer for cores with the dual 16-bit multiply-accumulate
 * (SMLAD, SXTB16: Cortex-M4/M7). Same arguments (fc_s8_params) and results as fc_s8.c; plain C
 * elsewhere (whittle_dsp.h), so the host tests it too.
 *
 * Included by model.c (see conv2d_s8.c).
 * Outputs are computed `block` at a time (block divides out_size, at most 8); each input word
 * loaded and widened feeds 4 * block multiply-accumulates, two per SMLAD.
 * weights: per block of outputs [in_size / 4][block][4] then [in_size % 4][block]
 *          (whittle_dsp_dot_block's layout, made by whittle at compile time).
 * bias:    bias[o] - in_zero * sum(row o), folded by whittle at compile time.
 */
#ifndef FC_S8_DSP_C
#define FC_S8_DSP_C

#include "whittle_dsp.h"
#include "fc_s8.c"

#define FC_S8_DSP_MAX_BLOCK 8

/* The generic kernel's struct under this kernel's name: model.c swaps the two by name alone. */
typedef fc_s8_params fc_s8_dsp_params;

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
    const fc_s8_dsp_params *p)
{
    const int in_size = p->in_size, out_size = p->out_size, block = p->block;
    const int32_t out_zero = p->out_zero, act_min = p->act_min, act_max = p->act_max;
    for (int o = 0; o < out_size; o += block) {
        int32_t acc[FC_S8_DSP_MAX_BLOCK];
        fc_s8_dsp_accumulate(acc, input, weights + o * in_size, bias + o, in_size, block);
        WHITTLE_UNROLL_BLOCK for (int j = 0; j < block; ++j) {
            output[o + j] = whittle_requantize_single(acc[j], multiplier[o + j], shift[o + j], out_zero, act_min, act_max);
        }
    }
}

#endif /* FC_S8_DSP_C */
