#!/usr/bin/python3
"""Dynamic instruction counts of rvvnn's RVV GEMM kernels against the same
GEMM as plain C compiled with clang-19 -O3 -march=rv64gcv, under
qemu-riscv64 with the project's TCG plugin (insn_count_plugin.c).

Each count is the difference between runs with 2 and 1 repetitions, so
start-up, loading and I/O cancel and one GEMM remains. Shapes are
BERT-tiny's. Prints a table and writes JSON (--json FILE). Never fails
on the numbers; it is a measurement.

usage: gemm_insn.py BUILD_DIR [--vlen 128,1024] [--json out.json] [--quick]"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

ap = argparse.ArgumentParser()
ap.add_argument("build")
ap.add_argument("--vlen", default="128,1024")
ap.add_argument("--json")
ap.add_argument("--quick", action="store_true")
a = ap.parse_args()
B = os.path.abspath(a.build)
plugin = os.path.join(B, "benchmarks", "libinsn_count.so")
gemm_c = os.path.join(B, "benchmarks", "gemm_c")
rt = os.path.join(B, "riscv64", "rvvnn-rt")
rvvnn = os.path.join(B, "rvvnn")
tmp = tempfile.mkdtemp(prefix="rvvnn-bench-")
SHAPES = [  # name, M, N, K (BERT-tiny, batch 2 x seq 128)
    ("qkv/out proj", 256, 128, 128), ("ffn up", 256, 512, 128), ("ffn down", 256, 128, 512),
    ("attn scores", 128, 128, 64), ("attn context", 128, 64, 128), ("mlm head", 256, 30522, 128)]
if a.quick:
    SHAPES = SHAPES[:1]


def count(cmd, vlen):
    out = os.path.join(tmp, "cnt.json")
    subprocess.run(["qemu-riscv64", "-plugin", plugin + ",out=" + out, "-cpu",
                    "rv64,v=true,vlen=%d,vext_spec=v1.0" % vlen] + cmd, check=True, capture_output=True)
    return json.load(open(out))


def delta(cmd1, cmd2, vlen):
    c1, c2 = count(cmd1, vlen), count(cmd2, vlen)
    return {k: c2[k] - c1[k] for k in c1}


results = []
for vlen in [int(v) for v in a.vlen.split(",")]:
    for name, M, N, K in SHAPES:
        x = helper.make_tensor_value_info("a", TensorProto.FLOAT, [M, K])
        y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [M, N])
        w = numpy_helper.from_array(np.ones((K, N), np.float32), "b")
        m = helper.make_model(helper.make_graph([helper.make_node("MatMul", ["a", "b"], ["y"])], "g", [x], [y], [w]),
                              opset_imports=[helper.make_opsetid("", 17)])
        m.ir_version = 8
        path = os.path.join(tmp, "mm.onnx")
        onnx.save(m, path)
        mod = os.path.join(tmp, "mm.rvvmod")
        subprocess.run([rvvnn, "compile", path, "-o", mod], check=True)
        xin = os.path.join(tmp, "a.npy")
        np.save(xin, np.ones((M, K), np.float32))
        yout = os.path.join(tmp, "y.npy")
        base = [rt, mod, "--input=@" + xin, "--output=@" + yout]
        r = delta(base + ["--repeat=1"], base + ["--repeat=2"], vlen)
        cargs = [gemm_c, str(M), str(N), str(K)]
        cl = delta(cargs + ["1"], cargs + ["2"], vlen)
        flops = 2 * M * N * K
        results.append({"shape": name, "M": M, "N": N, "K": K, "vlen": vlen, "flops": flops, "rvvnn": r, "clang": cl,
                        "ratio": cl["total"] / max(r["total"], 1)})
        print("VLEN %4d %-14s %5dx%5dx%4d  rvvnn %12d  clang %12d  clang/rvvnn %6.2fx  FLOP/insn rvvnn %6.1f clang %5.1f"
              % (vlen, name, M, N, K, r["total"], cl["total"], cl["total"] / max(r["total"], 1),
                 flops / max(r["total"], 1), flops / max(cl["total"], 1)), flush=True)
if a.json:
    with open(a.json, "w") as f:
        json.dump(results, f, indent=1)
print(json.dumps({"results": len(results), "geomean_ratio": float(np.exp(np.mean([np.log(r["ratio"]) for r in results])))}))
