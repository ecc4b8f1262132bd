#!/usr/bin/python3
"""Per-op sweeps of the RVV code generators against the reference executor.

For every case (an operator, shapes, attributes) this builds a one-node
ONNX model, runs it on the reference executor, compiles it (vector-length
agnostic, and fixed-VLEN), runs the module under qemu-riscv64 at VLEN
128/256/512/1024 with each --lmul-max, and compares. It also checks the
step really ran as RVV code (rvvnn compile --verbose reports no fallback),
so a generator that silently declines fails the sweep.

Tolerance, stated per family below: |rvv - ref| <= atol + rtol*|ref| with
atol = ATOL_REL * max|ref| (relative to the output's magnitude). The ref
executor accumulates in double, RVV in f32, so GEMM error grows ~sqrt(K).

usage: sweep.py RVVNN FAMILY [--quick]"""
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import opcases  # noqa: E402
from opcases import FAMILIES  # noqa: E402

RVVNN, FAMILY = sys.argv[1], sys.argv[2]
QUICK = opcases.QUICK = "--quick" in sys.argv
VLENS = [128, 256, 512, 1024]
LMULS = [1, 2, 4, 8]
tmp = tempfile.mkdtemp(prefix="rvvnn-sweep-")
passes = failures = 0


def run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True, errors="replace")


def check_case(name, m, feeds, atol_rel, rtol):
    """feeds: list of numpy arrays for the graph inputs, in order."""
    global passes, failures
    path = os.path.join(tmp, name + ".onnx")
    onnx.save(m, path)
    ins = []
    for i, a in enumerate(feeds):
        p = os.path.join(tmp, "%s.in%d.npy" % (name, i))
        np.save(p, a)
        ins.append("--input=@" + p)
    ref = os.path.join(tmp, name + ".ref.npy")
    r = run([RVVNN, "run", path, "--output=@" + ref] + ins)
    if r.returncode:
        failures += 1
        print("FAIL %s: reference run: %s" % (name, r.stderr.strip()))
        return
    want = np.load(ref)
    atol = atol_rel * max(float(np.abs(want).max()), 1e-30)
    configs = []
    for lm in ([4] if QUICK else LMULS):
        configs.append(("vla-lmul%d" % lm, ["--lmul-max=%d" % lm], VLENS))
    for v in ([256] if QUICK else VLENS):
        configs.append(("zvl%d" % v, ["-march=rv64gcv_zvl%db" % v], [v]))
    configs.append(("zve32f", ["-march=rv64gc_zve32f"], [128]))
    for cname, flags, vlens in configs:
        mod = os.path.join(tmp, "%s.%s.rvvmod" % (name, cname))
        r = run([RVVNN, "compile", path, "-o", mod, "--verbose"] + flags)
        if cname == "zve32f" and name in opcases.NEEDS_ELEN64:
            # declined by design: it must fall back, not fail or pretend
            if r.returncode or " 1 fallback steps" not in r.stderr or "ELEN" not in r.stderr:
                failures += 1
                print("FAIL %s zve32f: expected a fallback for 64-bit elements: %s" % (name, r.stderr.strip()[-200:]))
            else:
                passes += 1
            continue
        if r.returncode or " 0 fallback steps" not in r.stderr:
            failures += 1
            print("FAIL %s %s: compile: %s" % (name, cname, r.stderr.strip().splitlines()[-1:]))
            continue
        if name in opcases.EXPECT_STEPS and ": %d RVV steps" % opcases.EXPECT_STEPS[name] not in r.stderr:
            failures += 1
            print("FAIL %s %s: expected %d fused step(s): %s" % (name, cname, opcases.EXPECT_STEPS[name],
                                                                 r.stderr.strip().splitlines()[-1:]))
            continue
        for v in vlens:
            out = os.path.join(tmp, name + ".rvv.npy")
            r = run([RVVNN, "run", mod, "--vlen=%d" % v, "--output=@" + out] + ins)
            if r.returncode:
                failures += 1
                print("FAIL %s %s VLEN=%d: %s" % (name, cname, v, r.stderr.strip()))
                continue
            got = np.load(out)
            err = np.abs(got.astype(np.float64) - want) - (atol + rtol * np.abs(want))
            if got.shape != want.shape or not np.all(err <= 0):
                failures += 1
                i = np.unravel_index(np.argmax(err), err.shape) if got.shape == want.shape else None
                print("FAIL %s %s VLEN=%d: worst at %s got %r want %r (atol %.3g rtol %g)" %
                      (name, cname, v, i, got[i] if i else got.shape, want[i] if i else want.shape, atol, rtol))
            else:
                passes += 1
    print("ok   %s" % name if failures == 0 else "..   %s" % name)



cases, atol_rel, rtol = FAMILIES[FAMILY] if FAMILY in FAMILIES else opcases.EXTRA_FAMILIES[FAMILY]
for name, m, feeds in cases():
    check_case(name, m, feeds, atol_rel, rtol)
print("%d passed, %d failed" % (passes, failures))
sys.exit(1 if failures else 0)
