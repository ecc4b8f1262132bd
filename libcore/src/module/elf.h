/* elf.h - ELF64 little-endian relocatable objects for RISC-V: the
 * --emit=obj output (code + read-only data + symbols), no relocations. */
#ifndef RVVNN_ELF_H
#define RVVNN_ELF_H

#include <stddef.h>
#include <stdint.h>

typedef struct elf_symbol {
    const char *name;
    int in_text;      /* 1: .text, 0: .rodata */
    uint64_t value;   /* offset inside the section */
    uint64_t size;
    int is_func;
    int global;
} elf_symbol;

/* Builds the object into a mem_alloc'd buffer. arch: the
 * .riscv.attributes arch string (e.g. "rv64i2p1_m2p0_..._v1p0"). */
int elf_write_object(const void *text, size_t text_size, const void *rodata, size_t rodata_size,
                     const elf_symbol *syms, size_t n_syms, const char *arch, void **out, size_t *out_len);

#endif
