/*
 * whittle_dsp.h - the dual 16-bit multiply-accumulate primitives of the _dsp kernels.
 *
 * On ARMv7E-M (Cortex-M4/M7, __ARM_FEATURE_DSP) they are single instructions: SXTB16 widens
 * bytes 0 and 2 of a word into two signed 16-bit lanes (bytes 1 and 3 with ROR #8), SMLAD adds
 * both lane products to an accumulator, SMLABB/SMLATT multiply one lane each. Elsewhere they are
 * plain C with identical results, so the host builds and tests the same kernels. SSUB16 subtracts
 * lane by lane.
 *
 * A "pair" is an int32 holding two signed 16-bit lanes, lane 0 in bits 0-15. Example: the bytes
 * {1, -2, 3, -4} load as word 0xFC03FE01; whittle_widen_even gives lanes (1, 3), whittle_widen_odd
 * (-2, -4); whittle_dot2 of (1, 3) and (5, 6) adds 1*5 + 3*6 = 23. Accumulators never overflow:
 * whittle's accumulator-range analysis bounds every partial sum, in any order.
 */
#ifndef WHITTLE_DSP_H
#define WHITTLE_DSP_H

#include "whittle_fixedpoint.h"

#if defined(__ARM_FEATURE_DSP) && defined(__GNUC__)
#define WHITTLE_DSP_NATIVE 1
#else
#define WHITTLE_DSP_NATIVE 0
#endif

/* WHITTLE_DSP_ASM: the kernels' inline assembly (conv2d_s8_mm's channel-pair product,
   dwconv2d_s8_dsp's paired taps) asks gcc for 14 registers, which only its optimizer finds:
   unoptimized builds (-O0) take their plain-C loops, with the same intrinsics and results, and
   WHITTLE_NO_ASM forces those (for a build that keeps a frame pointer, say). */
#if WHITTLE_DSP_NATIVE && defined(__OPTIMIZE__) && !defined(WHITTLE_NO_ASM)
#define WHITTLE_DSP_ASM 1
#else
#define WHITTLE_DSP_ASM 0
#endif

/* Four int8 at p (any alignment) as one little-endian word: one LDR on Cortex-M4/M7, which
   allow unaligned word loads. */
WHITTLE_INLINE uint32_t whittle_load_s8x4(const int8_t *p)
{
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint32_t word;
    __builtin_memcpy(&word, p, 4);
    return word;
#else
    return (uint32_t)(uint8_t)p[0] | (uint32_t)(uint8_t)p[1] << 8 | (uint32_t)(uint8_t)p[2] << 16
         | (uint32_t)(uint8_t)p[3] << 24;
#endif
}

/* Stores the word as four int8 at p (any alignment): one STR on Cortex-M4/M7. */
WHITTLE_INLINE void whittle_store_s8x4(int8_t *p, uint32_t word)
{
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    __builtin_memcpy(p, &word, 4);
#else
    p[0] = (int8_t)(uint8_t)(word & 0xFFu);
    p[1] = (int8_t)(uint8_t)((word >> 8) & 0xFFu);
    p[2] = (int8_t)(uint8_t)((word >> 16) & 0xFFu);
    p[3] = (int8_t)(uint8_t)(word >> 24);
#endif
}

/* Four int8 values as the word whittle_load_s8x4 would read. */
WHITTLE_INLINE uint32_t whittle_pack_s8x4(int32_t b0, int32_t b1, int32_t b2, int32_t b3)
{
    return ((uint32_t)b0 & 0xFFu) | ((uint32_t)b1 & 0xFFu) << 8 | ((uint32_t)b2 & 0xFFu) << 16
         | ((uint32_t)b3 & 0xFFu) << 24;
}

#if WHITTLE_DSP_NATIVE

#include <arm_acle.h>

/* Bytes 0 and 2, sign-extended: SXTB16. */
WHITTLE_INLINE int32_t whittle_widen_even(uint32_t word)
{
    return __sxtb16((int32_t)word);
}

/* Bytes 1 and 3, sign-extended: SXTB16 with ROR #8 (gcc 12 does not fold a rotate into the
   intrinsic, so one instruction of assembly). */
WHITTLE_INLINE int32_t whittle_widen_odd(uint32_t word)
{
    int32_t pair;
    __asm__("sxtb16 %0, %1, ror #8" : "=r"(pair) : "r"(word));
    return pair;
}

/* Both: the word is read once (as two intrinsics, gcc reloads a weight word from flash for the
   second under register pressure). */
WHITTLE_INLINE void whittle_widen(uint32_t word, int32_t *even, int32_t *odd)
{
    int32_t e, o;
    __asm__("sxtb16 %0, %2\n\tsxtb16 %1, %2, ror #8" : "=&r"(e), "=r"(o) : "r"(word));
    *even = e;
    *odd = o;
}

/* acc + a.lane0 * b.lane0 + a.lane1 * b.lane1: SMLAD. */
WHITTLE_INLINE int32_t whittle_dot2(int32_t a, int32_t b, int32_t acc)
{
    return __smlad(a, b, acc);
}

