#!/usr/bin/python3
"""rvvnn inspect weighs fallback steps like RVV steps: a fallback step
reports the FLOP and byte estimates of codegen/cost.c (the same
conventions as the RVV generators), so "x% of FLOPs in RVV code" is the
share of the work that really runs as RVV code.

Checks, for Conv -> Relu -> MaxPool -> Cos (Cos has no RVV generator):
 - compiled with --no-rvv: every step is a fallback step with the exact
   FLOP count (Conv: 2 * outputs * C * kh * kw; Relu: outputs; MaxPool:
   outputs * kh * kw) and bytes = the operands' sizes; 0% in RVV code;
 - compiled for RVV: the Conv step (fused with Relu) reports the same
   FLOPs as the fallback Conv, and the printed RVV share matches the
   per-step figures.

usage: inspect_cost.py RVVNN"""
import json
import os
import re
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

RVVNN = sys.argv[1]
tmp = tempfile.mkdtemp(prefix="rvvnn-inspect-")
N, C, H, W, M, K = 1, 3, 12, 10, 8, 3
nodes = [helper.make_node("Conv", ["x", "w"], ["c"], kernel_shape=[K, K], pads=[1, 1, 1, 1]),
         helper.make_node("Relu", ["c"], ["r"]),
         helper.make_node("MaxPool", ["r"], ["p"], kernel_shape=[2, 2], strides=[2, 2]),
         helper.make_node("Cos", ["p"], ["y"])]
w = np.random.default_rng(1).standard_normal((M, C, K, K)).astype(np.float32)
g = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [N, C, H, W])],
                      [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], [numpy_helper.from_array(w, "w")])
m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
m.ir_version = 8
path = os.path.join(tmp, "m.onnx")
onnx.save(m, path)
failures = 0


def check(cond, what):
    global failures
    if not cond:
        failures += 1
    print("%s %s" % ("ok  " if cond else "FAIL", what))


def inspect(flags):
    mod = os.path.join(tmp, "m.rvvmod")
    subprocess.run([RVVNN, "compile", path, "-o", mod] + flags, check=True, capture_output=True)
    j = json.loads(subprocess.run([RVVNN, "inspect", mod, "--json"], check=True, capture_output=True,
                                  text=True).stdout)
    text = subprocess.run([RVVNN, "inspect", mod], check=True, capture_output=True, text=True).stdout
    share = float(re.search(r"([0-9.]+)% of FLOPs in RVV code", text).group(1))
    return j["steps"], share


outs = N * M * H * W
conv_flops, pool_out = 2 * outs * C * K * K, N * M * (H // 2) * (W // 2)
steps, share = inspect(["--no-rvv"])
by_op = {s["op"]: s for s in steps}
check(all(s["kind"] == "fallback" for s in steps), "--no-rvv: every step is a fallback step")
conv = by_op.get("rvvnn::ConvEpilogue") or by_op.get("Conv")
check(conv is not None and conv["flops"] == conv_flops,
      "fallback Conv(+Relu) FLOPs %s == 2*outputs*C*k*k = %d" % (conv and conv["flops"], conv_flops))
check(conv is not None and conv["bytes"] == 4 * (N * C * H * W + w.size + outs),
      "fallback Conv bytes = x + W + y")
check(by_op["MaxPool"]["flops"] == pool_out * 4, "fallback MaxPool FLOPs == outputs * taps")
check(by_op["Cos"]["flops"] > 0 and by_op["Cos"]["bytes"] == 2 * 4 * pool_out, "fallback Cos reports work")
check(share == 0.0, "--no-rvv: 0%% of FLOPs in RVV code (printed %.1f%%)" % share)

steps, share = inspect([])
total = sum(s["flops"] for s in steps)
rvv = sum(s["flops"] for s in steps if s["kind"] == "rvv")
conv = [s for s in steps if s["op"] in ("ConvEpilogue", "Conv")]
check(len(conv) == 1 and conv[0]["kind"] == "rvv" and conv[0]["flops"] == conv_flops,
      "RVV Conv step reports the fallback's FLOPs")
check(any(s["kind"] == "fallback" and s["op"] == "Cos" for s in steps), "Cos stays a fallback step")
check(abs(share - 100.0 * rvv / total) < 0.06 and share < 100.0,
      "printed RVV share %.1f%% == %.1f%% from the steps" % (share, 100.0 * rvv / total))
sys.exit(1 if failures else 0)
