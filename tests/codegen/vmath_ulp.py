#!/usr/bin/python3
"""Measures the ULP error of the RVV vector math (vmath.c) over the whole
f32 range, through the operators built on it (Exp, Erf, Sigmoid, Tanh,
Log, Elu = expm1 for x < 0, Softplus), and checks it against the bounds
below, which vmath.c and the README quote.

Inputs: every 64th f32 bit pattern for Exp and Erf, every 256th for the
others (67 and 17 million values, NaN inputs dropped: the full range of
exponents and signs), plus a dense grid where each function changes
shape and its special points. The reference is float64 libm (numpy)
rounded to f32, i.e. the correctly rounded result in all but
astronomically rare cases. Where the reference is NaN the result must be
NaN; where it is below FLT_MIN (subnormal) the result may be flushed to 0
(Exp, Sigmoid, Softplus) and is not counted in the ULP figures.

usage: vmath_ulp.py RVVNN [OP...]"""
import math
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper

RVVNN = sys.argv[1]
tmp = tempfile.mkdtemp(prefix="rvvnn-ulp-")
# op: (bit-pattern stride, dense grid, bound in ULP, reference, results below FLT_MIN may be 0)
OPS = {
    "Exp": (64, (-104.0, 89.0), 2, np.exp, True),
    "Erf": (64, (-6.0, 6.0), 2, np.vectorize(math.erf, otypes=[np.float64]), False),
    "Sigmoid": (256, (-90.0, 20.0), 2, lambda x: 1 / (1 + np.exp(-x)), True),
    "Tanh": (256, (-10.0, 10.0), 2, np.tanh, False),
    "Log": (256, (0.0, 4.0), 2, np.log, False),
    "Elu": (256, (-20.0, 1.0), 2, lambda x: np.where(x < 0, np.expm1(x), x), False),
    "Softplus": (256, (-100.0, 30.0), 3, lambda x: np.logaddexp(0, x), True),
}
failures = passes = 0


def ulp(a, b):
    ia = a.view(np.int32).astype(np.int64)
    ib = b.view(np.int32).astype(np.int64)
    ia = np.where(ia < 0, np.int64(-2**31) - ia, ia)
    ib = np.where(ib < 0, np.int64(-2**31) - ib, ib)
    return np.abs(ia - ib)


SPECIAL = [0.0, -0.0, np.inf, -np.inf, 88.72283, -87.33654, 1.0, -1.0, 4.0, 0.625, -0.625, 0.34657359,
           -0.34657359, 1.17549435e-38, 1e-45, 2.0, 0.70710677, 1.4142135, 20.0, -88.7228]
only = sys.argv[2:]
unknown = [o for o in only if o not in OPS]
if unknown:
    raise SystemExit("unknown op(s) %s; known: %s" % (", ".join(unknown), ", ".join(OPS)))
for op, (stride, (lo, hi), bound, fn, flush) in OPS.items():
    if only and op not in only:
        continue
    bits = np.arange(0, 2**32, stride, dtype=np.uint64).astype(np.uint32)
    grid = np.linspace(lo, hi, 1 << 20, dtype=np.float32)
    x = np.concatenate([bits.view(np.float32), grid, np.array(SPECIAL, np.float32)])
    x = x[~np.isnan(x)]
    n = x.size
    vi = helper.make_tensor_value_info("x", TensorProto.FLOAT, [n])
    vo = helper.make_tensor_value_info("y", TensorProto.FLOAT, [n])
    node = helper.make_node(op, ["x"], ["y"], alpha=1.0) if op == "Elu" else helper.make_node(op, ["x"], ["y"])
    m = helper.make_model(helper.make_graph([node], "g", [vi], [vo]),
                          opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    path = os.path.join(tmp, op + ".onnx")
    onnx.save(m, path)
    np.save(path + ".x.npy", x)
    mod = path + ".rvvmod"
    r = subprocess.run([RVVNN, "compile", path, "-o", mod, "--verbose"], capture_output=True, text=True)
    if r.returncode or " 0 fallback" not in r.stderr:
        print("FAIL %s: compile: %s" % (op, r.stderr))
        failures += 1
        continue
    out = path + ".y.npy"
    r = subprocess.run([RVVNN, "run", mod, "--vlen=256", "--input=@" + path + ".x.npy", "--output=@" + out],
                       capture_output=True, text=True)
    if r.returncode:
        print("FAIL %s: run: %s" % (op, r.stderr))
        failures += 1
        continue
    got = np.load(out)
    with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
        want = fn(x.astype(np.float64)).astype(np.float32)
    nan = np.isnan(want)
    if not np.array_equal(nan, np.isnan(got)):
        i = int(np.argmax(nan != np.isnan(got)))
        print("FAIL %s: NaN where the reference is not, or the other way, at x=%r (got %r, want %r)" %
              (op, float(x[i]), float(got[i]), float(want[i])))
        failures += 1
    sel = ~nan
    if flush:
        tiny = sel & (np.abs(want) < np.finfo(np.float32).tiny)  # subnormal results: 0 allowed
        bad = tiny & (got != 0) & (np.abs(got) >= np.finfo(np.float32).tiny)
        if np.any(bad):
            print("FAIL %s: a result below FLT_MIN came out as a normal float" % op)
            failures += 1
        sel &= ~tiny
    u = ulp(got[sel], want[sel])
    worst = int(np.argmax(u))
    xs = x[sel][worst]
    print("%s: %d inputs, max error %d ULP at x=%r (got %r, want %r); mean %.3f ULP" %
          (op, int(sel.sum()), int(u.max()), float(xs), float(got[sel][worst]), float(want[sel][worst]),
           float(u.mean())))
    if u.max() > bound:
        print("FAIL %s: above the documented bound of %d ULP" % (op, bound))
        failures += 1
    else:
        passes += 1
print("%d passed, %d failed" % (passes, failures))
sys.exit(1 if failures or not passes else 0)
