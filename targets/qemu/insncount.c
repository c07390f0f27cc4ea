/* insncount: tiny QEMU TCG plugin (plugin API version 1, QEMU 7.2) that
 * counts guest instructions. whittle verify builds it with the host's cc and
 * points mark= at whittle_mark, which the bare-metal harness calls right
 * before and right after each model_invoke (countingPlugin in a descriptor).
 *
 *   qemu-system-XXX ... -plugin ./libinsncount.so[,mark=0xADDR][,out=FILE][,profile=MAP]
 *
 * - At exit it prints "insncount: total <N>".
 * - mark=0xADDR (repeatable, up to 8): every time the instruction at ADDR
 *   executes it prints "insncount: mark <addr> #<k> at <before> delta <d>",
 *   where <before> is the number of instructions retired before that
 *   instruction and <d> the difference to the previous mark hit (of any
 *   mark). Point it at the entry of a noinline marker function.
 *   (For Thumb code the low address bit is ignored.)
 * - out=FILE writes the report lines to FILE instead of stderr.
 * - profile=MAP (whittle verify --profile) also classifies every executed
 *   instruction (see "Classes" below) and sorts it into buckets: MAP holds
 *   lines "START END BUCKET" (hex addresses, END excluded, decimal bucket)
 *   saying which bucket (0: call overhead, 1..: a layer) the instructions in
 *   [START, END) belong to. An instruction outside every range (a libgcc
 *   helper, memcpy, the harness) goes to the bucket of the last mapped
 *   instruction executed, so a helper counts for the layer that called it.
 *   Only instructions between the first mark's even hit (#0, #2, ...) and its
 *   next hit are sorted, exactly those the mark deltas count; at each odd hit
 *   it prints one line per bucket for that inference:
 *   "insncount: profile #<i> bucket <b> <class>=<n> ... <class>_registers=<n> ..."
 *
 * The counter is bumped once per translated block (inline add of the
 * block's instruction count), so it is exact unless a block is left
 * half-way by an exception; mark positions are corrected to the
 * instruction inside the block. Single vCPU assumed.
 *
 * Classes: the classifier reads each instruction's bytes when a block is
 * translated (Thumb/Thumb-2 of ARMv6-M, ARMv7-M and ARMv7E-M; RV32IMAC with
 * compressed instructions) and puts it in one of the classes of class_names
 * below. Cycles are not computed here: the target descriptor's "timing" table
 * weighs the classes (whittle's CycleTable), so the plugin knows instruction
 * sets, not cores. A branch (anything that may write the PC but a load) is
 * taken or not taken by where execution goes next: QEMU ends a block at every
 * branch, so the branch is taken unless the next block executed starts right
 * after it. A single load directly followed in its block by a single load or
 * store whose address registers it does not write is "load_pipelined" (the
 * Cortex-M3/M4 TRMs: such neighbours pipeline their address and data phases).
 *
 * Build: gcc -shared -fPIC -O2 -o libinsncount.so insncount.c
 * With -DINSNCOUNT_CLASSIFIER_ONLY only the classifier is compiled (whittle's
 * tests include this file into a host program and feed it instruction words).
 * Own declarations of the few API entry points it uses follow, so no QEMU
 * source tree or header package is needed. */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the classifier ------------------------------------------------------------------------ */

enum isa { ISA_THUMB, ISA_RV32 };

/* The classes, in the order of class_names; whittle's InstructionClass lists the same names. */
enum insn_class {
    CLASS_ALU,                      /* data processing, moves, shifts, compares, IT, extends, saturation */
    CLASS_LOAD,                     /* a single load (LDR*, LDREX; RV LB..LW) */
    CLASS_LOAD_PIPELINED,           /* a single load followed by an independent single load or store */
    CLASS_STORE,                    /* a single store */
    CLASS_LOAD_MULTIPLE,            /* LDM, POP without PC, LDRD: registers counted */
    CLASS_STORE_MULTIPLE,           /* STM, PUSH, STRD: registers counted */
    CLASS_LOAD_PC,                  /* a load that writes the PC: POP {..,pc}, LDM with PC, LDR pc, TBB/TBH */
    CLASS_MULTIPLY,                 /* 32-bit product: MUL(S); RV MUL */
    CLASS_MULTIPLY_ACCUMULATE,      /* MLA, MLS */
    CLASS_MULTIPLY_LONG,            /* 64-bit product: SMULL, UMULL; RV MULH, MULHSU, MULHU */
    CLASS_MULTIPLY_ACCUMULATE_LONG, /* SMLAL, UMLAL, UMAAL */
    CLASS_DSP_MULTIPLY,             /* ARMv7E-M: SMLAD, SMUAD, SMLABB, SMULBB, SMMUL(R), SMMLA, SMLALD, ... */
    CLASS_DIVIDE,                   /* SDIV, UDIV; RV DIV, DIVU, REM, REMU */
    CLASS_BRANCH_TAKEN,
    CLASS_BRANCH_NOT_TAKEN,
    CLASS_OTHER,                    /* system, hints, barriers, coprocessor, undefined */
    N_CLASSES,
    CLASS_BRANCH = N_CLASSES        /* decoded: taken or not is known when the next block runs */
};

