/*
 * fixed_point_harness.c - runs the C fixed-point functions on rows read from stdin, one result
 * per line, so the Swift tests can hold them against templates/tests/fixed_point_cases.json.
 *   h A B          whittle_doubling_high_mul_nearest_up(A, B)
 *   s X EXPONENT   whittle_shift_right_nearest_away(X, EXPONENT)
 *   m X M0 SHIFT   whittle_multiply_by_quantized_multiplier(X, M0, SHIFT)
 *   p X M0 SHIFT   whittle_multiply_prepared(X, whittle_prepare_multiplier(M0, SHIFT)), for
 *                  |X * 2^max(SHIFT, 0)| < 2^30 (the kernels' output stage)
 *   z X M0 SHIFT ZERO  whittle_multiply_zero_folded(X, m, whittle_zero_rounding(m, ZERO)) for
 *                  m = whittle_prepare_multiplier(M0, SHIFT), on p's domain with -SHIFT in 1..22
 *                  (whittle_zero_folds); -1000 where whittle_zero_folds says no
 *   n X M0 SHIFT   whittle_multiply_single_rounding(X, M0, SHIFT)
 *   q X M0 SHIFT   whittle_multiply_prepared_single(X, whittle_prepare_multiplier(M0, SHIFT)),
 *                  on the same domain as p (the fully connected output stage)
 * and softmax's (whittle_softmax.h, softmax_s8.c):
 *   l X EXPONENT   whittle_shift_left_saturating(X, EXPONENT)
 *   e A            whittle_exp_on_interval_neg_quarter(A)
 *   x A            whittle_exp_on_negative_values_q5(A)
 *   o A            whittle_one_over_one_plus_x(A)
 *   r X BITS WHICH whittle_reciprocal(X, BITS, &k): the reciprocal (WHICH 0) or k (WHICH 1)
 *   g X M0 SHIFT   whittle_multiply_greater_than_one(X, M0, SHIFT)
 *   S I DEPTH M0 SHIFT DIFF_MIN V1 .. VDEPTH   output I of softmax_s8 on one row
 */
#include <stdio.h>

#include "whittle_fixedpoint.h"
#include "softmax_s8.c"

/* Output `index` of softmax_s8 on one row of `depth` values read from stdin; -1000 on bad input. */
static long long softmax_value(int index, int depth, int32_t m0, int shift, int32_t diff_min)
{
    int8_t row[512];
    int8_t out[512];
    long long v;
    softmax_s8_params p;
    if (depth < 1 || depth > 512 || index < 0 || index >= depth) {
        return -1000;
    }
    for (int i = 0; i < depth; ++i) {
        if (scanf("%lld", &v) != 1) {
            return -1000;
        }
        row[i] = (int8_t)v;
    }
    p.rows = 1;
    p.depth = depth;
    p.input_multiplier = m0;
    p.input_left_shift = shift;
    p.diff_min = diff_min;
    softmax_s8(row, out, &p);
    return out[index];
}

int main(void)
{
    char op;
    long long a;
    long long b;
    long long c;
    long long d;
    long long e;
    while (scanf(" %c", &op) == 1) {
        long long result;
        if (op == 'h' && scanf("%lld %lld", &a, &b) == 2) {
            result = whittle_doubling_high_mul_nearest_up((int32_t)a, (int32_t)b);
        } else if (op == 's' && scanf("%lld %lld", &a, &b) == 2) {
            result = whittle_shift_right_nearest_away((int32_t)a, (int)b);
        } else if (op == 'm' && scanf("%lld %lld %lld", &a, &b, &c) == 3) {
            result = whittle_multiply_by_quantized_multiplier((int32_t)a, (int32_t)b, (int)c);
        } else if (op == 'p' && scanf("%lld %lld %lld", &a, &b, &c) == 3) {
            result = whittle_multiply_prepared((int32_t)a, whittle_prepare_multiplier((int32_t)b, (int)c));
        } else if (op == 'z' && scanf("%lld %lld %lld %lld", &a, &b, &c, &d) == 4) {
            const whittle_multiplier m = whittle_prepare_multiplier((int32_t)b, (int)c);
            result = whittle_zero_folds(m) ? whittle_multiply_zero_folded((int32_t)a, m, whittle_zero_rounding(m, (int32_t)d)) : -1000;
        } else if (op == 'n' && scanf("%lld %lld %lld", &a, &b, &c) == 3) {
            result = whittle_multiply_single_rounding((int32_t)a, (int32_t)b, (int)c);
        } else if (op == 'q' && scanf("%lld %lld %lld", &a, &b, &c) == 3) {
            result = whittle_multiply_prepared_single((int32_t)a, whittle_prepare_multiplier((int32_t)b, (int)c));
        } else if (op == 'l' && scanf("%lld %lld", &a, &b) == 2) {
            result = whittle_shift_left_saturating((int32_t)a, (int)b);
        } else if (op == 'e' && scanf("%lld", &a) == 1) {
            result = whittle_exp_on_interval_neg_quarter((int32_t)a);
        } else if (op == 'x' && scanf("%lld", &a) == 1) {
            result = whittle_exp_on_negative_values_q5((int32_t)a);
        } else if (op == 'o' && scanf("%lld", &a) == 1) {
            result = whittle_one_over_one_plus_x((int32_t)a);
        } else if (op == 'r' && scanf("%lld %lld %lld", &a, &b, &c) == 3) {
            int bits_over_unit;
            const int32_t reciprocal = whittle_reciprocal((int32_t)a, (int)b, &bits_over_unit);
            result = c == 0 ? reciprocal : bits_over_unit;
        } else if (op == 'g' && scanf("%lld %lld %lld", &a, &b, &c) == 3) {
            result = whittle_multiply_greater_than_one((int32_t)a, (int32_t)b, (int)c);
        } else if (op == 'S' && scanf("%lld %lld %lld %lld %lld", &a, &b, &c, &d, &e) == 5) {
            result = softmax_value((int)a, (int)b, (int32_t)c, (int)d, (int32_t)e);
        } else {
            fprintf(stderr, "fixed_point_harness: bad row starting with '%c'\n", op);
            return 2;
        }
        printf("%lld\n", result);
    }
    return 0;
}
