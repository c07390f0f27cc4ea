/*
 * startup.S - RV32 machine-mode start for whittle's bare-metal test programs on QEMU virt
 * (-bios none: QEMU's reset stub jumps to 0x80000000); not part of the inference path.
 *
 * Sets gp, sp and the trap vector, copies .data, zeroes .bss, calls main and exits with its
 * return value through semihosting (whittle_exit). Any trap is a fault: it exits through the
 * virt test finisher with status 127 (not through semihosting, so a trap raised by a missing
 * -semihosting-config cannot loop).
 */
    .section .text.init, "ax", @progbits
    .globl _start
_start:
    .option push
    .option norelax
    la      gp, __global_pointer$
    .option pop
    la      sp, __stack_top__
    la      t0, whittle_trap
    csrw    mtvec, t0

    la      t0, __data_load__
    la      t1, __data_start__
    la      t2, __data_end__
1:  bgeu    t1, t2, 2f
    lw      t3, 0(t0)
    sw      t3, 0(t1)
    addi    t0, t0, 4
    addi    t1, t1, 4
    j       1b
2:  la      t1, __bss_start__
    la      t2, __bss_end__
3:  bgeu    t1, t2, 4f
    sw      zero, 0(t1)
    addi    t1, t1, 4
    j       3b
4:  call    main
    tail    whittle_exit

/* The SIFIVE_TEST finisher at 0x100000: (status << 16) | 0x3333 makes QEMU exit with status. */
    .balign 4
whittle_trap:
    li      t0, 0x100000
    li      t1, (127 << 16) | 0x3333
    sw      t1, 0(t0)
5:  j       5b
