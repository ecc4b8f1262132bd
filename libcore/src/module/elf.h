/* elf.h - ELF64 little-endian relocatable objects for RISC-V: code in
 * .text, read-only data in .rodata, symbols (defined in either section,
 * or undefined for the linker to resolve), relocations against .text,
 * and the .riscv.attributes arch string. Used by --emit=obj; linkable
 * by riscv64-linux-gnu-ld. */
#ifndef RVVNN_ELF_H
#define RVVNN_ELF_H

#include <stddef.h>
#include <stdint.h>

/* relocation types the writer's users emit (psABI numbering) */
enum {
    ELF_R_RISCV_64 = 2,
    ELF_R_RISCV_CALL_PLT = 19,      /* auipc + jalr pair, at the auipc */
    ELF_R_RISCV_PCREL_HI20 = 23,    /* auipc: upper part of symbol - pc */
    ELF_R_RISCV_PCREL_LO12_I = 24,  /* I-type low part; its symbol labels the auipc */
    ELF_R_RISCV_PCREL_LO12_S = 25,
};

enum { ELF_UNDEF = 0, ELF_TEXT = 1, ELF_RODATA = 2 };

typedef struct elf_symbol {
    const char *name;
    int section;      /* ELF_TEXT, ELF_RODATA, or ELF_UNDEF (defined elsewhere) */
    uint64_t value;   /* offset inside the section */
    uint64_t size;
    int is_func;      /* FUNC; else OBJECT, or NOTYPE for a size-0 label */
    int global;
} elf_symbol;

typedef struct elf_reloc {
    uint64_t offset;  /* in .text */
    uint32_t type;    /* ELF_R_RISCV_* */
    uint32_t symbol;  /* index into elf_object.syms */
    int64_t addend;
} elf_reloc;

typedef struct elf_object {
    const void *text;
    size_t text_size;
    const void *rodata;
    size_t rodata_size;
    const elf_symbol *syms;
    size_t n_syms;
    const elf_reloc *relocs;
    size_t n_relocs;
    const char *arch; /* Tag_RISCV_arch, e.g. "rv64i2p1_m2p0_a2p1_f2p2_d2p2_v1p0" */
} elf_object;

/* Builds the object into a mem_alloc'd buffer: 0, RV_EINVAL for a
 * symbol or relocation that points outside its section, or RV_ENOMEM. */
int elf_write(const elf_object *o, void **out, size_t *out_len);

#endif