static const char *const class_names[N_CLASSES] = {
    "alu", "load", "load_pipelined", "store", "load_multiple", "store_multiple", "load_pc",
    "multiply", "multiply_accumulate", "multiply_long", "multiply_accumulate_long", "dsp_multiply",
    "divide", "branch_taken", "branch_not_taken", "other",
};

/* Classes whose cost grows with the registers they move (TRM: 1 + N). */
static int has_registers(int c)
{
    return c == CLASS_LOAD_MULTIPLE || c == CLASS_STORE_MULTIPLE || c == CLASS_LOAD_PC;
}

struct decoded {
    int cls;        /* enum insn_class, or CLASS_BRANCH */
    int size;       /* bytes */
    int registers;  /* registers moved, for has_registers classes */
    int dest;       /* the register a single load writes, else -1 */
    int base;       /* registers a single load's or store's address reads, else -1 */
    int index;
    int single;     /* a single load or store: may pipeline behind a load */
};

static int popcount16(unsigned v)
{
    int n = 0;
    for (v &= 0xFFFFu; v != 0; v &= v - 1)
        n++;
    return n;
}

static struct decoded make(int cls, int size)
{
    struct decoded d;
    d.cls = cls;
    d.size = size;
    d.registers = 0;
    d.dest = -1;
    d.base = -1;
    d.index = -1;
    d.single = 0;
    return d;
}

static struct decoded single_access(int load, int size, int rt, int rn, int rm)
{
    struct decoded d = make(load ? CLASS_LOAD : CLASS_STORE, size);
    d.dest = load ? rt : -1;
    d.base = rn;
    d.index = rm;
    d.single = 1;
    return d;
}

static struct decoded multiple(int cls, int size, int registers)
{
    struct decoded d = make(cls, size);
    d.registers = registers;
    return d;
}

