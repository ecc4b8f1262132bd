/* convert.c - RVV code for Cast and CastLike between f32, f64, the
 * integer types of 8, 16, 32 and 64 bits, and bool, with the reference
 * executor's semantics so results are bit-identical:
 *  - float -> int truncates toward zero, saturates at the int64 range,
 *    maps NaN to 0, then keeps the low bits of the target width (the
 *    reference goes through int64 the same way): a widening convert to
 *    int64 under frm = round-toward-zero, then narrowing shifts;
 *  - int -> float rounds to nearest even; 64-bit ints go through f64 as
 *    the reference's double does (two roundings, exactly reproduced);
 *  - anything -> bool is `!= 0` (NaN is true); bool -> anything is 0/1.
 * f16 and bf16 are declined (qemu 7.2 has no Zvfhmin), and so is
 * anything 64-bit on an ELEN=32 target. One strip-mined loop over the
 * elements; each strip moves between register groups 8, 16 and 24 as the
 * element width changes. */
#include "codegen.h"
#include "frame.h"

#include <string.h>

typedef struct cv_val {
    int bits;     /* element width */
    int is_float;
    int is_signed;
    int grp;      /* register group holding it */
} cv_val;

/* LMUL of `bits`-wide elements at the vl of 32-bit ones with LMUL L. */
static int lmul_for(int L, int bits)
{
    int num = L * bits;
    return num >= 32 ? num / 32 : -(32 / num);
}

static void set_width(cg_asm *a, int L, int bits)
{
    asm_vsetvli(a, ZERO, ZERO, bits, lmul_for(L, bits));
}

static int other_grp(int g1, int g2)
{
    for (int g = 8; g <= 24; g += 8)
        if (g != g1 && g != g2)
            return g;
    return 8;
}

/* Integer v to `bits` wide: extend (by its signedness) or narrow. */
static void int_width(cg_asm *a, int L, cv_val *v, int bits)
{
    while (v->bits > bits) { /* keep the low half */
        int d = other_grp(v->grp, v->grp);
        set_width(a, L, v->bits / 2);
        asm_vnsrl_wi(a, d, v->grp, 0);
        v->grp = d;
        v->bits /= 2;
    }
    if (v->bits < bits) {
        int d = other_grp(v->grp, v->grp), f = bits / v->bits;
        set_width(a, L, bits);
        if (v->is_signed)
            asm_vsext_vf(a, d, v->grp, f);
        else
            asm_vzext_vf(a, d, v->grp, f);
        v->grp = d;
        v->bits = bits;
    }
}

typedef struct cv_type {
    int bits, is_float, is_signed, is_bool;
} cv_type;

static int type_of(int dt, cv_type *t)
{
    memset(t, 0, sizeof *t);
    switch (dt) {
    case DT_F32: t->bits = 32; t->is_float = 1; return 0;
    case DT_F64: t->bits = 64; t->is_float = 1; return 0;
    case DT_BOOL: t->bits = 8; t->is_bool = 1; return 0;
    case DT_U8: t->bits = 8; return 0;
    case DT_I8: t->bits = 8; t->is_signed = 1; return 0;
    case DT_U16: t->bits = 16; return 0;
    case DT_I16: t->bits = 16; t->is_signed = 1; return 0;
    case DT_U32: t->bits = 32; return 0;
    case DT_I32: t->bits = 32; t->is_signed = 1; return 0;
    case DT_U64: t->bits = 64; return 0;
    case DT_I64: t->bits = 64; t->is_signed = 1; return 0;
    }
    return -1;
}

