/* vmath.h - vector f32 exp and erf as RVV instruction sequences, for
 * the generators that need them (Exp, Erf, Softmax, GELU). Each works on
 * the current vl/LMUL, reads vs (left intact), writes vd, and clobbers
 * the scratch groups it is given, the mask register v0, fa0, fa1 and t6.
 * Coefficients come from tools/fit_vmath.py; the error bounds are
 * measured by tests/codegen (see vmath.c). */
#ifndef RVVNN_CG_VMATH_H
#define RVVNN_CG_VMATH_H

#include "asm.h"

void vmath_exp(cg_asm *a, int vd, int vs, int va, int vb);
void vmath_erf(cg_asm *a, int vd, int vs, int va, int vb, int vc);

#endif