/* acc + a.lane0 * b.lane0: SMLABB. */
WHITTLE_INLINE int32_t whittle_mul_lane0(int32_t a, int32_t b, int32_t acc)
{
    return __smlabb(a, b, acc);
}

/* acc + a.lane1 * b.lane1: SMLATT. */
WHITTLE_INLINE int32_t whittle_mul_lane1(int32_t a, int32_t b, int32_t acc)
{
    return __smlatt(a, b, acc);
}

/* acc + a.lane1 * b.lane0: SMLATB. */
WHITTLE_INLINE int32_t whittle_mul_lane1_by_lane0(int32_t a, int32_t b, int32_t acc)
{
    return __smlatb(a, b, acc);
}

/* Both lanes of b subtracted from a's, each wrapping to 16 bits: SSUB16. */
WHITTLE_INLINE int32_t whittle_sub16(int32_t a, int32_t b)
{
    return __ssub16(a, b);
}

#else /* plain C, the same results */

WHITTLE_INLINE int32_t whittle_lane0(int32_t pair) { return (int32_t)(int16_t)(uint16_t)((uint32_t)pair & 0xFFFFu); }
WHITTLE_INLINE int32_t whittle_lane1(int32_t pair) { return (int32_t)(int16_t)(uint16_t)((uint32_t)pair >> 16); }

WHITTLE_INLINE int32_t whittle_widen_even(uint32_t word)
{
    const int32_t b0 = (int8_t)(uint8_t)(word & 0xFFu), b2 = (int8_t)(uint8_t)((word >> 16) & 0xFFu);
    return (int32_t)(((uint32_t)b0 & 0xFFFFu) | (uint32_t)b2 << 16);
}

WHITTLE_INLINE int32_t whittle_widen_odd(uint32_t word)
{
    return whittle_widen_even(word >> 8);
}

WHITTLE_INLINE void whittle_widen(uint32_t word, int32_t *even, int32_t *odd)
{
    *even = whittle_widen_even(word);
    *odd = whittle_widen_odd(word);
}

WHITTLE_INLINE int32_t whittle_dot2(int32_t a, int32_t b, int32_t acc)
{
    return acc + whittle_lane0(a) * whittle_lane0(b) + whittle_lane1(a) * whittle_lane1(b);
}

WHITTLE_INLINE int32_t whittle_mul_lane0(int32_t a, int32_t b, int32_t acc)
{
    return acc + whittle_lane0(a) * whittle_lane0(b);
}

WHITTLE_INLINE int32_t whittle_mul_lane1(int32_t a, int32_t b, int32_t acc)
{
    return acc + whittle_lane1(a) * whittle_lane1(b);
}

WHITTLE_INLINE int32_t whittle_mul_lane1_by_lane0(int32_t a, int32_t b, int32_t acc)
{
    return acc + whittle_lane1(a) * whittle_lane0(b);
}

WHITTLE_INLINE int32_t whittle_sub16(int32_t a, int32_t b)
{
    const uint32_t low = ((uint32_t)a - (uint32_t)b) & 0xFFFFu;
    const uint32_t high = (((uint32_t)a >> 16) - ((uint32_t)b >> 16)) & 0xFFFFu;
    return (int32_t)(low | high << 16);
}

#endif

/*
 * The dot products of one run of `length` contiguous int8 inputs x with the `block` weight rows at
 * w, added to acc[0..block): acc[j] += sum over i of x[i] * w_j[i]. The rows are in the word layout
 * the _dsp kernels share (whittle lays it out at compile time):
 *   [length / 4][block][4]  four consecutive weights of row j, in input order, then
 *   [length % 4][block]     the tail, one weight of each row per input;
 * so one word load and SXTB16 (bytes 0, 2) / SXTB16 ROR #8 (bytes 1, 3) of the input and of a
 * weight word give lanes that pair up, and SMLAD takes two multiply-accumulates at once.
 * Returns w past the run.
 */
WHITTLE_INLINE const int8_t *whittle_dsp_dot_block(int32_t *acc, const int8_t *x, const int8_t *w, int length, int block)
{
    int i = 0;
    WHITTLE_UNROLL_TAPS for (; i + 4 <= length; i += 4) {
        const uint32_t xw = whittle_load_s8x4(x + i);
        const int32_t x_even = whittle_widen_even(xw), x_odd = whittle_widen_odd(xw);
        WHITTLE_UNROLL_BLOCK for (int j = 0; j < block; ++j) {
            int32_t w_even, w_odd;
            whittle_widen(whittle_load_s8x4(w + 4 * j), &w_even, &w_odd);
            acc[j] = whittle_dot2(x_even, w_even, acc[j]);
            acc[j] = whittle_dot2(x_odd, w_odd, acc[j]);
        }
        w += 4 * block;
    }
    for (; i < length; ++i) {
        const int32_t xv = x[i];
        WHITTLE_UNROLL_BLOCK for (int j = 0; j < block; ++j) {
            acc[j] += xv * w[j];
        }
        w += block;
    }
    return w;
}

#endif /* WHITTLE_DSP_H */
