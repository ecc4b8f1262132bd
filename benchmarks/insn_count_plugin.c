/* insn_count_plugin.c - a QEMU TCG plugin (API version 1, QEMU 7.2) that
 * counts dynamic RISC-V instructions by class: scalar, vsetvl*, vector
 * arithmetic, vector load, vector store. Classification happens once per
 * translated instruction; counting is an inline add, so the cost at run
 * time is one add per instruction.
 *
 *   qemu-riscv64 -plugin ./libinsn_count.so[,lo=ADDR,hi=ADDR][,out=FILE] prog
 *
 * lo/hi restrict counting to [lo, hi) virtual addresses. At exit the
 * counts are written as one JSON line to FILE (or through qemu's log).
 *
 * Debian ships no qemu-plugin.h, so the few API entry points used are
 * declared here from QEMU's documented plugin interface. */
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint64_t qemu_plugin_id_t;
typedef struct qemu_info_t qemu_info_t;
struct qemu_plugin_tb;
struct qemu_plugin_insn;
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);
typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void *userdata);

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, qemu_plugin_vcpu_tb_trans_cb_t cb);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, qemu_plugin_udata_cb_t cb, void *userdata);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb, size_t idx);
const void *qemu_plugin_insn_data(const struct qemu_plugin_insn *insn);
size_t qemu_plugin_insn_size(const struct qemu_plugin_insn *insn);
uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn *insn);
void qemu_plugin_register_vcpu_insn_exec_inline(struct qemu_plugin_insn *insn, enum qemu_plugin_op op,
                                                void *ptr, uint64_t imm);
void qemu_plugin_outs(const char *string);

__attribute__((visibility("default"))) int qemu_plugin_version = 1;

enum { C_SCALAR, C_VSETVL, C_VARITH, C_VLOAD, C_VSTORE, C__N };
static const char *class_name[C__N] = {"scalar", "vsetvl", "vector_arith", "vector_load", "vector_store"};
static uint64_t counts[C__N];
static uint64_t lo, hi = UINT64_MAX;
static char out_path[512];

static int classify(const uint8_t *p, size_t n)
{
    if (n < 4)
        return C_SCALAR; /* compressed */
    uint32_t w = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    uint32_t op = w & 0x7f, f3 = (w >> 12) & 7;
    if (op == 0x57)
        return f3 == 7 ? C_VSETVL : C_VARITH;
    int vec_width = f3 == 0 || f3 == 5 || f3 == 6 || f3 == 7; /* 1/2/4 are scalar FP widths */
    if (op == 0x07 && vec_width)
        return C_VLOAD;
    if (op == 0x27 && vec_width)
        return C_VSTORE;
    return C_SCALAR;
}

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    (void)id;
    size_t n = qemu_plugin_tb_n_insns(tb);
    for (size_t i = 0; i < n; i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        uint64_t va = qemu_plugin_insn_vaddr(insn);
        if (va < lo || va >= hi)
            continue;
        int c = classify(qemu_plugin_insn_data(insn), qemu_plugin_insn_size(insn));
        qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64, &counts[c], 1);
    }
}

static void at_exit(qemu_plugin_id_t id, void *u)
{
    (void)id;
    (void)u;
    char buf[512];
    uint64_t total = 0;
    int off = snprintf(buf, sizeof buf, "{");
    for (int c = 0; c < C__N; c++) {
        off += snprintf(buf + off, sizeof buf - (size_t)off, "\"%s\": %" PRIu64 ", ", class_name[c], counts[c]);
        total += counts[c];
    }
    snprintf(buf + off, sizeof buf - (size_t)off, "\"total\": %" PRIu64 "}\n", total);
    FILE *f = out_path[0] ? fopen(out_path, "w") : NULL;
    if (f) {
        fputs(buf, f);
        fclose(f);
    } else {
        qemu_plugin_outs(buf);
    }
}

__attribute__((visibility("default"))) int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
                                                               int argc, char **argv)
{
    (void)info;
    for (int i = 0; i < argc; i++) {
        if (!strncmp(argv[i], "lo=", 3))
            lo = strtoull(argv[i] + 3, NULL, 0);
        else if (!strncmp(argv[i], "hi=", 3))
            hi = strtoull(argv[i] + 3, NULL, 0);
        else if (!strncmp(argv[i], "out=", 4))
            snprintf(out_path, sizeof out_path, "%s", argv[i] + 4);
        else
            return -1;
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
    qemu_plugin_register_atexit_cb(id, at_exit, NULL);
    return 0;
}
