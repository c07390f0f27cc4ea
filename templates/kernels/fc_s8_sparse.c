/*
 * fc_s8_sparse.c - int8 fully connected layer with index-sparse weights.
 *
 * Included by model.c, never compiled alone (see conv2d_s8.c). Only the stored entries are
 * multiplied: the position moves on by each entry's gap, so no zero weight is ever loaded.
 *
 * weights, per output in input order (see IndexSparseWeights):
 *   values: int8 per entry;
 *   gaps:   a nibble per entry (low first), the inputs skipped since the previous entry; each
 *           chunk of entries starts on a byte boundary;
 *   counts: a byte per chunk; 255 means 255 entries and another chunk of the same output follows.
 *   An entry with value 0 is a filler bridging a gap longer than 15 (multiplied like the rest:
 *   cheaper than a branch per entry).
 * bias:    bias[o] - in_zero * sum(row o), folded by whittle at compile time.
 */
#include "whittle_fixedpoint.h"

WHITTLE_INLINE void fc_s8_sparse(
    const int8_t *input, int8_t *output,
    const int8_t *values, const uint8_t *gaps, const uint8_t *counts,
    const int32_t *bias, const int32_t *multiplier, const int8_t *shift,
    int in_size, int out_size, int32_t out_zero, int32_t act_min, int32_t act_max)
{
    (void)in_size;
    for (int o = 0; o < out_size; ++o) {
        /* The input after the previous entry. */
        unsigned position = 0;
        int32_t acc = bias[o];
        int chunk;
        do {
            chunk = *counts++;
            const int pairs = chunk >> 1;
            for (int k = 0; k < pairs; ++k) {
                const unsigned byte = gaps[k];
                position += byte & 15u;
                acc += input[position] * values[2 * k];
                position += (byte >> 4) + 1u;
                acc += input[position] * values[2 * k + 1];
                position += 1u;
            }
            gaps += pairs;
            values += 2 * pairs;
            if (chunk & 1) {
                position += *gaps++;
                acc += input[position] * *values++;
                position += 1u;
            }
        } while (chunk == 255);
        output[o] = whittle_requantize(acc, multiplier[o], shift[o], out_zero, act_min, act_max);
    }
}
