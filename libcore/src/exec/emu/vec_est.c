/* vec_est.c - the RVV 1.0 estimate and round-to-odd rows: vfrec7.v and
 * vfrsqrt7.v (the specification's 7-bit lookup tables, so results are
 * exact bit patterns every implementation shares, qemu 7.2 included) and
 * vfncvt.rod.f.f.w (f64 -> f32 rounding to odd). Same conventions as
 * vec.c: tail and inactive elements undisturbed, canonical NaNs. The
 * exception flags are not accumulated (the emulator keeps none for
 * vector rows). */
#include "emu_int.h"

/* The tables as the RVV 1.0 specification lists them (section "Vector
 * Floating-Point Reciprocal Estimate Instruction": output significand
 * bits indexed by the top 7 input significand bits; "... Reciprocal
 * Square-Root Estimate": indexed by the exponent's low bit, then the top
 * 6 significand bits). */
static const uint8_t rec7_table[128] = {
    127, 125, 123, 121, 119, 117, 116, 114, 112, 110, 109, 107, 105, 104, 102, 100,
     99,  97,  96,  94,  93,  91,  90,  88,  87,  85,  84,  83,  81,  80,  79,  77,
     76,  75,  74,  72,  71,  70,  69,  68,  66,  65,  64,  63,  62,  61,  60,  59,
     58,  57,  56,  55,  54,  53,  52,  51,  50,  49,  48,  47,  46,  45,  44,  43,
     42,  41,  40,  40,  39,  38,  37,  36,  35,  35,  34,  33,  32,  31,  31,  30,
     29,  28,  28,  27,  26,  25,  25,  24,  23,  23,  22,  21,  21,  20,  19,  19,
     18,  17,  17,  16,  15,  15,  14,  14,  13,  12,  12,  11,  11,  10,   9,   9,
      8,   8,   7,   7,   6,   5,   5,   4,   4,   3,   3,   2,   2,   1,   1,   0,
};

static const uint8_t rsqrt7_table[128] = {
     52,  51,  50,  48,  47,  46,  44,  43,  42,  41,  40,  39,  38,  36,  35,  34,
     33,  32,  31,  30,  30,  29,  28,  27,  26,  25,  24,  23,  23,  22,  21,  20,
     19,  19,  18,  17,  16,  16,  15,  14,  14,  13,  12,  12,  11,  10,  10,   9,
      9,   8,   7,   7,   6,   6,   5,   4,   4,   3,   3,   2,   2,   1,   1,   0,
    127, 125, 123, 121, 119, 118, 116, 114, 113, 111, 109, 108, 106, 105, 103, 102,
    100,  99,  97,  96,  95,  93,  92,  91,  90,  88,  87,  86,  85,  84,  83,  82,
     80,  79,  78,  77,  76,  75,  74,  73,  72,  71,  70,  70,  69,  68,  67,  66,
     65,  64,  63,  63,  62,  61,  60,  59,  59,  58,  57,  56,  56,  55,  54,  53,
};

/* The float format of an element width: significand and exponent bits. */
typedef struct {
    unsigned s, x;
} ffmt;

static uint64_t mask_n(unsigned n) { return n >= 64 ? ~0ull : (1ull << n) - 1; }

/* Splits a finite non-zero value into sign, unbiased-by-nothing exponent
 * field and fraction, normalizing a subnormal: its exponent becomes 0
 * when the fraction's top bit is the leading one, and one less for each
 * further leading zero; the leading one itself is dropped. */
static void split_norm(uint64_t v, ffmt f, int64_t *exp, uint64_t *sig)
{
    *exp = (int64_t)((v >> f.s) & mask_n(f.x));
    *sig = v & mask_n(f.s);
    if (*exp == 0) {
        while (!(*sig >> (f.s - 1) & 1)) {
            *sig <<= 1;
            (*exp)--;
        }
        *sig = (*sig << 1) & mask_n(f.s);
    }
}

static uint64_t qnan(ffmt f) { return f.s == 23 ? EMU_QNAN32 : EMU_QNAN64; }

/* vfrec7 of one element; rm is frm (0 rne, 1 rtz, 2 rdn, 3 rup), which
 * decides whether a result too large to represent is infinity or the
 * largest finite value */
