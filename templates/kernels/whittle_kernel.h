/*
 * whittle_kernel.h - portability macros shared by every Whittle kernel.
 *
 * Kernels are inlined into model.c at every call, so each call is specialised for its
 * literal shapes; loops over a small literal block of channels are unrolled so the block's
 * accumulators live in registers.
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

#if defined(__clang__)
#define WHITTLE_UNROLL_BLOCK _Pragma("unroll 4")
#elif defined(__GNUC__) && __GNUC__ >= 8
#define WHITTLE_UNROLL_BLOCK _Pragma("GCC unroll 4")
#else
#define WHITTLE_UNROLL_BLOCK
#endif

#endif /* WHITTLE_KERNEL_H */