/* One strip: load (vl already set for e32), convert, store. */
static void convert_strip(cg_asm *a, int L, const cv_type *in, const cv_type *out)
{
    cv_val v = {in->bits, in->is_float, in->is_signed, 8};
    set_width(a, L, in->bits);
    asm_vle(a, in->bits, 8, T2);
    if (out->is_bool) {
        if (v.is_float) {
            asm_vmv_v_i(a, 16, 0); /* +0.0 */
            asm_vmf_vv(a, VMF_NE, 0, 8, 16);
        } else {
            asm_vmsne_vi(a, 0, 8, 0);
        }
        set_width(a, L, 8);
        asm_vmv_v_i(a, 16, 0);
        asm_vmerge_vim(a, 16, 16, 1);
        v.grp = 16;
    } else if (v.is_float && out->is_float) {
        if (v.bits != out->bits) {
            set_width(a, L, 32);
            if (v.bits == 32)
                asm_vfwcvt_f_f(a, 16, 8);
            else
                asm_vfncvt_f_f(a, 16, 8);
            v.grp = 16;
        }
    } else if (v.is_float) { /* -> int64 truncated (frm is RTZ here), NaN -> 0, then narrowed */
        asm_vmf_vv(a, VMF_NE, 0, 8, 8);
        if (v.bits == 32)
            asm_vfwcvt_x_f(a, 16, 8);
        else
            asm_vfcvt_x_f(a, 16, 8);
        set_width(a, L, 64);
        asm_vmerge_vim(a, 16, 16, 0);
        v = (cv_val){64, 0, 1, 16};
        int_width(a, L, &v, out->bits);
    } else if (out->is_float) {
        if (v.bits == 64 || out->bits == 64) { /* through f64, like the reference's double */
            int_width(a, L, &v, 64);
            set_width(a, L, 64);
            if (v.is_signed)
                asm_vfcvt_f_x(a, v.grp, v.grp);
            else
                asm_vfcvt_f_xu(a, v.grp, v.grp);
            if (out->bits == 32) {
                int d = other_grp(v.grp, v.grp);
                set_width(a, L, 32);
                asm_vfncvt_f_f(a, d, v.grp);
                v.grp = d;
            }
        } else {
            int_width(a, L, &v, 32);
            set_width(a, L, 32);
            if (v.is_signed)
                asm_vfcvt_f_x(a, v.grp, v.grp);
            else
                asm_vfcvt_f_xu(a, v.grp, v.grp);
        }
    } else {
        int_width(a, L, &v, out->bits);
    }
    set_width(a, L, out->bits);
    asm_vse(a, out->bits, v.grp, T3);
}

int cg_cast(cg_ctx *c, const ir_node *n)
{
    const ir_graph *g = c->g;
    const ir_value *x = &g->vals[n->in[0]], *y = &g->vals[n->out[0]];
    cv_type in, out;
    int64_t ne;
    if (x->dynamic || y->dynamic || tensor_numel(&y->t, &ne) || ne == 0) {
        c->fallback_reason = "dynamic or empty";
        return RV_EUNSUPPORTED;
    }
    if (type_of(x->t.dtype, &in) || type_of(y->t.dtype, &out)) {
        c->fallback_reason = "f16, bf16 or string types";
        return RV_EUNSUPPORTED;
    }
    int trunc = in.is_float && !out.is_float && !out.is_bool; /* through int64 */
    int via_f64 = !in.is_float && out.is_float && (in.bits == 64 || out.bits == 64);
    int f64 = (in.is_float && in.bits == 64) || (out.is_float && out.bits == 64) || via_f64;
    if (c->tgt->elen < 64 && (in.bits == 64 || out.bits == 64 || trunc)) {
        c->fallback_reason = "needs 64-bit elements (ELEN=32 target)";
        return RV_EUNSUPPORTED;
    }
    if (f64 && !(c->tgt->ext & (MOD_EXT_V | MOD_EXT_ZVE64D))) {
        c->fallback_reason = "needs f64 vectors (V or Zve64d)";
        return RV_EUNSUPPORTED;
    }
    int widest = trunc ? 64 : in.bits > out.bits ? in.bits : out.bits;
    int L = c->tgt->lmul_max;
    while (L > 1 && L * widest / 32 > 8)
        L /= 2;
    uint64_t ids[2];
    int rc = cg_value_tensors(c, (const int[]){n->in[0], n->out[0]}, 2, ids);
    if (rc)
        return rc;
    cg_asm a;
    asm_init(&a);
    frame_enter(&a);
    asm_ld(&a, T2, A0, 0);
    asm_ld(&a, T3, A0, 8);
    asm_li(&a, T1, ne);
    if (trunc)
        asm_fsrmi(&a, FRM_RTZ);
    int loop = asm_label(&a);
    asm_bind(&a, loop);
    asm_vsetvli(&a, T0, T1, 32, L);
    convert_strip(&a, L, &in, &out);
    int sh_in = in.bits == 8 ? 0 : in.bits == 16 ? 1 : in.bits == 32 ? 2 : 3;
    int sh_out = out.bits == 8 ? 0 : out.bits == 16 ? 1 : out.bits == 32 ? 2 : 3;
    asm_slli(&a, S0, T0, sh_in);
    asm_add(&a, T2, T2, S0);
    asm_slli(&a, S0, T0, sh_out);
    asm_add(&a, T3, T3, S0);
    asm_sub(&a, T1, T1, T0);
    asm_bnez(&a, T1, loop);
    if (trunc)
        asm_fsrmi(&a, FRM_RNE);
    frame_leave(&a);
    rc = asm_finish(&a);
    if (!rc)
        rc = cg_step(c, n, ids, 1, 1, NULL, 0, a.w, a.n * 4, (uint64_t)ne,
                     (uint64_t)ne * (uint64_t)(in.bits + out.bits) / 8);
    asm_free(&a);
    return rc;
}
