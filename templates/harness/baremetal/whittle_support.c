/*
 * whittle_support.c - semihosting, memory functions, instruction marks and stack painting for
 * whittle's bare-metal test programs (Cortex-M and RV32); not part of the inference path.
 *
 * Compiled with -fno-tree-loop-distribute-patterns, so gcc does not turn the loops of memcpy
 * and memset back into calls to themselves. memcpy and memset move aligned words, since gcc
 * calls them for block copies and fills (a byte loop here once made a library 3x slower).
 */
#include "whittle_support.h"

#define SYS_OPEN 0x01
#define SYS_CLOSE 0x02
#define SYS_WRITE0 0x04
#define SYS_WRITE 0x05
#define SYS_READ 0x06
#define SYS_FLEN 0x0C
#define SYS_GET_CMDLINE 0x15
#define SYS_EXIT_EXTENDED 0x20
#define ADP_STOPPED_APPLICATION_EXIT 0x20026

static uintptr_t semihost(uintptr_t operation, const void *argument)
{
#if defined(__arm__)
    register uintptr_t r0 __asm__("r0") = operation;
    register const void *r1 __asm__("r1") = argument;
    __asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
#elif defined(__riscv)
    register uintptr_t a0 __asm__("a0") = operation;
    register const void *a1 __asm__("a1") = argument;
    /* The semihosting sequence must be uncompressed and within one page: align first, then
       switch compressed instructions off. */
    __asm__ volatile(".balign 16\n\t"
                     ".option push\n\t"
                     ".option norvc\n\t"
                     "slli x0, x0, 0x1f\n\t"
                     "ebreak\n\t"
                     "srai x0, x0, 7\n\t"
                     ".option pop"
                     : "+r"(a0) : "r"(a1) : "memory");
    return a0;
#else
#error "whittle_support.c: semihosting for Arm and RISC-V only"
#endif
}

void whittle_print(const char *text)
{
    semihost(SYS_WRITE0, text);
}

void whittle_print_number(uint32_t value)
{
    char digits[11];
    int i = 10;
    digits[i] = 0;
    do {
        digits[--i] = (char)('0' + value % 10u);
        value /= 10u;
    } while (value != 0);
    whittle_print(&digits[i]);
}

void whittle_exit(int status)
{
    uintptr_t block[2] = {ADP_STOPPED_APPLICATION_EXIT, (uintptr_t)status};
    semihost(SYS_EXIT_EXTENDED, block);
    for (;;) {
    }
}

int whittle_arguments(char **argv, int capacity)
{
    static char line[512];
    uintptr_t block[2] = {(uintptr_t)line, sizeof line - 1};
    int argc = 0;
    char *p = line;
    if (semihost(SYS_GET_CMDLINE, block) != 0) {
        return 0;
    }
    line[block[1] < sizeof line ? block[1] : sizeof line - 1] = 0;
    while (*p != 0 && argc < capacity) {
        while (*p == ' ') {
            *p++ = 0;
        }
        if (*p == 0) {
            break;
        }
        argv[argc++] = p;
        while (*p != 0 && *p != ' ') {
            ++p;
        }
    }
    return argc;
}

int whittle_open(const char *path, int write)
{
    size_t length = 0;
    uintptr_t block[3];
    while (path[length] != 0) {
        ++length;
    }
    block[0] = (uintptr_t)path;
    block[1] = write ? 5 : 1; /* "wb", "rb" */
    block[2] = length;
    return (int)semihost(SYS_OPEN, block);
}

long whittle_file_length(int handle)
{
    uintptr_t block[1] = {(uintptr_t)handle};
    return (long)semihost(SYS_FLEN, block);
}

size_t whittle_read(int handle, void *buffer, size_t count)
{
    uintptr_t block[3] = {(uintptr_t)handle, (uintptr_t)buffer, count};
    return count - semihost(SYS_READ, block); /* the call returns the bytes not read */
}

size_t whittle_write(int handle, const void *buffer, size_t count)
{
    uintptr_t block[3] = {(uintptr_t)handle, (uintptr_t)buffer, count};
    return count - semihost(SYS_WRITE, block);
}

