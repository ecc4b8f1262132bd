#!/usr/bin/python3
"""Whole-model dynamic instruction counts under qemu-riscv64 (the
project's TCG plugin): a model compiled by rvvnn to RVV code (BERT-tiny by
default; --models adds the CNNs: resnet18, mobilenet_v2, squeezenet1_1),
against the same model run by rvvnn's reference kernels (portable C)
built with clang-19 -O3 -march=rv64gcv, i.e. plain C loops autovectorised
by LLVM. Both run in rvvnn-rt; each count is (2 runs) - (1 run), so
loading and I/O cancel. Prints a table and JSON; never fails on the
numbers.

Note the C side accumulates MatMul and Conv in double (the reference's
choice for exactness), so it is the same model, not the same arithmetic.

usage: model_insn.py BUILD_DIR [--vlen 128,1024] [--models bert_tiny_op17,resnet18] [--json out.json]"""
import argparse
import json
import os
import subprocess
import tempfile

ap = argparse.ArgumentParser()
ap.add_argument("build")
ap.add_argument("--vlen", default="128,1024")
ap.add_argument("--models", default="bert_tiny_op17")
ap.add_argument("--json")
a = ap.parse_args()
B = os.path.abspath(a.build)
plugin = os.path.join(B, "benchmarks", "libinsn_count.so")
rt_gcc = os.path.join(B, "riscv64", "rvvnn-rt")
rt_clang = os.path.join(B, "riscv64-clang", "rvvnn-rt")
rvvnn = os.path.join(B, "rvvnn")
tmp = tempfile.mkdtemp(prefix="rvvnn-mbench-")


def compile_pair(name):
    model = os.path.join(B, "models", name + ".onnx")
    rvv_mod, c_mod = os.path.join(tmp, name + ".rvv.rvvmod"), os.path.join(tmp, name + ".c.rvvmod")
    subprocess.run([rvvnn, "compile", model, "-o", rvv_mod], check=True)
    subprocess.run([rvvnn, "compile", model, "-o", c_mod, "--no-rvv"], check=True)
    return rvv_mod, c_mod


def count(rt, mod, ids, reps, vlen):
    out = os.path.join(tmp, "cnt.json")
    subprocess.run(["qemu-riscv64", "-plugin", plugin + ",out=" + out, "-cpu",
                    "rv64,v=true,vlen=%d,vext_spec=v1.0" % vlen, rt, mod, "--input=@" + ids,
                    "--output=@" + os.path.join(tmp, "y.npy"), "--repeat=%d" % reps], check=True, capture_output=True)
    return json.load(open(out))


results = []
for name in a.models.split(","):
    rvv_mod, c_mod = compile_pair(name)
    ids = os.path.join(B, "models", name + ".input_0.npy")
    for vlen in [int(v) for v in a.vlen.split(",")]:
        row = {"model": name, "vlen": vlen}
        for label, rt, mod in (("rvvnn", rt_gcc, rvv_mod), ("clang_c", rt_clang, c_mod)):
            c1, c2 = count(rt, mod, ids, 1, vlen), count(rt, mod, ids, 2, vlen)
            row[label] = {k: c2[k] - c1[k] for k in c1}
        row["ratio"] = row["clang_c"]["total"] / max(row["rvvnn"]["total"], 1)
        results.append(row)
        print("VLEN %4d %-15s rvvnn %13d (vector %.0f%%)  clang -O3 C %13d  clang/rvvnn %.2fx" % (
            vlen, name, row["rvvnn"]["total"], 100.0 * (1 - row["rvvnn"]["scalar"] / max(row["rvvnn"]["total"], 1)),
            row["clang_c"]["total"], row["ratio"]), flush=True)
if a.json:
    json.dump(results, open(a.json, "w"), indent=1)
print(json.dumps(results))
