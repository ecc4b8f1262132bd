#!/usr/bin/python3
"""Modeled cycles on a RISC-V core (the emulator's timing model,
docs/timing-model.md; default the SpacemiT X60 at its VLEN 256): the
GEMM microkernel on an L1-resident problem (after one warm-up run),
BERT-tiny's GEMM steps and whole models (BERT-tiny, MobileNetV2,
ResNet18, SqueezeNet1.1; one run from empty caches; their fallback steps
are not modeled and are listed). Prints a table and JSON;
never fails on the numbers (they are a model's, not measurements).

usage: emu_model.py BUILD_DIR [--core x60] [--json out.json]"""
import argparse
import json
import os
import subprocess
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

ap = argparse.ArgumentParser()
ap.add_argument("build")
ap.add_argument("--core", default="x60")
ap.add_argument("--json")
a = ap.parse_args()
B = os.path.abspath(a.build)
rvvnn = os.path.join(B, "rvvnn")
models = os.path.join(B, "models")
tmp = tempfile.mkdtemp(prefix="rvvnn-emu-bench-")


def bench(mod, inputs, warmup=0):
    r = subprocess.run([rvvnn, "bench", mod, "--executor=emu", "--core=" + a.core, "--json",
                        "--warmup=%d" % warmup] +
                       ["--input=@" + p for p in inputs], capture_output=True, text=True, check=True)
    return json.loads(r.stdout)


def compile_(onnx_path, name):
    mod = os.path.join(tmp, name + ".rvvmod")
    subprocess.run([rvvnn, "compile", onnx_path, "-o", mod], check=True, capture_output=True)
    return mod


rows = []
# the microkernel on an L1-resident GEMM: 16 x 64 times 64 x 64 (A 4 KiB, B 16 KiB, C 4 KiB)
rng = np.random.default_rng(1)
g = helper.make_graph([helper.make_node("MatMul", ["a", "b"], ["y"])], "g",
                      [helper.make_tensor_value_info("a", TensorProto.FLOAT, [16, 64])],
                      [helper.make_tensor_value_info("y", TensorProto.FLOAT, [16, 64])],
                      [numpy_helper.from_array(rng.standard_normal((64, 64)).astype(np.float32), "b")])
m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
m.ir_version = 8
p = os.path.join(tmp, "gemm_l1.onnx")
onnx.save(m, p)
x = os.path.join(tmp, "a.npy")
np.save(x, rng.standard_normal((16, 64)).astype(np.float32))
d = bench(compile_(p, "gemm_l1"), [x], warmup=1)  # measured warm: A, B and C in L1
rows.append(("GEMM microkernel 16x64x64 (L1, warm)", d["total"], 0))
whole = {}
for name in ("bert_tiny_op17", "mobilenet_v2", "resnet18", "squeezenet1_1"):
    d = bench(compile_(os.path.join(models, name + ".onnx"), name), [os.path.join(models, name + ".input_0.npy")])
    whole[name] = d
    if name == "bert_tiny_op17":
        for s in d["steps"]:
            if "MatMul" in s["op"]:
                rows.append(("BERT-tiny %s" % s["name"], s, 0))
    rows.append(("%s (whole, RVV steps)" % name, d["total"], d["total"]["fallback_steps_not_modeled"]))
print("modeled on %s (%s), peak %g f32 FLOP/cycle" % (a.core, "VLEN %d" % whole["bert_tiny_op17"]["vlen"],
                                                      whole["bert_tiny_op17"]["peak_f32_flop_per_cycle"]))
print("%-52s %14s %14s %8s %7s  %-18s %s" % ("workload", "cycles", "flops", "flop/c", "%peak", "limit", "fallback"))
for label, t, fb in rows:
    print("%-52.52s %14.0f %14.0f %8.2f %6.1f%%  %-18s %s" % (label, t["cycles"], t["flops"], t["flop_per_cycle"],
                                                             t["pct_peak"], t["limit"], fb or ""))
out = [{"workload": label, **{k: t[k] for k in ("cycles", "flops", "flop_per_cycle", "pct_peak", "limit")},
        "fallback_steps": fb} for label, t, fb in rows]
if a.json:
    json.dump(out, open(a.json, "w"), indent=1)
print(json.dumps(out))
