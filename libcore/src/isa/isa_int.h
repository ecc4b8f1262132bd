/* isa_int.h - what the isa/ files share and nothing else needs: the
 * decode index and operand field packing. */
#ifndef RVVNN_ISA_INT_H
#define RVVNN_ISA_INT_H

#include "isa.h"

void isa_index_ready(void);
/* The aliases of a base row, in table order (printing tries them first). */
const uint16_t *isa_aliases_of(isa_id base, int *n);
/* An operand kind's value in word w (1), or 0 when w is not a legal
 * value for it (copies disagree, a zero that must not be, ...). */
int isa_opk_extract(const isa_opkind *o, uint32_t w, int64_t *out);
int isa_row_extract(isa_id id, uint32_t w, isa_inst *in);
/* The operand's conventional name for messages ("vd", "rs1", "imm"). */
const char *isa_opk_role(const isa_opkind *o);

#endif
