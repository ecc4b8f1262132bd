#!/usr/bin/python3
"""What `rvvnn inspect` lists, as a user sees it.

passes/fuse.c on MobileNetV3-style blocks: a
Conv -> HardSwish, a Conv + BatchNormalization -> HardSwish, a
Conv -> HardSigmoid and a Conv -> Sigmoid each compile to one RVV step
that `rvvnn inspect` lists as ConvEpilogue; a Conv whose output is also
read by another node (HardSwish and an Add) is not fused: inspect lists
Conv, HardSwish and Add. (Their numbers are checked against the
reference executor by the convepi sweep.)

ConvTranspose (codegen/convt.c): an overlapping one (stride 2, pads,
output_padding) with constant weights is one RVV step, and so is ONNX's
node test convtranspose_pads as shipped, with W a graph input read at
run time (not re-laid: fewer output channels per block).

usage: inspect_steps.py RVVNN"""
import json
import os
import subprocess
import sys
import tempfile

import onnx

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import opcases  # noqa: E402

RVVNN = sys.argv[1]
tmp = tempfile.mkdtemp(prefix="rvvnn-fuseinspect-")
WANT = {"convepi_3x3_hardswish": ["ConvEpilogue"], "convepi_bn_hardswish": ["ConvEpilogue"],
        "convepi_1x1_hardsigmoid": ["ConvEpilogue"], "convepi_dw3x3_s2_sigmoid": ["ConvEpilogue"],
        "convepi_shared_hardswish": ["Conv", "HardSwish", "Add"]}
WANT_KIND = {"convt_k3_s2_p1_op1": ("rvv", "ConvTranspose"), "convt_node_runtime_w": ("rvv", "ConvTranspose")}
failures = n = 0


def cases():
    yield from opcases.convepi_cases()
    yield from opcases.convt_cases()
    m = onnx.load(os.path.join(opcases.NODE_DATA, "test_convtranspose_pads", "model.onnx"))
    yield "convt_node_runtime_w", m, []


for name, m, _ in cases():
    if name not in WANT and name not in WANT_KIND:
        continue
    n += 1
    path, mod = os.path.join(tmp, name + ".onnx"), os.path.join(tmp, name + ".rvvmod")
    onnx.save(m, path)
    r = subprocess.run([RVVNN, "compile", path, "-o", mod], capture_output=True, text=True)
    ins = subprocess.run([RVVNN, "inspect", mod, "--json"], capture_output=True, text=True)
    try:
        steps = [(None, s["kind"], s["op"]) for s in json.loads(ins.stdout)["steps"]]
    except (ValueError, KeyError):
        steps = []
    if name in WANT_KIND:
        got = [(s[1], s[2]) for s in steps if len(s) > 2]
        ok = not r.returncode and not ins.returncode and got == [WANT_KIND[name]]
        failures += not ok
        print("%s %s: steps %s%s" % ("ok  " if ok else "FAIL", name, got,
                                    "" if ok else " (want %s) %s" % ([WANT_KIND[name]], (r.stderr + ins.stderr).strip())))
        continue
    got = [s[2] for s in steps if len(s) > 2 and s[1] == "rvv"]
    ok = not r.returncode and not ins.returncode and got == WANT[name] and len(steps) == len(got)
    failures += not ok
    print("%s %s: RVV steps %s%s" % ("ok  " if ok else "FAIL", name, got,
                                    "" if ok else " (want %s) %s" % (WANT[name], (r.stderr + ins.stderr).strip())))
print("%d passed, %d failed" % (n - failures, failures))
sys.exit(1 if failures or n != len(WANT) + len(WANT_KIND) else 0)
