#!/usr/bin/python3
"""Compile time of every test model (build/models/*.onnx): `rvvnn compile
--verbose` run REPEAT times per model; for each pass (import, the graph
passes, codegen) and the total, the median wall time the compiler
reports, plus the process's CPU time (user + system) and peak resident
memory (from wait4), and the step counts. Inputs with symbolic dims are
bound to the shapes recorded in the model's .json. Prints a table and
JSON; never fails on the numbers (the goal for BERT-tiny is < 200 ms).

usage: compile_time.py BUILD_DIR [--repeat N] [--json out.json]"""
import argparse
import glob
import json
import os
import re
import statistics
import subprocess
import tempfile

ap = argparse.ArgumentParser()
ap.add_argument("build")
ap.add_argument("--repeat", type=int, default=5)
ap.add_argument("--json")
a = ap.parse_args()
B = os.path.abspath(a.build)
rvvnn = os.path.join(B, "rvvnn")
tmp = tempfile.mkdtemp(prefix="rvvnn-ctime-")
line_re = re.compile(r"^rvvnn compile: (\S+)\s+([0-9.]+) ms")
total_re = re.compile(r"total\s+([0-9.]+) ms; .*: (\d+) RVV steps, (\d+) fallback steps, (\d+) bytes")


def compile_once(model, binds):
    out = os.path.join(tmp, "m.rvvmod")
    p = subprocess.Popen([rvvnn, "compile", model, "-o", out, "--verbose"] + binds,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    err = p.stderr.read()
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode:
        raise SystemExit("compile %s failed: %s" % (model, err))
    passes, total = {}, None
    for ln in err.splitlines():
        t = total_re.search(ln)
        if t:
            total = (float(t.group(1)), int(t.group(2)), int(t.group(3)), int(t.group(4)))
            continue
        m = line_re.match(ln)
        if m:
            passes[m.group(1)] = float(m.group(2))
    return passes, total, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024.0


results = []
for path in sorted(glob.glob(os.path.join(B, "models", "*.onnx"))):
    name = os.path.basename(path)[:-5]
    binds = []
    meta = os.path.join(B, "models", name + ".json")
    if os.path.exists(meta):
        for inp in json.load(open(meta))["inputs"]:
            binds.append("--input-shape=%s=%s" % (inp["name"], "x".join(str(d) for d in inp["shape"])))
    runs = [compile_once(path, binds) for _ in range(a.repeat)]
    pass_names = list(runs[0][0])
    row = {
        "model": name,
        "repeat": a.repeat,
        "pass_ms": {p: statistics.median(r[0].get(p, 0.0) for r in runs) for p in pass_names},
        "total_ms": statistics.median(r[1][0] for r in runs),
        "cpu_ms": statistics.median(r[2] * 1000 for r in runs),
        "peak_mb": max(r[3] for r in runs),
        "rvv_steps": runs[0][1][1],
        "fallback_steps": runs[0][1][2],
        "module_mb": runs[0][1][3] / 1e6,
        "input_mb": os.path.getsize(path) / 1e6,
    }
    results.append(row)

cols = ["import", "passes", "codegen"]
print("%-16s %8s %8s %8s %9s %8s %8s %9s %9s  %s" % ("model", "import", "passes", "codegen", "total ms",
                                                    "cpu ms", "peak MB", "onnx MB", "module MB", "steps rvv/fallback"))
for r in results:
    pm = r["pass_ms"]
    graph = sum(v for k, v in pm.items() if k not in ("import", "codegen"))
    print("%-16s %8.1f %8.1f %8.1f %9.1f %8.1f %8.1f %9.1f %9.1f  %d/%d" % (
        r["model"], pm.get("import", 0), graph, pm.get("codegen", 0), r["total_ms"], r["cpu_ms"], r["peak_mb"],
        r["input_mb"], r["module_mb"], r["rvv_steps"], r["fallback_steps"]))
print("(median of %d runs per model; passes = bind .. plan-memory; goal for BERT-tiny: total < 200 ms)" % a.repeat)
if a.json:
    json.dump(results, open(a.json, "w"), indent=1)
print(json.dumps(results))
