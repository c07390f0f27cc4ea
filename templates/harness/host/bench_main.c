/*
 * bench_main.c - host timing harness; not part of the inference path.
 *
 * usage: bench_model INPUTS BATCH MIN_MILLISECONDS
 * Runs model_invoke over the inputs of INPUTS in turn, BATCH calls at a time, until at least
 * MIN_MILLISECONDS have passed (exactly BATCH calls when it is 0, e.g. under callgrind), then
 * prints "inferences=N nanoseconds=T". Integer arithmetic only.
 */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "model.h"

static long long now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

int main(int argc, char **argv)
{
    static int8_t output[MODEL_OUTPUT_SIZE];
    FILE *in;
    int8_t *inputs;
    long size;
    long count;
    long batch;
    long long budget;
    long long start;
    long long elapsed;
    long done = 0;
    long next = 0;

    if (argc != 4 || (batch = atol(argv[2])) <= 0) {
        fprintf(stderr, "usage: %s INPUTS BATCH MIN_MILLISECONDS\n", argv[0]);
        return 2;
    }
    budget = atoll(argv[3]) * 1000000LL;
    in = fopen(argv[1], "rb");
    if (in == NULL || fseek(in, 0, SEEK_END) != 0 || (size = ftell(in)) < MODEL_INPUT_SIZE || fseek(in, 0, SEEK_SET) != 0) {
        fprintf(stderr, "bench_model: %s: cannot read inputs\n", argv[1]);
        return 2;
    }
    count = size / MODEL_INPUT_SIZE;
    inputs = (int8_t *)malloc((size_t)count * MODEL_INPUT_SIZE);
    if (inputs == NULL || fread(inputs, MODEL_INPUT_SIZE, (size_t)count, in) != (size_t)count) {
        fprintf(stderr, "bench_model: %s: short read\n", argv[1]);
        return 2;
    }
    fclose(in);
    start = now_ns();
    do {
        long i;
        for (i = 0; i < batch; ++i) {
            if (model_invoke(inputs + next * MODEL_INPUT_SIZE, output) != 0) {
                fprintf(stderr, "bench_model: model_invoke failed\n");
                return 3;
            }
            next = next + 1 == count ? 0 : next + 1;
        }
        done += batch;
        elapsed = now_ns() - start;
    } while (elapsed < budget);
    printf("inferences=%ld nanoseconds=%lld\n", done, elapsed);
    free(inputs);
    return 0;
}
