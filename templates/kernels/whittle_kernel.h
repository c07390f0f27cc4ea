/*
 * whittle_kernel.h - portability macros shared by every Whittle kernel.
 *
 * Kernels are inlined into model.c at every call, so each call is specialised for its
 * literal shapes; loops over a small literal block of channels are unrolled so the block's
 * accumulators live in registers, and multiply-accumulate loops are unrolled to cut their
 * counting and branching.
 */
#ifndef WHITTLE_KERNEL_H
#define WHITTLE_KERNEL_H

#include <stdint.h>

#if defined(__GNUC__)
#define WHITTLE_INLINE static inline __attribute__((always_inline))
#define WHITTLE_ALIGNED(n) __attribute__((aligned(n)))
#else
#define WHITTLE_INLINE static inline
#define WHITTLE_ALIGNED(n)
#endif

/* WHITTLE_UNROLL_BLOCK: a loop over a block of at most 8 channels, unrolled completely.
   WHITTLE_UNROLL_TAPS: a multiply-accumulate loop, unrolled 8 times to spread its overhead.
   WHITTLE_UNROLL_WORD: a loop over the (at most 32) fields of a 32-bit word, unrolled completely. */
#if defined(__clang__)
#define WHITTLE_UNROLL_BLOCK _Pragma("unroll 8")
#define WHITTLE_UNROLL_TAPS _Pragma("unroll 8")
#define WHITTLE_UNROLL_WORD _Pragma("unroll 32")
#elif defined(__GNUC__) && __GNUC__ >= 8
#define WHITTLE_UNROLL_BLOCK _Pragma("GCC unroll 8")
#define WHITTLE_UNROLL_TAPS _Pragma("GCC unroll 8")
#define WHITTLE_UNROLL_WORD _Pragma("GCC unroll 32")
#else
#define WHITTLE_UNROLL_BLOCK
#define WHITTLE_UNROLL_TAPS
#define WHITTLE_UNROLL_WORD
#endif

/* WHITTLE_OPAQUE(p): makes the compiler treat pointer p as unknown from here on, so it keeps p in
   a register and addresses p[constant] directly, instead of hoisting one base pointer per constant
   out of the loop (which spills registers in the sparse kernels' pixel blocks). No code is emitted. */
#if defined(__GNUC__)
#define WHITTLE_OPAQUE(p) __asm__("" : "+r"(p))
#else
#define WHITTLE_OPAQUE(p) ((void)0)
#endif

/* The taps [first, end) of a window of `kernel` taps starting at input position `origin`
   (negative inside the padding) that lie inside an input of `extent` positions. */
WHITTLE_INLINE int whittle_first_tap(int origin)
{
    return origin < 0 ? -origin : 0;
}

WHITTLE_INLINE int whittle_tap_end(int origin, int kernel, int extent)
{
    return extent - origin < kernel ? extent - origin : kernel;
}

/* `value` clamped to [act_min, act_max] (inside -128..127) as an int8. */
WHITTLE_INLINE int8_t whittle_clamp_s8(int32_t value, int32_t act_min, int32_t act_max)
{
    value = value < act_min ? act_min : value;
    return (int8_t)(value > act_max ? act_max : value);
}

#endif /* WHITTLE_KERNEL_H */