/* One Thumb instruction (ARMv7-M ARM A5.2 for 16-bit, A5.3 for 32-bit encodings). */
static struct decoded decode_thumb(const uint8_t *p, size_t available)
{
    unsigned hw, hw2, op1, op2, rt, rn;
    if (available < 2)
        return make(CLASS_OTHER, (int)available);
    hw = (unsigned)p[0] | (unsigned)p[1] << 8;
    if ((hw >> 11) < 0x1D) {
        unsigned op = hw >> 10;
        if (op < 0x10)                                  /* shift, add, subtract, move, compare */
            return make(CLASS_ALU, 2);
        if (op == 0x10)                                 /* data processing; MULS */
            return make(((hw >> 6) & 0xF) == 0xD ? CLASS_MULTIPLY : CLASS_ALU, 2);
        if (op == 0x11) {                               /* ADD/CMP/MOV high registers, BX, BLX */
            unsigned rd = (hw & 7) | ((hw >> 4) & 8);
            switch ((hw >> 8) & 3) {
            case 1: return make(CLASS_ALU, 2);
            case 3: return make(CLASS_BRANCH, 2);
            default: return make(rd == 15 ? CLASS_BRANCH : CLASS_ALU, 2);
            }
        }
        if (op == 0x12 || op == 0x13)                   /* LDR (literal) */
            return single_access(1, 2, (int)((hw >> 8) & 7), 15, -1);
        if (op >= 0x14 && op <= 0x17) {                 /* load/store, register offset */
            unsigned opb = (hw >> 9) & 7;
            return single_access(opb >= 3, 2, (int)(hw & 7), (int)((hw >> 3) & 7), (int)((hw >> 6) & 7));
        }
        if (op >= 0x18 && op <= 0x23)                   /* word, byte, halfword, immediate offset */
            return single_access((hw >> 11) & 1, 2, (int)(hw & 7), (int)((hw >> 3) & 7), -1);
        if (op >= 0x24 && op <= 0x27)                   /* SP-relative */
            return single_access((hw >> 11) & 1, 2, (int)((hw >> 8) & 7), 13, -1);
        if (op >= 0x28 && op <= 0x2B)                   /* ADR, ADD (SP plus immediate) */
            return make(CLASS_ALU, 2);
        if (op >= 0x2C && op <= 0x2F) {                 /* miscellaneous 16-bit */
            if ((hw & 0xF500) == 0xB100)                /* CBZ, CBNZ */
                return make(CLASS_BRANCH, 2);
            if ((hw & 0xFE00) == 0xB400)                /* PUSH */
                return multiple(CLASS_STORE_MULTIPLE, 2, popcount16(hw & 0x1FF));
            if ((hw & 0xFE00) == 0xBC00)                /* POP */
                return multiple((hw & 0x100) ? CLASS_LOAD_PC : CLASS_LOAD_MULTIPLE, 2, popcount16(hw & 0x1FF));
            if ((hw & 0xFF00) == 0xBE00)                /* BKPT */
                return make(CLASS_OTHER, 2);
            if ((hw & 0xFF00) == 0xBF00)                /* IT; hints (NOP, WFI, ...) */
                return make((hw & 0xF) ? CLASS_ALU : CLASS_OTHER, 2);
            if ((hw & 0xFFE8) == 0xB660)                /* CPS */
                return make(CLASS_OTHER, 2);
            return make(CLASS_ALU, 2);                  /* ADD/SUB SP, extend, reverse */
        }
        if (op == 0x30 || op == 0x31)                   /* STM */
            return multiple(CLASS_STORE_MULTIPLE, 2, popcount16(hw & 0xFF));
        if (op == 0x32 || op == 0x33)                   /* LDM */
            return multiple(CLASS_LOAD_MULTIPLE, 2, popcount16(hw & 0xFF));
        if (op >= 0x34 && op <= 0x37)                   /* B<c>; UDF, SVC */
            return make(((hw >> 9) & 7) == 7 ? CLASS_OTHER : CLASS_BRANCH, 2);
        return make(CLASS_BRANCH, 2);                   /* B */
    }
    if (available < 4)
        return make(CLASS_OTHER, (int)available);
    hw2 = (unsigned)p[2] | (unsigned)p[3] << 8;
    op1 = (hw >> 11) & 3;
    op2 = (hw >> 4) & 0x7F;
    rt = hw2 >> 12;
    rn = hw & 0xF;
    if (op1 == 1) {
        if ((op2 & 0x64) == 0x00) {                     /* LDM, STM, PUSH.W, POP.W */
            int load = (hw >> 4) & 1;
            int cls = load ? ((hw2 & 0x8000) ? CLASS_LOAD_PC : CLASS_LOAD_MULTIPLE) : CLASS_STORE_MULTIPLE;
            return multiple(cls, 4, popcount16(hw2));
        }
        if ((op2 & 0x64) == 0x04) {                     /* exclusive, dual, table branch */
            unsigned o1 = (hw >> 7) & 3, o2 = (hw >> 4) & 3, o3 = (hw2 >> 4) & 0xF;
            if (o1 <= 1 && o2 <= 1) {
                if (o1 == 1 && o2 == 1 && o3 <= 1)      /* TBB, TBH */
                    return multiple(CLASS_LOAD_PC, 4, 1);
                return single_access(o2 == 1, 4, (int)rt, (int)rn, -1); /* LDREX(B/H), STREX(B/H) */
            }
            return multiple((o2 & 1) ? CLASS_LOAD_MULTIPLE : CLASS_STORE_MULTIPLE, 4, 2); /* LDRD, STRD */
        }
        if ((op2 & 0x60) == 0x20)                       /* data processing, shifted register */
            return make(CLASS_ALU, 4);
        return make(CLASS_OTHER, 4);                    /* coprocessor */
    }
    if (op1 == 2) {
        unsigned o1;
        if (!(hw2 & 0x8000))                            /* data processing, immediate */
            return make(CLASS_ALU, 4);
        o1 = (hw2 >> 12) & 7;
        if ((o1 & 5) == 0)                              /* B<c>.W; MSR, MRS, hints, barriers, UDF */
            return make(((hw >> 7) & 7) == 7 ? CLASS_OTHER : CLASS_BRANCH, 4);
        if ((o1 & 5) == 4)                              /* BLX (immediate): not in M-profile */
            return make(CLASS_OTHER, 4);
        return make(CLASS_BRANCH, 4);                   /* B.W, BL */
    }
    /* op1 == 3 */
    if ((op2 & 0x71) == 0x00) {                         /* store single */
        int rm = (!(hw & 0x80) && ((hw2 >> 6) & 0x3F) == 0) ? (int)(hw2 & 0xF) : -1;
        return single_access(0, 4, (int)rt, (int)rn, rm);
    }
    if ((op2 & 0x61) == 0x01 && (op2 & 0x06) != 0x06) { /* load byte, halfword, word */
        int rm = (!(hw & 0x80) && ((hw2 >> 6) & 0x3F) == 0) ? (int)(hw2 & 0xF) : -1;
        if (rt == 15)                                   /* LDR pc; PLD, PLI (hints) */
            return (op2 & 0x06) == 0x04 ? multiple(CLASS_LOAD_PC, 4, 1) : make(CLASS_OTHER, 4);
        return single_access(1, 4, (int)rt, (int)rn, rm);
    }
    if ((op2 & 0x70) == 0x20)                           /* data processing, register */
        return make(CLASS_ALU, 4);
    if ((op2 & 0x78) == 0x30) {                         /* multiply, multiply accumulate */
        unsigned o1 = (hw >> 4) & 7, o2 = (hw2 >> 4) & 3;
        if (o1 != 0)
            return make(CLASS_DSP_MULTIPLY, 4);
        if (o2 == 0)
            return make(rt == 15 ? CLASS_MULTIPLY : CLASS_MULTIPLY_ACCUMULATE, 4);
        return make(CLASS_MULTIPLY_ACCUMULATE, 4);      /* MLS */
    }
    if ((op2 & 0x78) == 0x38) {                         /* long multiply, divide */
        unsigned o1 = (hw >> 4) & 7, o2 = (hw2 >> 4) & 0xF;
        switch (o1) {
        case 0: case 2: return make(CLASS_MULTIPLY_LONG, 4);
        case 1: case 3: return make(CLASS_DIVIDE, 4);
        case 4: return make(o2 == 0 ? CLASS_MULTIPLY_ACCUMULATE_LONG : CLASS_DSP_MULTIPLY, 4);
        case 5: return make(CLASS_DSP_MULTIPLY, 4);
        case 6: return make(CLASS_MULTIPLY_ACCUMULATE_LONG, 4);
        default: return make(CLASS_OTHER, 4);
        }
    }
    return make(CLASS_OTHER, 4);                        /* coprocessor, undefined */
}

