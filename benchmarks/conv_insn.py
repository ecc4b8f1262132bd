#!/usr/bin/python3
"""Per-layer dynamic instruction counts of the CNNs' convolutions: every
distinct Conv geometry of ResNet18, MobileNetV2 and SqueezeNet1.1 (from
build/models/*.onnx, shapes by ONNX shape inference) as a one-layer ONNX
model (Conv + the ReLU or ReLU6 the model applies right after it, random
weights) compiled by `rvvnn compile` and run by build/riscv64/rvvnn-rt,
against the same layer as plain C loops (benchmarks/conv_c.c, clang-19
-O3 -march=rv64gcv), both under qemu-riscv64 with the project's TCG plugin
(insn_count_plugin.c) at each VLEN (rvvnn modules are VLA).

Start-up is taken out on both sides: rvvnn's count is (--repeat=2) -
(--repeat=1), conv_c's is (REPS=1) - (REPS=0); the start-up (loading,
file I/O, allocation) is reported separately. Every layer's outputs from
both sides are compared (max |diff| <= TOL, below) so the counts are of
code that computes the same thing. Bytes moved per MAC come from the
built-in emulator (`rvvnn bench --executor=emu --core=x60 --vlen=V
--json`): bytes loaded + stored by the module's instructions (every
access, cache hits included) / the layer's MACs (N*M*OH*OW*C/G*KH*KW,
padding taps included).

Per-model totals weight each layer by its occurrences; a Conv followed by
a residual Add (ResNet18, MobileNetV2) is counted as Conv alone, since
rvvnn fuses the Add and plain C would do it as a separate pass.

Prints a table, writes JSON (--json) and a markdown report (--md). Never
fails on the numbers; exits 1 only if outputs differ (a wrong benchmark),
2 on a setup error.
--smoke runs three tiny layers (strided, asymmetric pads, dilated,
grouped, ReLU6; depthwise stride 2 ReLU; pointwise) at VLEN 128 and 1024
and checks the outputs; it is what ctest runs.

usage: conv_insn.py BUILD_DIR [--vlen 128,1024] [--models resnet18,...] [--layers 0,3]
                    [--json out.json] [--md CONV.md] [--plugin libinsn_count.so] [--smoke]
                    [--merge a.json,b.json]"""
import argparse
import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zlib

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper, shape_inference

TOL = 1e-4  # max |rvvnn - conv_c|: f32 sums in different orders, inputs in [-1,1], weights ~ 1/sqrt(fan-in)
ACTS = {0: "", 1: "relu", 2: "relu6"}



def fail(msg):
    """a usage or setup error: exit 2 (exit 1 is kept for outputs that differ)"""
    print("conv_insn.py: error: " + msg, file=sys.stderr)
    sys.exit(2)


ap = argparse.ArgumentParser()
ap.add_argument("build")
ap.add_argument("--vlen", default="128,1024")
ap.add_argument("--models", default="resnet18,mobilenet_v2,squeezenet1_1")
ap.add_argument("--layers", help="comma-separated indices into the distinct geometries (default all)")
ap.add_argument("--json")
ap.add_argument("--md")
ap.add_argument("--plugin")
ap.add_argument("--conv-c")
ap.add_argument("--smoke", action="store_true")
ap.add_argument("--merge", help="comma-separated JSON files of earlier runs: report them, measure nothing")
a = ap.parse_args()
B = os.path.abspath(a.build)
plugin = a.plugin or os.path.join(B, "benchmarks", "libinsn_count.so")
conv_c = a.conv_c or os.path.join(B, "benchmarks", "conv_c")
rt = os.path.join(B, "riscv64", "rvvnn-rt")
rvvnn = os.path.join(B, "rvvnn")
for p in (plugin, conv_c, rt, rvvnn):
    if not os.path.exists(p):
        fail("%s missing (build targets bench_tools / rvvnn_cli first)" % p)
tmp = tempfile.mkdtemp(prefix="rvvnn-conv-")
atexit.register(shutil.rmtree, tmp, True)  # the layers' models, modules and data (tens of MB)
KEYS = ("n", "c", "h", "w", "m", "kh", "kw", "sh", "sw", "pt", "pl", "pb", "pr", "dh", "dw", "g", "act")


def const_value(g, name):
    for t in g.initializer:
        if t.name == name:
            return float(numpy_helper.to_array(t).reshape(-1)[0])
    for nd in g.node:
        if nd.op_type == "Constant" and nd.output[0] == name:
            return float(numpy_helper.to_array(nd.attribute[0].t).reshape(-1)[0])
    return None


