/* elfread.h - reads ELF64 little-endian RISC-V objects and executables
 * far enough to disassemble them: the sections and the symbol table,
 * every offset, size and name checked against the file first. */
#ifndef RVVNN_ELFREAD_H
#define RVVNN_ELFREAD_H

#include <stddef.h>
#include <stdint.h>

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