/* One RV32IMAC instruction (RISC-V unprivileged ISA, chapters RV32I, M, C). */
static struct decoded decode_rv(const uint8_t *p, size_t available)
{
    unsigned h, w, opcode, f3;
    if (available < 2)
        return make(CLASS_OTHER, (int)available);
    h = (unsigned)p[0] | (unsigned)p[1] << 8;
    if ((h & 3) != 3) {                                 /* compressed */
        unsigned q = h & 3, f = h >> 13;
        unsigned rd = (h >> 7) & 31, rs2 = (h >> 2) & 31;
        if (q == 0) {
            if (f == 0)                                 /* C.ADDI4SPN */
                return make(CLASS_ALU, 2);
            if (f == 2)                                 /* C.LW */
                return single_access(1, 2, (int)(((h >> 2) & 7) + 8), (int)(((h >> 7) & 7) + 8), -1);
            if (f == 6)                                 /* C.SW */
                return single_access(0, 2, (int)(((h >> 2) & 7) + 8), (int)(((h >> 7) & 7) + 8), -1);
            return make(f < 4 ? CLASS_LOAD : CLASS_STORE, 2); /* C.FLD, C.FLW, C.FSD, C.FSW */
        }
        if (q == 1) {
            if (f == 1 || f == 5 || f == 6 || f == 7)   /* C.JAL, C.J, C.BEQZ, C.BNEZ */
                return make(CLASS_BRANCH, 2);
            return make(CLASS_ALU, 2);                  /* C.ADDI, C.LI, C.LUI, C.ADDI16SP, arithmetic */
        }
        if (q == 2) {
            if (f == 2)                                 /* C.LWSP */
                return single_access(1, 2, (int)rd, 2, -1);
            if (f == 6)                                 /* C.SWSP */
                return single_access(0, 2, (int)rs2, 2, -1);
            if (f == 4) {
                if (rs2 != 0)                           /* C.MV, C.ADD */
                    return make(CLASS_ALU, 2);
                if ((h >> 12) & 1)                      /* C.EBREAK, C.JALR */
                    return make(rd == 0 ? CLASS_OTHER : CLASS_BRANCH, 2);
                return make(CLASS_BRANCH, 2);           /* C.JR */
            }
            if (f == 0)                                 /* C.SLLI */
                return make(CLASS_ALU, 2);
            return make((f & 4) ? CLASS_STORE : CLASS_LOAD, 2); /* C.FLDSP, C.FLWSP, C.FSDSP, C.FSWSP */
        }
    }
    if (available < 4)
        return make(CLASS_OTHER, (int)available);
    w = h | ((unsigned)p[2] | (unsigned)p[3] << 8) << 16;
    opcode = w & 0x7F;
    f3 = (w >> 12) & 7;
    switch (opcode) {
    case 0x03: return single_access(1, 4, (int)((w >> 7) & 31), (int)((w >> 15) & 31), -1);  /* LOAD */
    case 0x23: return single_access(0, 4, (int)((w >> 20) & 31), (int)((w >> 15) & 31), -1); /* STORE */
    case 0x13: case 0x37: case 0x17: return make(CLASS_ALU, 4);  /* OP-IMM, LUI, AUIPC */
    case 0x33:                                                  /* OP; M extension */
        if ((w >> 25) != 1)
            return make(CLASS_ALU, 4);
        if (f3 == 0)
            return make(CLASS_MULTIPLY, 4);
        return make(f3 < 4 ? CLASS_MULTIPLY_LONG : CLASS_DIVIDE, 4);
    case 0x63: case 0x67: case 0x6F: return make(CLASS_BRANCH, 4); /* BRANCH, JALR, JAL */
    default: return make(CLASS_OTHER, 4);                        /* FENCE, SYSTEM, AMO, ... */
    }
}

