#!/usr/bin/python3
"""Bad and hostile input through the CLI: every case must exit 2 with a
message naming the problem, never crash (signal) or leave an output file.

Run by ctest as: /usr/bin/python3 bad_input.py RVVNN_BINARY
Models are generated here with onnx.helper (Debian's python3-onnx)."""
import os
import struct
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

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

raw = open(good, "rb").read()
# every truncation length of a small model
bad_trunc = 0
for n in range(1, len(raw)):
    path = save(raw[:n], "trunc.onnx")
    p = subprocess.run([RVVNN, "info", path], capture_output=True, text=True, errors="replace")
    if p.returncode != 2 or "error" not in p.stderr:
        bad_trunc += 1
        print("FAIL truncated at %d of %d: exit %d %s" % (n, len(raw), p.returncode, p.stderr.strip()[:200]))
if bad_trunc:
    failures += 1
else:
    passes += 1
    print("ok   truncated at every length 1..%d: exit 2 with an error" % (len(raw) - 1))

# random bit flips: must never crash; exit 0 (a flip in a name), or 2
rng = np.random.default_rng(7)
crashes = 0
for i in range(200):
    b = bytearray(raw)
    for _ in range(1 + i % 4):
        pos = int(rng.integers(len(b)))
        b[pos] ^= 1 << int(rng.integers(8))
    path = save(bytes(b), "flip.onnx")
    p = subprocess.run([RVVNN, "run", path, "--input=@" + xin], capture_output=True, text=True, errors="replace")
    if p.returncode not in (0, 1, 2):
        crashes += 1
        print("FAIL bit flip %d: exit %d %s" % (i, p.returncode, p.stderr[:200]))
if crashes:
    failures += 1
else:
    passes += 1
    print("ok   200 bit-flipped models: no crash")

# unknown operator
x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3])
y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 3])
m = model([helper.make_node("FrobnicateOp", ["x"], ["y"], name="frob")], [x], [y])
expect("unknown op", ["run", save(m, "unk.onnx"), "--input=@" + xin], 2, "node 'frob' (FrobnicateOp)")

# wrong input shape and dtype
np.save(os.path.join(tmp, "x34.npy"), np.ones((3, 4), np.float32))
expect("wrong shape", ["run", good, "--input=@" + os.path.join(tmp, "x34.npy")], 2, "input 'x': shape 3x4xf32")
np.save(os.path.join(tmp, "xi.npy"), np.ones((2, 3), np.int64))
expect("wrong dtype", ["run", good, "--input=@" + os.path.join(tmp, "xi.npy")], 2, "input 'x': element type i64")
expect("wrong input count", ["run", good], 2, "1 inputs, 0 --input")

# hostile dims: negative, 2^62, product overflow
for dims, text in (([-1, 3], "negative"), ([1 << 62, 2], "exceeds"), ([1 << 31, 1 << 31, 4], "exceeds")):
    t = helper.make_tensor("w", TensorProto.FLOAT, [1], [1.0])
    t.ClearField("dims")
    t.dims.extend(dims)
    m = model([helper.make_node("Add", ["x", "w"], ["y"], name="add")], [x], [y], inits=[t])
    expect("hostile dims %s" % dims, ["info", save(m, "dims.onnx")], 2, text)

# raw_data length disagrees with the shape
t = numpy_helper.from_array(np.ones((2, 3), np.float32), "w")
t.raw_data = t.raw_data[:-4]
m = model([helper.make_node("Add", ["x", "w"], ["y"], name="add")], [x], [y], inits=[t])
expect("raw_data too short", ["info", save(m, "raw.onnx")], 2, "raw_data has 20 bytes")

# cycle and dangling input
m = model([helper.make_node("Relu", ["b"], ["a"], name="n1"), helper.make_node("Relu", ["a"], ["b"], name="n2"),
           helper.make_node("Add", ["x", "a"], ["y"], name="n3")], [x], [y])
expect("cycle", ["info", save(m, "cycle.onnx")], 2, "cycle")
m = model([helper.make_node("Add", ["x", "ghost"], ["y"], name="n3")], [x], [y])
expect("dangling input", ["info", save(m, "dangle.onnx")], 2, "input 1 'ghost' is not defined")
m = model([helper.make_node("Relu", ["x"], ["y"], name="a"), helper.make_node("Relu", ["x"], ["y"], name="b")], [x], [y])
expect("duplicate output", ["info", save(m, "dup.onnx")], 2, "defined twice")

