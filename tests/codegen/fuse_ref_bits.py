#!/usr/bin/python3
"""passes/fuse.c must not change the reference executor's bits: every
fused case of the conv and convepi sweeps (Conv + BatchNormalization /
residual Add / Relu / Clip / HardSwish / HardSigmoid / Sigmoid ->
rvvnn::ConvEpilogue, checked to fuse into one step by sweep.py) is run on the reference executor as is and with the Conv's
output also made a graph output, which blocks the fusion; the two
results must be bit-identical (tolerance: none).

usage: fuse_ref_bits.py RVVNN"""
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
tmp = tempfile.mkdtemp(prefix="rvvnn-fusebits-")
failures = n = 0
for name, m, feeds in list(opcases.conv_cases()) + list(opcases.convepi_cases()):
    if opcases.EXPECT_STEPS.get(name) != 1:
        continue
    n += 1
    x = os.path.join(tmp, name + ".x.npy")
    np.save(x, feeds[0])
    fused, unfused = os.path.join(tmp, name + ".onnx"), os.path.join(tmp, name + ".unfused.onnx")
    onnx.save(m, fused)
    m2 = onnx.ModelProto()
    m2.CopyFrom(m)
    m2.graph.output.append(helper.make_tensor_value_info(m2.graph.node[0].output[0], TensorProto.FLOAT, None))
    onnx.save(m2, unfused)
    yf, yu, hu = (os.path.join(tmp, name + s) for s in (".yf.npy", ".yu.npy", ".hu.npy"))
    r1 = subprocess.run([RVVNN, "run", fused, "--input=@" + x, "--output=@" + yf], capture_output=True, text=True)
    r2 = subprocess.run([RVVNN, "run", unfused, "--input=@" + x, "--output=@" + yu, "--output=@" + hu],
                        capture_output=True, text=True)
    same = not r1.returncode and not r2.returncode and \
        np.array_equal(np.load(yf).view(np.uint32), np.load(yu).view(np.uint32))
    failures += not same
    print("%s %s%s" % ("ok  " if same else "FAIL", name, "" if same else ": " + (r1.stderr + r2.stderr).strip()))
print("%d cases, %d failed" % (n, failures))
sys.exit(1 if failures or not n else 0)
