#!/usr/bin/python3
"""Generates tests/conformance/MATRIX.md: every operator the RVV code
generators claim, at VLEN 128/256/512/1024 for -march V, Zve64d and
Zve32f, each cell pass / FAIL / fallback.

A cell runs the first two cases of that operator from
tests/codegen/opcases.py (the sweeps run them all; and, in a second
table, every single-output float32 ONNX node test from libonnx-testdata
whose operator has an RVV generator and that the reference executor
runs - the others are in REPORT.md):
compile (vector-length agnostic) for the -march, run under qemu at the
VLEN, compare with the reference executor under the family's tolerance.
"fallback" means the compiler declined to vectorise (the step still runs,
on the reference kernel). Zve64d runs on qemu's full V (qemu 7.2 has no
Zve64d); Zve32f runs with v=false,Zve32f=true. The output is sorted and
has no timestamps, so the committed file must equal a fresh run.

usage: matrix.py RVVNN OUT.md"""
import concurrent.futures
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "codegen"))
import opcases  # noqa: E402

RVVNN, OUT = sys.argv[1], sys.argv[2]
opcases.QUICK = True
tmp = tempfile.mkdtemp(prefix="rvvnn-matrix-")
VLENS = [128, 256, 512, 1024]
EXTS = [("V", "rv64gcv", "v=true"), ("Zve64d", "rv64gc_zve64d", "v=true"),
        ("Zve32f", "rv64gc_zve32f", "v=false,Zve32f=true")]


def run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True, errors="replace")


NODE_DATA = "/usr/share/libonnx-testdata/data/node"
# ONNX node tests whose single operator has an RVV generator (float32
# only), judged like the family that operator belongs to.
FAMILY_OF = {}
for fam, (gen, atol_rel, rtol) in opcases.FAMILIES.items():
    for _, m, _ in gen():
        for node in m.graph.node:
            FAMILY_OF.setdefault(node.op_type, (atol_rel, rtol))


def node_cases():
    from onnx import numpy_helper
    for d in sorted(os.listdir(NODE_DATA)):
        path = os.path.join(NODE_DATA, d, "model.onnx")
        ds = os.path.join(NODE_DATA, d, "test_data_set_0")
        try:
            m = onnx.load(path)
        except Exception:
            continue
        if (len(m.graph.node) != 1 or len(m.graph.output) != 1 or m.graph.node[0].op_type not in FAMILY_OF or
                not os.path.isdir(ds)):
            continue
        feeds, ok = [], True
        for i in range(len(m.graph.input)):
            p = os.path.join(ds, "input_%d.pb" % i)
            if not os.path.exists(p):
                break
            t = onnx.TensorProto()
            try:
                t.ParseFromString(open(p, "rb").read())
                a = numpy_helper.to_array(t)
            except Exception:  # a sequence or optional input, not a tensor
                ok = False
                break
            ok &= a.dtype == np.float32
            feeds.append(a)
        if ok and feeds:
            yield ("node/" + d, m, feeds)


def all_cases():
    per_op = {}
    for fam, (gen, atol_rel, rtol) in sorted(opcases.FAMILIES.items()):
        for name, m, feeds in gen():
            op = m.graph.node[0].op_type
            per_op[op] = per_op.get(op, 0) + 1
            if per_op[op] <= 2:
                yield name, m, feeds, atol_rel, rtol
    for name, m, feeds in node_cases():
        atol_rel, rtol = FAMILY_OF[m.graph.node[0].op_type]
        yield name, m, feeds, atol_rel, rtol