def geometries(model):
    """[(geometry dict)] for every Conv of the model, in graph order"""
    path = os.path.join(B, "models", model + ".onnx")
    if not os.path.exists(path):
        fail("no model %s (the build exports resnet18, mobilenet_v2, squeezenet1_1: target model_cnns)" % path)
    m = shape_inference.infer_shapes(onnx.load(path))
    g = m.graph
    shapes = {v.name: [d.dim_value for d in v.type.tensor_type.shape.dim]
              for v in list(g.value_info) + list(g.input) + list(g.output)}
    inits = {t.name: list(t.dims) for t in g.initializer}
    users = {}
    for nd in g.node:
        for i in nd.input:
            users.setdefault(i, []).append(nd)
    out = []
    for nd in g.node:
        if nd.op_type != "Conv":
            continue
        at = {x.name: helper.get_attribute_value(x) for x in nd.attribute}
        n, c, h, w = shapes[nd.input[0]]
        mo, _, kh, kw = inits[nd.input[1]]
        pads = at.get("pads", [0, 0, 0, 0])
        st, dl = at.get("strides", [1, 1]), at.get("dilations", [1, 1])
        act = 0
        u = users.get(nd.output[0], [])
        if len(u) == 1 and u[0].op_type == "Relu":
            act = 1
        elif len(u) == 1 and u[0].op_type == "Clip" and len(u[0].input) == 3 and \
                const_value(g, u[0].input[1]) == 0 and const_value(g, u[0].input[2]) == 6:
            act = 2
        out.append(dict(n=n, c=c, h=h, w=w, m=mo, kh=kh, kw=kw, sh=st[0], sw=st[1], pt=pads[0], pl=pads[1],
                        pb=pads[2], pr=pads[3], dh=dl[0], dw=dl[1], g=at.get("group", 1), act=act))
    return out


def out_hw(q):
    oh = (q["h"] + q["pt"] + q["pb"] - q["dh"] * (q["kh"] - 1) - 1) // q["sh"] + 1
    ow = (q["w"] + q["pl"] + q["pr"] - q["dw"] * (q["kw"] - 1) - 1) // q["sw"] + 1
    return oh, ow


