#!/usr/bin/python3
"""The runtime refuses a module the CPU cannot run, with a clear message
and exit 2: a module compiled for zvl512b at VLEN 256, a module needing V
on a CPU without it, and agnostic modules run at every VLEN.

usage: target_refusal.py RVVNN"""
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

RVVNN = sys.argv[1]
tmp = tempfile.mkdtemp(prefix="rvvnn-target-")
x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [4, 16])
y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [4, 8])
w = numpy_helper.from_array(np.ones((16, 8), np.float32), "w")
m = helper.make_model(helper.make_graph([helper.make_node("MatMul", ["x", "w"], ["y"])], "g", [x], [y], [w]),
                      opset_imports=[helper.make_opsetid("", 17)])
m.ir_version = 8
path = os.path.join(tmp, "m.onnx")
onnx.save(m, path)
xin = os.path.join(tmp, "x.npy")
np.save(xin, np.ones((4, 16), np.float32))
passes = failures = 0


def expect(cond, what, detail=""):
    global passes, failures
    print(("ok   " if cond else "FAIL ") + what + ("" if cond else ": " + detail))
    passes += bool(cond)
    failures += not cond


def run(*args):
    return subprocess.run([RVVNN] + list(args), capture_output=True, text=True)


out = os.path.join(tmp, "out.npy")
m512 = os.path.join(tmp, "m512.rvvmod")
run("compile", path, "-march=rv64gcv_zvl512b", "-o", m512)
r = run("run", m512, "--vlen=256", "--input=@" + xin, "--output=@" + out)
expect(r.returncode == 2 and "compiled for VLEN=512" in r.stderr and "this CPU has VLEN=256" in r.stderr
       and not os.path.exists(out), "zvl512b module refused at VLEN 256", r.stderr)
r = run("run", m512, "--vlen=512", "--input=@" + xin, "--expected_output=4x8xf32=16")
expect(r.returncode == 0, "zvl512b module runs at VLEN 512", r.stderr)

mv = os.path.join(tmp, "mv.rvvmod")
run("compile", path, "-o", mv)
r = run("run", mv, "--qemu-cpu=rv64,v=false", "--input=@" + xin, "--output=@" + out)
expect(r.returncode == 2 and "needs the RISC-V vector extension" in r.stderr and not os.path.exists(out),
       "a V module is refused on a CPU without V", r.stderr)
for v in (128, 256, 512, 1024):
    r = run("run", mv, "--vlen=%d" % v, "--input=@" + xin, "--expected_output=4x8xf32=16", "--atol=0", "--rtol=0")
    expect(r.returncode == 0, "the agnostic module gives exact results at VLEN %d" % v, r.stderr)
mz = os.path.join(tmp, "mz.rvvmod")
run("compile", path, "-march=rv64gc_zve32f", "-o", mz)
r = run("run", mz, "--vlen=128", "--input=@" + xin, "--expected_output=4x8xf32=16", "--atol=0", "--rtol=0")
expect(r.returncode == 0, "a Zve32f module runs on a Zve32f CPU", r.stderr)
# an RVV Gather with an index outside the table stops with an error
gi = helper.make_tensor_value_info("i", TensorProto.INT64, [3])
gy = helper.make_tensor_value_info("y", TensorProto.FLOAT, [3, 4])
gt = numpy_helper.from_array(np.ones((10, 4), np.float32), "t")
gm = helper.make_model(helper.make_graph([helper.make_node("Gather", ["t", "i"], ["y"])], "g", [gi], [gy], [gt]),
                       opset_imports=[helper.make_opsetid("", 17)])
gm.ir_version = 8
gpath = os.path.join(tmp, "g.onnx")
onnx.save(gm, gpath)
gmod = os.path.join(tmp, "g.rvvmod")
r = run("compile", gpath, "-o", gmod, "--verbose")
expect(" 0 fallback" in r.stderr, "Gather compiles to RVV", r.stderr)
r = run("run", gmod, "--input=3xi64=1,10,2", "--output=@" + out)
expect(r.returncode == 2 and "out of range" in r.stderr and not os.path.exists(out),
       "an index past the table is an error, not a read outside it", r.stderr)
r = run("run", gmod, "--input=3xi64=-10,9,0", "--expected_output=3x4xf32=1")
expect(r.returncode == 0, "negative indices count from the end", r.stderr)
print("%d passed, %d failed" % (passes, failures))
sys.exit(1 if failures else 0)
