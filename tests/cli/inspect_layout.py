#!/usr/bin/python3
"""rvvnn inspect shows the layout the layout pass chose for every tensor
(text and --json): a small conv model (onnx.helper) has its weights as
conv-block and its activations plain; SqueezeNet1.1's channel Concats
are views (compile --verbose counts them, inspect lists no Concat step);
the CNNs and BERT-tiny need no layout conversion; a module whose tensor
names an unknown layout is refused with a message naming it.

usage: inspect_layout.py RVVNN MODELS_DIR"""
import json
import os
import re
import struct
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

RVVNN, MODELS = sys.argv[1], sys.argv[2]
tmp = tempfile.mkdtemp(prefix="rvvnn-layout-")
passes = failures = 0


def expect(cond, what, detail=""):
    global passes, failures
    print(("ok   " if cond else "FAIL ") + what + ("" if cond else ": " + str(detail)[:1500]))
    passes += bool(cond)
    failures += not cond


def run(*args):
    return subprocess.run([RVVNN, *args], capture_output=True, text=True)


def small_conv_model(path):
    rng = np.random.default_rng(1)
    w1 = numpy_helper.from_array(rng.standard_normal((8, 3, 3, 3)).astype(np.float32), "w1")
    w2 = numpy_helper.from_array(rng.standard_normal((8, 8, 1, 1)).astype(np.float32), "w2")
    nodes = [helper.make_node("Conv", ["x", "w1"], ["a"], name="conv1", pads=[1, 1, 1, 1]),
             helper.make_node("Relu", ["a"], ["r"], name="relu"),
             helper.make_node("Conv", ["r", "w2"], ["y"], name="conv2")]
    g = helper.make_graph(nodes, "convs", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 8, 8, 8])], [w1, w2])
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)]), path)


# 1. a small conv model: text and JSON
onnx_path, mod = os.path.join(tmp, "convs.onnx"), os.path.join(tmp, "convs.rvvmod")
small_conv_model(onnx_path)
r = run("compile", onnx_path, "-o", mod)
expect(r.returncode == 0, "compile the conv model", r.stderr)
r = run("inspect", mod)
expect(r.returncode == 0, "inspect", r.stderr)
text = r.stdout
m = re.search(r"^layouts: (.*) \(of (\d+) tensors\)$", text, re.M)
expect(m is not None, "inspect prints a layouts summary", text)
rows = {}
for line in text.splitlines():
    f = line.split()
    if len(f) == 6 and f[0].isdigit() and f[1] in ("arena", "weight", "input", "output"):
        rows[f[5]] = (f[1], f[3])
packed = [n for n in rows if re.fullmatch(r"w[12]\.conv\d+", n)]
expect(len(packed) == 2 and all(rows[n] == ("weight", "conv-block") for n in packed),
       "both conv weights are packed as conv-block", rows)
expect(rows.get("x") == ("input", "plain") and rows.get("y") == ("output", "plain"), "input and output are plain",
       rows)
expect(all(lay == "plain" for place, lay in rows.values() if place == "arena"), "activations are plain", rows)
if m:
    expect("conv-block 2" in m.group(1) and int(m.group(2)) == len(rows), "summary counts the rows", m.group(0))
r = run("inspect", "--json", mod)
doc = json.loads(r.stdout)
lay = {t["name"]: t["layout"] for t in doc["tensors"]}
expect({lay[n] for n in packed} == {"conv-block"} and lay["x"] == "plain" and lay["y"] == "plain",
       "--json gives each tensor's layout", lay)
expect(doc["layouts"].get("conv-block") == 2 and sum(doc["layouts"].values()) == len(doc["tensors"]),
       "--json layout counts", doc["layouts"])

# 2. SqueezeNet1.1: every channel Concat a view, no Concat step
sq = os.path.join(MODELS, "squeezenet1_1.onnx")
n_concat = sum(n.op_type == "Concat" for n in onnx.load(sq).graph.node)
sq_mod = os.path.join(tmp, "sq.rvvmod")
r = run("compile", sq, "-o", sq_mod, "--verbose")
expect(r.returncode == 0, "compile squeezenet1_1", r.stderr)
m = re.search(r"(\d+) conversions inserted.*arena (\d+) bytes, (\d+) Concat views", r.stderr)
expect(m is not None and n_concat == 8 and int(m.group(3)) == n_concat,
       "squeezenet1_1: all %d Concats are views" % n_concat, r.stderr[-600:])
doc = json.loads(run("inspect", "--json", sq_mod).stdout)
steps = [s["op"] for s in doc["steps"]]
expect("Concat" not in steps, "squeezenet1_1: no Concat step in the module", steps)
expect(m is not None and int(m.group(2)) == doc["arena_bytes"], "the arena inspect shows is the plan's")
# each Concat's inputs sit at consecutive offsets inside its output
off = {t["name"]: t["offset"] for t in doc["tensors"] if t["place"] == "arena"}
model = onnx.load(sq)
ok = True
for n in model.graph.node:
    if n.op_type == "Concat":
        base = off.get(n.output[0])
        ok &= base is not None and off.get(n.input[0]) == base and off.get(n.input[1], -1) > base
expect(ok, "squeezenet1_1: Concat inputs placed inside the output's block")

# 3. no layout conversion for the CNNs and BERT-tiny
for name in ("resnet18", "mobilenet_v2", "squeezenet1_1", "bert_tiny_op17"):
    p = os.path.join(MODELS, name + ".onnx")
    r = run("compile", p, "-o", os.path.join(tmp, name + ".rvvmod"), "--verbose")
    m = re.search(r"layouts: (\d+) conversions inserted", r.stderr)
    expect(r.returncode == 0 and m is not None and m.group(1) == "0", name + ": 0 layout conversions", r.stderr[-400:])

# 4. an unknown layout id is refused
buf = bytearray(open(mod, "rb").read())
toff = struct.unpack_from("<Q", buf, 72 + 16)[0]  # sec[TENSORS].offset
buf[toff + 7] = 99  # mod_tensor.layout of tensor 0
bad = os.path.join(tmp, "bad_layout.rvvmod")
open(bad, "wb").write(bytes(buf))
r = run("inspect", bad)
expect(r.returncode != 0 and "unknown layout 99" in r.stderr, "unknown layout refused", r.stderr)

print("%d passed, %d failed" % (passes, failures))
sys.exit(1 if failures else 0)