def macs(q):
    oh, ow = out_hw(q)
    return q["n"] * q["m"] * oh * ow * (q["c"] // q["g"]) * q["kh"] * q["kw"]


def describe(q):
    s = "%dx%dx%d -> %d k%dx%d s%d" % (q["c"], q["h"], q["w"], q["m"], q["kh"], q["kw"], q["sh"])
    if q["sh"] != q["sw"]:
        s += "x%d" % q["sw"]
    if any(q[k] for k in ("pt", "pl", "pb", "pr")):
        s += " p%d" % q["pt"] if len({q["pt"], q["pl"], q["pb"], q["pr"]}) == 1 else \
            " p%d,%d,%d,%d" % (q["pt"], q["pl"], q["pb"], q["pr"])
    if q["dh"] != 1 or q["dw"] != 1:
        s += " d%dx%d" % (q["dh"], q["dw"])
    if q["g"] != 1:
        s += " dw" if q["g"] == q["c"] == q["m"] else " g%d" % q["g"]
    if q["act"]:
        s += " +" + ACTS[q["act"]]
    return s


def build_layer(q, idx):
    """the one-layer ONNX model, compiled; returns paths of the module and the data files"""
    rng = np.random.default_rng(zlib.crc32(describe(q).encode()))  # same data for a geometry in any run order
    cg = q["c"] // q["g"]
    fan = cg * q["kh"] * q["kw"]
    x = rng.uniform(-1, 1, (q["n"], q["c"], q["h"], q["w"])).astype(np.float32)
    wt = (rng.uniform(-1, 1, (q["m"], cg, q["kh"], q["kw"])) / np.sqrt(fan)).astype(np.float32)
    b = rng.uniform(-0.5, 0.5, (q["m"],)).astype(np.float32)
    inits = [numpy_helper.from_array(wt, "w"), numpy_helper.from_array(b, "b")]
    conv_out = "y" if not q["act"] else "c"
    nodes = [helper.make_node("Conv", ["x", "w", "b"], [conv_out], kernel_shape=[q["kh"], q["kw"]],
                              strides=[q["sh"], q["sw"]], pads=[q["pt"], q["pl"], q["pb"], q["pr"]],
                              dilations=[q["dh"], q["dw"]], group=q["g"])]
    if q["act"] == 1:
        nodes.append(helper.make_node("Relu", ["c"], ["y"]))
    elif q["act"] == 2:
        inits += [numpy_helper.from_array(np.array(0, np.float32), "lo"),
                  numpy_helper.from_array(np.array(6, np.float32), "hi")]
        nodes.append(helper.make_node("Clip", ["c", "lo", "hi"], ["y"]))
    oh, ow = out_hw(q)
    gx = helper.make_tensor_value_info("x", TensorProto.FLOAT, list(x.shape))
    gy = helper.make_tensor_value_info("y", TensorProto.FLOAT, [q["n"], q["m"], oh, ow])
    m = helper.make_model(helper.make_graph(nodes, "conv", [gx], [gy], inits),
                          opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 7
    d = os.path.join(tmp, "l%d" % idx)
    os.makedirs(d, exist_ok=True)
    f = {k: os.path.join(d, k) for k in ("model.onnx", "mod.rvvmod", "x.npy", "x.bin", "w.bin", "b.bin")}
    onnx.save(m, f["model.onnx"])
    subprocess.run([rvvnn, "compile", f["model.onnx"], "-o", f["mod.rvvmod"]], check=True)
    ins = subprocess.run([rvvnn, "inspect", f["mod.rvvmod"]], check=True, capture_output=True, text=True).stdout
    f["fallback"] = int(ins.split(" RVV, ")[1].split(" fallback")[0])  # steps run by reference kernels
    np.save(f["x.npy"], x)
    x.tofile(f["x.bin"])
    wt.tofile(f["w.bin"])
    b.tofile(f["b.bin"])
    f["dir"] = d
    return f


def qemu_count(cmd, vlen):
    out = os.path.join(tmp, "cnt.json")
    subprocess.run(["qemu-riscv64", "-plugin", plugin + ",out=" + out, "-cpu",
                    "rv64,v=true,vlen=%d,vext_spec=v1.0" % vlen] + cmd, check=True, capture_output=True)
    return json.load(open(out))


def sub(x, y):
    return {k: x[k] - y[k] for k in x}


def measure(q, f, vlen):
    y_r, y_c = os.path.join(f["dir"], "y_rvvnn.npy"), os.path.join(f["dir"], "y_c.bin")
    base = [rt, f["mod.rvvmod"], "--input=@" + f["x.npy"], "--output=@" + y_r]
    r1, r2 = qemu_count(base + ["--repeat=1"], vlen), qemu_count(base + ["--repeat=2"], vlen)
    yr = np.load(y_r)
    cargs = [conv_c] + [str(q[k]) for k in KEYS]
    files = [f["x.bin"], f["w.bin"], f["b.bin"], y_c]
    c0, c1 = qemu_count(cargs + ["0"] + files, vlen), qemu_count(cargs + ["1"] + files, vlen)
    yc = np.fromfile(y_c, np.float32).reshape(yr.shape)
    rv, cl = sub(r2, r1), sub(c1, c0)
    em = json.loads(subprocess.run([rvvnn, "bench", f["mod.rvvmod"], "--executor=emu", "--core=x60",
                                    "--vlen=%d" % vlen, "--json"], check=True, capture_output=True, text=True).stdout)
    moved = em["total"]["bytes_loaded"] + em["total"]["bytes_stored"]
    mac = macs(q)
    return {"vlen": vlen, "rvvnn": rv, "clang": cl, "rvvnn_startup": r1["total"] - rv["total"],
            "clang_startup": c0["total"], "ratio": cl["total"] / max(rv["total"], 1), "macs": mac,
            "bytes_moved": moved, "bytes_per_mac": moved / mac, "emu_instructions": em["total"]["instructions"],
            "max_abs_diff": float(np.max(np.abs(yr - yc))), "max_abs_out": float(np.max(np.abs(yc)))}


def fmt_n(v):
    for unit, d in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(v) >= d:
            return "%.2f %s" % (v / d, unit)
    return "%d" % v


models = a.models.split(",")
vlens = [int(v) for v in a.vlen.split(",")]
if a.smoke:
    models = ["smoke"]
    geoms = [(dict(n=1, c=4, h=9, w=11, m=6, kh=3, kw=3, sh=2, sw=1, pt=1, pl=0, pb=1, pr=2, dh=1, dw=2, g=2, act=2),
              {"smoke": 1}),  # each of conv_c's inner loops once: variable stride (1 here), dilation, groups
             (dict(n=1, c=8, h=10, w=13, m=8, kh=3, kw=3, sh=2, sw=2, pt=1, pl=1, pb=1, pr=1, dh=1, dw=1, g=8, act=1),
              {"smoke": 1}),  # depthwise, constant stride 2
             (dict(n=1, c=5, h=6, w=7, m=3, kh=1, kw=1, sh=1, sw=1, pt=0, pl=0, pb=0, pr=0, dh=1, dw=1, g=1, act=0),
              {"smoke": 1})]  # pointwise
else:
    geoms = []  # [(geometry, {model: occurrences})] in first-seen order
    for mdl in models:
        for q in geometries(mdl):
            for gq, occ in geoms:
                if gq == q:
                    occ[mdl] = occ.get(mdl, 0) + 1
                    break
            else:
                geoms.append((q, {mdl: 1}))
print("%d distinct Conv geometries in %s" % (len(geoms), ", ".join(models)), flush=True)
sel = range(len(geoms)) if not a.layers else [int(i) for i in a.layers.split(",")]
rows, bad = [], 0
t0 = time.time()
commands = ["benchmarks/conv_insn.py " + " ".join(sys.argv[1:])]
if a.merge:
    sel, commands = [], []
    for p in a.merge.split(","):
        j = json.load(open(p))
        rows += j["layers"]
        commands.append(j.get("command", "?"))
    rows.sort(key=lambda r: (r["vlen"], r["layer"]))
    vlens = sorted({r["vlen"] for r in rows})
for i in sel:
    q, occ = geoms[i]
    f = build_layer(q, i)
    for vlen in vlens:
        r = measure(q, f, vlen)
        r.update({"layer": i, "geometry": q, "desc": describe(q), "occurrences": occ})
        r["fallback_steps"] = f["fallback"]
        ok = r["max_abs_diff"] <= TOL and r["rvvnn"]["total"] > 0 and r["clang"]["total"] > 0
        if f["fallback"]:
            print("note: layer %d has %d step(s) not compiled to RVV (run by reference kernels)" % (i, f["fallback"]))
        bad += not ok
        rows.append(r)
        print("L%-3d VLEN %4d %-34s x%-12s rvvnn %10s  clang %10s  %6.2fx  MACs %9s  %5.2f B/MAC  diff %.1e%s"
              "  (%.0fs)" % (i, vlen, r["desc"], ",".join("%s:%d" % kv for kv in occ.items()), fmt_n(r["rvvnn"]["total"]),
                            fmt_n(r["clang"]["total"]), r["ratio"], fmt_n(r["macs"]), r["bytes_per_mac"],
                            r["max_abs_diff"], "" if ok else " > %g or no count: BAD" % TOL, time.time() - t0),
              flush=True)

totals = []
measured = {r["layer"] for r in rows}
for mdl in models:
    all_layers = [i for i, (_, occ) in enumerate(geoms) if mdl in occ]
    for vlen in vlens:
        rs = [r for r in rows if r["vlen"] == vlen and mdl in r["occurrences"]]
        if not rs:
            continue
        t = {"model": mdl, "vlen": vlen, "layers": len(rs), "distinct_layers": len(all_layers),
             "convs": sum(r["occurrences"][mdl] for r in rs),
             "complete": all(i in measured for i in all_layers)}
        for k in ("rvvnn", "clang"):
            t[k] = sum(r[k]["total"] * r["occurrences"][mdl] for r in rs)
        t["macs"] = sum(r["macs"] * r["occurrences"][mdl] for r in rs)
        t["bytes_moved"] = sum(r["bytes_moved"] * r["occurrences"][mdl] for r in rs)
        t["ratio"] = t["clang"] / max(t["rvvnn"], 1)
        t["bytes_per_mac"] = t["bytes_moved"] / t["macs"]
        totals.append(t)
        print("TOTAL %-14s VLEN %4d  %d/%d distinct layers (%d convs)  rvvnn %10s  clang %10s  clang/rvvnn %6.2fx  "
              "%.2f B/MAC" % (mdl, vlen, t["layers"], t["distinct_layers"], t["convs"], fmt_n(t["rvvnn"]),
                              fmt_n(t["clang"]), t["ratio"], t["bytes_per_mac"]), flush=True)

if a.md:
    L = ["# Per-layer convolution instruction counts", "",
         "Generated by `benchmarks/conv_insn.py` (target `bench_conv`) on %s from %s. Every distinct Conv "
         % (time.strftime("%Y-%m-%d"), ", ".join("`%s`" % c for c in commands) +
            (" (merged by `benchmarks/conv_insn.py %s`)" % " ".join(sys.argv[1:]) if a.merge else "")) +
         "geometry of %s as a one-layer model: the rvvnn module (VLA RVV, `rvvnn compile`, run by rvvnn-rt) "
         "against the same layer as plain C loops (`benchmarks/conv_c.c`: direct NCHW convolution, inner loop "
         "over the output width, clang-19 -O3 -march=rv64gcv, autovectorised), both counted under "
         "qemu-riscv64 with `benchmarks/insn_count_plugin.c`." % ", ".join(models), "",
         "- **insns**: dynamic instructions of one run of the layer; start-up (module load, file I/O) is "
         "taken out: rvvnn `--repeat=2` minus `--repeat=1`, conv_c `REPS=1` minus `REPS=0`.",
         "- **ratio**: clang / rvvnn instructions.",
         "- **MACs**: N*M*OH*OW*(C/G)*KH*KW (padding taps included).",
         "- **B/MAC**: bytes loaded + stored by the rvvnn module's instructions per MAC, every access "
         "counted (cache hits included), from the built-in emulator (`rvvnn bench --executor=emu --core=x60 "
         "--vlen=V --json`), at the row's VLEN.",
         "- **uses**: occurrences in each model (r = resnet18, m = mobilenet_v2, s = squeezenet1_1). "
         "Activation is the ReLU / ReLU6 the model applies right after the Conv; a Conv feeding a residual "
         "Add is measured as Conv alone.",
         "- Every row's outputs agree: max |rvvnn - conv_c| <= %g." % TOL, "",
         "What clang-19 makes of conv_c.c (its `-S` output): the row loops are vectorised at LMUL 2 "
         "(vscale x 4 floats: 8 at VLEN 128, 64 at VLEN 1024) with whole-register loads and stores and a "
         "scalar remainder loop, no tail folding; stride-2 rows use `vlseg2e32`. So a row shorter than 8 "
         "(VLEN 128) or 64 (VLEN 1024) outputs runs scalar, which is why clang's counts do not fall, or "
         "rise, from VLEN 128 to 1024 on the 7x7-56x56 layers.", ""]
    abbrev = {"resnet18": "r", "mobilenet_v2": "m", "squeezenet1_1": "s"}
    for vlen in vlens:
        L += ["## VLEN %d" % vlen, "",
              "| # | layer (C x H x W -> M, kernel, stride, pad) | uses | rvvnn insns | clang insns | ratio | MACs "
              "| B/MAC (rvvnn, emu) | max diff |", "|---|---|---|---|---|---|---|---|---|"]
        for r in (r for r in rows if r["vlen"] == vlen):
            L.append("| %d | %s | %s | %s | %s | %.2fx | %s | %.2f | %.1e |" % (
                r["layer"], r["desc"], " ".join("%s%d" % (abbrev.get(k, k), v) for k, v in r["occurrences"].items()),
                fmt_n(r["rvvnn"]["total"]), fmt_n(r["clang"]["total"]), r["ratio"], fmt_n(r["macs"]),
                r["bytes_per_mac"], r["max_abs_diff"]))
        L.append("")
    L += ["## Per-model totals (Conv layers only, weighted by occurrences)", "",
          "| model | VLEN | layers measured | convs | rvvnn insns | clang insns | ratio | B/MAC |",
          "|---|---|---|---|---|---|---|---|"]
    for t in totals:
        L.append("| %s | %d | %d/%d%s | %d | %s | %s | %.2fx | %.2f |" % (
            t["model"], t["vlen"], t["layers"], t["distinct_layers"], "" if t["complete"] else " (partial)", t["convs"],
            fmt_n(t["rvvnn"]), fmt_n(t["clang"]), t["ratio"], t["bytes_per_mac"]))
    first = [next(r for r in rows if r["vlen"] == v) for v in vlens]
    L += ["", "Start-up taken out (instructions of the runner alone; layer %d, VLEN %s): rvvnn-rt %s, conv_c %s; "
          "over all rows rvvnn-rt %s - %s, conv_c %s - %s (it grows with the weights and input read)." % (
              first[0]["layer"], " / ".join(str(v) for v in vlens),
              " / ".join(fmt_n(r["rvvnn_startup"]) for r in first), " / ".join(fmt_n(r["clang_startup"]) for r in first),
              fmt_n(min(r["rvvnn_startup"] for r in rows)), fmt_n(max(r["rvvnn_startup"] for r in rows)),
              fmt_n(min(r["clang_startup"] for r in rows)), fmt_n(max(r["clang_startup"] for r in rows))), ""]
    open(a.md, "w").write("\n".join(L))
if a.json:
    json.dump({"command": commands[0] if len(commands) == 1 else commands, "layers": rows, "totals": totals},
              open(a.json, "w"), indent=1)
print(json.dumps({"layers": len(rows), "totals": totals}))
if bad:
    print("conv_insn.py: %d layer run(s) where rvvnn and conv_c outputs differ by more than %g" % (bad, TOL))
    sys.exit(1)
