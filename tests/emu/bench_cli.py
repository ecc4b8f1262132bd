#!/usr/bin/python3
"""The emulator through the CLI: `rvvnn bench` (usage errors exit 2 with
a message, --json is well formed and its total is the sum of its steps,
each core row gives its VLEN and peak) and `rvvnn run --executor=emu`
refusing what it cannot run (a module compiled for another VLEN, a VLEN
outside 128..1024) with exit 2 and a message, never a crash; the modeled
cycles are the same in two processes, and a warm run is not slower.

usage: bench_cli.py RVVNN"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

RVVNN = sys.argv[1]
tmp = tempfile.mkdtemp(prefix="rvvnn-emu-cli-")
failures = 0


def run(args):
    return subprocess.run([RVVNN] + args, capture_output=True, text=True, errors="replace")


def expect(name, args, code, text):
    global failures
    r = run(args)
    ok = r.returncode == code and text in (r.stdout + r.stderr)
    print("%s %s: exit %d" % ("ok  " if ok else "FAIL", name, r.returncode))
    if not ok:
        print("     want exit %d and '%s', got: %s" % (code, text, (r.stderr or r.stdout)[-300:]))
        failures += 1
    return r


rng = np.random.default_rng(3)
g = helper.make_graph([helper.make_node("MatMul", ["a", "b"], ["h"]), helper.make_node("Relu", ["h"], ["y"])], "g",
                      [helper.make_tensor_value_info("a", TensorProto.FLOAT, [8, 32])],
                      [helper.make_tensor_value_info("y", TensorProto.FLOAT, [8, 24])],
                      [numpy_helper.from_array(rng.standard_normal((32, 24)).astype(np.float32), "b")])
m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
m.ir_version = 8
onnx.save(m, os.path.join(tmp, "m.onnx"))
vla, fixed = os.path.join(tmp, "vla.rvvmod"), os.path.join(tmp, "zvl512.rvvmod")
subprocess.run([RVVNN, "compile", os.path.join(tmp, "m.onnx"), "-o", vla], check=True, capture_output=True)
subprocess.run([RVVNN, "compile", os.path.join(tmp, "m.onnx"), "-o", fixed, "-march=rv64gcv_zvl512b"], check=True,
               capture_output=True)

expect("help", ["bench", "--help"], 0, "--core=NAME")
expect("help lists x60", ["bench", "--help"], 0, "x60")
expect("unknown core", ["bench", vla, "--core=nope"], 2, "unknown core 'nope'")
expect("other executor", ["bench", vla, "--executor=qemu"], 2, "only the emulator")
expect("no module", ["bench"], 2, "no module given")
expect("bad vlen", ["bench", vla, "--vlen=96"], 2, "--vlen=96")
expect("bad iterations", ["bench", vla, "--iterations=0"], 2, "--iterations=0")
expect("vlen mismatch", ["bench", fixed, "--core=x60"], 2, "compiled for VLEN=512")
expect("run: vlen mismatch", ["run", fixed, "--executor=emu", "--vlen=256", "--input=8x32xf32"], 2,
       "compiled for VLEN=512")
expect("run: vlen too small", ["run", vla, "--executor=emu", "--vlen=64", "--input=8x32xf32"], 2, "VLEN 64")
expect("run: executor ref for a module", ["run", vla, "--executor=ref", "--input=8x32xf32"], 2, "native, qemu or emu")
for core, vlen in (("x60", 256), ("x280", 512)):
    r = expect("json %s" % core, ["bench", vla, "--core=" + core, "--json", "--iterations=2"], 0, '"steps"')
    if r.returncode == 0:
        d = json.loads(r.stdout)
        steps, tot = d["steps"], d["total"]
        # the total is the per-run sum of the steps (exact up to the printed rounding: 0.5 cycle per step)
        ok = (d["vlen"] == vlen and d["iterations"] == 2 and len(steps) >= 1 and
              tot["instructions"] == sum(s["instructions"] for s in steps) and
              abs(tot["cycles"] - sum(s["cycles"] for s in steps)) <= 0.5 * len(steps) and
              tot["flops"] == sum(s["flops"] for s in steps) and tot["flops"] > 0 and
              all(s["instructions"] == s["scalar"] + s["vsetvl"] + s["vector_arith"] + s["vector_load"] +
                  s["vector_store"] for s in steps) and 0 < tot["pct_peak"] <= 100)
        print("%s json %s consistent" % ("ok  " if ok else "FAIL", core))
        failures += not ok
r = expect("fixed module on its own VLEN", ["bench", fixed, "--core=x280"], 0, "total")
# the model's figures do not depend on where the host put the buffers: two processes agree exactly;
# a warm run (after --warmup=1, the caches full) is no slower than a cold one
outs = [run(["bench", vla, "--json"] + w) for w in ([], [], ["--warmup=1"])]
if all(o.returncode == 0 for o in outs):
    c = [json.loads(o.stdout)["total"]["cycles"] for o in outs]
    ok = c[0] == c[1] and c[2] <= c[0]
    print("%s cycles: cold %s, again %s, warm %s" % ("ok  " if ok else "FAIL", c[0], c[1], c[2]))
    failures += not ok
else:
    print("FAIL bench --json: " + " | ".join(o.stderr[-200:] for o in outs))
    failures += 1
sys.exit(1 if failures else 0)
