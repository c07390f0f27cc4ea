/* insncount: tiny QEMU TCG plugin (plugin API version 1, QEMU 7.2) that
 * counts guest instructions. whittle verify builds it with the host's cc and
 * points mark= at whittle_mark, which the bare-metal harness calls right
 * before and right after each model_invoke (countingPlugin in a descriptor).
 *
 *   qemu-system-XXX ... -plugin ./libinsncount.so[,mark=0xADDR][,out=FILE]
 *
 * - At exit it prints "insncount: total <N>".
 * - mark=0xADDR (repeatable, up to 8): every time the instruction at ADDR
 *   executes it prints "insncount: mark <addr> #<k> at <before> delta <d>",
 *   where <before> is the number of instructions retired before that
 *   instruction and <d> the difference to the previous mark hit (of any
 *   mark). Point it at the entry of a noinline marker function.
 *   (For Thumb code the low address bit is ignored.)
 * - out=FILE writes the report lines to FILE instead of stderr.
 *
 * The counter is bumped once per translated block (inline add of the
 * block's instruction count), so it is exact unless a block is left
 * half-way by an exception; mark positions are corrected to the
 * instruction inside the block. Single vCPU assumed.
 *
 * Build: gcc -shared -fPIC -O2 -o libinsncount.so insncount.c
 * Own declarations of the few API entry points it uses follow, so no QEMU
 * source tree or header package is needed. */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXPORT __attribute__((visibility("default")))

typedef uint64_t qemu_plugin_id_t;
struct qemu_info_t;                       /* opaque here */
struct qemu_plugin_tb;
struct qemu_plugin_insn;
enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS = 0 };
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 = 0 };

void qemu_plugin_register_vcpu_tb_trans_cb(
    qemu_plugin_id_t id, void (*cb)(qemu_plugin_id_t, struct qemu_plugin_tb *));
void qemu_plugin_register_vcpu_tb_exec_inline(
    struct qemu_plugin_tb *tb, enum qemu_plugin_op op, void *ptr, uint64_t imm);
void qemu_plugin_register_vcpu_insn_exec_cb(
    struct qemu_plugin_insn *insn, void (*cb)(unsigned int, void *),
    enum qemu_plugin_cb_flags flags, void *userdata);
void qemu_plugin_register_atexit_cb(
    qemu_plugin_id_t id, void (*cb)(qemu_plugin_id_t, void *), void *userdata);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb,
                                                 size_t idx);
uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn *insn);

EXPORT int qemu_plugin_version = 1;

#define MAX_MARKS 8
static uint64_t mark_addr[MAX_MARKS];
static int n_marks;
static uint64_t insn_count;       /* bumped inline by generated code */
static uint64_t last_hit;
static int have_last;
static unsigned long hits[MAX_MARKS];
static FILE *out;

/* userdata encodes: mark index (high bits) and the number of instructions
 * of the block that were counted ahead of the marked one (low 16 bits). */
static void on_mark(unsigned int vcpu, void *ud)
{
    uintptr_t v = (uintptr_t)ud;
    int m = (int)(v >> 16);
    uint64_t ahead = v & 0xFFFFu;
    uint64_t before = insn_count - ahead;
    (void)vcpu;
    fprintf(out, "insncount: mark 0x%" PRIx64 " #%lu at %" PRIu64,
            mark_addr[m], hits[m]++, before);
    if (have_last)
        fprintf(out, " delta %" PRIu64, before - last_hit);
    fputc('\n', out);
    fflush(out);
    last_hit = before;
    have_last = 1;
}

static void on_tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    size_t n = qemu_plugin_tb_n_insns(tb);
    (void)id;
    qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64,
                                             &insn_count, n);
    if (!n_marks)
        return;
    for (size_t i = 0; i < n; i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        uint64_t va = qemu_plugin_insn_vaddr(insn);
        for (int m = 0; m < n_marks; m++) {
            if (va == mark_addr[m]) {
                uintptr_t ud = ((uintptr_t)m << 16) | (uintptr_t)(n - i);
                qemu_plugin_register_vcpu_insn_exec_cb(
                    insn, on_mark, QEMU_PLUGIN_CB_NO_REGS, (void *)ud);
            }
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
    (void)info;
    out = stderr;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "mark=", 5) == 0 && n_marks < MAX_MARKS) {
            mark_addr[n_marks++] = strtoull(a + 5, NULL, 0) & ~(uint64_t)1;
        } else if (strncmp(a, "out=", 4) == 0) {
            out = fopen(a + 4, "w");
            if (!out) { perror(a + 4); return 1; }
        } else {
            fprintf(stderr, "insncount: unknown argument '%s'\n", a);
            return 1;
        }
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_tb_trans);
    qemu_plugin_register_atexit_cb(id, on_exit_cb, NULL);
    return 0;
}
