#!/usr/bin/python3
"""The built-in emulator (executor emu) against qemu-riscv64 (executor
qemu) on the RVV code generators' op cases (tests/codegen/opcases.py):
each case is compiled once vector-length agnostic (run at VLEN 128 and
256) and once for Zve32f (VLEN 128), and the outputs of the two
executors must be bit-identical: the same bytes, NaN payloads included
(tolerance: none). For the families with float edge cases the inputs are
run a second time with NaN, +-Inf, +-0 and subnormals mixed in, which
is where a host's float semantics differ from RISC-V's if the emulator
does not canonicalise.

Both executors run the same module file, so any difference is the
emulator's (or qemu's) instruction semantics.

usage: emu_vs_qemu.py RVVNN FAMILY [--quick]"""
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "codegen"))
import opcases  # noqa: E402
from opcases import FAMILIES  # noqa: E402

RVVNN, FAMILY = sys.argv[1], sys.argv[2]
opcases.QUICK = "--quick" in sys.argv
SPECIAL_FAMILIES = {"eltwise", "exact", "math", "activation", "reduce", "rownorm"}
tmp = tempfile.mkdtemp(prefix="rvvnn-emu-")
passes = failures = 0


def run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True, errors="replace")


def with_specials(a):
    """a copy of float array a with every 7th element a special value"""
    if a.dtype != np.float32 or a.size < 2:
        return None
    sp = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1e-40, -3e-39, 3.4e38], np.float32)
    b = a.copy().reshape(-1)
    b[::7] = np.resize(sp, b[::7].shape)
    return b.reshape(a.shape)


def fail(msg):
    global failures
    failures += 1
    print("FAIL " + msg)


def compare(name, mod, ins, vlen):
    """runs mod under qemu and emu at vlen; outputs must be byte-identical"""
    global passes
    outs = {}
    for ex in ("qemu", "emu"):
        out = os.path.join(tmp, "%s.%s.npy" % (name, ex))
        r = run([RVVNN, "run", mod, "--executor=" + ex, "--vlen=%d" % vlen, "--output=@" + out] + ins)
        if r.returncode:
            fail("%s VLEN=%d %s: %s" % (name, vlen, ex, r.stderr.strip()[-300:]))
            return
        outs[ex] = np.load(out)
    q, e = outs["qemu"], outs["emu"]
    # bit-identical: same dtype, shape and bytes (tolerance 0, NaN bits included)
    if q.dtype != e.dtype or q.shape != e.shape or q.tobytes() != e.tobytes():
        qb, eb = q.reshape(-1).view(np.uint8), e.reshape(-1).view(np.uint8)
        diff = np.nonzero(qb[:min(qb.size, eb.size)] != eb[:min(qb.size, eb.size)])[0]
        at = int(diff[0]) // max(q.itemsize, 1) if diff.size else -1
        fail("%s VLEN=%d: emu differs from qemu (first at element %d: qemu %r emu %r)" % (
            name, vlen, at, q.reshape(-1)[at] if at >= 0 else q.shape, e.reshape(-1)[at] if at >= 0 else e.shape))
    else:
        passes += 1


def check_case(name, m, feeds):
    path = os.path.join(tmp, name + ".onnx")
    onnx.save(m, path)
    variants = [("", feeds)]
    if FAMILY in SPECIAL_FAMILIES:
        sp = [with_specials(a) for a in feeds]
        if any(s is not None for s in sp):
            variants.append((".special", [s if s is not None else a for s, a in zip(sp, feeds)]))
    for cname, flags, vlens in (("vla", [], [128, 256]), ("zve32f", ["-march=rv64gc_zve32f"], [128])):
        mod = os.path.join(tmp, "%s.%s.rvvmod" % (name, cname))
        r = run([RVVNN, "compile", path, "-o", mod, "--verbose"] + flags)
        if r.returncode:
            fail("%s %s: compile: %s" % (name, cname, r.stderr.strip().splitlines()[-1:]))
            continue
        for vname, fv in variants:
            ins = []
            for i, a in enumerate(fv):
                p = os.path.join(tmp, "%s%s.in%d.npy" % (name, vname, i))
                np.save(p, a)
                ins.append("--input=@" + p)
            for v in vlens:
                compare("%s.%s%s" % (name, cname, vname), mod, ins, v)
    print("ok   %s" % name if failures == 0 else "..   %s" % name, flush=True)


cases, _, _ = FAMILIES[FAMILY]
for name, m, feeds in cases():
    check_case(name, m, feeds)
print("%d identical, %d failed" % (passes, failures))
sys.exit(1 if failures else 0)
