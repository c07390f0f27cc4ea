/*
 * add_s8.c - int8 elementwise sum of two tensors of one shape, each with its own scale and zero
 * point, requantized to the output as TFLite's reference ADD does:
 *   a = (x1 - in1_zero) * 2^20 rescaled by in1 (s1 / 2max),  b likewise by in2 (s2 / 2max),
 *   y = clamp(out_zero + (a + b) rescaled by out (2max / (2^20 s_out))),  max = max(s1, s2).
 * Every multiplier is below 1 and |a + b| < 2^29, inside whittle_multiply_prepared's headroom, so
 * the prepared output stage gives TFLite's double-rounded result exactly.
 *
 * Parameters come in one const struct (designated initializers in model.c); the call is inlined,
 * so the compiler folds them as literals. The inputs may be one buffer (x + x).
 */
#ifndef ADD_S8_C
#define ADD_S8_C

#include "whittle_fixedpoint.h"

#define ADD_S8_LEFT_SHIFT 20

typedef struct {
    int count;                     /* elements of each input and of the output */
    int32_t in1_zero, in2_zero, out_zero;
    int32_t in1_m0, in2_m0, out_m0; /* Q31 mantissas, 0 or in [2^30, 2^31) */
    int in1_shift, in2_shift, out_shift; /* all <= 0 */
    int32_t act_min, act_max;
} add_s8_params;

WHITTLE_INLINE void add_s8(const int8_t *input1, const int8_t *input2, int8_t *output, const add_s8_params *p)
{
    const whittle_multiplier m1 = whittle_prepare_multiplier(p->in1_m0, p->in1_shift);
    const whittle_multiplier m2 = whittle_prepare_multiplier(p->in2_m0, p->in2_shift);
    const whittle_multiplier mo = whittle_prepare_multiplier(p->out_m0, p->out_shift);
    for (int i = 0; i < p->count; ++i) {
        const int32_t a = whittle_multiply_prepared((int32_t)((uint32_t)(input1[i] - p->in1_zero) << ADD_S8_LEFT_SHIFT), m1);
        const int32_t b = whittle_multiply_prepared((int32_t)((uint32_t)(input2[i] - p->in2_zero) << ADD_S8_LEFT_SHIFT), m2);
        output[i] = whittle_requantize_prepared(a + b, mo, p->out_zero, p->act_min, p->act_max);
    }
}

#endif /* ADD_S8_C */
