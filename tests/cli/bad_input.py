#!/usr/bin/python3
"""Bad command-line input: missing files and inputs that do not fit the
model must exit 2 with a message naming the problem, never crash
(signal) or leave an output file. Malformed and hostile files (models,
modules, tensors) are tests/hostile's table, run in-process and through
the CLI.

Run by ctest as: /usr/bin/python3 bad_input.py RVVNN_BINARY
Models are generated here with onnx.helper (Debian's python3-onnx)."""
import os
import subprocess
import sys
import tempfile

import numpy as np
from onnx import TensorProto, helper

RVVNN = sys.argv[1]
failures = 0
passes = 0


def model(nodes, inputs, outputs, inits=(), opset=17):
    g = helper.make_graph(nodes, "g", inputs, outputs, initializer=list(inits))
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 8
    return m


def relu_model():
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 3])
    return model([helper.make_node("Relu", ["x"], ["y"], name="r")], [x], [y])


def expect(name, args, want_code, want_text):
    """Runs rvvnn ARGS; checks exit code, stderr text, no stray output."""
    global failures, passes
    out = os.path.join(tmp, "out.npy")
    if os.path.exists(out):
        os.remove(out)
    p = subprocess.run([RVVNN] + args + ["--output=@" + out] if args[0] == "run" else [RVVNN] + args,
                       capture_output=True, text=True, errors="replace", timeout=120)
    problems = []
    if p.returncode < 0:
        problems.append("killed by signal %d" % -p.returncode)
    elif p.returncode != want_code:
        problems.append("exit %d, want %d" % (p.returncode, want_code))
    if want_text and want_text not in p.stderr:
        problems.append("stderr lacks %r" % want_text)
    leftovers = [f for f in os.listdir(tmp) if f.startswith("out.npy")]
    if leftovers:
        problems.append("left output files %s" % leftovers)
    if problems:
        failures += 1
        print("FAIL %s: %s\n  stderr: %s" % (name, "; ".join(problems), p.stderr.strip()[:400]))
    else:
        passes += 1
        print("ok   %s: %s" % (name, p.stderr.strip().splitlines()[-1][:160] if p.stderr.strip() else ""))


def save(m, name):
    path = os.path.join(tmp, name)
    with open(path, "wb") as f:
        f.write(m.SerializeToString() if hasattr(m, "SerializeToString") else m)
    return path


tmp = tempfile.mkdtemp(prefix="rvvnn-bad-")
xin = os.path.join(tmp, "x.npy")
np.save(xin, np.ones((2, 3), np.float32))
good = save(relu_model(), "good.onnx")
# sanity: the good model runs
p = subprocess.run([RVVNN, "run", good, "--input=@" + xin], capture_output=True, text=True, errors="replace")
if p.returncode != 0:
    print("FAIL good model does not run: " + p.stderr)
    failures += 1

expect("missing file", ["run", os.path.join(tmp, "nope.onnx"), "--input=@" + xin], 2, "nope.onnx: cannot open")
expect("missing input file", ["run", good, "--input=@" + os.path.join(tmp, "nope.npy")], 2, "nope.npy")

# wrong input shape and dtype
np.save(os.path.join(tmp, "x34.npy"), np.ones((3, 4), np.float32))
expect("wrong shape", ["run", good, "--input=@" + os.path.join(tmp, "x34.npy")], 2, "input 'x': shape 3x4xf32")
np.save(os.path.join(tmp, "xi.npy"), np.ones((2, 3), np.int64))
expect("wrong dtype", ["run", good, "--input=@" + os.path.join(tmp, "xi.npy")], 2, "input 'x': element type i64")
expect("wrong input count", ["run", good], 2, "1 inputs, 0 --input")

print("%d passed, %d failed" % (passes, failures))
sys.exit(1 if failures else 0)