int whittle_close(int handle)
{
    uintptr_t block[1] = {(uintptr_t)handle};
    return (int)semihost(SYS_CLOSE, block);
}

__attribute__((noinline, used)) void whittle_mark(int id)
{
    __asm__ volatile("" : : "r"(id) : "memory");
}

/* Stack painting: the linker script's .stack section runs from __stack_bottom__ up. */
extern uint32_t __stack_bottom__[];
#define WHITTLE_STACK_PAINT 0x5AC3A55Au

static uintptr_t stack_pointer(void)
{
    uintptr_t sp;
#if defined(__arm__)
    __asm__ volatile("mov %0, sp" : "=r"(sp));
#else
    __asm__ volatile("mv %0, sp" : "=r"(sp));
#endif
    return sp;
}

static uintptr_t painted_top;

__attribute__((noinline)) void whittle_paint_stack(void)
{
    /* This leaf function's frame sits right below the caller's stack pointer; paint below it. */
    volatile uint32_t *p = __stack_bottom__;
    volatile uint32_t *end = (volatile uint32_t *)((stack_pointer() - 64u) & ~(uintptr_t)3);
    painted_top = stack_pointer();
    while (p < end) {
        *p++ = WHITTLE_STACK_PAINT;
    }
}

__attribute__((noinline)) uint32_t whittle_stack_used(void)
{
    const volatile uint32_t *p = __stack_bottom__;
    while ((uintptr_t)p < painted_top && *p == WHITTLE_STACK_PAINT) {
        ++p;
    }
    return (uint32_t)(painted_top - (uintptr_t)p);
}

/* The memory functions gcc may call (block copies and fills); none is in the kernels. */
void *memcpy(void *destination, const void *source, size_t count)
{
    unsigned char *d = (unsigned char *)destination;
    const unsigned char *s = (const unsigned char *)source;
    if ((((uintptr_t)d | (uintptr_t)s) & 3u) == 0) {
        for (; count >= 16; count -= 16, d += 16, s += 16) {
            ((uint32_t *)d)[0] = ((const uint32_t *)s)[0];
            ((uint32_t *)d)[1] = ((const uint32_t *)s)[1];
            ((uint32_t *)d)[2] = ((const uint32_t *)s)[2];
            ((uint32_t *)d)[3] = ((const uint32_t *)s)[3];
        }
        for (; count >= 4; count -= 4, d += 4, s += 4) {
            *(uint32_t *)d = *(const uint32_t *)s;
        }
    }
    while (count-- > 0) {
        *d++ = *s++;
    }
    return destination;
}

void *memmove(void *destination, const void *source, size_t count)
{
    unsigned char *d = (unsigned char *)destination;
    const unsigned char *s = (const unsigned char *)source;
    if (d <= s || d >= s + count) {
        return memcpy(destination, source, count);
    }
    while (count-- > 0) {
        d[count] = s[count];
    }
    return destination;
}

void *memset(void *destination, int value, size_t count)
{
    unsigned char *d = (unsigned char *)destination;
    const uint32_t word = 0x01010101u * (unsigned char)value;
    while (count > 0 && ((uintptr_t)d & 3u) != 0) {
        *d++ = (unsigned char)value;
        --count;
    }
    for (; count >= 16; count -= 16, d += 16) {
        ((uint32_t *)d)[0] = word;
        ((uint32_t *)d)[1] = word;
        ((uint32_t *)d)[2] = word;
        ((uint32_t *)d)[3] = word;
    }
    for (; count >= 4; count -= 4, d += 4) {
        *(uint32_t *)d = word;
    }
    while (count-- > 0) {
        *d++ = (unsigned char)value;
    }
    return destination;
}

int memcmp(const void *a, const void *b, size_t count)
{
    const unsigned char *x = (const unsigned char *)a;
    const unsigned char *y = (const unsigned char *)b;
    for (; count > 0; --count, ++x, ++y) {
        if (*x != *y) {
            return *x - *y;
        }
    }
    return 0;
}
