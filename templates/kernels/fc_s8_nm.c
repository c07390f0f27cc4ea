/*
 * fc_s8_nm.c - int8 fully connected layer with N:M-sparse weights.
 *
 * Included by model.c (see conv2d_s8.c). Every group of m inputs
 * multiplies only its n kept weights.
 *
 * The input is first copied into `scratch` widened to int32 (FC_S8_NM_SCRATCH_BYTES), so each
 * multiply reads it directly. Group order: PyTorch's flatten order, channels first; when the
 * input is a flattened channels-last tensor of `positions` pixels x `channels` (both above 1),
 * the copy is reordered channels-first, so every group is m consecutive inputs.
 * weights, per output (see NMSparseWeights):
 *   values:  int8, n per group in index order, then the last (in_size % m) weights dense;
 *   indices: n indices per group of index_bits bits (1, 2 or 4), least significant first;
 *            each output starts on a byte boundary.
 * When an index byte holds whole groups (groups_per_byte > 0, computed by whittle: 2:4 two,
 * 1:4 four), indices are read a 32-bit word at a time with every shift a constant; otherwise one
 * index after another.
 * bias:    bias[o] - in_zero * sum(row o), folded by whittle at compile time.
 */
#ifndef FC_S8_NM_C
#define FC_S8_NM_C

#include "whittle_fixedpoint.h"

#define FC_S8_NM_SCRATCH_BYTES(in_size) (4 * (in_size))

typedef struct {
    int in_size, out_size;
    int positions, channels;      /* the flattened input's pixels and channels */
    int n, m;                     /* n kept in every group of m */
    int index_bits;               /* 1, 2 or 4 */
    int groups_per_byte;          /* whole groups an index byte holds, 0 when they straddle bytes */
    int32_t out_zero;
    int32_t act_min, act_max;
} fc_s8_nm_params;

WHITTLE_INLINE void fc_s8_nm(
    const int8_t *input, int8_t *output,
    const int8_t *values, const uint8_t *indices,
    const int32_t *bias, const int32_t *multiplier, const int8_t *shift, int32_t *scratch,
    const fc_s8_nm_params *p)
{
    const int in_size = p->in_size, out_size = p->out_size, positions = p->positions, channels = p->channels;
    const int n = p->n, m = p->m, index_bits = p->index_bits, groups_per_byte = p->groups_per_byte;
    const int32_t out_zero = p->out_zero, act_min = p->act_min, act_max = p->act_max;
    const int groups = in_size / m;
    const int tail = in_size - groups * m;
    const int per_byte = 8 / index_bits;
    const unsigned mask = (1u << index_bits) - 1u;
    /* The input widened to int32 (the multiply then reads it directly), channels first. */
    int32_t *x = scratch;
    if (positions > 1 && channels > 1) {
        for (int c = 0; c < channels; ++c) {
            for (int p = 0; p < positions; ++p) {
                x[c * positions + p] = input[p * channels + c];
            }
        }
    } else {
        for (int i = 0; i < in_size; ++i) {
            x[i] = input[i];
        }
    }
    for (int o = 0; o < out_size; ++o) {
        const int32_t *xg = x;
        int32_t acc = bias[o];
        int g = 0;
        if (groups_per_byte > 0) {
            for (; g + 4 * groups_per_byte <= groups; g += 4 * groups_per_byte) {
                uint32_t bits = (uint32_t)indices[0] | (uint32_t)indices[1] << 8 | (uint32_t)indices[2] << 16
                              | (uint32_t)indices[3] << 24;
                WHITTLE_UNROLL_WORD for (int i = 0; i < 4 * per_byte; ++i) {
                    acc += values[i] * xg[(i / n) * m + (int)(bits & mask)];
                    bits >>= index_bits;
                }
                indices += 4;
                xg += 4 * groups_per_byte * m;
                values += 4 * per_byte;
            }
            for (; g + groups_per_byte <= groups; g += groups_per_byte) {
                unsigned bits = *indices++;
                WHITTLE_UNROLL_WORD for (int i = 0; i < per_byte; ++i) {
                    acc += values[i] * xg[(i / n) * m + (int)(bits & mask)];
                    bits >>= index_bits;
                }
                xg += groups_per_byte * m;
                values += per_byte;
            }
        }
        /* The remaining groups, one index after another. Their count is written from the shapes
           alone (not as "g up to groups"), so gcc knows it is 0 where the loops above took every
           group, instead of bounding the loop by the end of the index table and warning. */
        const int rest = groups_per_byte > 0 ? groups % groups_per_byte : groups;
        for (int r = 0, k = 0; r < rest; ++r) {
            for (int j = 0; j < n; ++j, ++k) {
                acc += xg[(indices[k / per_byte] >> (k % per_byte * index_bits)) & mask] * values[j];
            }
            values += n;
            xg += m;
            if (r + 1 == rest) {
                indices += (k + per_byte - 1) / per_byte;
            }
        }
        for (int t = 0; t < tail; ++t) {
            acc += xg[t] * values[t];
        }
        values += tail;
        output[o] = whittle_requantize_single(acc, multiplier[o], shift[o], out_zero, act_min, act_max);
    }
}

#endif /* FC_S8_NM_C */
