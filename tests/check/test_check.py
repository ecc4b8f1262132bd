#!/usr/bin/python3
"""rvvnn check finds a deliberately broken kernel, names the right node,
and flags exactly the VLENs where the bug shows.

The fault (RVVNN_TEST_BREAK_TAIL=Add, a test-only code-generator flag)
makes the Add kernel skip the partial last strip of each row. With rows
of 64 floats and LMUL 8 (VLMAX = VLEN/4), the rows are whole strips at
VLEN 128 and 256 (VLMAX 32, 64) and wholly skipped at 512 and 1024.

usage: test_check.py RVVNN"""
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

RVVNN = sys.argv[1]
rng = np.random.default_rng(11)
tmp = tempfile.mkdtemp(prefix="rvvnn-check-")
# Softmax after the Add keeps the Add a step of its own (a bias Add right
# after a MatMul would be fused into the MatMul's epilogue).
x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [3, 64])
y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [3, 64])
b = numpy_helper.from_array(rng.standard_normal((64,)).astype(np.float32), "b")
nodes = [helper.make_node("Relu", ["x"], ["h"], name="act"),
         helper.make_node("Add", ["h", "b"], ["h2"], name="bias"),
         helper.make_node("Softmax", ["h2"], ["y"], name="norm", axis=-1)]
m = helper.make_model(helper.make_graph(nodes, "g", [x], [y], [b]),
                      opset_imports=[helper.make_opsetid("", 17)])
m.ir_version = 8
path = os.path.join(tmp, "mlp.onnx")
onnx.save(m, path)

passes = failures = 0


def expect(cond, what):
    global passes, failures
    if cond:
        passes += 1
        print("ok   " + what)
    else:
        failures += 1
        print("FAIL " + what)


clean = subprocess.run([RVVNN, "check", path, "--random-inputs=5"], capture_output=True, text=True)
expect(clean.returncode == 0, "a correct module passes at VLEN 128..1024 (exit %d)" % clean.returncode)
expect(clean.stdout.count("within tolerance") == 4, "all four VLENs report within tolerance")

env = dict(os.environ, RVVNN_TEST_BREAK_TAIL="Add")
bad = subprocess.run([RVVNN, "check", path, "--random-inputs=5", "--lmul-max=8"], capture_output=True,
                     text=True, env=env)
print(bad.stdout)
expect(bad.returncode == 1, "the broken module fails (exit %d)" % bad.returncode)
for v, shows in ((128, False), (256, False), (512, True), (1024, True)):
    line = [l for l in bad.stdout.splitlines() if "VLEN %d:" % v in l and "DIVERGENCE" in l]
    if shows:
        expect(line and "node 'bias' (Add, RVV kernel)" in line[0], "VLEN %d: divergence named at node 'bias'" % v)
    else:
        expect(not line, "VLEN %d: no divergence reported" % v)

js = subprocess.run([RVVNN, "check", path, "--random-inputs=5", "--vlen=512", "--json"], capture_output=True,
                    text=True, env=env)
import json
try:
    d = json.loads(js.stdout)
    bias = [s for s in d["steps"] if s["node"] == "bias"]
    expect(d["result"] == "diverged" and bias and bias[0]["bad"] > 0 and bias[0]["family"] == "EXACT",
           "--json reports the per-step comparison")
except ValueError as e:
    expect(False, "--json output parses (%s)" % e)

print("%d passed, %d failed" % (passes, failures))
sys.exit(1 if failures else 0)
