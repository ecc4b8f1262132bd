/* cmd_disasm.c - `rvvnn disasm FILE`: RISC-V code in objdump -d's
 * layout (address, instruction bits, mnemonic and operands, <symbol>
 * labels and branch targets) from an ELF object or executable (every
 * executable section, with its symbols), an rvvnn module (its RVV
 * steps) or raw bytes (--raw, at --base). The text comes from the ISA
 * table's printer; tests/cli/disasm.py compares it with objdump. */
#include "cli.h"
#include "isa/isa.h"
#include "module/elf.h"
#include "module/format.h"
#include "module/module.h"
#include "util/mem.h"
#include "util/npy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct dsym {
    const char *name;
    uint64_t addr;
    int rank, order;
} dsym;

typedef struct listing {
    FILE *f;
    const dsym *syms; /* sorted by address, the preferred label first */
    size_t n;
    int words_only;   /* rvvnn module code: 32-bit words, no compressed parcels */
} listing;

static int by_addr(const void *x, const void *y)
{
    const dsym *a = x, *b = y;
    if (a->addr != b->addr)
        return a->addr < b->addr ? -1 : 1;
    if (a->rank != b->rank)
        return b->rank - a->rank;
    return a->order - b->order;
}

/* " <sym>" or " <sym+0x..>" for a branch target, as objdump writes it */
static void symbolize(void *ctx, uint64_t addr, char *buf, size_t cap)
{
    const listing *L = ctx;
    size_t lo = 0, hi = L->n;
    while (lo < hi) { /* first symbol above addr */
        size_t mid = (lo + hi) / 2;
        if (L->syms[mid].addr <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    buf[0] = 0;
    if (!lo)
        return;
    size_t k = lo - 1;
    while (k && L->syms[k - 1].addr == L->syms[k].addr)
        k--;
    const dsym *s = &L->syms[k];
    if (s->addr == addr)
        snprintf(buf, cap, " <%s>", s->name);
    else
        snprintf(buf, cap, " <%s+0x%llx>", s->name, (unsigned long long)(addr - s->addr));
}

/* objdump drops the address digits that are zero up to the range's end,
 * keeping a multiple of four */
static int addr_skip(uint64_t end, uint64_t start)
{
    char b[24];
    snprintf(b, sizeof b, "%016llx", (unsigned long long)end);
    int skip = 0;
    while (b[skip] == '0')
        skip++;
    if (!b[skip] && start)
        skip = 0;
    return skip ? (skip - 1) & -4 : 0;
}

static void put_line(FILE *f, uint64_t pc, int skip, const char *hex, int bytes, const char *text)
{
    char a[24];
    snprintf(a, sizeof a, "%016llx", (unsigned long long)pc);
    char *s = a + skip;
    for (char *p = s; *p == '0' && p[1]; p++)
        *p = ' ';
    /* objdump pads the bits to 8 bytes' worth of chunks */
    int pad = 1 + (8 - bytes) * 2 + (8 - bytes) / bytes;
    fprintf(f, "%s:\t%s%*s\t%s\n", s, hex, pad, "", text);
}

static void list_range(const listing *L, const uint8_t *code, uint64_t size, uint64_t base, int skip)
{
    size_t si = 0;
    for (uint64_t off = 0; off < size;) {
        uint64_t pc = base + off;
        while (si < L->n && L->syms[si].addr < pc)
            si++;
        if (si < L->n && L->syms[si].addr == pc) {
            fprintf(L->f, "\n%016llx <%s>:\n", (unsigned long long)pc, L->syms[si].name);
            while (si < L->n && L->syms[si].addr == pc)
                si++;
        }
        uint64_t left = size - off;
        char hex[16], text[256];
        if (left < 2 || (L->words_only && left < 4)) {
            snprintf(hex, sizeof hex, "%02x", code[off]);
            snprintf(text, sizeof text, ".byte\t0x%x", code[off]);
            put_line(L->f, pc, skip, hex, 1, text);
            off++;
            continue;
        }
        uint32_t w = (uint32_t)code[off] | (uint32_t)code[off + 1] << 8;
        int len = (w & 3) == 3 || L->words_only ? 4 : 2;
        if (len == 4 && left < 4)
            len = 2;
        else if (len == 4)
            w |= (uint32_t)code[off + 2] << 16 | (uint32_t)code[off + 3] << 24;
        isa_inst in;
        if (isa_decode(w, &in) != len) /* a 32-bit parcel cut short, or a module word with low bits != 11 */
            in = (isa_inst){.id = ISA_INVALID, .word = len == 2 ? w & 0xffff : w, .len = (uint8_t)len};
        isa_print(&in, pc, &(isa_style){ISA_OBJDUMP, NULL, symbolize, (void *)L}, text, sizeof text);
        snprintf(hex, sizeof hex, len == 2 ? "%04x" : "%08x", in.word);
        put_line(L->f, pc, skip, hex, len, text);
        off += (uint64_t)len;
    }
}

static int list_elf(const char *path, const void *buf, size_t len)
{
    elf_view v;
    int rc = elf_read(buf, len, &v);
    if (rc)
        return err_wrap(rc, "%s", path);
    dsym *syms = mem_calloc(v.n_sym + 1, sizeof *syms);
    if (!syms) {
        elf_view_free(&v);
        return err_set(RV_ENOMEM, "out of memory");
    }
    printf("\n%s:     file format elf64-littleriscv\n\n", path);
    for (size_t i = 1; i < v.n_sec; i++) {
        const elf_view_section *s = &v.sec[i];
        if (!(s->flags & ELF_SHF_EXECINSTR) || !s->data || !s->size)
            continue;
        size_t n = 0;
        for (size_t k = 0; k < v.n_sym; k++) {
            const elf_view_symbol *y = &v.sym[k];
            /* as objdump: no mapping symbols ($x, $d) and not the ".L0 " the
             * assemblers make for relocations */
            if (y->shndx != i || y->type == ELF_STT_SECTION || y->type == ELF_STT_FILE || !y->name[0] ||
                y->name[0] == '$' || !strcmp(y->name, ".L0 "))
                continue;
            syms[n++] = (dsym){y->name, y->value, (y->bind == 1) * 2 + (y->type == 2), (int)k};
        }
        qsort(syms, n, sizeof *syms, by_addr);
        listing L = {stdout, syms, n, 0};
        printf("\nDisassembly of section %s:\n", s->name);
        if (!n || syms[0].addr != s->addr) /* objdump labels the start with the section's name */
            printf("\n%016llx <%s>:\n", (unsigned long long)s->addr, s->name);
        list_range(&L, s->data, s->size, s->addr, addr_skip(s->addr + s->size, s->addr));
    }
    mem_free(syms);
    elf_view_free(&v);
    return 0;
}

int disasm_module_text(const rvv_module *m, FILE *f)
{
    uint64_t size = m->hdr->sec[SEC_CODE].size;
    int skip = addr_skip(size, 0);
    char name[200];
    for (uint32_t si = 0; si < m->hdr->n_steps; si++) {
        const mod_step *st = &m->steps[si];
        if (st->kind != MOD_STEP_RVV)
            continue;
        /* names come from untrusted models: one line, printable */
        snprintf(name, sizeof name, "step %u: %s (%s)", si, module_str(m, st->name), module_str(m, st->op));
        for (char *p = name; *p; p++)
            if ((unsigned char)*p < 0x20 || *p == 0x7f)
                *p = '?';
        dsym s = {name, st->code_off, 0, 0};
        listing L = {f, &s, 1, 1};
        list_range(&L, m->code + st->code_off, st->code_size, st->code_off, skip);
    }
    return 0;
}

static int list_module(const char *path, void *buf, size_t len)
{
    rvv_module *m;
    int rc = module_load(buf, len, &cli_limits, &m);
    if (rc)
        return err_wrap(rc, "%s", path);
    printf("%s:\tfile format rvvmod (%s)\n", path, module_str(m, m->hdr->march));
    rc = disasm_module_text(m, stdout);
    module_free(m);
    return rc;
}

static const char disasm_help[] =
    "usage: rvvnn disasm FILE [--raw [--base=ADDR]]\n"
    "\n"
    "Prints RISC-V code in objdump -d's layout (address, instruction bits,\n"
    "mnemonic and operands) from an ELF object or executable (its executable\n"
    "sections, with symbols), an rvvnn module (.rvvmod: one block per RVV step,\n"
    "labelled with its node and op), or with --raw the file's bytes as code\n"
    "starting at ADDR (default 0; hex with 0x, or decimal).\n";

int cmd_disasm(int argc, char **argv)
{
    const char *path = NULL, *base_s = NULL, *v;
    int raw = 0, lr;
    for (int i = 1; i < argc; i++) {
        if (cli_flag(argv[i], "--help") || cli_flag(argv[i], "-h")) {
            fputs(disasm_help, stdout);
            cli_limits_help(stdout);
            return EXIT_OK;
        } else if ((lr = cli_limit_opt("disasm", argc, argv, &i))) {
            if (lr < 0)
                return EXIT_ERROR;
        } else if (cli_flag(argv[i], "--raw")) {
            raw = 1;
        } else if ((v = cli_opt(argc, argv, &i, "--base"))) {
            base_s = v;
        } else if (argv[i][0] == '-') {
            return cli_usage_error("disasm", "unknown option '%s'", argv[i]);
        } else if (!path) {
            path = argv[i];
        } else {
            return cli_usage_error("disasm", "more than one file given");
        }
    }
    if (!path)
        return cli_usage_error("disasm", "no file given");
    if (base_s && !raw)
        return cli_usage_error("disasm", "--base applies to --raw code only");
    uint64_t base = 0;
    if (base_s) {
        char *end;
        base = strtoull(base_s, &end, 0);
        if (!*base_s || *end || base_s[0] == '-')
            return cli_usage_error("disasm", "--base='%s' is not an address", base_s);
    }
    void *buf;
    size_t len;
    int rc = file_read_all(path, cli_limits.max_file_bytes, &buf, &len);
    if (rc)
        return cli_error("disasm", rc);
    if (raw) {
        printf("%s:\traw RISC-V code at 0x%llx\n", path, (unsigned long long)base);
        listing L = {stdout, NULL, 0, 0};
        list_range(&L, buf, len, base, addr_skip(base + len, base));
    } else if (elf_is_elf(buf, len)) {
        rc = list_elf(path, buf, len);
    } else if (len >= sizeof MOD_MAGIC - 1 && !memcmp(buf, MOD_MAGIC, sizeof MOD_MAGIC - 1)) {
        rc = list_module(path, buf, len);
        buf = NULL; /* module_load took it */
    } else {
        rc = err_set(RV_EFORMAT, "%s is neither an ELF file nor an rvvnn module (give --raw for raw code)", path);
    }
    mem_free(buf);
    return rc ? cli_error("disasm", rc) : EXIT_OK;
}
