/* conv_c.c - the baseline for the per-layer convolution benchmark
 * (conv_insn.py): one Conv layer as the plain C loops a competent user
 * would write, built with clang-19 -O3 -march=rv64gcv. NCHW f32, direct
 * convolution, bias, optional ReLU or ReLU6 (Clip 0..6), any strides, pads,
 * dilations and groups (depthwise included). The innermost loop runs over
 * the output width with the valid range computed beforehand, so it has no
 * branch and clang vectorises it (unit-stride for stride 1; stride 2 is
 * written with a constant stride, as clang vectorises a variable stride
 * only when it is 1 at run time); a 1x1 stride-1 unpadded (pointwise)
 * layer runs it over the whole plane, as a user would write that GEMM-like
 * case. No intrinsics, no hand tuning.
 *
 *   conv_c N C H W M KH KW SH SW PT PL PB PR DH DW G ACT REPS [IN WT BIAS OUT]
 *
 * ACT is 0 (none), 1 (ReLU) or 2 (ReLU6). REPS is how many times the layer
 * runs (0 runs none: the benchmark subtracts that count as start-up). IN,
 * WT, BIAS are raw little-endian f32 files (x NCHW, w M x C/G x KH x KW,
 * bias M); OUT receives y NCHW as raw f32. Without files the data is
 * deterministic and the last output value is printed. Exit 2 on bad
 * arguments or I/O. */
#include <stdio.h>
#include <stdlib.h>

typedef struct geom {
    int n, c, h, w, m, kh, kw, sh, sw, pt, pl, pb, pr, dh, dw, g, act;
    int oh, ow;
} geom;

/* first and one-past-last output column whose input column
 * ow*sw - pl + k*dw lies in [0, w) */
static void ow_range(const geom *q, int k, int *lo, int *hi)
{
    int off = k * q->dw - q->pl, a = 0, b = q->ow;
    while (a < b && a * q->sw + off < 0)
        a++;
    while (b > a && (b - 1) * q->sw + off >= q->w)
        b--;
    *lo = a;
    *hi = b;
}

__attribute__((noinline)) static void conv(const geom *q, const float *restrict x, const float *restrict wt,
                                           const float *restrict bias, float *restrict y)
{
    int cg = q->c / q->g, mg = q->m / q->g, plane = q->oh * q->ow;
    int pointwise = q->kh == 1 && q->kw == 1 && q->sh == 1 && q->sw == 1 && !(q->pt | q->pl | q->pb | q->pr);
    for (int n = 0; n < q->n; n++)
        for (int g = 0; g < q->g; g++)
            for (int mo = 0; mo < mg; mo++) {
                int m = g * mg + mo;
                float *restrict out = y + ((size_t)n * q->m + m) * plane;
                for (int i = 0; i < plane; i++)
                    out[i] = bias[m];
                for (int ci = 0; ci < cg; ci++) {
                    const float *restrict in = x + ((size_t)n * q->c + g * cg + ci) * q->h * q->w;
                    if (pointwise) { /* 1x1, stride 1, no pad: the planes line up, one long loop */
                        float wv = wt[(size_t)m * cg + ci];
                        for (int i = 0; i < plane; i++)
                            out[i] += wv * in[i];
                        continue;
                    }
                    for (int ky = 0; ky < q->kh; ky++)
                        for (int kx = 0; kx < q->kw; kx++) {
                            float wv = wt[(((size_t)m * cg + ci) * q->kh + ky) * q->kw + kx];
                            int lo, hi;
                            ow_range(q, kx, &lo, &hi);
                            int xoff = kx * q->dw - q->pl;
                            for (int oy = 0; oy < q->oh; oy++) {
                                int iy = oy * q->sh - q->pt + ky * q->dh;
                                if (iy < 0 || iy >= q->h)
                                    continue;
                                /* the row's first valid input: input column lo*sw + xoff >= 0 */
                                const float *restrict row = in + (size_t)iy * q->w + (lo * q->sw + xoff);
                                float *restrict orow = out + (size_t)oy * q->ow + lo;
                                int len = hi - lo;
                                if (q->sw == 1)
                                    for (int i = 0; i < len; i++)
                                        orow[i] += wv * row[i];
                                else if (q->sw == 2) /* a constant stride clang vectorises */
                                    for (int i = 0; i < len; i++)
                                        orow[i] += wv * row[2 * i];
                                else
                                    for (int i = 0; i < len; i++)
                                        orow[i] += wv * row[i * q->sw];
                            }
                        }
                }
                if (q->act == 1)
                    for (int i = 0; i < plane; i++)
                        out[i] = out[i] > 0 ? out[i] : 0;
                else if (q->act == 2)
                    for (int i = 0; i < plane; i++)
                        out[i] = out[i] < 0 ? 0 : out[i] > 6 ? 6 : out[i];
            }
}