/* Classifies the instructions in code[0, length) (a straight run, as a translated block):
 * fills out[] (at most capacity entries) and returns how many instructions there were. */
static size_t classify_code(enum isa isa, const uint8_t *code, size_t length, struct decoded *out, size_t capacity)
{
    size_t n = 0, at = 0;
    while (at < length && n < capacity) {
        struct decoded d = isa == ISA_THUMB ? decode_thumb(code + at, length - at) : decode_rv(code + at, length - at);
        if (d.size <= 0)
            break;
        at += (size_t)d.size;
        out[n++] = d;
    }
    for (size_t i = 0; i + 1 < n; i++) {
        const struct decoded *next = &out[i + 1];
        if (out[i].cls == CLASS_LOAD && next->single && next->base != out[i].dest && next->index != out[i].dest)
            out[i].cls = CLASS_LOAD_PIPELINED;
    }
    return n;
}

#ifndef INSNCOUNT_CLASSIFIER_ONLY

/* ---- the plugin ---------------------------------------------------------------------------- */

#define EXPORT __attribute__((visibility("default")))

typedef uint64_t qemu_plugin_id_t;
/* The first field of QEMU's qemu_info_t (the rest is not read here). */
struct qemu_info_t {
    const char *target_name;
};
struct qemu_plugin_tb;
struct qemu_plugin_insn;
enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS = 0 };
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 = 0 };

void qemu_plugin_register_vcpu_tb_trans_cb(
    qemu_plugin_id_t id, void (*cb)(qemu_plugin_id_t, struct qemu_plugin_tb *));
void qemu_plugin_register_vcpu_tb_exec_inline(
    struct qemu_plugin_tb *tb, enum qemu_plugin_op op, void *ptr, uint64_t imm);