def run_case(idx, name, m, feeds, atol_rel, rtol):
    """All cells of one case: [(key, status)], or None when the reference
    executor cannot run a node test (not an RVV matter: REPORT.md)."""
    op = m.graph.node[0].op_type
    d = os.path.join(tmp, str(idx))
    os.mkdir(d)
    path = os.path.join(d, "model.onnx")
    onnx.save(m, path)
    ins = []
    for i, a in enumerate(feeds):
        p = os.path.join(d, "in%d.npy" % i)
        np.save(p, a)
        ins.append("--input=@" + p)
    ref = os.path.join(d, "ref.npy")
    r = run([RVVNN, "run", path, "--output=@" + ref] + ins)
    if r.returncode and name.startswith("node/"):
        return None
    want = np.load(ref) if r.returncode == 0 else None
    res = []
    for ext, march, cpu in EXTS:
        mod = os.path.join(d, "m.rvvmod")
        c = run([RVVNN, "compile", path, "-march=" + march, "-o", mod, "--verbose"])
        for v in VLENS:
            if want is None or c.returncode:
                status = "FAIL"
            elif " 0 fallback" not in c.stderr:
                status = "fallback"
            else:
                out = os.path.join(d, "rvv.npy")
                q = run([RVVNN, "run", mod, "--qemu-cpu=rv64,%s,vlen=%d,vext_spec=v1.0" % (cpu, v),
                         "--output=@" + out] + ins)
                if q.returncode:
                    status = "FAIL"
                else:
                    got = np.load(out).astype(np.float64)
                    atol = atol_rel * max(float(np.abs(want).max()), 1e-30)
                    ok = got.shape == want.shape and np.all(np.abs(got - want) <= atol + rtol * np.abs(want))
                    status = "pass" if ok else "FAIL"
            res.append(((op, ext, v), status))
    return res


cells = {}   # (op, ext, vlen) -> status
node_cells = {}
n_skipped = 0
order = {"pass": 0, "fallback": 1, "FAIL": 2}
# two cases at a time: most of the time is spent waiting for qemu processes
with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
    jobs = [(name, pool.submit(run_case, i, name, m, feeds, atol_rel, rtol))
            for i, (name, m, feeds, atol_rel, rtol) in enumerate(all_cases())]
    for name, job in jobs:
        res = job.result()
        if res is None:
            n_skipped += 1
            continue
        table = node_cells if name.startswith("node/") else cells
        for key, status in res:  # a cell is as bad as its worst case
            if order[status] >= order[table.get(key, "pass")]:
                table[key] = status

ops = sorted({k[0] for k in cells})
node_ops = sorted({k[0] for k in node_cells})
cols = [(e[0], v) for e in EXTS for v in VLENS]
n_pass = sum(1 for s in cells.values() if s == "pass")
n_fail = sum(1 for s in list(cells.values()) + list(node_cells.values()) if s == "FAIL")
with open(OUT, "w") as f:
    f.write("# RVV conformance matrix\n\n")
    f.write("Generated by `tests/conformance/matrix.py` (ctest `conformance_matrix` checks this file is\n"
            "current). Rows: operators with an RVV code generator; columns: -march x VLEN under\n"
            "qemu-riscv64. A cell is *pass* when the operator's cases (the first two in tests/codegen/opcases.py)\n"
            "match the reference executor within its family's tolerance, *fallback* when the compiler\n"
            "declined to vectorise some case, *FAIL* otherwise. Zve64d runs on qemu's full V.\n\n")
    f.write("**%d of %d cells pass, %d fail.**\n\n" % (n_pass, len(cells), n_fail))
    f.write("| op | " + " | ".join("%s %d" % c for c in cols) + " |\n")
    f.write("|---|" + "---|" * len(cols) + "\n")
    for op in ops:
        f.write("| %s | " % op + " | ".join(cells[(op, e, v)] for e, v in cols) + " |\n")
    f.write("\n## ONNX node tests (libonnx-testdata) with an RVV operator, float32\n\n")
    f.write("Judged against the reference executor with the operator family's tolerance; *fallback*\n"
            "means some test of that operator uses a shape, type or attribute the generator declines.\n"
            "%d node tests of these operators are left out because the reference executor does not\n"
            "run them (see REPORT.md).\n\n" % n_skipped)
    nn_pass = sum(1 for s in node_cells.values() if s == "pass")
    f.write("**%d of %d cells pass, %d fail.**\n\n" % (nn_pass, len(node_cells),
                                                     sum(1 for s in node_cells.values() if s == "FAIL")))
    f.write("| op | " + " | ".join("%s %d" % c for c in cols) + " |\n")
    f.write("|---|" + "---|" * len(cols) + "\n")
    for op in node_ops:
        f.write("| %s | " % op + " | ".join(node_cells[(op, e, v)] for e, v in cols) + " |\n")
print("%d passed, %d failed" % (n_pass, n_fail))
sys.exit(1 if n_fail else 0)
