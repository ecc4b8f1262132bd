#!/usr/bin/python3
"""rvvnn's reference executor against ONNX Runtime on the host: the same
models (build/models) and the same .npy inputs, at each thread count, both
measured in this one run. rvvnn: `rvvnn run --threads=N --repeat=R`, the
median of the per-run times it prints. ORT: the onnxruntime-node npm
package (installed on first use into BUILD/ort with --ignore-scripts; its
tarball carries the prebuilt linux-x64 binding) driven by ort_run.js with
intraOpNumThreads=N, warmup + ITERS runs, the median. Reports the ratio
rvvnn ms / ORT ms (goal <= 2x) and the max |ORT - rvvnn| over the output,
since timing two programs that disagree says nothing. Prints a table and
JSON; never fails on the numbers. Without node/npm, or when npm cannot
fetch the package, it says what is missing and exits 0.

usage: ort_bench.py BUILD_DIR [--models a,b] [--threads 1,2] [--repeat R]
                    [--iters N] [--warmup W] [--ort-version V] [--json out.json]"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ap = argparse.ArgumentParser()
ap.add_argument("build")
ap.add_argument("--models", default="bert_tiny_op17,mobilenet_v2,resnet18,squeezenet1_1")
ap.add_argument("--threads", default="1,2")
ap.add_argument("--repeat", type=int, default=3, help="rvvnn runs per cell (median)")
ap.add_argument("--iters", type=int, default=20, help="timed ORT runs per cell (median)")
ap.add_argument("--warmup", type=int, default=3, help="untimed ORT runs first")
ap.add_argument("--ort-version", default="1.30.0", help="onnxruntime-node version npm installs")
ap.add_argument("--json")
a = ap.parse_args()
B = os.path.abspath(a.build)
rvvnn = os.path.join(B, "rvvnn")
tmp = tempfile.mkdtemp(prefix="rvvnn-ort-")


def skip(reason):
    """Nothing to compare against: say why, leave a JSON that says so, exit 0."""
    print("ort_bench: skipped: " + reason)
    if a.json:
        json.dump({"skipped": reason}, open(a.json, "w"), indent=1)
    sys.exit(0)


node, npm = shutil.which("node") or shutil.which("nodejs"), shutil.which("npm")
if not node or not npm:
    skip("needs node and npm for onnxruntime-node (Debian: apt-get install -y "
         "--no-install-recommends nodejs npm)")
ort_prefix = os.path.join(B, "ort")
ort_dir = os.path.join(ort_prefix, "node_modules", "onnxruntime-node")
want = "onnxruntime-node@" + a.ort_version
have = None
if os.path.exists(os.path.join(ort_dir, "package.json")):
    have = json.load(open(os.path.join(ort_dir, "package.json"))).get("version")
if have != a.ort_version:
    # --ignore-scripts: the postinstall step only downloads optional GPU
    # providers; the CPU binding is in the tarball itself.
    print("ort_bench: npm install --ignore-scripts --prefix %s %s" % (ort_prefix, want), flush=True)
    p = subprocess.run([npm, "install", "--ignore-scripts", "--no-audit", "--no-fund",
                        "--prefix", ort_prefix, want], capture_output=True, text=True)
    if p.returncode:
        skip("npm install %s failed (no registry access?): %s" % (want, p.stderr.strip()[-400:]))
run_re = re.compile(r"repetition \d+: ([0-9.]+) ms")


def rvvnn_cell(model, x, threads, out):
    p = subprocess.run([rvvnn, "run", model, "--input=@" + x, "--output=@" + out,
                        "--threads=%d" % threads, "--repeat=%d" % a.repeat],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if p.returncode:
        raise SystemExit("rvvnn run %s failed: %s" % (model, p.stderr))
    times = [float(t) for t in run_re.findall(p.stderr)]
    if len(times) != a.repeat:
        raise SystemExit("rvvnn run %s: expected %d timings, got: %s" % (model, a.repeat, p.stderr))
    return times


def ort_cell(model, x, threads, out):
    p = subprocess.run([node, os.path.join(HERE, "ort_run.js"), ort_dir, model, x, str(threads),
                        str(a.warmup), str(a.iters), out], capture_output=True, text=True)
    if p.returncode:
        skip("ONNX Runtime could not run %s: %s" % (os.path.basename(model), p.stderr.strip()[-400:]))
    return json.loads(p.stdout.strip().splitlines()[-1])


results, version = [], None
for name in a.models.split(","):
    model = os.path.join(B, "models", name + ".onnx")
    x = os.path.join(B, "models", name + ".input_0.npy")
    for threads in (int(t) for t in a.threads.split(",")):
        r_out = os.path.join(tmp, "rvvnn.npy")
        o_out = os.path.join(tmp, "ort.npy")
        r_times = rvvnn_cell(model, x, threads, r_out)
        o = ort_cell(model, x, threads, o_out)
        version = o["version"]
        yr, yo = np.load(r_out).astype(np.float64), np.load(o_out).astype(np.float64)
        if yr.shape != yo.shape:
            raise SystemExit("%s: output shapes differ: rvvnn %s, ORT %s" % (name, yr.shape, yo.shape))
        r_ms, o_ms = statistics.median(r_times), statistics.median(o["times_ms"])
        results.append({
            "model": name, "threads": threads,
            "rvvnn_ms": r_ms, "ort_ms": o_ms, "ratio": r_ms / o_ms,
            "max_abs_diff": float(np.max(np.abs(yr - yo))),
            "output_max_abs": float(np.max(np.abs(yo))),
            "rvvnn_times_ms": r_times, "ort_times_ms": o["times_ms"],
        })

print("%-16s %7s %11s %9s %12s %14s" % ("model", "threads", "rvvnn ms", "ORT ms", "rvvnn/ORT", "max|ORT-rvvnn|"))
for r in results:
    print("%-16s %7d %11.2f %9.2f %11.1fx %14.2e" % (
        r["model"], r["threads"], r["rvvnn_ms"], r["ort_ms"], r["ratio"], r["max_abs_diff"]))
print("(rvvnn: reference executor, median of %d runs; ONNX Runtime %s (onnxruntime-node, CPU EP), "
      "median of %d runs after %d warmup; goal: rvvnn/ORT <= 2x)" % (a.repeat, version, a.iters, a.warmup))
doc = {"ort_version": version, "repeat": a.repeat, "iters": a.iters, "warmup": a.warmup, "results": results}
if a.json:
    json.dump(doc, open(a.json, "w"), indent=1)
print(json.dumps(doc))
