/* elfread.c - a validating reader for ELF64 RISC-V files (see
 * elfread.h). Untrusted input: every header field is checked before it
 * is used to index the file, and string tables must end in a NUL. */
#include "elfread.h"
#include "../util/mem.h"
#include "../util/status.h"

#include <string.h>

#define EM_RISCV 243
#define SHT_SYMTAB 2
#define SHT_NOBITS 8

static uint16_t u16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t u32(const uint8_t *p) { return (uint32_t)u16(p) | (uint32_t)u16(p + 2) << 16; }
static uint64_t u64(const uint8_t *p) { return (uint64_t)u32(p) | (uint64_t)u32(p + 4) << 32; }

int elf_is_elf(const void *buf, size_t len) { return len >= 4 && !memcmp(buf, "\x7f" "ELF", 4); }

static int in_file(uint64_t off, uint64_t size, size_t len) { return off <= len && size <= len - off; }

/* name at offset off of a string table [base, base + size) */
static const char *str_at(const uint8_t *base, uint64_t size, uint64_t off)
{
    if (off >= size || !memchr(base + off, 0, size - off))
        return NULL;
    return (const char *)base + off;
}

int elf_read(const void *buf, size_t len, elf_view *out)
{
    const uint8_t *b = buf;
    memset(out, 0, sizeof *out);
    if (len < 64 || !elf_is_elf(buf, len))
        return err_set(RV_EFORMAT, "not an ELF file (no ELF header)");
    if (b[4] != 2 || b[5] != 1)
        return err_set(RV_EFORMAT, "ELF class %u, data %u: only ELF64 little-endian is read", b[4], b[5]);
    if (u16(b + 18) != EM_RISCV)
        return err_set(RV_EFORMAT, "ELF machine %u is not RISC-V (243)", u16(b + 18));
    uint64_t shoff = u64(b + 40);
    unsigned shentsize = u16(b + 58), shnum = u16(b + 60), shstrndx = u16(b + 62);
    out->type = u16(b + 16);
    out->flags = u32(b + 48);
    if (shnum && shentsize != 64)
        return err_set(RV_EFORMAT, "ELF e_shentsize %u at offset 58, expected 64", shentsize);
    if (!in_file(shoff, (uint64_t)shnum * 64, len))
        return err_set(RV_EFORMAT, "ELF section headers (offset %llu, %u entries) run past the file's %zu bytes",
                       (unsigned long long)shoff, shnum, len);
    if (shnum && shstrndx >= shnum)
        return err_set(RV_EFORMAT, "ELF e_shstrndx %u is not one of the %u sections", shstrndx, shnum);
    out->sec = mem_calloc(shnum ? shnum : 1, sizeof *out->sec);
    if (!out->sec)
        return err_set(RV_ENOMEM, "out of memory reading an ELF file");
    out->n_sec = shnum;
    const uint8_t *sh = b + shoff;
    const uint8_t *names = NULL;
    uint64_t names_size = 0;
    for (unsigned pass = 0; pass < 2; pass++)
        for (unsigned i = 0; i < shnum; i++) {
            const uint8_t *h = sh + (size_t)i * 64;
            elf_view_section *s = &out->sec[i];
            uint64_t off = u64(h + 24);
            s->type = u32(h + 4);
            s->flags = u64(h + 8);
            s->addr = u64(h + 16);
            s->size = u64(h + 32);
            if (s->type != SHT_NOBITS && i && !in_file(off, s->size, len)) {
                elf_view_free(out);
                return err_set(RV_EFORMAT, "ELF section %u (header at offset %llu): data at %llu, %llu bytes, "
                               "runs past the file's %zu bytes", i, (unsigned long long)(shoff + i * 64u),
                               (unsigned long long)off, (unsigned long long)s->size, len);
            }
            s->data = s->type == SHT_NOBITS || !i ? NULL : b + off;
            if (pass == 0) {
                if (i == shstrndx) {
                    names = s->data;
                    names_size = s->data ? s->size : 0;
                }
                continue;
            }
            s->name = names ? str_at(names, names_size, u32(h)) : "";
            if (!s->name) {
                elf_view_free(out);
                return err_set(RV_EFORMAT, "ELF section %u: name offset %u is outside the section-name table", i,
                               u32(h));
            }
        }
    /* the symbol table and its string table */
    for (unsigned i = 0; i < shnum; i++) {
        const elf_view_section *s = &out->sec[i];
        if (s->type != SHT_SYMTAB)
            continue;
        const uint8_t *h = sh + (size_t)i * 64;
        unsigned link = u32(h + 40);
        uint64_t entsize = u64(h + 56);
        if (entsize != 24 || link >= shnum || !out->sec[link].data || s->size % 24) {
            elf_view_free(out);
            return err_set(RV_EFORMAT, "ELF symbol table (section %u): entry size %llu, string table %u", i,
                           (unsigned long long)entsize, link);
        }
        const elf_view_section *st = &out->sec[link];
        size_t n = s->size / 24;
        out->sym = mem_calloc(n ? n : 1, sizeof *out->sym);
        if (!out->sym) {
            elf_view_free(out);
            return err_set(RV_ENOMEM, "out of memory reading an ELF symbol table");
        }
        out->n_sym = n;
        for (size_t k = 0; k < n; k++) {
            const uint8_t *e = s->data + k * 24;
            elf_view_symbol *y = &out->sym[k];
            y->name = str_at(st->data, st->size, u32(e));
            y->type = e[4] & 15;
            y->bind = e[4] >> 4;
            y->shndx = u16(e + 6);
            y->value = u64(e + 8);
            y->size = u64(e + 16);
            if (!y->name) {
                elf_view_free(out);
                return err_set(RV_EFORMAT, "ELF symbol %zu: name offset %u is outside its string table", k, u32(e));
            }
        }
        break;
    }
    return 0;
}

void elf_view_free(elf_view *v)
{
    mem_free(v->sec);
    mem_free(v->sym);
    memset(v, 0, sizeof *v);
}