void qemu_plugin_register_vcpu_tb_exec_cb(
    struct qemu_plugin_tb *tb, void (*cb)(unsigned int, void *),
    enum qemu_plugin_cb_flags flags, void *userdata);
void qemu_plugin_register_vcpu_insn_exec_cb(
    struct qemu_plugin_insn *insn, void (*cb)(unsigned int, void *),
    enum qemu_plugin_cb_flags flags, void *userdata);
void qemu_plugin_register_atexit_cb(
    qemu_plugin_id_t id, void (*cb)(qemu_plugin_id_t, void *), void *userdata);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb,
                                                 size_t idx);
uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn *insn);
const void *qemu_plugin_insn_data(const struct qemu_plugin_insn *insn);
size_t qemu_plugin_insn_size(const struct qemu_plugin_insn *insn);

EXPORT int qemu_plugin_version = 1;

#define MAX_MARKS 8
static uint64_t mark_addr[MAX_MARKS];
static int n_marks;
static uint64_t insn_count;       /* bumped inline by generated code */
static uint64_t last_hit;
static int have_last;
static unsigned long hits[MAX_MARKS];
static FILE *out;

/* ---- profile state ---- */

struct tally {
    uint64_t count[N_CLASSES];
    uint64_t registers[N_CLASSES];
};

static void tally_add(struct tally *to, const struct tally *t, int sign)
{
    for (int c = 0; c < N_CLASSES; c++) {
        to->count[c] += (uint64_t)sign * t->count[c];
        to->registers[c] += (uint64_t)sign * t->registers[c];
    }
}

struct range {
    uint64_t start, end;
    int bucket;
};

/* A run of a block's instructions in one bucket (-1: the bucket of the last mapped instruction). */
struct segment {
    int bucket;
    int resolved;                 /* the bucket it went to when the block last ran */
    struct tally tally;           /* its instructions but the block's final branch */
};

struct block {
    uint64_t start;
    uint64_t fallthrough;         /* the address after the block's last instruction */
    int ends_in_branch;
    int branch_bucket;
    size_t n_segments;
    struct segment segments[];
};

/* A mark inside a block: what of the block runs from the mark on (index: its segment). */
struct mark_site {
    int mark;
    uint64_t ahead;               /* instructions of the block counted ahead of the mark */
    struct block *block;          /* NULL when not profiling */
    size_t first_segment;
    struct tally *tails;          /* per segment from first_segment on */
};

static int profiling;
static enum isa isa;
static struct range *ranges;
static size_t n_ranges;
static int n_buckets = 1;
static struct tally *buckets;
static int current_bucket;
static int inside;                /* between a mark's even hit and its next hit */
static unsigned long inference;
static struct {
    int active;
    uint64_t fallthrough;
    int bucket;
} pending;

static int bucket_of(uint64_t address)
{
    size_t lo = 0, hi = n_ranges;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (address < ranges[mid].start)
            hi = mid;
        else if (address >= ranges[mid].end)
            lo = mid + 1;
        else
            return ranges[mid].bucket;
    }
    return -1;
}

