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
 * value is x*P(x^2)), mean 0.32 ULP; the test asserts <= 2 ULP.
 *
 * sigmoid(x) = 1 / (1 + exp(-x)) with the exp above; x < -88.72 (where
 * the true value is below 2.9e-39, subnormal) gives 0, NaN propagates.
 *
 * tanh(x): |x| < 0.625: x + x*s*P(s), s = x^2, P degree 5 (relative-
 * error fit; the last step is one fused multiply-add); above that
 * sign(x) * (1 - 2/(exp(2|x|) + 1)), which is exactly 1 from |x| = 9.1
 * on; NaN propagates, -0 stays -0.
 *
 * expm1(x): |x| < ln2/2: x + x^2*R(x), R degree 5 (relative-error fit,
 * fused last step); above that exp(x) - 1. Elu and Selu use it.
 *
 * log(x): subnormal x is scaled by 2^23 first; x = 2^k * m with m in
 * [sqrt(1/2), sqrt(2)) split off the bit pattern; with f = m - 1 (exact),
 * s = f/(2+f), h = f^2/2, z = s^2: log(1+f) = f - (h - s*(h + z*P(z))),
 * P degree 3, and k*ln2 added in two parts (the high one exact). x < 0
 * gives NaN, +-0 gives -inf, +inf gives +inf, NaN propagates.
 *
 * Measured by tests/codegen/vmath_ulp.py over every 256th f32 bit pattern
 * plus dense grids (normal results): sigmoid max 2 ULP (mean 0.074),
 * tanh 1 ULP (mean 0.002), expm1 (Elu) 2 ULP (mean 0.003), log 1 ULP
 * (mean 0.015, subnormal inputs included), softplus (eltwise.c, built on
 * exp and log) 3 ULP (mean 0.050). The test asserts 2, 2, 2, 2, 3. */
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

static const float tanh_small[6] = {-0.3333333134651184f, 0.1333320140838623f, -0.053946252912282944f,
                                    0.021698210388422012f, -0.008171789348125458f,
                                    0.002138226991519332f};

static const float expm1_small[6] = {0.5f, 0.1666666716337204f, 0.04166635498404503f,
                                     0.008333378471434116f, 0.001394097926095128f,
                                     0.0001985159033210948f};
static const float log_poly[4] = {0.6666666865348816f, 0.4000012278556824f, 0.28550752997398376f,
                                  0.23331913352012634f};

#define LN2_HI 0.693145751953125f      /* 16 significant bits: k * LN2_HI is exact */
#define LN2_LO 1.4286068203094172e-06f /* ln2 - LN2_HI */
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
    load_f32(a, FA1, LN2_HI);
    asm_vf(a, VF_NMSAC, va, vd, FA1);
    load_f32(a, FA1, LN2_LO);
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

void vmath_sigmoid(cg_asm *a, int vd, int vs, int va, int vb, int vc)
{
    asm_vv(a, VF_SGNJN, vc, vs, vs); /* -x */
    vmath_exp(a, vd, vc, va, vb);
    load_f32(a, FA0, 1.0f);
    asm_vf(a, VF_ADD, vd, vd, FA0);
    asm_vf(a, VF_RDIV, vd, vd, FA0);
}

void vmath_tanh(cg_asm *a, int vd, int vs, int va, int vb, int vc)
{
    /* large |x|: 1 - 2/(exp(2|x|) + 1), sign copied in */
    asm_vv(a, VF_SGNJX, vc, vs, vs);
    asm_vv(a, VF_ADD, vc, vc, vc);
    vmath_exp(a, vd, vc, va, vb);
    load_f32(a, FA0, 1.0f);
    asm_vf(a, VF_ADD, vd, vd, FA0);
    load_f32(a, FA1, 2.0f);
    asm_vf(a, VF_RDIV, vd, vd, FA1);
    asm_vf(a, VF_RSUB, vd, vd, FA0);
    asm_vv(a, VF_SGNJ, vd, vd, vs);
    /* small |x|: x + x*(s*P(s)) */
    asm_vv(a, VF_MUL, vb, vs, vs);
    horner(a, vc, vb, tanh_small, 5);
    asm_vv(a, VF_MUL, vc, vc, vb);
    asm_vv(a, VF_MADD, vc, vs, vs);
    asm_vv(a, VF_SGNJX, vb, vs, vs);
    load_f32(a, FA0, 0.625f);
    asm_vmf_vf(a, VMF_LT, 0, vb, FA0);
    asm_vmerge_vvm(a, vd, vd, vc);
}

