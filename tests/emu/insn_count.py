#!/usr/bin/python3
"""Dynamic instruction counts of the emulator against the project's QEMU
plugin (benchmarks/insn_count_plugin.c). qemu-riscv64 runs rvvnn-rt with
the plugin restricted to the module's code (rvvnn-rt --code-range gives
where it is mapped; a first run without the plugin finds it, the
counted run must map it at the same place), so it counts exactly the
RVV steps' instructions; `rvvnn bench --executor=emu --json` gives the
emulator's per-step counts by the same classes. Every class must be
equal (exact: both execute the same instruction stream).

The random-instruction modules of the differential test (emu_diffgen:
every vector row the emulator implements, indexed accesses, vfrec7 and
vfrsqrt7, the A extension) are counted the same way.

usage: insn_count.py RVVNN RVVNN_RT PLUGIN MODEL_DIR [EMU_DIFFGEN]"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

RVVNN, RT, PLUGIN, MODELS = sys.argv[1:5]
DIFFGEN = sys.argv[5] if len(sys.argv) > 5 else None
tmp = tempfile.mkdtemp(prefix="rvvnn-emu-insn-")
CLASSES = ["scalar", "vsetvl", "vector_arith", "vector_load", "vector_store"]
failures = 0
rng = np.random.default_rng(7)


def run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True, errors="replace")


def qemu_counts(mod, ins, vlen):
    cpu = "rv64,v=true,vlen=%d,vext_spec=v1.0" % vlen
    out = os.path.join(tmp, "y.npy")
    base = [RT, mod] + ["--input=@" + p for p in ins] + ["--output=@" + out, "--code-range"]
    r = run(["qemu-riscv64", "-cpu", cpu] + base)
    if r.returncode:
        raise RuntimeError("rvvnn-rt under qemu: " + r.stderr.strip()[-300:])
    lo, hi = [int(x, 16) for x in r.stdout.split()[1:3]]
    cnt = os.path.join(tmp, "cnt.json")
    r = run(["qemu-riscv64", "-plugin", "%s,lo=%d,hi=%d,out=%s" % (PLUGIN, lo, hi, cnt), "-cpu", cpu] + base)
    if r.returncode:
        raise RuntimeError("rvvnn-rt under qemu with the plugin: " + r.stderr.strip()[-300:])
    lo2, hi2 = [int(x, 16) for x in r.stdout.split()[1:3]]
    if (lo2, hi2) != (lo, hi):
        raise RuntimeError("the code moved between runs (0x%x -> 0x%x): counts would be of the wrong range" % (lo, lo2))
    return json.load(open(cnt))


def emu_counts(mod, ins, vlen):
    r = run([RVVNN, "bench", mod, "--executor=emu", "--vlen=%d" % vlen, "--json"] + ["--input=@" + p for p in ins])
    if r.returncode:
        raise RuntimeError("rvvnn bench: " + r.stderr.strip()[-300:])
    steps = json.loads(r.stdout)["steps"]
    c = {k: sum(s[k] for s in steps) for k in CLASSES}
    c["total"] = sum(s["instructions"] for s in steps)
    return c


def check(name, onnx_path, feeds, vlens, flags=(), mod=None):
    global failures
    if mod is None:
        mod = os.path.join(tmp, name + ".rvvmod")
        r = run([RVVNN, "compile", onnx_path, "-o", mod, "--verbose"] + list(flags))
        if r.returncode or " 0 fallback steps" not in r.stderr:
            failures += 1
            print("FAIL %s: compile (must be all RVV steps): %s" % (name, r.stderr.strip()[-200:]))
            return
    for v in vlens:
        try:
            q, e = qemu_counts(mod, feeds, v), emu_counts(mod, feeds, v)
        except RuntimeError as ex:
            failures += 1
            print("FAIL %s VLEN=%d: %s" % (name, v, ex))
            continue
        # exact equality per class (the same dynamic instruction stream)
        bad = [k for k in CLASSES + ["total"] if q[k] != e[k]]
        if bad or q["total"] == 0:
            failures += 1
            print("FAIL %s VLEN=%d: qemu %s emu %s" % (name, v, q, e))
        else:
            print("ok   %s VLEN=%d: %d instructions (%s)" % (name, v, q["total"],
                                                              ", ".join("%s %d" % (k, q[k]) for k in CLASSES)))


def one_node(name, node, ins, outs, inits, feeds):
    g = helper.make_graph([node], "g", ins, outs, initializer=inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    path = os.path.join(tmp, name + ".onnx")
    onnx.save(m, path)
    paths = []
    for i, a in enumerate(feeds):
        p = os.path.join(tmp, "%s.in%d.npy" % (name, i))
        np.save(p, a)
        paths.append(p)
    return path, paths


def vi(n, s):
    return helper.make_tensor_value_info(n, TensorProto.FLOAT, list(s))


a = rng.standard_normal((9, 64)).astype(np.float32)
p, f = one_node("matmul", helper.make_node("MatMul", ["a", "b"], ["y"]), [vi("a", (9, 64))], [vi("y", (9, 33))],
                [numpy_helper.from_array(rng.standard_normal((64, 33)).astype(np.float32), "b")], [a])
check("matmul", p, f, [128, 256, 512])
x = rng.standard_normal((7, 45)).astype(np.float32)
p, f = one_node("softmax", helper.make_node("Softmax", ["x"], ["y"], axis=-1), [vi("x", (7, 45))],
                [vi("y", (7, 45))], [], [x])
check("softmax", p, f, [128, 256])
check("softmax_zvl256", p, f, [256], ["-march=rv64gcv_zvl256b"])
p, f = one_node("layernorm", helper.make_node("LayerNormalization", ["x", "s", "b"], ["y"], axis=-1),
                [vi("x", (7, 45))], [vi("y", (7, 45))],
                [numpy_helper.from_array(rng.standard_normal(45).astype(np.float32), "s"),
                 numpy_helper.from_array(rng.standard_normal(45).astype(np.float32), "b")], [x])
check("layernorm", p, f, [128, 1024])
check("bert_tiny", os.path.join(MODELS, "bert_tiny_op17.onnx"), [os.path.join(MODELS, "bert_tiny_op17.input_0.npy")],
      [128])
if DIFFGEN:
    d = os.path.join(tmp, "diff")
    os.makedirs(d)
    r = run([DIFFGEN, d, "6", "20261202"])
    if r.returncode:
        failures += 1
        print("FAIL emu_diffgen: " + r.stderr.strip())
    else:
        for i in range(6):
            x = os.path.join(d, "x%d.npy" % i)
            np.save(x, rng.integers(0, 256, 8192, dtype=np.uint8))
            check("random%d" % i, None, [x], [128, 256], mod=os.path.join(d, "diff%d.rvvmod" % i))
sys.exit(1 if failures else 0)
