#!/usr/bin/python3
"""Fused and unfused RVV code agree bit for bit: each convepi case whose
epilogue is only an activation (Conv + HardSwish / HardSigmoid / Sigmoid,
regular, 1x1 and depthwise) is compiled as is (one rvvnn::ConvEpilogue
step) and with the Conv's output also made a graph output (Conv step +
the standalone activation step of eltwise.c), run under qemu at VLEN 128
and 512, and the two outputs must be bit-identical (tolerance: none; the
fused activation uses the same instruction sequences, Sigmoid vmath.c's
exp, and the conv sums in the same order).

usage: fuse_rvv_bits.py RVVNN"""
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import opcases  # noqa: E402

RVVNN = sys.argv[1]
tmp = tempfile.mkdtemp(prefix="rvvnn-fuservv-")
passes = failures = 0


def run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True, errors="replace")


for name, m, feeds in opcases.convepi_cases():
    if name not in ["convepi_%s_%s" % (g[0], a[0]) for g in opcases.CONVEPI_GEOMETRY for a in opcases.CONVEPI_ACTS]:
        continue
    x = os.path.join(tmp, name + ".x.npy")
    np.save(x, feeds[0])
    m2 = onnx.ModelProto()
    m2.CopyFrom(m)
    m2.graph.output.append(helper.make_tensor_value_info(m2.graph.node[0].output[0], TensorProto.FLOAT, None))
    mods = []
    for tag, mm, steps in (("fused", m, 1), ("unfused", m2, 2)):
        path, mod = os.path.join(tmp, name + "." + tag + ".onnx"), os.path.join(tmp, name + "." + tag + ".rvvmod")
        onnx.save(mm, path)
        r = run([RVVNN, "compile", path, "-o", mod, "--verbose"])
        if r.returncode or ": %d RVV steps, 0 fallback" % steps not in r.stderr:
            failures += 1
            print("FAIL %s %s: compile: %s" % (name, tag, r.stderr.strip().splitlines()[-1:]))
        mods.append(mod)
    for v in (128, 512):
        outs = [os.path.join(tmp, "%s.%d.%d.npy" % (name, v, i)) for i in range(3)]
        r1 = run([RVVNN, "run", mods[0], "--vlen=%d" % v, "--input=@" + x, "--output=@" + outs[0]])
        r2 = run([RVVNN, "run", mods[1], "--vlen=%d" % v, "--input=@" + x, "--output=@" + outs[1],
                  "--output=@" + outs[2]])
        same = not r1.returncode and not r2.returncode and \
            np.array_equal(np.load(outs[0]).view(np.uint32), np.load(outs[1]).view(np.uint32))
        passes += same
        failures += not same
        print("%s %s VLEN=%d%s" % ("ok  " if same else "FAIL", name, v, "" if same else ": " + (r1.stderr + r2.stderr).strip()))
print("%d passed, %d failed" % (passes, failures))
sys.exit(1 if failures or not passes else 0)
