/*
 * fixed_point_harness.c - runs the C fixed-point functions on rows read from stdin, one result
 * per line, so the Swift tests can hold them against templates/tests/fixed_point_cases.json.
 *   h A B          whittle_doubling_high_mul_nearest_up(A, B)
 *   s X EXPONENT   whittle_shift_right_nearest_away(X, EXPONENT)
 *   m X M0 SHIFT   whittle_multiply_by_quantized_multiplier(X, M0, SHIFT)
 *   p X M0 SHIFT   whittle_multiply_prepared(X, whittle_prepare_multiplier(M0, SHIFT)), for
 *                  |X * 2^max(SHIFT, 0)| < 2^30 (the kernels' output stage)
 *   n X M0 SHIFT   whittle_multiply_single_rounding(X, M0, SHIFT)
 *   q X M0 SHIFT   whittle_multiply_prepared_single(X, whittle_prepare_multiplier(M0, SHIFT)),
 *                  on the same domain as p (the fully connected output stage)
 */
#include <stdio.h>

#include "whittle_fixedpoint.h"

int main(void)
{
    char op;
    long long a;
    long long b;
    long long c;
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
        } else if (op == 'n' && scanf("%lld %lld %lld", &a, &b, &c) == 3) {
            result = whittle_multiply_single_rounding((int32_t)a, (int32_t)b, (int)c);
        } else if (op == 'q' && scanf("%lld %lld %lld", &a, &b, &c) == 3) {
            result = whittle_multiply_prepared_single((int32_t)a, whittle_prepare_multiplier((int32_t)b, (int)c));
        } else {
            fprintf(stderr, "fixed_point_harness: bad row starting with '%c'\n", op);
            return 2;
        }
        printf("%lld\n", result);
    }
    return 0;
}
