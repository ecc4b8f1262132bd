#!/usr/bin/python3
"""Measures the ULP error of the RVV Exp and Erf kernels (vmath.c) over
the whole f32 range and checks it against the bounds documented there.

Inputs: every 64th f32 bit pattern (about 67 million values reduced to
those whose results are not NaN: the full range of exponents and
signs), plus dense grids where the functions change shape. The
reference is float64 libm rounded to f32 (numpy), i.e. the correctly
rounded result in all but astronomically rare cases.

Documented bounds (vmath.c): exp <= 2 ULP where the result is a normal
f32; results below FLT_MIN are flushed to 0; erf <= 2 ULP everywhere.

usage: vmath_ulp.py RVVNN"""
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
BOUND = {"Exp": 2, "Erf": 2}
failures = passes = 0


def ulp(a, b):
    ia = a.view(np.int32).astype(np.int64)
    ib = b.view(np.int32).astype(np.int64)
    ia = np.where(ia < 0, np.int64(-2**31) - ia, ia)
    ib = np.where(ib < 0, np.int64(-2**31) - ib, ib)
    return np.abs(ia - ib)


bits = np.arange(0, 2**32, 64, dtype=np.uint64).astype(np.uint32)
sweep = bits.view(np.float32)
for op, lo, hi in (("Exp", -104.0, 89.0), ("Erf", -6.0, 6.0)):
    grid = np.linspace(lo, hi, 1 << 20, dtype=np.float32)
    x = np.concatenate([sweep, grid, np.array([0.0, -0.0, np.inf, -np.inf, 88.72283, -87.33654, 1.0, -1.0, 4.0],
                                               np.float32)])
    x = x[~np.isnan(x)]
    n = x.size
    vi = helper.make_tensor_value_info("x", TensorProto.FLOAT, [n])
    vo = helper.make_tensor_value_info("y", TensorProto.FLOAT, [n])
    m = helper.make_model(helper.make_graph([helper.make_node(op, ["x"], ["y"])], "g", [vi], [vo]),
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
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        fn = np.exp if op == "Exp" else np.vectorize(math.erf, otypes=[np.float64])
        want = fn(x.astype(np.float64)).astype(np.float32)
    if op == "Exp":
        tiny = want < np.finfo(np.float32).tiny  # subnormal or zero results: flushed to 0
        ok_flush = np.all(got[tiny] == 0)
        if not ok_flush:
            print("FAIL Exp: results below FLT_MIN are not 0")
            failures += 1
        sel = ~tiny
    else:
        sel = np.ones(n, bool)
    u = ulp(got[sel], want[sel])
    worst = int(np.argmax(u))
    xs = x[sel][worst]
    print("%s: %d inputs, max error %d ULP at x=%r (got %r, want %r); mean %.3f ULP" %
          (op, int(sel.sum()), int(u.max()), float(xs), float(got[sel][worst]), float(want[sel][worst]),
           float(u.mean())))
    if u.max() > BOUND[op]:
        print("FAIL %s: above the documented bound of %d ULP" % (op, BOUND[op]))
        failures += 1
    else:
        passes += 1
print("%d passed, %d failed" % (passes, failures))
sys.exit(1 if failures else 0)
