#!/usr/bin/python3
"""Fits the polynomial coefficients of rvvnn's vector math (exp, erf) and
reports their error; prints the C tables pasted into
libcore/src/codegen/vmath.c. Run: /usr/bin/python3 tools/fit_vmath.py

Fits are least squares on Chebyshev nodes of the relative error (a near
minimax fit), done in float64 and rounded to float32; the error printed
is of float32 Horner evaluation as the generated code performs it (fma
at every step), against float64 libm."""
import math

import numpy as np


def horner_f32(c, x):
    """c[0] + x*(c[1] + x*(...)) with float32 fused multiply-adds."""
    x = x.astype(np.float64)
    acc = np.full_like(x, np.float32(c[-1]), dtype=np.float64)
    for k in range(len(c) - 2, -1, -1):
        acc = (acc * x + np.float64(np.float32(c[k]))).astype(np.float32).astype(np.float64)
    return acc


def fit(fun, lo, hi, deg, weight, basis=lambda x: x, odd=False):
    n = 4000
    t = np.cos(np.pi * (np.arange(n) + 0.5) / n)
    x = (lo + hi) / 2 + (hi - lo) / 2 * t
    y = fun(x)
    w = weight(x)
    u = basis(x)
    A = np.vstack([u ** k for k in range(deg + 1)]).T
    if odd:
        A = A * x[:, None]
    coef, *_ = np.linalg.lstsq(A * w[:, None], y * w, rcond=None)
    return [float(np.float32(c)) for c in coef]


def ulp_err(got, want):
    want32 = want.astype(np.float32)
    spacing = np.spacing(np.abs(want32)).astype(np.float64)
    return np.abs(got - want) / spacing


# exp(r) on [-ln2/2, ln2/2], degree 6
l2 = math.log(2) / 2
exp_c = fit(np.exp, -l2, l2, 6, lambda x: 1 / np.exp(x))
r = np.linspace(-l2, l2, 200001)
print("exp poly coefficients:", exp_c)
print("exp poly max ulp on reduced range: %.3f" % ulp_err(horner_f32(exp_c, r), np.exp(r)).max())

# erf(x) = x * P(x^2) on |x| < 1, degree 6 in x^2 (relative error)
erf = np.vectorize(math.erf)
erf_lo = fit(lambda x: erf(x), 1e-4, 1.0, 6, lambda x: 1 / erf(x), basis=lambda x: x * x, odd=True)
x = np.linspace(1e-6, 1.0, 200001)
got = x * horner_f32(erf_lo, (x * x).astype(np.float32).astype(np.float64))
print("erf small coefficients:", erf_lo)
print("erf |x|<1 max ulp: %.3f" % ulp_err(got, erf(x)).max())
# erf on [1, 4] as a polynomial in (x - 2.5), degree 12, absolute error
erf_hi = fit(lambda x: erf(x), 1.0, 4.0, 12, lambda x: np.ones_like(x), basis=lambda x: x - 2.5)
x = np.linspace(1.0, 4.0, 200001)
got = horner_f32(erf_hi, (x - 2.5).astype(np.float32).astype(np.float64))
print("erf large coefficients:", erf_hi)
print("erf 1<=|x|<4 max ulp: %.3f" % ulp_err(got, erf(x)).max())

# tanh(x) = x + x*s*P(s), s = x^2, on |x| < 0.625, degree 5 in s (relative
# error); above that the generated code uses 1 - 2/(exp(2|x|) + 1).
T = 0.625
tanh_lo = fit(lambda s: (np.tanh(np.sqrt(s)) - np.sqrt(s)) / (np.sqrt(s) * s), 1e-6, T * T, 5,
              lambda s: np.sqrt(s) * s / np.tanh(np.sqrt(s)))
x = np.linspace(1e-4, T, 200001).astype(np.float32).astype(np.float64)
s = (x * x).astype(np.float32).astype(np.float64)
q = (horner_f32(tanh_lo, s) * s).astype(np.float32).astype(np.float64)
got = (x * q + x).astype(np.float32).astype(np.float64)
print("tanh small coefficients:", tanh_lo)
print("tanh |x|<%g max ulp: %.3f" % (T, ulp_err(got, np.tanh(x)).max()))

# expm1(x) = x + x^2 * R(x) on |x| < ln2/2, R degree 5 (relative error);
# above that the generated code uses exp(x) - 1.
em1 = fit(lambda x: (np.expm1(x) - x) / (x * x), -l2, l2, 5, lambda x: x * x / np.abs(np.expm1(x)))
x = np.linspace(-l2, l2, 200001).astype(np.float32).astype(np.float64)
x = x[x != 0]
q = (horner_f32(em1, x) * x).astype(np.float32).astype(np.float64)
got = (x * q + x).astype(np.float32).astype(np.float64)
print("expm1 small coefficients:", em1)
print("expm1 |x|<ln2/2 max ulp: %.3f" % ulp_err(got, np.expm1(x)).max())

# log(1+f) = f - h + s*(h + R), s = f/(2+f), h = f^2/2, z = s^2,
# R = z*P(z), P degree 3, for m = 1+f in [sqrt(1/2), sqrt(2)).
def log_R(z):
    s = np.sqrt(z)
    f = 2 * s / (1 - s)
    h = f * f / 2
    return ((np.log1p(f) - f + h) / s - h) / z
zmax = (math.sqrt(2) - 1) ** 2 / (math.sqrt(2) + 1) ** 2
log_p = fit(log_R, 1e-8, zmax, 3, lambda z: np.ones_like(z))
m = np.linspace(math.sqrt(0.5), math.sqrt(2), 400001).astype(np.float32).astype(np.float64)
f32 = lambda v: np.asarray(v, np.float64).astype(np.float32).astype(np.float64)
f = f32(m - 1)
s = f32(f / f32(2 + f))
z = f32(s * s)
R = f32(horner_f32(log_p, z) * z)
h = f32(f32(f * f) * 0.5)
got = f32(f32(f32(f32(R + h) * s) - h) + f)
sel = f != 0
print("log poly coefficients:", log_p)
print("log m in [sqrt(.5), sqrt(2)) max ulp: %.3f" % ulp_err(got[sel], np.log(m[sel])).max())
