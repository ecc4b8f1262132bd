/* vmath.h - vector f32 exp, expm1, log, erf, sigmoid and tanh as RVV
 * instruction sequences, for the generators that need them (Exp, Erf,
 * Sigmoid, Tanh, Log, Elu, Softplus, Softmax, reductions, GELU,
 * activation epilogues). Each works on
 * the current vl/LMUL, reads vs (left intact), writes vd, and clobbers
 * the scratch groups it is given, the mask register v0, fa0, fa1 and t6.
 * Coefficients come from tools/fit_vmath.py; the error bounds are
 * measured by tests/codegen (see vmath.c). */
#ifndef RVVNN_CG_VMATH_H
#define RVVNN_CG_VMATH_H

#include "asm.h"

void vmath_exp(cg_asm *a, int vd, int vs, int va, int vb);
void vmath_erf(cg_asm *a, int vd, int vs, int va, int vb, int vc);
/* 1 / (1 + exp(-x)); vd, vs, va, vb, vc distinct groups. */
void vmath_sigmoid(cg_asm *a, int vd, int vs, int va, int vb, int vc);
void vmath_tanh(cg_asm *a, int vd, int vs, int va, int vb, int vc);
/* exp(x) - 1, accurate near 0. */
void vmath_expm1(cg_asm *a, int vd, int vs, int va, int vb, int vc);
/* Natural log; four scratch groups. */
void vmath_log(cg_asm *a, int vd, int vs, int va, int vb, int vc, int ve);

#endif
