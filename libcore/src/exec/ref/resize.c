/* resize.c - reference Resize (opsets 10-19: nearest, linear, cubic; all
 * coordinate transformation modes; scales or sizes; tf_crop_and_resize
 * with roi and extrapolation) and Upsample (opsets 7-9).
 *
 * Separable: per output index and axis a short list of (input index,
 * weight) taps is computed, and the output element is the sum over the
 * product of the per-axis tap lists, accumulated in double. */
#include "ref.h"

#include <math.h>
#include <string.h>

typedef struct rs_params {
    int rank;
    double scale[TENSOR_MAX_RANK];
    int64_t out[TENSOR_MAX_RANK];
    double roi_s[TENSOR_MAX_RANK], roi_e[TENSOR_MAX_RANK];
    const char *mode, *ctm, *nearest;
    double cubic_a, extrap;
    int exclude_outside;
} rs_params;

static int rs_read(op_ctx *c, rs_params *p)
{
    const tensor *x = c->in[0];
    memset(p, 0, sizeof *p);
    p->rank = x->rank;
    int up = c->node->op == OP_Upsample;
    p->mode = ir_attr_string(c->node, "mode", "nearest");
    p->ctm = ir_attr_string(c->node, "coordinate_transformation_mode",
                            up || c->opset < 11 ? "asymmetric" : "half_pixel");
    p->nearest = ir_attr_string(c->node, "nearest_mode", up || c->opset < 11 ? "floor" : "round_prefer_floor");
    if (c->opset < 11 && !up)
        p->nearest = "floor";
    p->cubic_a = ir_attr_float(c->node, "cubic_coeff_a", -0.75f);
    p->extrap = ir_attr_float(c->node, "extrapolation_value", 0.0f);
    p->exclude_outside = (int)ir_attr_int(c->node, "exclude_outside", 0);
    if (strcmp(p->mode, "nearest") && strcmp(p->mode, "linear") && strcmp(p->mode, "bilinear") &&
        strcmp(p->mode, "cubic"))
        return op_error(c, RV_EUNSUPPORTED, "mode '%s'", p->mode);
    if (ir_attr_int(c->node, "antialias", 0))
        return op_error(c, RV_EUNSUPPORTED, "antialias");
    size_t naxes = 0;
    const int64_t *axes = ir_attr_ints(c->node, "axes", &naxes);
    int ax_of[TENSOR_MAX_RANK], n_ax = x->rank;
    for (int d = 0; d < x->rank; d++)
        ax_of[d] = d;
    if (axes) {
        n_ax = (int)naxes;
        for (int i = 0; i < n_ax; i++) {
            int a;
            int rc = norm_axis(c, axes[i], x->rank, 0, &a);
            if (rc)
                return rc;
            ax_of[i] = a;
        }
    }
    for (int d = 0; d < x->rank; d++) {
        p->scale[d] = 1;
        p->out[d] = x->dims[d];
        p->roi_s[d] = 0;
        p->roi_e[d] = 1;
    }
    const tensor *scales = NULL, *sizes = NULL, *roi = NULL;
    if (up) {
        size_t ns;
        const float *sa = ir_attr_floats(c->node, "scales", &ns);
        if (sa) {
            if ((int)ns != x->rank)
                return op_error(c, RV_EINVAL, "attribute 'scales' needs %d values", x->rank);
            for (int d = 0; d < x->rank; d++)
                p->scale[d] = sa[d];
        } else {
            scales = c->n_in > 1 ? c->in[1] : NULL;
        }
    } else if (c->opset < 11) {
        scales = c->n_in > 1 ? c->in[1] : NULL;
    } else {
        roi = c->n_in > 1 ? c->in[1] : NULL;
        scales = c->n_in > 2 ? c->in[2] : NULL;
        sizes = c->n_in > 3 ? c->in[3] : NULL;
    }
    int64_t n;
    if (scales && !tensor_numel(scales, &n) && n > 0) {
        if (!scales->data)
            return RV_EDYNAMIC;
        if (n != n_ax)
            return op_error(c, RV_EINVAL, "scales has %lld values for %d axes", (long long)n, n_ax);
        for (int i = 0; i < n_ax; i++)
            p->scale[ax_of[i]] = tensor_get_f64(scales, i);
    } else if (sizes) {
        if (!sizes->data)
            return RV_EDYNAMIC;
        if (tensor_numel(sizes, &n) || n != n_ax)
            return op_error(c, RV_EINVAL, "sizes has the wrong number of values");
        const char *pol = ir_attr_string(c->node, "keep_aspect_ratio_policy", "stretch");
        double s_keep = strcmp(pol, "not_smaller") ? INFINITY : 0;
        for (int i = 0; i < n_ax; i++) {
            double s = (double)tensor_get_i64(sizes, i) / (double)x->dims[ax_of[i]];
            if (!strcmp(pol, "not_larger"))
                s_keep = s < s_keep ? s : s_keep;
            else if (!strcmp(pol, "not_smaller"))
                s_keep = s > s_keep ? s : s_keep;
            p->scale[ax_of[i]] = s;
            p->out[ax_of[i]] = tensor_get_i64(sizes, i);
        }
        if (strcmp(pol, "stretch"))
            for (int i = 0; i < n_ax; i++) {
                p->scale[ax_of[i]] = s_keep;
                p->out[ax_of[i]] = (int64_t)floor((double)x->dims[ax_of[i]] * s_keep + 0.5);
            }
        if (roi && roi->data && !tensor_numel(roi, &n) && n == 2 * n_ax)
            for (int i = 0; i < n_ax; i++) {
                p->roi_s[ax_of[i]] = tensor_get_f64(roi, i);
                p->roi_e[ax_of[i]] = tensor_get_f64(roi, n_ax + i);
            }
        return 0;
    }
    if (roi && roi->data && !tensor_numel(roi, &n) && n == 2 * n_ax)
        for (int i = 0; i < n_ax; i++) {
            p->roi_s[ax_of[i]] = tensor_get_f64(roi, i);
            p->roi_e[ax_of[i]] = tensor_get_f64(roi, n_ax + i);
        }
    for (int d = 0; d < x->rank; d++) {
        if (!(p->scale[d] > 0))
            return op_error(c, RV_EINVAL, "scale %g on axis %d must be positive", p->scale[d], d);
        double o = floor((double)x->dims[d] * p->scale[d] * (strcmp(p->ctm, "tf_crop_and_resize") ? 1.0
                         : p->roi_e[d] - p->roi_s[d]));
        if (!(o < (double)TENSOR_MAX_NUMEL))
            return op_error(c, RV_ELIMIT, "output size too large on axis %d", d);
        p->out[d] = (int64_t)o;
    }
    return 0;
}

