/* vmath.c - exp and erf for f32 vectors.
 *
 * exp(x): clamp x to [-87.3365, 88.7228], n = round(x*log2(e)),
 * r = x - n*ln2 (ln2 split hi/lo so r is exact to f32), p = degree-6
 * polynomial for e^r on [-ln2/2, ln2/2], result p * 2^(n>>1) *
 * 2^(n-(n>>1)) (two factors so n = 128 and n = -126 stay representable).
 * x < -87.3365 gives 0 (results there would be subnormal), x > 88.7228
 * gives +inf, NaN propagates. Measured over every 64th f32 bit pattern
 * plus dense grids (tests/codegen/vmath_ulp.py): max 1 ULP, mean 0.008
 * ULP, where the result is a normal float; the test asserts <= 2 ULP.
 *
 * erf(x): |x| < 1: x * P(x^2), P degree 6 (relative-error fit);
 * 1 <= |x| < 4: Q(|x| - 2.5), Q degree 12 (absolute-error fit);
 * |x| >= 4: 1 (erf(4) rounds to 1 in f32); the sign of x is copied in;
 * NaN propagates. Measured the same way: max 2 ULP (near 0, where the
 * value is x*P(x^2)), mean 0.32 ULP; the test asserts <= 2 ULP. */
#include "vmath.h"
#include "frame.h"

static const float exp_poly[7] = {1.0f, 1.0f, 0.49999991059303284f, 0.1666642129421234f,
                                  0.0416683591902256f, 0.008374771103262901f,
                                  0.0013829420786350965f};
static const float erf_small[7] = {1.128379225730896f, -0.3761262893676758f, 0.11283612251281738f,
                                   -0.026854807510972023f, 0.0051900530233979225f,
                                   -0.000802435155492276f, 7.898201874922961e-05f};
static const float erf_large[13] = {
    0.9995930790901184f, 0.0021779793314635754f, -0.005447070114314556f, 0.008354324847459793f,
    -0.008612779900431633f, 0.0061000254936516285f, -0.0028237542137503624f,
    0.0005742026842199266f, 0.0002919994294643402f, -0.00028087192913517356f,
    5.941381095908582e-05f, 2.1406009182101116e-05f, -8.709440407983493e-06f};

#define EXP_HI 88.72283935546875f
#define EXP_LO -87.33654022216797f

/* vd = poly(vx) by Horner: vd = c[n]; vd = vd*vx + c[k] */
static void horner(cg_asm *a, int vd, int vx, const float *c, int n)
{
    load_f32(a, FA1, c[n]);
    asm_vfmv_v_f(a, vd, FA1);
    for (int k = n - 1; k >= 0; k--) {
        asm_vv(a, VF_MUL, vd, vd, vx);
        load_f32(a, FA1, c[k]);
        asm_vf(a, VF_ADD, vd, vd, FA1);
    }
}

void vmath_exp(cg_asm *a, int vd, int vs, int va, int vb)
{
    load_f32(a, FA0, EXP_HI);
    asm_vf(a, VF_MIN, va, vs, FA0);
    load_f32(a, FA0, EXP_LO);
    asm_vf(a, VF_MAX, va, va, FA0);
    load_f32(a, FA1, 1.4426950408889634f);
    asm_vf(a, VF_MUL, vb, va, FA1);
    asm_vfcvt_x_f(a, vb, vb);           /* n, round to nearest even */
    asm_vfcvt_f_x(a, vd, vb);           /* n as float */
    load_f32(a, FA1, 0.693145751953125f);     /* ln2 high part: 16 significant bits */
    asm_vf(a, VF_NMSAC, va, vd, FA1);
    load_f32(a, FA1, 1.4286068203094172e-06f); /* ln2 - high part */
    asm_vf(a, VF_NMSAC, va, vd, FA1);
    horner(a, vd, va, exp_poly, 6);
    /* scale by 2^n in two halves */
    asm_vsra_vi(a, va, vb, 1);
    asm_vsub_vv(a, vb, vb, va);
    asm_li(a, T6, 127);
    asm_vadd_vx(a, va, va, T6);
    asm_vsll_vi(a, va, va, 23);
    asm_vadd_vx(a, vb, vb, T6);
    asm_vsll_vi(a, vb, vb, 23);
    asm_vv(a, VF_MUL, vd, vd, va);
    asm_vv(a, VF_MUL, vd, vd, vb);
    /* out of range and NaN */
    load_f32(a, FA0, EXP_LO);
    asm_vmf_vf(a, VMF_LT, 0, vs, FA0);
    asm_fmv_w_x(a, FA1, ZERO);
    asm_vfmerge_vfm(a, vd, vd, FA1);
    load_f32(a, FA0, EXP_HI);
    asm_vmf_vf(a, VMF_GT, 0, vs, FA0);
    load_f32(a, FA1, __builtin_inff());
    asm_vfmerge_vfm(a, vd, vd, FA1);
    asm_vmf_vv(a, VMF_NE, 0, vs, vs);
    asm_vmerge_vvm(a, vd, vd, vs);
}

void vmath_erf(cg_asm *a, int vd, int vs, int va, int vb, int vc)
{
    asm_vv(a, VF_SGNJX, va, vs, vs); /* |x| */
    load_f32(a, FA0, 4.0f);
    asm_vf(a, VF_MIN, va, va, FA0);
    load_f32(a, FA0, -2.5f);
    asm_vf(a, VF_ADD, vb, va, FA0);
    horner(a, vd, vb, erf_large, 12);
    asm_vv(a, VF_MUL, vb, va, va);
    horner(a, vc, vb, erf_small, 6);
    asm_vv(a, VF_MUL, vc, vc, va);
    load_f32(a, FA0, 1.0f);
    asm_vmf_vf(a, VMF_LT, 0, va, FA0);
    asm_vmerge_vvm(a, vd, vd, vc);
    load_f32(a, FA0, 4.0f);
    asm_vmf_vf(a, VMF_GE, 0, va, FA0);
    load_f32(a, FA1, 1.0f);
    asm_vfmerge_vfm(a, vd, vd, FA1);
    asm_vv(a, VF_SGNJ, vd, vd, vs);
    asm_vmf_vv(a, VMF_NE, 0, vs, vs);
    asm_vmerge_vvm(a, vd, vd, vs);
}
