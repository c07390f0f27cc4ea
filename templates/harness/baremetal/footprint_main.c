/*
 * footprint_main.c - the smallest program around the model, for measuring its flash and RAM;
 * not part of the inference path.
 *
 * whittle links it twice: as is (startup, one model_invoke call, exit) and with
 * -DWHITTLE_WITHOUT_MODEL (the same without the model). The difference of the two ELFs'
 * sections is what the model adds to a firmware image.
 */
#include "model.h"
#include "whittle_support.h"

static int8_t input[MODEL_INPUT_SIZE] __attribute__((aligned(4), used));
static int8_t output[MODEL_OUTPUT_SIZE] __attribute__((aligned(4), used));

int main(void)
{
#ifdef WHITTLE_WITHOUT_MODEL
    output[0] = input[0];
    return output[0];
#else
    return model_invoke(input, output) + output[0];
#endif
}