int shape_resize(op_ctx *c)
{
    rs_params p;
    int rc = rs_read(c, &p);
    if (rc)
        return rc;
    shape_copy_from(c->out[0], c->in[0]);
    memcpy(c->out[0]->dims, p.out, sizeof p.out);
    return 0;
}

/* Source coordinate of output index o on an axis. */
static double src_coord(const rs_params *p, int d, int64_t o, int64_t in)
{
    double s = p->scale[d], out = (double)p->out[d];
    const char *m = p->ctm;
    if (!strcmp(m, "half_pixel"))
        return ((double)o + 0.5) / s - 0.5;
    if (!strcmp(m, "pytorch_half_pixel"))
        return out > 1 ? ((double)o + 0.5) / s - 0.5 : 0;
    if (!strcmp(m, "align_corners"))
        return out > 1 ? (double)o * (double)(in - 1) / (out - 1) : 0;
    if (!strcmp(m, "half_pixel_symmetric")) {
        double adj = out / ((double)in * s), center = (double)in / 2;
        return center * (1 - adj) + ((double)o + 0.5) / s - 0.5;
    }
    if (!strcmp(m, "tf_crop_and_resize"))
        return out > 1 ? p->roi_s[d] * (double)(in - 1) + (double)o * (p->roi_e[d] - p->roi_s[d]) * (double)(in - 1) / (out - 1)
                       : 0.5 * (p->roi_s[d] + p->roi_e[d]) * (double)(in - 1);
    return (double)o / s; /* asymmetric */
}

static double cubic_w(double t, double a)
{
    t = fabs(t);
    if (t <= 1)
        return ((a + 2) * t - (a + 3)) * t * t + 1;
    if (t < 2)
        return ((a * t - 5 * a) * t + 8 * a) * t - 4 * a;
    return 0;
}