static int load(const char *path, float *p, size_t count)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "conv_c: cannot open %s\n", path);
        return 2;
    }
    size_t got = fread(p, sizeof(float), count, f);
    fclose(f);
    if (got != count) {
        fprintf(stderr, "conv_c: %s holds %zu floats, %zu expected\n", path, got, count);
        return 2;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 19 && argc != 23) {
        fprintf(stderr, "usage: conv_c N C H W M KH KW SH SW PT PL PB PR DH DW G ACT REPS [IN WT BIAS OUT]\n");
        return 2;
    }
    int v[18];
    for (int i = 0; i < 18; i++)
        v[i] = atoi(argv[i + 1]);
    geom q = {v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], v[13], v[14], v[15],
              v[16], 0, 0};
    int reps = v[17];
    for (int i = 0; i < 16; i++)
        if (v[i] < (i >= 9 && i <= 12 ? 0 : 1)) {
            fprintf(stderr, "conv_c: argument %d (%s) out of range\n", i + 1, argv[i + 1]);
            return 2;
        }
    if (q.c % q.g || q.m % q.g || q.act < 0 || q.act > 2 || reps < 0) {
        fprintf(stderr, "conv_c: channels not divisible by groups, or bad ACT/REPS\n");
        return 2;
    }
    q.oh = (q.h + q.pt + q.pb - q.dh * (q.kh - 1) - 1) / q.sh + 1;
    q.ow = (q.w + q.pl + q.pr - q.dw * (q.kw - 1) - 1) / q.sw + 1;
    if (q.oh < 1 || q.ow < 1) {
        fprintf(stderr, "conv_c: empty output\n");
        return 2;
    }
    size_t nx = (size_t)q.n * q.c * q.h * q.w, nw = (size_t)q.m * (q.c / q.g) * q.kh * q.kw;
    size_t ny = (size_t)q.n * q.m * q.oh * q.ow;
    float *x = malloc(nx * sizeof *x), *wt = malloc(nw * sizeof *wt), *b = malloc(q.m * sizeof *b);
    float *y = calloc(ny, sizeof *y);
    int status = 2;
    if (!x || !wt || !b || !y) {
        fprintf(stderr, "conv_c: out of memory\n");
        goto out;
    }
    if (argc == 23) {
        if (load(argv[19], x, nx) || load(argv[20], wt, nw) || load(argv[21], b, (size_t)q.m))
            goto out;
    } else {
        for (size_t i = 0; i < nx; i++)
            x[i] = (float)(i % 7) - 3;
        for (size_t i = 0; i < nw; i++)
            wt[i] = ((float)(i % 5) - 2) * 0.125f;
        for (int i = 0; i < q.m; i++)
            b[i] = (float)(i % 3) - 1;
    }
    for (int r = 0; r < reps; r++)
        conv(&q, x, wt, b, y);
    if (argc == 23) {
        FILE *f = fopen(argv[22], "wb");
        int bad = !f || fwrite(y, sizeof *y, ny, f) != ny;
        if ((f && fclose(f)) || bad) {
            fprintf(stderr, "conv_c: cannot write %s\n", argv[22]);
            goto out;
        }
    } else {
        printf("%g\n", (double)y[ny - 1]);
    }
    status = 0;
out:
    free(x);
    free(wt);
    free(b);
    free(y);
    return status;
}
