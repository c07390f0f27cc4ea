/*
 * conv2d_s8_nm.c - int8 2-D convolution with N:M-sparse weights, channels-last (HWC), grouped.
 *
 * Included by model.c (see conv2d_s8.c); runs on conv2d_s8_gather.c.
 * Each filter is decoded once per call into its kept taps (in `scratch`), then
 * conv2d_s8_gather runs those taps over every output pixel: the zeros are never multiplied.
 *
 * weights, per filter (see NMSparseWeights): the filter's k_h * k_w * (in_c / groups) weights
 * in PyTorch order [in_c / groups][k_h][k_w] form groups of m; every group keeps n.
 *   values:  int8, n per group in index order, then the filter's last (size % m) weights dense;
 *   indices: n indices per group of index_bits bits (1, 2 or 4), least significant first,
 *            increasing within a group; each filter starts on a byte boundary.
 *   A value 0 (a group with fewer than n nonzeros) is dropped when decoding.
 * When an index byte holds whole groups (groups_per_byte > 0, computed by whittle: 2:4 two,
 * 1:4 four), a filter is decoded a byte at a time with constant shifts; otherwise index by index.
 * scratch: the decoded taps and window table of conv2d_s8_gather.c, the table running
 *          CONV2D_S8_NM_EXTRA_TAPS = m * max(groups_per_byte, 1) taps past the window (a byte's
 *          groups may run on into the next channel): CONV2D_S8_NM_SCRATCH_BYTES bytes.
 * bias:    bias[c] - in_zero * sum(filter c), folded by whittle at compile time.
 */
#ifndef CONV2D_S8_NM_C
#define CONV2D_S8_NM_C

#include "conv2d_s8_gather.c"

#define CONV2D_S8_NM_EXTRA_TAPS(m, groups_per_byte) (((groups_per_byte) > 0 ? (groups_per_byte) : 1) * (m))
#define CONV2D_S8_NM_SCRATCH_BYTES(tap_capacity, k_h, k_w, m, groups_per_byte) \
    CONV2D_S8_GATHER_SCRATCH_BYTES(tap_capacity, (k_h) * (k_w) + CONV2D_S8_NM_EXTRA_TAPS(m, groups_per_byte))

typedef struct {
    conv2d_s8_gather_params gather;
    int k_h, k_w;
    int groups;
    int tap_capacity;             /* one more than the most nonzeros of any filter */
    int n, m;                     /* n kept in every group of m */
    int index_bits;               /* 1, 2 or 4 */
    int groups_per_byte;          /* whole groups an index byte holds, 0 when they straddle bytes */
} conv2d_s8_nm_params;

WHITTLE_INLINE void conv2d_s8_nm(
    const int8_t *input, int8_t *output,
    const int8_t *values, const uint8_t *indices,
    const int32_t *bias, const int32_t *multiplier, const int8_t *shift, int32_t *scratch,
    const conv2d_s8_nm_params *p)
{
    const conv2d_s8_gather_params *gather = &p->gather;
    const int k_h = p->k_h, k_w = p->k_w, n = p->n, m = p->m, index_bits = p->index_bits;
    const int groups_per_byte = p->groups_per_byte;
    const int group_in = gather->in_c / p->groups;
    const int out_c = gather->out_c;
    const int group_out = out_c / p->groups;
    const int window = k_h * k_w;
    const int extra = CONV2D_S8_NM_EXTRA_TAPS(m, groups_per_byte);
    const int whole_groups = window * group_in / m;
    const int tail = window * group_in - whole_groups * m;
    const int per_byte = 8 / index_bits;
    const unsigned mask = (1u << index_bits) - 1u;
    const int borders = conv2d_s8_gather_has_borders(gather);
    const conv2d_s8_decoder decoder = conv2d_s8_gather_decoder(scratch, p->tap_capacity, k_h, k_w, gather->in_w, gather->in_c, extra);
    for (int oc = 0; oc < out_c; ++oc) {
        int channel = (oc / group_out) * group_in; /* the channel of the current group's first weight */
        int start = 0;                             /* and its window tap */
        int taps = 0;
        int g = 0;
        if (groups_per_byte > 0) {
            for (; g + groups_per_byte <= whole_groups; g += groups_per_byte) {
                unsigned bits = *indices++;
                WHITTLE_UNROLL_WORD for (int i = 0; i < groups_per_byte * n; ++i) {
                    taps = conv2d_s8_gather_keep(decoder, taps, start + (i / n) * m + (int)(bits & mask), channel, values[i], borders);
                    bits >>= index_bits;
                }
                values += groups_per_byte * n;
                for (start += groups_per_byte * m; start >= window; start -= window) {
                    ++channel;
                }
            }
        }
        /* The remaining groups, one index after another, then the dense tail. Their count comes
           from the shapes alone, so gcc knows it (see fc_s8_nm.c). */
        const int rest = groups_per_byte > 0 ? whole_groups % groups_per_byte : whole_groups;
        for (int r = 0, k = 0; r < rest; ++r) {
            for (int j = 0; j < n; ++j, ++k) {
                const int index = (int)((indices[k / per_byte] >> (k % per_byte * index_bits)) & mask);
                taps = conv2d_s8_gather_keep(decoder, taps, start + index, channel, values[j], borders);
            }
            values += n;
            for (start += m; start >= window; start -= window) {
                ++channel;
            }
            if (r + 1 == rest) {
                indices += (k + per_byte - 1) / per_byte;
            }
        }
        for (int t = 0; t < tail; ++t) {
            taps = conv2d_s8_gather_keep(decoder, taps, start + t, channel, values[t], borders);
        }
        values += tail;
        conv2d_s8_gather(input, output + oc, conv2d_s8_gather_decoded(decoder, taps), bias[oc], multiplier[oc], shift[oc], gather);
    }
}

#endif /* CONV2D_S8_NM_C */
