/*
 * test_main.c - verification harness; not part of the inference path.
 *
 * usage: test_model INPUTS OUTPUTS [LIMIT]
 * Runs model_invoke on each MODEL_INPUT_SIZE-byte vector of INPUTS (at most LIMIT of them) and
 * writes the MODEL_OUTPUT_SIZE-byte outputs back to back to OUTPUTS. Every input and output gets
 * its own exactly sized heap block, so a sanitizer build catches any access past either.
 * For an autoencoder (MODEL_RECONSTRUCTS_INPUT) it also prints each input's reconstruction error
 * on standard output, "reconstruction_error INDEX ERROR", as whittle verify computes it.
 * Exit: 0 ok, 2 bad usage or file, 3 model_invoke failed.
 */
#include <stdio.h>
#include <stdlib.h>

#include "model.h"

#ifdef MODEL_RECONSTRUCTS_INPUT
/* The mean over elements of (real output - real input)^2, in double, summed in element order. */
static double reconstruction_error(const int8_t *x, const int8_t *y)
{
    double sum = 0.0;
    long i;
    for (i = 0; i < MODEL_INPUT_SIZE; ++i) {
        double d = MODEL_OUTPUT_SCALE_EXACT * (double)(y[i] - MODEL_OUTPUT_ZERO_POINT)
                 - MODEL_INPUT_SCALE_EXACT * (double)(x[i] - MODEL_INPUT_ZERO_POINT);
        sum += d * d;
    }
    return sum / (double)MODEL_INPUT_SIZE;
}
#endif

static int fail(const char *message, const char *path)
{
    fprintf(stderr, "test_model: %s: %s\n", path, message);
    return 2;
}

int main(int argc, char **argv)
{
    FILE *in;
    FILE *out;
    long size;
    long count;
    long i;

    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: %s INPUTS OUTPUTS [LIMIT]\n", argv[0]);
        return 2;
    }
    in = fopen(argv[1], "rb");
    if (in == NULL) {
        return fail("cannot open", argv[1]);
    }
    if (fseek(in, 0, SEEK_END) != 0 || (size = ftell(in)) < 0 || fseek(in, 0, SEEK_SET) != 0) {
        return fail("cannot read its size", argv[1]);
    }
    if (size % MODEL_INPUT_SIZE != 0) {
        return fail("size is not a whole number of MODEL_INPUT_SIZE-byte inputs", argv[1]);
    }
    count = size / MODEL_INPUT_SIZE;
    if (argc == 4 && atol(argv[3]) < count) {
        count = atol(argv[3]);
    }
    out = fopen(argv[2], "wb");
    if (out == NULL) {
        return fail("cannot create", argv[2]);
    }
    for (i = 0; i < count; ++i) {
        int8_t *x = (int8_t *)malloc(MODEL_INPUT_SIZE);
        int8_t *y = (int8_t *)malloc(MODEL_OUTPUT_SIZE);
        int status;
        if (x == NULL || y == NULL) {
            return fail("out of memory", argv[1]);
        }
        if (fread(x, 1, MODEL_INPUT_SIZE, in) != MODEL_INPUT_SIZE) {
            return fail("short read", argv[1]);
        }
        status = model_invoke(x, y);
        if (status != 0) {
            fprintf(stderr, "test_model: model_invoke returned %d on input %ld\n", status, i);
            return 3;
        }
        if (fwrite(y, 1, MODEL_OUTPUT_SIZE, out) != MODEL_OUTPUT_SIZE) {
            return fail("short write", argv[2]);
        }
#ifdef MODEL_RECONSTRUCTS_INPUT
        printf("reconstruction_error %ld %.17g\n", i, reconstruction_error(x, y));
#endif
        free(x);
        free(y);
    }
    fclose(in);
    if (fclose(out) != 0) {
        return fail("cannot finish writing", argv[2]);
    }
    return 0;
}
