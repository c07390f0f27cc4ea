/*
 * fc_s8_sparse.c - int8 fully connected layer with index-sparse weights.
 *
 * Included by model.c (see conv2d_s8.c). Only the stored weights are
 * multiplied: the input position moves on by each gap, so no zero weight is ever loaded.
 *
 * weights, per output in input order (see IndexSparseWeights):
 *   gaps:   nibbles (low first): g < 15 skips g inputs and the next value sits at the input
 *           reached; the escape 15 skips 15 inputs and reads no value. Each chunk of nibbles
 *           starts on a byte boundary;
 *   values: int8, one per nibble below 15;
 *   counts: a byte per chunk of nibbles; 255 means 255 nibbles and another chunk of the same
 *           output follows.
 * Gaps are read eight nibbles (a 32-bit word) at a time; a word holding an escape takes a
 * slower path.
 * bias:    bias[o] - in_zero * sum(row o), folded by whittle at compile time.
 */
#ifndef FC_S8_SPARSE_C
#define FC_S8_SPARSE_C

#include "whittle_fixedpoint.h"

typedef struct {
    int in_size, out_size;
    int32_t out_zero;
    int32_t act_min, act_max;
} fc_s8_sparse_params;

/* One nibble: moves `x` on and multiplies the value there, unless it is the escape. */
#define FC_S8_SPARSE_NIBBLE(g)                          \
    do {                                                \
        if ((g) == 15u) {                               \
            x += 15;                                    \
        } else {                                        \
            x += (g);                                   \
            acc += *x++ * *values++;                    \
        }                                               \
    } while (0)

WHITTLE_INLINE void fc_s8_sparse(
    const int8_t *input, int8_t *output,
    const int8_t *values, const uint8_t *gaps, const uint8_t *counts,
    const int32_t *bias, const int32_t *multiplier, const int8_t *shift,
    const fc_s8_sparse_params *p)
{
    const int out_size = p->out_size;
    const int32_t out_zero = p->out_zero, act_min = p->act_min, act_max = p->act_max;
    for (int o = 0; o < out_size; ++o) {
        const int8_t *x = input; /* the input after the previous value */
        int32_t acc = bias[o];
        int chunk;
        do {
            chunk = *counts++;
            int k = 0;
            for (; k + 8 <= chunk; k += 8) {
                const uint32_t nibbles = (uint32_t)gaps[0] | (uint32_t)gaps[1] << 8 | (uint32_t)gaps[2] << 16
                                       | (uint32_t)gaps[3] << 24;
                gaps += 4;
                /* A nibble is 15 exactly when its low three bits plus one carry into its top bit. */
                if ((((nibbles & 0x77777777u) + 0x11111111u) & nibbles & 0x88888888u) == 0) {
                    /* A walking pointer: each step is one add and two post-incremented loads, in order. */
                    WHITTLE_UNROLL_BLOCK for (int i = 0; i < 8; ++i) {
                        x += (nibbles >> (4 * i)) & 15u;
                        acc += *x++ * *values++;
                        WHITTLE_AFTER(x, acc);
                    }
                } else {
                    WHITTLE_UNROLL_BLOCK for (int i = 0; i < 8; ++i) {
                        FC_S8_SPARSE_NIBBLE((nibbles >> (4 * i)) & 15u);
                    }
                }
            }
            for (; k < chunk; ++k) {
                FC_S8_SPARSE_NIBBLE((gaps[(k & 7) >> 1] >> ((k & 1) << 2)) & 15u);
            }
            gaps += ((chunk & 7) + 1) >> 1;
        } while (chunk == 255);
        output[o] = whittle_requantize_single(acc, multiplier[o], shift[o], out_zero, act_min, act_max);
    }
}

#undef FC_S8_SPARSE_NIBBLE

#endif /* FC_S8_SPARSE_C */