void vmath_expm1(cg_asm *a, int vd, int vs, int va, int vb, int vc)
{
    vmath_exp(a, vd, vs, va, vb);
    load_f32(a, FA0, 1.0f);
    asm_vf(a, VF_SUB, vd, vd, FA0);
    horner(a, vc, vs, expm1_small, 5);
    asm_vv(a, VF_MUL, vc, vc, vs);
    asm_vv(a, VF_MADD, vc, vs, vs); /* x*(x*R) + x, one rounding */
    asm_vv(a, VF_SGNJX, va, vs, vs);
    load_f32(a, FA0, 0.34657359027997264f);
    asm_vmf_vf(a, VMF_LT, 0, va, FA0);
    asm_vmerge_vvm(a, vd, vd, vc);
}

void vmath_log(cg_asm *a, int vd, int vs, int va, int vb, int vc, int ve)
{
    /* va = x, subnormals scaled by 2^23 (v0 marks them until k is adjusted) */
    load_f32(a, FA0, 8388608.0f);
    asm_vf(a, VF_MUL, vb, vs, FA0);
    load_f32(a, FA1, 1.17549435e-38f);
    asm_vmf_vf(a, VMF_LT, 0, vs, FA1);
    asm_vmerge_vvm(a, va, vs, vb);
    /* k = (bits - bits(sqrt(1/2))) >> 23, m = bits - (k << 23) */
    asm_li(a, T6, -0x3f3504f3);
    asm_vadd_vx(a, vb, va, T6);
    asm_vsra_vi(a, vb, vb, 23);
    asm_vsll_vi(a, vc, vb, 23);
    asm_vsub_vv(a, va, va, vc);
    asm_vfcvt_f_x(a, vb, vb);
    load_f32(a, FA0, 23.0f);
    asm_vf(a, VF_SUB, vc, vb, FA0);
    asm_vmerge_vvm(a, vb, vb, vc);
    load_f32(a, FA0, 1.0f);
    asm_vf(a, VF_SUB, va, va, FA0);   /* f */
    load_f32(a, FA1, 2.0f);
    asm_vf(a, VF_ADD, vc, va, FA1);
    asm_vv(a, VF_DIV, vc, va, vc);    /* s */
    asm_vv(a, VF_MUL, vd, vc, vc);    /* z */
    horner(a, ve, vd, log_poly, 3);
    asm_vv(a, VF_MUL, ve, ve, vd);    /* R */
    asm_vv(a, VF_MUL, vd, va, va);
    load_f32(a, FA0, 0.5f);
    asm_vf(a, VF_MUL, vd, vd, FA0);   /* h */
    asm_vv(a, VF_ADD, ve, ve, vd);
    asm_vv(a, VF_MUL, ve, ve, vc);    /* s*(h + R) */
    load_f32(a, FA0, LN2_LO);
    asm_vf(a, VF_MACC, ve, vb, FA0);
    asm_vv(a, VF_SUB, ve, ve, vd);
    asm_vv(a, VF_ADD, ve, ve, va);
    load_f32(a, FA0, LN2_HI);
    asm_vf(a, VF_MACC, ve, vb, FA0);
    asm_vmv_v_v(a, vd, ve);
    /* x < 0, +-0, +inf, NaN */
    asm_fmv_w_x(a, FA1, ZERO);
    asm_vmf_vf(a, VMF_LT, 0, vs, FA1);
    load_f32(a, FA0, __builtin_nanf(""));
    asm_vfmerge_vfm(a, vd, vd, FA0);
    asm_vmf_vf(a, VMF_EQ, 0, vs, FA1);
    load_f32(a, FA0, -__builtin_inff());
    asm_vfmerge_vfm(a, vd, vd, FA0);
    load_f32(a, FA0, __builtin_inff());
    asm_vmf_vf(a, VMF_EQ, 0, vs, FA0);
    asm_vfmerge_vfm(a, vd, vd, FA0);
    asm_vmf_vv(a, VMF_NE, 0, vs, vs);
    asm_vmerge_vvm(a, vd, vd, vs);
}