static uint64_t rec7(uint64_t v, ffmt f, unsigned rm)
{
    uint64_t sign = v >> (f.s + f.x) & 1, expf = (v >> f.s) & mask_n(f.x), frac = v & mask_n(f.s);
    uint64_t sbit = sign << (f.s + f.x), inf = mask_n(f.x) << f.s;
    if (expf == mask_n(f.x))
        return frac ? qnan(f) : sbit; /* NaN; 1/inf = signed zero */
    if (expf == 0 && frac == 0)
        return sbit | inf;            /* 1/0 = signed infinity */
    int64_t exp;
    uint64_t sig;
    split_norm(v, f, &exp, &sig);
    if (exp < -1) { /* the reciprocal overflows */
        int to_max = rm == 1 || (rm == 2 && !sign) || (rm == 3 && sign);
        return sbit | (to_max ? inf - 1 : inf);
    }
    uint64_t out_sig = (uint64_t)rec7_table[sig >> (f.s - 7)] << (f.s - 7);
    int64_t out_exp = 2 * (int64_t)mask_n(f.x - 1) - 1 - exp;
    if (out_exp <= 0) { /* subnormal result: the implicit one shifted in */
        out_sig = (out_sig | 1ull << f.s) >> (1 - out_exp);
        out_exp = 0;
    }
    return sbit | (uint64_t)out_exp << f.s | out_sig;
}

static uint64_t rsqrt7(uint64_t v, ffmt f)
{
    uint64_t sign = v >> (f.s + f.x) & 1, expf = (v >> f.s) & mask_n(f.x), frac = v & mask_n(f.s);
    uint64_t sbit = sign << (f.s + f.x), inf = mask_n(f.x) << f.s;
    if (expf == mask_n(f.x) && frac)
        return qnan(f);
    if (expf == 0 && frac == 0)
        return sbit | inf; /* 1/sqrt(+-0) = +-infinity */
    if (sign)
        return qnan(f);    /* negative (infinity included) */
    if (expf == mask_n(f.x))
        return 0;          /* 1/sqrt(+inf) = +0 */
    int64_t exp;
    uint64_t sig;
    split_norm(v, f, &exp, &sig);
    unsigned idx = (unsigned)(((uint64_t)exp & 1) << 6 | sig >> (f.s - 6));
    uint64_t out_sig = (uint64_t)rsqrt7_table[idx] << (f.s - 7);
    int64_t out_exp = (3 * (int64_t)mask_n(f.x - 1) - 1 - exp) / 2;
    return (uint64_t)out_exp << f.s | out_sig;
}

/* f64 -> f32 rounding to odd: truncate, then make the last bit 1 when
 * anything was lost (overflow gives the largest finite value) */
static uint32_t ncvt_rod(uint64_t v)
{
    double x = emu_f64(v);
    if (x != x)
        return EMU_QNAN32;
    float r = (float)x; /* in the host's mode; corrected towards zero below */
    uint32_t b = emu_b32(r);
    if (fabs((double)r) > fabs(x))
        b--; /* one step towards zero in magnitude (inf -> the largest finite) */
    if ((double)emu_f32(b) != x)
        b |= 1;
    return b;
}

int emu_vec_estimate(emu *e, const emu_insn *d)
{
    unsigned eb = e->vsew, op = d->op;
    if (e->frm > 3)
        return emu_fault(e, "frm %u (RMM or reserved) is not supported by the emulator", e->frm);
    unsigned char *vd = VREG(d->rd);
    const unsigned char *v2 = VREG(d->rs2);
    if (op == ISA_VFNCVT_ROD_F_F_W) {
        if (eb != 4 || !e->has_f64)
            return emu_vec_unsupported(e, d);
        for (uint64_t i = 0; i < e->vl; i++)
            if (ACTIVE(i))
                set_el(vd, i, 4, ncvt_rod(get_el(v2, i, 8)));
        return 0;
    }
    if (eb != 4 && !(eb == 8 && e->has_f64))
        return emu_vec_unsupported(e, d);
    ffmt f = eb == 4 ? (ffmt){23, 8} : (ffmt){52, 11};
    for (uint64_t i = 0; i < e->vl; i++) {
        if (!ACTIVE(i))
            continue;
        uint64_t v = get_el(v2, i, eb);
        set_el(vd, i, eb, op == ISA_VFREC7_V ? rec7(v, f, e->frm) : rsqrt7(v, f));
    }
    return 0;
}
