/* disasm.h - text for the instruction forms the code generators emit:
 * GNU-as syntax that riscv64-linux-gnu-as -march=rv64gcv assembles back
 * to the same words, for `rvvnn compile --emit=asm` and `rvvnn disasm`. */
#ifndef RVVNN_CG_DISASM_H
#define RVVNN_CG_DISASM_H

#include <stddef.h>
#include <stdint.h>

/* Formats word w at byte address pc into buf. Branch and jump targets
 * are printed as label_prefix + target address (hex), and *target gets
 * the target address (or UINT64_MAX when w is not a branch). Words the
 * table does not know print as ".word 0x...". Returns buf. */
const char *disasm_word(uint32_t w, uint64_t pc, const char *label_prefix, char *buf, size_t cap,
                        uint64_t *target);

#endif
