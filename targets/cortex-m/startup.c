/*
 * startup.c - Cortex-M (ARMv6-M, ARMv7-M, ARMv7E-M) reset and fault handling for whittle's
 * bare-metal test programs under QEMU; not part of the inference path.
 *
 * The vector table holds the initial stack pointer and the handlers. Reset_Handler copies
 * .data from flash, zeroes .bss, calls main and reports its return value through semihosting
 * (SYS_EXIT_EXTENDED), so QEMU exits with it. A fault prints "whittle: fault <name>" and exits
 * with status 127, so a crash is an error and never a hang.
 */
#include <stdint.h>

#include "whittle_support.h"

extern uint32_t __data_load__[], __data_start__[], __data_end__[];
extern uint32_t __bss_start__[], __bss_end__[];
extern uint32_t __stack_top__[];

int main(void);

void Reset_Handler(void);
void NMI_Handler(void);
void HardFault_Handler(void);
void MemManage_Handler(void);
void BusFault_Handler(void);
void UsageFault_Handler(void);
void Default_Handler(void);

/* The initial stack pointer, then the handlers (a struct: ISO C has no object pointer in a
   table of function pointers). */
typedef struct {
    uint32_t *stack_top;
    void (*handlers[15])(void);
} whittle_vector_table;

__attribute__((section(".vectors"), used))
const whittle_vector_table whittle_vectors = {
    __stack_top__,
    {
        Reset_Handler,
        NMI_Handler,
        HardFault_Handler,
        MemManage_Handler,  /* ARMv7-M only */
        BusFault_Handler,   /* ARMv7-M only */
        UsageFault_Handler, /* ARMv7-M only */
        0, 0, 0, 0,
        Default_Handler,    /* SVCall */
        Default_Handler,    /* DebugMonitor */
        0,
        Default_Handler,    /* PendSV */
        Default_Handler,    /* SysTick */
    },
};

__attribute__((noreturn)) void Reset_Handler(void)
{
    /* Volatile pointers keep gcc from turning these loops into memcpy / memset calls. */
    volatile uint32_t *source = __data_load__;
    volatile uint32_t *destination = __data_start__;
    while (destination < __data_end__) {
        *destination++ = *source++;
    }
    for (destination = __bss_start__; destination < __bss_end__;) {
        *destination++ = 0;
    }
    whittle_exit(main());
}

static __attribute__((noreturn)) void fault(const char *name)
{
    whittle_print("whittle: fault ");
    whittle_print(name);
    whittle_print("\n");
    whittle_exit(WHITTLE_FAULT_STATUS);
}

void NMI_Handler(void) { fault("NMI"); }
void HardFault_Handler(void) { fault("HardFault"); }
void MemManage_Handler(void) { fault("MemManage"); }
void BusFault_Handler(void) { fault("BusFault"); }
void UsageFault_Handler(void) { fault("UsageFault"); }
void Default_Handler(void) { fault("unexpected exception"); }