static int range_order(const void *a, const void *b)
{
    const struct range *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

static int read_map(const char *path)
{
    FILE *f = fopen(path, "r");
    size_t capacity = 0;
    unsigned long long start, end;
    int bucket;
    if (!f) { perror(path); return 1; }
    while (fscanf(f, "%llx %llx %d", &start, &end, &bucket) == 3) {
        if (bucket < 0 || bucket > 65535 || end < start) {
            fprintf(stderr, "insncount: %s: bad range\n", path);
            fclose(f);
            return 1;
        }
        if (n_ranges == capacity) {
            capacity = capacity ? 2 * capacity : 256;
            ranges = realloc(ranges, capacity * sizeof *ranges);
            if (!ranges) { fclose(f); return 1; }
        }
        ranges[n_ranges].start = start;
        ranges[n_ranges].end = end;
        ranges[n_ranges].bucket = bucket;
        n_ranges++;
        if (bucket + 1 > n_buckets)
            n_buckets = bucket + 1;
    }
    fclose(f);
    qsort(ranges, n_ranges, sizeof *ranges, range_order);
    buckets = calloc((size_t)n_buckets, sizeof *buckets);
    return buckets == NULL;
}

static void report_inference(void)
{
    for (int b = 0; b < n_buckets; b++) {
        fprintf(out, "insncount: profile #%lu bucket %d", inference, b);
        for (int c = 0; c < N_CLASSES; c++)
            fprintf(out, " %s=%" PRIu64, class_names[c], buckets[b].count[c]);
        for (int c = 0; c < N_CLASSES; c++)
            if (has_registers(c))
                fprintf(out, " %s_registers=%" PRIu64, class_names[c], buckets[b].registers[c]);
        fputc('\n', out);
    }
    fflush(out);
    memset(buckets, 0, (size_t)n_buckets * sizeof *buckets);
    inference++;
}

/* Each block as it starts: settles the previous block's branch, then sorts this block's
   instructions (but its own final branch) into buckets. */
static void on_block(unsigned int vcpu, void *ud)
{
    struct block *b = ud;
    (void)vcpu;
    if (pending.active) {
        if (inside)
            buckets[pending.bucket].count[b->start == pending.fallthrough ? CLASS_BRANCH_NOT_TAKEN : CLASS_BRANCH_TAKEN]++;
        pending.active = 0;
    }
    for (size_t i = 0; i < b->n_segments; i++) {
        struct segment *s = &b->segments[i];
        if (s->bucket >= 0)
            current_bucket = s->bucket;
        s->resolved = current_bucket;
        if (inside)
            tally_add(&buckets[current_bucket], &s->tally, 1);
    }
    if (b->ends_in_branch) {
        pending.active = 1;
        pending.fallthrough = b->fallthrough;
        pending.bucket = b->branch_bucket >= 0 ? b->branch_bucket : current_bucket;
    }
}

/* userdata: a struct mark_site. */
static void on_mark(unsigned int vcpu, void *ud)
{
    struct mark_site *site = ud;
    int m = site->mark;
    uint64_t before = insn_count - site->ahead;
    unsigned long hit = hits[m]++;
    (void)vcpu;
    fprintf(out, "insncount: mark 0x%" PRIx64 " #%lu at %" PRIu64,
            mark_addr[m], hit, before);
    if (have_last)
        fprintf(out, " delta %" PRIu64, before - last_hit);
    fputc('\n', out);
    fflush(out);
    last_hit = before;
    have_last = 1;
    if (!profiling || m != 0 || !site->block)
        return;
    /* The block was sorted when it started, as if the mark had not hit: move the part from the
       mark on into the inference (even hit) or out of it (odd hit). */
    if (hit % 2 == 0) {
        current_bucket = 0;
        inside = 1;
        for (size_t i = site->first_segment; i < site->block->n_segments; i++) {
            struct segment *s = &site->block->segments[i];
            if (s->bucket >= 0)
                current_bucket = s->bucket;
            s->resolved = current_bucket;
            tally_add(&buckets[current_bucket], &site->tails[i - site->first_segment], 1);
        }
    } else if (inside) {
        for (size_t i = site->first_segment; i < site->block->n_segments; i++)
            tally_add(&buckets[site->block->segments[i].resolved], &site->tails[i - site->first_segment], -1);
        inside = 0;
        report_inference();
    }
}

#define MAX_BLOCK_INSNS 512

static void on_tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    size_t n = qemu_plugin_tb_n_insns(tb);
    struct block *b = NULL;
    static struct decoded decoded[MAX_BLOCK_INSNS];
    static int bucket[MAX_BLOCK_INSNS];
    static size_t segment_of[MAX_BLOCK_INSNS];
    (void)id;
    qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64,
                                             &insn_count, n);
    if (profiling && n > 0 && n <= MAX_BLOCK_INSNS) {
        /* The block's bytes in one run, for the classifier. */
        static uint8_t code[MAX_BLOCK_INSNS * 4];
        size_t length = 0, count, segments = 0, last = n - 1;
        struct qemu_plugin_insn *final = qemu_plugin_tb_get_insn(tb, last);
        for (size_t i = 0; i < n; i++) {
            struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
            size_t size = qemu_plugin_insn_size(insn);
            if (size > 4)
                size = 4;
            memcpy(code + length, qemu_plugin_insn_data(insn), size);
            length += size;
            bucket[i] = bucket_of(qemu_plugin_insn_vaddr(insn));
        }
        count = classify_code(isa, code, length, decoded, n);
        for (size_t i = count; i < n; i++)
            decoded[i] = make(CLASS_OTHER, 0);
        /* QEMU ends a block at a branch; should one stand inside a block, execution went on. */
        for (size_t i = 0; i < last; i++)
            if (decoded[i].cls == CLASS_BRANCH)
                decoded[i].cls = CLASS_BRANCH_NOT_TAKEN;
        for (size_t i = 0; i < n; i++) {
            if (i == 0 || bucket[i] != bucket[i - 1])
                segments++;
            segment_of[i] = segments - 1;
        }
        b = calloc(1, sizeof *b + segments * sizeof(struct segment));
        if (b) {
            b->n_segments = segments;
            b->start = qemu_plugin_tb_vaddr(tb);
            b->fallthrough = qemu_plugin_insn_vaddr(final) + qemu_plugin_insn_size(final);
            b->ends_in_branch = decoded[last].cls == CLASS_BRANCH;
            b->branch_bucket = bucket[last];
            for (size_t i = 0; i < n; i++) {
                struct segment *s = &b->segments[segment_of[i]];
                s->bucket = bucket[i];
                if (decoded[i].cls == CLASS_BRANCH)   /* counted when the next block runs */
                    continue;
                s->tally.count[decoded[i].cls]++;
                s->tally.registers[decoded[i].cls] += (uint64_t)decoded[i].registers;
            }
            qemu_plugin_register_vcpu_tb_exec_cb(tb, on_block, QEMU_PLUGIN_CB_NO_REGS, b);
        }
    }
    if (!n_marks)
        return;
    for (size_t i = 0; i < n; i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        uint64_t va = qemu_plugin_insn_vaddr(insn);
        for (int m = 0; m < n_marks; m++) {
            struct mark_site *site;
            if (va != mark_addr[m])
                continue;
            site = calloc(1, sizeof *site);
            if (!site)
                continue;
            site->mark = m;
            site->ahead = n - i;
            if (b) {
                size_t first = segment_of[i];
                site->block = b;
                site->first_segment = first;
                site->tails = calloc(b->n_segments - first, sizeof *site->tails);
                if (!site->tails) {
                    site->block = NULL;
                } else {
                    for (size_t j = i; j < n; j++) {
                        if (decoded[j].cls == CLASS_BRANCH)
                            continue;
                        site->tails[segment_of[j] - first].count[decoded[j].cls]++;
                        site->tails[segment_of[j] - first].registers[decoded[j].cls] += (uint64_t)decoded[j].registers;
                    }
                }
            }
            qemu_plugin_register_vcpu_insn_exec_cb(insn, on_mark, QEMU_PLUGIN_CB_NO_REGS, site);
        }
    }
}

