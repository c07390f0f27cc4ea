/*
 * whittle_support.h - what whittle's bare-metal test programs need besides the model:
 * semihosting I/O and exit, the libc memory functions gcc may call, a mark for counting
 * instructions, and stack painting. Not part of the inference path: firmware brings its own.
 */
#ifndef WHITTLE_SUPPORT_H
#define WHITTLE_SUPPORT_H

#include <stddef.h>
#include <stdint.h>

/* The exit status of a fault handler (whittle verify reports it as a fault). */
#define WHITTLE_FAULT_STATUS 127

/* Semihosting (QEMU -semihosting-config enable=on). */
void whittle_print(const char *text);
void whittle_print_number(uint32_t value);
__attribute__((noreturn)) void whittle_exit(int status);
/* The program's arguments (QEMU -append), argv[0] being the program; returns argc. */
int whittle_arguments(char **argv, int capacity);
/* SYS_OPEN with "rb" (read) or "wb" (write): a handle, or -1. */
int whittle_open(const char *path, int write);
long whittle_file_length(int handle);
/* Bytes actually read or written. */
size_t whittle_read(int handle, void *buffer, size_t count);
size_t whittle_write(int handle, const void *buffer, size_t count);
int whittle_close(int handle);

/* Called right before and right after each inference: the instruction-counting QEMU plugin
   reports the instructions executed from one call to the next. */
void whittle_mark(int id);

/* Fills the free stack below the caller with a pattern; whittle_stack_used then returns the
   bytes below the caller's stack pointer that were written since. */
void whittle_paint_stack(void);
uint32_t whittle_stack_used(void);

#endif /* WHITTLE_SUPPORT_H */
