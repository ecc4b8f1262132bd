/* fuzz_disasm.c - the table-driven decoder and printers (isa/): every
 * 16-bit parcel of the input decoded, printed in both syntaxes (also into
 * a truncating buffer) and, when it decodes, packed back. The text must
 * stay inside the buffer, a decoded word must re-pack to its own bits,
 * and a branch target is the address plus an offset within +-1 MiB. */
#include "fuzz.h"
#include "isa/isa.h"

static void print_both(const isa_inst *in, uint64_t pc)
{
    char buf[160], small[12];
    isa_style st[2] = {{.syntax = ISA_OBJDUMP}, {.syntax = ISA_GAS, .label_prefix = ".L"}};
    for (int s = 0; s < 2; s++) {
        isa_print(in, pc, &st[s], buf, sizeof buf);
        if (strnlen(buf, sizeof buf) >= sizeof buf)
            __builtin_trap();
        isa_print(in, pc, &st[s], small, sizeof small);
        if (strnlen(small, sizeof small) >= sizeof small)
            __builtin_trap();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for (size_t a = 0; a + 2 <= size; a += 2) {
        uint32_t w = 0;
        memcpy(&w, data + a, a + 4 <= size ? 4 : 2);
        isa_inst in;
        int len = isa_decode(w, &in);
        if (len != 2 && len != 4)
            __builtin_trap();
        print_both(&in, a);
        if (in.id == ISA_INVALID)
            continue;
        uint64_t t = isa_target(&in, a);
        if (t != UINT64_MAX && (t - a + ((uint64_t)1 << 20)) > ((uint64_t)1 << 21))
            __builtin_trap();
        uint32_t back;
        uint32_t bits = len == 2 ? (w & 0xffffu) : w;
        if (isa_pack(&in, &back) || back != bits)
            __builtin_trap();
    }
    return 0;
}