static void on_exit_cb(qemu_plugin_id_t id, void *ud)
{
    (void)id; (void)ud;
    fprintf(out, "insncount: total %" PRIu64 "\n", insn_count);
    fflush(out);
}

EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const struct qemu_info_t *info,
                               int argc, char **argv)
{
    out = stderr;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "mark=", 5) == 0 && n_marks < MAX_MARKS) {
            mark_addr[n_marks++] = strtoull(a + 5, NULL, 0) & ~(uint64_t)1;
        } else if (strncmp(a, "out=", 4) == 0) {
            out = fopen(a + 4, "w");
            if (!out) { perror(a + 4); return 1; }
        } else if (strncmp(a, "profile=", 8) == 0) {
            if (read_map(a + 8))
                return 1;
            profiling = 1;
        } else {
            fprintf(stderr, "insncount: unknown argument '%s'\n", a);
            return 1;
        }
    }
    if (profiling) {
        const char *name = info && info->target_name ? info->target_name : "";
        if (strncmp(name, "riscv", 5) == 0) {
            isa = ISA_RV32;
        } else if (strcmp(name, "arm") == 0) {
            isa = ISA_THUMB;
        } else {
            fprintf(stderr, "insncount: profile: no classifier for target '%s' (arm, riscv32)\n", name);
            return 1;
        }
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_tb_trans);
    qemu_plugin_register_atexit_cb(id, on_exit_cb, NULL);
    return 0;
}

#endif /* INSNCOUNT_CLASSIFIER_ONLY */
