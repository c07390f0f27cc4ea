/*
 * test_main.c - bare-metal verification harness, run under QEMU with semihosting; not part of
 * the inference path.
 *
 * usage (QEMU -append): INPUTS OUTPUTS [LIMIT]
 * Runs model_invoke on each MODEL_INPUT_SIZE-byte vector of INPUTS (at most LIMIT of them) and
 * writes the outputs back to back to OUTPUTS, both host files read and written through
 * semihosting. Each inference runs between two calls of whittle_mark (for the instruction-
 * counting plugin) on a painted stack; at the end it prints "whittle: stack N" with the most
 * stack bytes one inference used.
 * Exit: 0 ok, 2 bad usage or file, 3 model_invoke failed, 127 a fault.
 */
#include "model.h"
#include "whittle_support.h"

static int8_t input[MODEL_INPUT_SIZE] __attribute__((aligned(4)));
static int8_t output[MODEL_OUTPUT_SIZE] __attribute__((aligned(4)));

static int fail(const char *message, const char *path)
{
    whittle_print("test_model: ");
    whittle_print(path);
    whittle_print(": ");
    whittle_print(message);
    whittle_print("\n");
    return 2;
}

static long parse_count(const char *text)
{
    long value = 0;
    for (; *text >= '0' && *text <= '9'; ++text) {
        value = value * 10 + (*text - '0');
    }
    return value;
}

int main(void)
{
    char *argv[5];
    const int argc = whittle_arguments(argv, 5);
    int in;
    int out;
    long size;
    long count;
    long i;
    uint32_t stack = 0;

    if (argc < 3 || argc > 4) {
        whittle_print("usage: test_model INPUTS OUTPUTS [LIMIT] (QEMU -append)\n");
        return 2;
    }
    in = whittle_open(argv[1], 0);
    if (in < 0) {
        return fail("cannot open", argv[1]);
    }
    size = whittle_file_length(in);
    if (size < 0 || size % MODEL_INPUT_SIZE != 0) {
        return fail("size is not a whole number of MODEL_INPUT_SIZE-byte inputs", argv[1]);
    }
    count = size / MODEL_INPUT_SIZE;
    if (argc == 4 && parse_count(argv[3]) < count) {
        count = parse_count(argv[3]);
    }
    out = whittle_open(argv[2], 1);
    if (out < 0) {
        return fail("cannot create", argv[2]);
    }
    for (i = 0; i < count; ++i) {
        int status;
        uint32_t used;
        if (whittle_read(in, input, MODEL_INPUT_SIZE) != MODEL_INPUT_SIZE) {
            return fail("short read", argv[1]);
        }
        whittle_paint_stack();
        whittle_mark(0);
        status = model_invoke(input, output);
        whittle_mark(1);
        used = whittle_stack_used();
        stack = used > stack ? used : stack;
        if (status != 0) {
            whittle_print("test_model: model_invoke failed\n");
            return 3;
        }
        if (whittle_write(out, output, MODEL_OUTPUT_SIZE) != MODEL_OUTPUT_SIZE) {
            return fail("short write", argv[2]);
        }
    }
    whittle_close(in);
    whittle_close(out);
    whittle_print("whittle: stack ");
    whittle_print_number(stack);
    whittle_print("\n");
    return 0;
}
