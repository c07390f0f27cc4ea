/*
 * fc_s8_indexed.c - int8 fully connected layer with index-sparse weights, one column index per
 * kept weight: the fast layout of index-sparse weights for cores where fc_s8_sparse's 4-bit gaps
 * cost more to decode than the multiply-accumulates (a target's "indexed-sparse" variant).
 *
 * Included by model.c (see conv2d_s8.c). Only the stored weights are
 * multiplied, each in four instructions: load its column, the input there, the value, and
 * multiply-accumulate.
 * weights, per output in input order:
 *   values:  int8, the output's nonzero weights;
 *   columns: the input index of each value: uint8, or uint16 when `wide` (more than 256 inputs);
 *   counts:  uint16, the number of values of each output.
 * bias:    bias[o] - in_zero * sum(row o), folded by whittle at compile time.
 */
#ifndef FC_S8_INDEXED_C
#define FC_S8_INDEXED_C

#include "whittle_fixedpoint.h"

typedef struct {
    int in_size, out_size;
    int wide;                     /* columns are uint16 (more than 256 inputs), else uint8 */
    int32_t out_zero;
    int32_t act_min, act_max;
} fc_s8_indexed_params;

/* Column k of the table: `wide` is a literal at each call, so each layer reads one kind. */
WHITTLE_INLINE int fc_s8_indexed_column(const void *columns, int wide, int k)
{
    return wide ? ((const uint16_t *)columns)[k] : ((const uint8_t *)columns)[k];
}

/* acc plus the n (a literal) products from value k on. */
WHITTLE_INLINE int32_t fc_s8_indexed_run(int32_t acc, const int8_t *input, const int8_t *values, const void *columns,
                                         int wide, int k, int n)
{
    WHITTLE_UNROLL_BLOCK for (int i = 0; i < n; ++i) {
        acc += input[fc_s8_indexed_column(columns, wide, k + i)] * values[k + i];
    }
    return acc;
}

WHITTLE_INLINE void fc_s8_indexed(
    const int8_t *input, int8_t *output,
    const int8_t *values, const void *columns, const uint16_t *counts,
    const int32_t *bias, const int32_t *multiplier, const int8_t *shift,
    const fc_s8_indexed_params *p)
{
    const int out_size = p->out_size, wide = p->wide;
    const int32_t out_zero = p->out_zero, act_min = p->act_min, act_max = p->act_max;
    const uint8_t *column_bytes = (const uint8_t *)columns;
    /* One base register for every input load ([input, column] addressing), however the caller
       computed it. */
    WHITTLE_OPAQUE(input);
    for (int o = 0; o < out_size; ++o) {
        const int count = counts[o];
        int32_t acc = bias[o];
        int k = 0;
        /* Eight at a time, so counting is a ninth of the loop; the rest in straight runs of 4, 2, 1. */
        for (; k + 8 <= count; k += 8) {
            acc = fc_s8_indexed_run(acc, input, values, column_bytes, wide, k, 8);
        }
        if (k + 4 <= count) {
            acc = fc_s8_indexed_run(acc, input, values, column_bytes, wide, k, 4);
            k += 4;
        }
        if (k + 2 <= count) {
            acc = fc_s8_indexed_run(acc, input, values, column_bytes, wide, k, 2);
            k += 2;
        }
        if (k < count) {
            acc = fc_s8_indexed_run(acc, input, values, column_bytes, wide, k, 1);
        }
        values += count;
        column_bytes += count << wide;
        output[o] = whittle_requantize_single(acc, multiplier[o], shift[o], out_zero, act_min, act_max);
    }
}

#endif /* FC_S8_INDEXED_C */
