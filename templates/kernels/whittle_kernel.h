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

/*
 * Integer only: from here on the words float and double are errors in every kernel and in
 * model.c. whittle verify also checks each bare-metal ELF for software floating-point helpers,
 * which catches a floating-point constant that needs neither word.
 */
#if defined(__GNUC__) && !defined(WHITTLE_ALLOW_FLOAT)
#pragma GCC poison float double
#endif

#if defined(__GNUC__)
#define WHITTLE_INLINE static inline __attribute__((always_inline))
#define WHITTLE_ALIGNED(n) __attribute__((aligned(n)))
#else
#define WHITTLE_INLINE static inline
#define WHITTLE_ALIGNED(n)
#endif

/* WHITTLE_STATIC_ASSERT(condition, message): a compile-time check (the table sizes of
   model_weights.c). C11's _Static_assert, which gcc and clang also accept in C99 under
   __extension__ (so -std=c99 -Wpedantic stays quiet); else a negative array size. */
#if defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
#define WHITTLE_STATIC_ASSERT(condition, message) _Static_assert(condition, message)
#elif defined(__GNUC__)
#define WHITTLE_STATIC_ASSERT(condition, message) __extension__ _Static_assert(condition, message)
#else
#define WHITTLE_STATIC_ASSERT_NAME(line) whittle_static_assert_##line
#define WHITTLE_STATIC_ASSERT_LINE(line) WHITTLE_STATIC_ASSERT_NAME(line)
#define WHITTLE_STATIC_ASSERT(condition, message) typedef char WHITTLE_STATIC_ASSERT_LINE(__LINE__)[(condition) ? 1 : -1]
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

/* WHITTLE_FEW_REGISTERS: Thumb code (Cortex-M) has about 12 free registers; inner loops there
   keep fewer values live at once than on 16- or 32-register machines. */
#if defined(__thumb__)
#define WHITTLE_FEW_REGISTERS 1
#else
#define WHITTLE_FEW_REGISTERS 0
#endif

/* WHITTLE_AFTER(p, v): pointer p is not known until v is computed, so loads through p wait for v.
   Keeps a multiply-accumulate chain in order: without it gcc hoists every load of an unrolled
   chain to its top and spills the loaded values to the stack on register-poor cores. */
#if defined(__GNUC__)
#define WHITTLE_AFTER(p, v) __asm__("" : "+r"(p) : "r"(v))
#else
#define WHITTLE_AFTER(p, v) ((void)0)
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

/* `value` clamped to [act_min, act_max] (inside -128..127) as an int8. Where the core saturates
   (ARMv6, ARMv7-M and later: __ARM_FEATURE_SAT) one SSAT to -128..127, then only the bounds a
   fused activation narrows (act_min and act_max are literals at every call). */
WHITTLE_INLINE int8_t whittle_clamp_s8(int32_t value, int32_t act_min, int32_t act_max)
{
#if defined(__ARM_FEATURE_SAT) && defined(__GNUC__)
    __asm__("ssat %0, #8, %0" : "+r"(value));
    value = act_min > -128 && value < act_min ? act_min : value;
    return (int8_t)(act_max < 127 && value > act_max ? act_max : value);
#else
    value = value < act_min ? act_min : value;
    return (int8_t)(value > act_max ? act_max : value);
#endif
}

#endif /* WHITTLE_KERNEL_H */
