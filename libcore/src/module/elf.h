/* elf.h - ELF64 little-endian for RISC-V. Writing relocatable objects:
 * code in .text, read-only data in .rodata, symbols (defined in either
 * section, or undefined for the linker to resolve), relocations against
 * .text, and the .riscv.attributes arch string (--emit=obj; linkable by
 * riscv64-linux-gnu-ld). Reading objects and executables far enough to
 * disassemble them: sections and the symbol table, every offset, size
 * and name checked against the file first (rvvnn disasm). */
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


/* --- reading --- */
typedef struct elf_view_section {
    const char *name;
    uint32_t type;
    uint64_t flags, addr, size;
    const uint8_t *data; /* inside the buffer; NULL for SHT_NOBITS */
} elf_view_section;

typedef struct elf_view_symbol {
    const char *name;
    uint64_t value, size;
    uint16_t shndx;
    uint8_t type, bind;
} elf_view_symbol;

typedef struct elf_view {
    uint16_t type;     /* ET_REL, ET_EXEC, ... */
    uint32_t flags;    /* EF_RISCV_* */
    elf_view_section *sec;
    size_t n_sec;
    elf_view_symbol *sym;
    size_t n_sym;
} elf_view;

#define ELF_SHF_EXECINSTR 0x4
#define ELF_STT_SECTION 3
#define ELF_STT_FILE 4

/* 1 if buf starts like an ELF file. */
int elf_is_elf(const void *buf, size_t len);
/* Parses buf (kept alive by the caller): 0, RV_EFORMAT naming the field
 * and offset that is wrong, or RV_ENOMEM. */
int elf_read(const void *buf, size_t len, elf_view *out);
void elf_view_free(elf_view *v);

#endif