/* Taps for one axis: returns count; -1 marks extrapolation. */
static int taps(const rs_params *p, int d, int64_t o, int64_t in, int64_t *idx, double *w)
{
    double x = src_coord(p, d, o, in);
    if (!strcmp(p->ctm, "tf_crop_and_resize") && (x < 0 || x > (double)(in - 1)))
        return -1;
    if (!strcmp(p->mode, "nearest")) {
        double r;
        const char *nm = p->nearest;
        if (!strcmp(nm, "round_prefer_ceil"))
            r = floor(x + 0.5);
        else if (!strcmp(nm, "floor"))
            r = floor(x);
        else if (!strcmp(nm, "ceil"))
            r = ceil(x);
        else /* round_prefer_floor */
            r = x - floor(x) == 0.5 ? floor(x) : floor(x + 0.5);
        int64_t i = (int64_t)r;
        idx[0] = i < 0 ? 0 : i >= in ? in - 1 : i;
        w[0] = 1;
        return 1;
    }
    /* an integral source coordinate is a single tap for linear and cubic */
    if (x == floor(x) && x >= 0 && x < (double)in) {
        idx[0] = (int64_t)x;
        w[0] = 1;
        return 1;
    }
    if (!strcmp(p->mode, "cubic")) {
        int64_t b = (int64_t)floor(x);
        double t = x - (double)b, sum = 0;
        int n = 0;
        for (int k = -1; k <= 2; k++) {
            int64_t i = b + k;
            double wk = cubic_w(t - k, p->cubic_a);
            if (i < 0 || i >= in) {
                if (p->exclude_outside)
                    continue;
                i = i < 0 ? 0 : in - 1;
            }
            idx[n] = i;
            w[n++] = wk;
            sum += wk;
        }
        if (p->exclude_outside && sum != 0)
            for (int k = 0; k < n; k++)
                w[k] /= sum;
        return n;
    }
    /* linear */
    double xc = x < 0 ? 0 : x > (double)(in - 1) ? (double)(in - 1) : x;
    int64_t i0 = (int64_t)floor(xc), i1 = i0 + 1 < in ? i0 + 1 : i0;
    double t = xc - (double)i0;
    idx[0] = i0;
    w[0] = 1 - t;
    idx[1] = i1;
    w[1] = t;
    return 2;
}

int ref_resize_taps(op_ctx *c, int d, int64_t o, int64_t *idx, double *w)
{
    rs_params p;
    int rc = rs_read(c, &p);
    if (rc)
        return rc;
    if (d < 0 || d >= c->in[0]->rank)
        return op_error(c, RV_EINVAL, "axis %d", d);
    int n = taps(&p, d, o, c->in[0]->dims[d], idx, w);
    return n < 0 ? 0 : n;
}

int ref_resize(op_ctx *c)
{
    rs_params p;
    int rc = rs_read(c, &p);
    if (rc)
        return rc;
    const tensor *x = c->in[0];
    tensor *y = c->out[0];
    int r = x->rank;
    int64_t n, xs[TENSOR_MAX_RANK];
    tensor_strides(x, xs);
    if ((rc = tensor_numel(y, &n)))
        return rc;
    for (int64_t i = 0; i < n; i++) {
        int64_t rem = i, oi[TENSOR_MAX_RANK];
        for (int d = r - 1; d >= 0; d--) {
            oi[d] = rem % y->dims[d];
            rem /= y->dims[d];
        }
        int64_t ti[TENSOR_MAX_RANK][4];
        double tw[TENSOR_MAX_RANK][4];
        int tn[TENSOR_MAX_RANK], extrap = 0;
        for (int d = 0; d < r; d++) {
            tn[d] = taps(&p, d, oi[d], x->dims[d], ti[d], tw[d]);
            extrap |= tn[d] < 0;
        }
        if (extrap) {
            tensor_set_f64(y, i, p.extrap);
            continue;
        }
        /* sum over the product of taps */
        int k[TENSOR_MAX_RANK] = {0};
        double acc = 0;
        for (;;) {
            double w = 1;
            int64_t off = 0;
            for (int d = 0; d < r; d++) {
                w *= tw[d][k[d]];
                off += ti[d][k[d]] * xs[d];
            }
            acc += w * tensor_get_f64(x, off);
            int d = r - 1;
            while (d >= 0 && ++k[d] == tn[d])
                k[d--] = 0;
            if (d < 0)
                break;
        }
        if (dtype_is_float(y->dtype))
            tensor_set_f64(y, i, acc);
        else
            tensor_set_i64(y, i, (int64_t)nearbyint(acc));
    }
    return 0;
}
