/* fuzz_disasm.c - the instruction decoder: every 32-bit word of the
 * input at its offset, with and without a label prefix. The text must
 * stay inside the buffer, and a branch target, when there is one, is
 * the word's address plus a sign-extended offset within +-1 MiB. */
#include "fuzz.h"
#include "codegen/disasm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char buf[160], small[12];
    for (size_t a = 0; a + 4 <= size; a += 4) {
        uint32_t w;
        uint64_t t;
        memcpy(&w, data + a, 4);
        disasm_word(w, a, ".L", buf, sizeof buf, &t);
        if (strnlen(buf, sizeof buf) >= sizeof buf)
            __builtin_trap();
        if (t != UINT64_MAX && (t - a + ((uint64_t)1 << 20)) > ((uint64_t)1 << 21))
            __builtin_trap();
        disasm_word(w, (uint64_t)1 << 40, "", small, sizeof small, &t); /* truncating buffer */
        if (strnlen(small, sizeof small) >= sizeof small)
            __builtin_trap();
    }
    return 0;
}
