/*
 * pad_s8.c - int8 constant padding of height, width and channels (channels-last), the new values
 * at the zero point (TFLite's int8 PAD pads with the output zero point; input and output share
 * one quantization, so the inside is copied unchanged).
 */
#ifndef PAD_S8_C
#define PAD_S8_C

#include "whittle_kernel.h"

typedef struct {
    int in_h, in_w, in_c;
    int out_h, out_w, out_c;
    int top, left;              /* rows and columns before the input's */
    int channels_before;        /* channels before each pixel's own */
    int32_t zero;               /* the pad value */
} pad_s8_params;

/* Each output value is chosen between the zero and an input value in one loop (separate fill
   loops would become memset calls, a libc function). */
WHITTLE_INLINE void pad_s8(const int8_t *input, int8_t *output, const pad_s8_params *p)
{
    const int8_t zero = (int8_t)p->zero;
    const int out_c = p->out_c, in_c = p->in_c, before = p->channels_before;
    for (int oy = 0; oy < p->out_h; ++oy) {
        const int iy = oy - p->top;
        const int row_inside = iy >= 0 && iy < p->in_h;
        for (int ox = 0; ox < p->out_w; ++ox) {
            const int ix = ox - p->left;
            const int inside = row_inside && ix >= 0 && ix < p->in_w;
            /* Output channel c reads input channel c - before of the pixel, where that is a channel. */
            const int base = inside ? (iy * p->in_w + ix) * in_c - before : 0;
            int8_t *out = output + (oy * p->out_w + ox) * out_c;
            for (int c = 0; c < out_c; ++c) {
                out[c] = inside && c >= before && c < before + in_c ? input[base + c] : zero;
            }
        }
    }
}

#endif /* PAD_S8_C */
