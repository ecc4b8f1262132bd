/* target.c - the target description: -march strings, LLVM-style feature
 * lists (the seed article's --target-cpu-features), --vlen and
 * --lmul-max, reduced to what the code generators and the module header
 * need. */
#include "codegen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Applies one extension name (without '+'); returns 0 or an error. */
static int apply_ext(cg_target *t, const char *e, size_t n, unsigned *zvl)
{
    char buf[64];
    if (n >= sizeof buf)
        return err_set(RV_EINVAL, "extension name too long");
    memcpy(buf, e, n);
    buf[n] = 0;
    if (strncmp(buf, "zvl", 3) == 0 && n > 4 && buf[n - 1] == 'b') {
        char *end;
        unsigned long v = strtoul(buf + 3, &end, 10);
        if (*end != 'b' || v < 32 || v > 65536 || (v & (v - 1)))
            return err_set(RV_EINVAL, "'%s': VLEN must be a power of two from 32 to 65536", buf);
        if (v > *zvl)
            *zvl = (unsigned)v;
        return 0;
    }
    if (!strcmp(buf, "v")) {
        t->ext |= MOD_EXT_V;
        t->elen = 64;
    } else if (!strcmp(buf, "zve64d")) {
        t->ext |= MOD_EXT_ZVE64D;
        t->elen = 64;
    } else if (!strcmp(buf, "zve64f")) {
        t->ext |= MOD_EXT_ZVE64F;
        t->elen = 64;
    } else if (!strcmp(buf, "zve32f")) {
        t->ext |= MOD_EXT_ZVE32F;
        if (!t->elen)
            t->elen = 32;
    } else if (!strcmp(buf, "zvfh") || !strcmp(buf, "zvfhmin")) {
        t->ext |= MOD_EXT_ZVFH;
    } else if (!strcmp(buf, "m") || !strcmp(buf, "a") || !strcmp(buf, "f") || !strcmp(buf, "d") ||
               !strcmp(buf, "c") || !strcmp(buf, "g") || !strcmp(buf, "i") ||
               !strncmp(buf, "zi", 2) || !strncmp(buf, "zb", 2) || !strcmp(buf, "zfh") ||
               !strcmp(buf, "zfhmin") || !strncmp(buf, "zk", 2) || !strcmp(buf, "zba") ||
               !strcmp(buf, "64bit")) {
        /* scalar extensions: the generated code needs only rv64imafd */
    } else {
        return err_set(RV_EINVAL, "unknown extension '%s'", buf);
    }
    return 0;
}

int cg_target_parse(const char *march, const char *features, int vlen_opt, int lmul_max,
                    cg_target *t)
{
    memset(t, 0, sizeof *t);
    unsigned zvl = 0;
    int rc;
    if (!march && !features)
        march = "rv64gcv";
    if (march) {
        if (strncmp(march, "rv64", 4) != 0)
            return err_set(RV_EINVAL, "-march=%s: only rv64 targets are supported", march);
        const char *p = march + 4;
        /* single-letter extensions up to the first '_' */
        const char *us = strchr(p, '_');
        size_t letters = us ? (size_t)(us - p) : strlen(p);
        for (size_t i = 0; i < letters; i++)
            if ((rc = apply_ext(t, p + i, 1, &zvl)))
                return err_wrap(rc, "-march=%s", march);
        while (us) {
            const char *e = us + 1;
            us = strchr(e, '_');
            size_t n = us ? (size_t)(us - e) : strlen(e);
            if (n && (rc = apply_ext(t, e, n, &zvl)))
                return err_wrap(rc, "-march=%s", march);
        }
    }
    if (features) {
        const char *p = features;
        while (*p) {
            const char *c = strchr(p, ',');
            size_t n = c ? (size_t)(c - p) : strlen(p);
            if (n && (*p == '+' || *p == '-')) {
                if (*p == '+' && (rc = apply_ext(t, p + 1, n - 1, &zvl)))
                    return err_wrap(rc, "--target-cpu-features=%s", features);
            } else if (n) {
                return err_set(RV_EINVAL, "--target-cpu-features=%s: entries look like +v or -c",
                               features);
            }
            p = c ? c + 1 : p + n;
        }
    }
    if (!t->ext)
        return err_set(RV_EINVAL, "%s%s: no vector extension (add v, zve64d, zve64f or zve32f)",
                       march ? "-march=" : "--target-cpu-features=", march ? march : features);
    unsigned base_min = (t->ext & MOD_EXT_V) ? 128 : t->elen == 64 ? 64 : 32;
    if (zvl && zvl < base_min)
        zvl = base_min;
    t->min_vlen = zvl ? zvl : base_min;
    /* zvlNb on its own means "tune for N" (the seed's +zvl1024b);
     * --vlen=0 keeps the code agnostic with N as the minimum. */
    if (vlen_opt < 0)
        t->vlen = zvl;
    else if (vlen_opt == 0)
        t->vlen = 0;
    else {
        if (vlen_opt < (int)base_min || vlen_opt > 65536 || (vlen_opt & (vlen_opt - 1)))
            return err_set(RV_EINVAL, "--vlen=%d: a power of two from %u to 65536 (or 0)", vlen_opt,
                           base_min);
        t->vlen = (unsigned)vlen_opt;
        t->min_vlen = t->vlen;
    }
    if (t->vlen)
        t->min_vlen = t->vlen;
    if (lmul_max == 0)
        lmul_max = 8;
    if (lmul_max != 1 && lmul_max != 2 && lmul_max != 4 && lmul_max != 8)
        return err_set(RV_EINVAL, "--lmul-max=%d: one of 1, 2, 4, 8", lmul_max);
    t->lmul_max = lmul_max;
    snprintf(t->march, sizeof t->march, "rv64gc%s%s%s%s", (t->ext & MOD_EXT_V) ? "v" : "",
             (t->ext & MOD_EXT_ZVE64D) ? "_zve64d" : (t->ext & MOD_EXT_ZVE64F) ? "_zve64f"
             : (t->ext & MOD_EXT_ZVE32F) ? "_zve32f" : "",
             (t->ext & MOD_EXT_ZVFH) ? "_zvfh" : "", "");
    if (t->vlen || zvl) {
        size_t l = strlen(t->march);
        snprintf(t->march + l, sizeof t->march - l, "_zvl%ub", t->vlen ? t->vlen : t->min_vlen);
    }
    return 0;
}