# nesting bomb: GraphProto inside AttributeProto inside NodeProto, 5000 deep
def varint(v):
    out = b""
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])


def field(num, payload):
    return varint(num << 3 | 2) + varint(len(payload)) + payload


g = b""
for _ in range(5000):
    attr = field(1, b"then_branch") + field(6, g)       # AttributeProto.name, .g
    node = field(4, b"If") + field(5, attr)             # NodeProto.op_type, .attribute
    g = field(1, node)                                  # GraphProto.node
bomb = varint(1 << 3) + varint(8) + field(7, g)         # ModelProto.ir_version, .graph
expect("nesting bomb", ["info", save(bomb, "bomb.onnx")], 2, "nested deeper than 64")

# external data escaping the model directory
sub = os.path.join(tmp, "sub")
os.makedirs(sub, exist_ok=True)
for loc, text in (("../../etc/passwd", "cannot be opened beneath"), ("/etc/passwd", "is absolute"),
                  ("missing.bin", "cannot be opened"), ("link.bin", "cannot be opened beneath"),
                  ("short.bin", "past its end")):
    t = helper.make_tensor("w", TensorProto.FLOAT, [2, 3], [0.0] * 6)
    t.ClearField("float_data")
    t.data_location = TensorProto.EXTERNAL
    for k, v in (("location", loc), ("offset", "0"), ("length", "24")):
        e = t.external_data.add()
        e.key, e.value = k, v
    m = model([helper.make_node("Add", ["x", "w"], ["y"], name="add")], [x], [y], inits=[t])
    if not os.path.lexists(os.path.join(sub, "link.bin")):
        os.symlink("/etc/passwd", os.path.join(sub, "link.bin"))
    with open(os.path.join(sub, "short.bin"), "wb") as f:
        f.write(b"\0" * 10)
    expect("external data %s" % loc, ["info", save(m, "sub/ext.onnx")], 2, text)

# If whose branch has more outputs than the node: an error naming the branch
c = helper.make_tensor_value_info("c", TensorProto.BOOL, [])
yb = helper.make_tensor_value_info("b1", TensorProto.FLOAT, [2, 3])
yb2 = helper.make_tensor_value_info("b2", TensorProto.FLOAT, [2, 3])
then_g = helper.make_graph([helper.make_node("Relu", ["x"], ["b1"]), helper.make_node("Neg", ["x"], ["b2"])],
                           "then_body", [], [yb, yb2])
else_g = helper.make_graph([helper.make_node("Relu", ["x"], ["b1"])], "else_body", [], [yb])
m = model([helper.make_node("If", ["c"], ["y"], name="branch", then_branch=then_g, else_branch=else_g)], [c, x], [y])
np.save(os.path.join(tmp, "c.npy"), np.array(True))
expect("If with a mismatched branch", ["run", save(m, "if.onnx"), "--input=@" + os.path.join(tmp, "c.npy"),
                                       "--input=@" + xin], 2, "branch 'then_body' has 2 outputs")

# opset outside the supported range
m = model([helper.make_node("Relu", ["x"], ["y"])], [x], [y], opset=5)
expect("opset 5", ["info", save(m, "op5.onnx")], 2, "opset 5 is outside")

# corrupt module: truncated and a flipped version field
mod = os.path.join(tmp, "m.rvvmod")
p = subprocess.run([RVVNN, "compile", good, "-o", mod], capture_output=True, text=True, errors="replace")
if p.returncode == 0:
    mb = open(mod, "rb").read()
    expect("truncated module", ["run", save(mb[:len(mb) // 2], "t.rvvmod"), "--input=@" + xin], 2, "truncated")
    vb = bytearray(mb)
    vb[8] = 99
    expect("module version", ["run", save(bytes(vb), "v.rvvmod"), "--input=@" + xin], 2, "format version 99")
else:
    failures += 1
    print("FAIL compile of the good model: " + p.stderr)

print("%d passed, %d failed" % (passes, failures))
sys.exit(1 if failures else 0)
