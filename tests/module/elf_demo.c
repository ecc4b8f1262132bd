/* elf_demo.c - writes a small relocatable object through elf_write for
 * elf_link.py to link and run: answer() calls the undefined ext_add()
 * (R_RISCV_CALL_PLT) and loads a value from .rodata pc-relatively
 * (R_RISCV_PCREL_HI20 + PCREL_LO12_I), returning ext_add(40, 2) + 100.
 * Also checks elf_write's refusals of out-of-range symbols/relocations.
 *
 * usage: elf_demo OUT.o */
#include "check.h"
#include "isa/isa.h"
#include "module/elf.h"
#include "util/mem.h"
#include "util/status.h"

#include <stdio.h>
#include <string.h>

static uint32_t text[32];
static int n;

static size_t ins(isa_inst in)
{
    uint32_t w = 0;
    in.vm = 1;
    CHECK_MSG(isa_encode(&in, NULL, &w) == 0, "%s", err_message());
    text[n] = w;
    return (size_t)n++ * 4;
}

int main(int argc, char **argv)
{
    enum { RA = 1, SP = 2, T0 = 5, T1 = 6, A0 = 10, A1 = 11 };
    static const uint64_t table[2] = {100, 7};
    ins((isa_inst){.id = ISA_ADDI, .rd = SP, .rs1 = SP, .imm = -16});
    ins((isa_inst){.id = ISA_SD, .rs2 = RA, .rs1 = SP});
    ins((isa_inst){.id = ISA_LI, .rd = A0, .imm = 40});
    ins((isa_inst){.id = ISA_LI, .rd = A1, .imm = 2});
    size_t call = ins((isa_inst){.id = ISA_AUIPC, .rd = RA});
    ins((isa_inst){.id = ISA_JALR, .rd = RA, .rs1 = RA});
    ins((isa_inst){.id = ISA_MV, .rd = T0, .rs1 = A0});
    size_t hi = ins((isa_inst){.id = ISA_AUIPC, .rd = T1});
    size_t lo = ins((isa_inst){.id = ISA_LD, .rd = T1, .rs1 = T1});
    ins((isa_inst){.id = ISA_ADD, .rd = A0, .rs1 = T0, .rs2 = T1});
    ins((isa_inst){.id = ISA_LD, .rd = RA, .rs1 = SP});
    ins((isa_inst){.id = ISA_ADDI, .rd = SP, .rs1 = SP, .imm = 16});
    ins((isa_inst){.id = ISA_RET});
    const elf_symbol syms[] = {
        {"answer", ELF_TEXT, 0, (uint64_t)n * 4, 1, 1},
        {"ext_add", ELF_UNDEF, 0, 0, 0, 1},
        {"demo_table", ELF_RODATA, 0, sizeof table, 0, 1},
        {".Ldemo_hi", ELF_TEXT, hi, 0, 0, 0},
    };
    const elf_reloc relocs[] = {
        {call, ELF_R_RISCV_CALL_PLT, 1, 0},
        {hi, ELF_R_RISCV_PCREL_HI20, 2, 0},
        {lo, ELF_R_RISCV_PCREL_LO12_I, 3, 0},
    };
    elf_object o = {text, (size_t)n * 4, table, sizeof table, syms, 4, relocs, 3,
                    "rv64i2p1_m2p0_a2p1_f2p2_d2p2"};
    void *obj = NULL;
    size_t len = 0;
    CHECK(elf_write(&o, &obj, &len) == 0 && len > 0);
    FILE *f = argc > 1 ? fopen(argv[1], "wb") : NULL;
    CHECK_MSG(f && fwrite(obj, 1, len, f) == len, "cannot write %s", argc > 1 ? argv[1] : "(no path)");
    if (f)
        fclose(f);
    mem_free(obj);

    /* refusals name the symbol or relocation */
    elf_symbol bad_sym = {"past_end", ELF_RODATA, 8, 16, 0, 1};
    elf_object b = o;
    b.syms = &bad_sym;
    b.n_syms = 1;
    b.n_relocs = 0;
    CHECK(elf_write(&b, &obj, &len) == RV_EINVAL && strstr(err_message(), "past_end") && !obj);
    elf_reloc bad_rel = {(uint64_t)n * 4 - 2, ELF_R_RISCV_CALL_PLT, 0, 0};
    b = o;
    b.relocs = &bad_rel;
    b.n_relocs = 1;
    CHECK(elf_write(&b, &obj, &len) == RV_EINVAL && strstr(err_message(), "relocation 0") && !obj);
    bad_rel = (elf_reloc){0, ELF_R_RISCV_CALL_PLT, 9, 0};
    CHECK(elf_write(&b, &obj, &len) == RV_EINVAL && strstr(err_message(), "symbol 9"));
    return check_done();
}
