#!/usr/bin/python3
"""Per-op sweeps of the RVV code generators against the reference executor.

For every case (an operator, shapes, attributes) this builds a one-node
ONNX model, runs it on the reference executor, compiles it (vector-length
agnostic, and fixed-VLEN), runs the module under qemu-riscv64 at VLEN
128/256/512/1024 with each --lmul-max, and compares. It also checks the
step really ran as RVV code (rvvnn compile --verbose reports no fallback),
so a generator that silently declines fails the sweep.

Tolerance, stated per family below: |rvv - ref| <= atol + rtol*|ref| with
atol = ATOL_REL * max|ref| (relative to the output's magnitude). The ref
executor accumulates in double, RVV in f32, so GEMM error grows ~sqrt(K).

usage: sweep.py RVVNN FAMILY [--quick]"""
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

RVVNN, FAMILY = sys.argv[1], sys.argv[2]
QUICK = "--quick" in sys.argv
VLENS = [128, 256, 512, 1024]
LMULS = [1, 2, 4, 8]
rng = np.random.default_rng(20261124)
tmp = tempfile.mkdtemp(prefix="rvvnn-sweep-")
passes = failures = 0


def model(node, inputs, outputs, inits):
    g = helper.make_graph([node], "g", inputs, outputs, initializer=inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    return m


def run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True, errors="replace")


def check_case(name, m, feeds, atol_rel, rtol):
    """feeds: list of numpy arrays for the graph inputs, in order."""
    global passes, failures
    path = os.path.join(tmp, name + ".onnx")
    onnx.save(m, path)
    ins = []
    for i, a in enumerate(feeds):
        p = os.path.join(tmp, "%s.in%d.npy" % (name, i))
        np.save(p, a)
        ins.append("--input=@" + p)
    ref = os.path.join(tmp, name + ".ref.npy")
    r = run([RVVNN, "run", path, "--output=@" + ref] + ins)
    if r.returncode:
        failures += 1
        print("FAIL %s: reference run: %s" % (name, r.stderr.strip()))
        return
    want = np.load(ref)
    atol = atol_rel * max(float(np.abs(want).max()), 1e-30)
    configs = []
    for lm in ([4] if QUICK else LMULS):
        configs.append(("vla-lmul%d" % lm, ["--lmul-max=%d" % lm], VLENS))
    for v in ([256] if QUICK else VLENS):
        configs.append(("zvl%d" % v, ["-march=rv64gcv_zvl%db" % v], [v]))
    configs.append(("zve32f", ["-march=rv64gc_zve32f"], [128]))
    for cname, flags, vlens in configs:
        mod = os.path.join(tmp, "%s.%s.rvvmod" % (name, cname))
        r = run([RVVNN, "compile", path, "-o", mod, "--verbose"] + flags)
        if r.returncode or " 0 fallback steps" not in r.stderr:
            failures += 1
            print("FAIL %s %s: compile: %s" % (name, cname, r.stderr.strip().splitlines()[-1:]))
            continue
        for v in vlens:
            out = os.path.join(tmp, name + ".rvv.npy")
            r = run([RVVNN, "run", mod, "--vlen=%d" % v, "--output=@" + out] + ins)
            if r.returncode:
                failures += 1
                print("FAIL %s %s VLEN=%d: %s" % (name, cname, v, r.stderr.strip()))
                continue
            got = np.load(out)
            err = np.abs(got.astype(np.float64) - want) - (atol + rtol * np.abs(want))
            if got.shape != want.shape or not np.all(err <= 0):
                failures += 1
                i = np.unravel_index(np.argmax(err), err.shape) if got.shape == want.shape else None
                print("FAIL %s %s VLEN=%d: worst at %s got %r want %r (atol %.3g rtol %g)" %
                      (name, cname, v, i, got[i] if i else got.shape, want[i] if i else want.shape, atol, rtol))
            else:
                passes += 1
    print("ok   %s" % name if failures == 0 else "..   %s" % name)


def f32(*shape):
    return rng.standard_normal(shape).astype(np.float32)


def vi(name, shape):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, list(shape))


def gemm_cases():
    # edge sizes around VLMAX for LMUL 1..8 at VLEN 128..1024 (e32: 4..256)
    sizes = [1, 7, 31, 32, 33, 129] if not QUICK else [7, 33]
    for n in sizes:
        for (m_, k) in ([(1, 5), (9, 64)] if not QUICK else [(9, 64)]):
            yield ("matmul_m%d_k%d_n%d" % (m_, k, n),
                   model(helper.make_node("MatMul", ["a", "b"], ["y"]), [vi("a", (m_, k))], [vi("y", (m_, n))],
                         [numpy_helper.from_array(f32(k, n), "b")]), [f32(m_, k)])
    # batched, non-constant B (attention shapes, reduced)
    yield ("matmul_batched", model(helper.make_node("MatMul", ["a", "b"], ["y"]),
                                   [vi("a", (2, 2, 17, 16)), vi("b", (2, 2, 16, 19))], [vi("y", (2, 2, 17, 19))], []),
           [f32(2, 2, 17, 16), f32(2, 2, 16, 19)])
    # broadcast batch of A against 2-D constant B (BERT's linear layers)
    yield ("matmul_3d_linear", model(helper.make_node("MatMul", ["a", "b"], ["y"]), [vi("a", (2, 13, 24))],
                                     [vi("y", (2, 13, 40))], [numpy_helper.from_array(f32(24, 40), "b")]),
           [f32(2, 13, 24)])
    # Gemm with transB and bias (torch Linear)
    yield ("gemm_transb_bias", model(helper.make_node("Gemm", ["a", "b", "c"], ["y"], transB=1),
                                     [vi("a", (10, 48))], [vi("y", (10, 70))],
                                     [numpy_helper.from_array(f32(70, 48), "b"), numpy_helper.from_array(f32(70), "c")]),
           [f32(10, 48)])
    # K large enough for the unrolled k loop plus a remainder
    yield ("matmul_k515", model(helper.make_node("MatMul", ["a", "b"], ["y"]), [vi("a", (5, 515))],
                                [vi("y", (5, 33))], [numpy_helper.from_array(f32(515, 33), "b")]), [f32(5, 515)])


def eltwise_cases():
    shapes = [((1,), (1,)), ((7,), (7,)), ((33,), (1,)), ((2, 3, 129), (129,)), ((5, 31), (5, 1)),
              ((2, 2, 9, 17), (2, 1, 1, 17)), ((1,), (4, 257)), ((3, 1, 5), (1, 4, 5))]
    if QUICK:
        shapes = shapes[2:5]
    for op in BINARY_OPS:
        for i, (sa, sb) in enumerate(shapes):
            ys = np.broadcast_shapes(sa, sb)
            a, b = f32(*sa), f32(*sb)
            if op == "Div":
                b = np.where(np.abs(b) < 0.1, 0.5, b).astype(np.float32)
            yield ("%s_%d" % (op.lower(), i), model(helper.make_node(op, ["a", "b"], ["y"]),
                   [vi("a", sa), vi("b", sb)], [vi("y", ys)], []), [a, b])
    for op in UNARY_OPS:
        for i, s in enumerate([(1,), (31,), (4, 33), (3, 5, 129)]):
            x = f32(*s)
            if op in ("Sqrt",):
                x = np.abs(x)
            yield ("%s_%d" % (op.lower(), i), model(helper.make_node(op, ["x"], ["y"]), [vi("x", s)],
                   [vi("y", s)], []), [x])


BINARY_OPS = ["Add", "Sub", "Mul", "Div", "Max", "Min"]
UNARY_OPS = ["Relu", "Neg", "Abs", "Sqrt", "Reciprocal"]

def rownorm_cases():
    for i, shape in enumerate([(1, 1), (3, 7), (2, 33), (4, 129), (2, 2, 5, 128)]):
        x = f32(*shape) * 3
        yield ("softmax_%d" % i, model(helper.make_node("Softmax", ["x"], ["y"], axis=-1), [vi("x", shape)],
                                       [vi("y", shape)], []), [x])
        c = shape[-1]
        yield ("layernorm_%d" % i, model(helper.make_node("LayerNormalization", ["x", "g", "b"], ["y"], axis=-1,
                                                          epsilon=1e-5), [vi("x", shape)], [vi("y", shape)],
                                         [numpy_helper.from_array(f32(c), "g"), numpy_helper.from_array(f32(c), "b")]),
               [x])


def movement_cases():
    for i, (shape, perm) in enumerate([((7,), [0]), ((3, 5), [1, 0]), ((2, 33, 2, 17), [0, 2, 1, 3]),
                                       ((2, 9, 2, 16), [0, 2, 3, 1]), ((2, 3, 4, 5), [3, 1, 0, 2]),
                                       ((1, 129, 1), [2, 1, 0])]):
        ys = [shape[p] for p in perm]
        yield ("transpose_%d" % i, model(helper.make_node("Transpose", ["x"], ["y"], perm=perm), [vi("x", shape)],
                                         [vi("y", ys)], []), [f32(*shape)])
    for i, (shape, ys) in enumerate([((2, 3, 4), (6, 4)), ((257,), (1, 257)), ((5, 33), (165,))]):
        yield ("reshape_%d" % i, model(helper.make_node("Reshape", ["x", "s"], ["y"]), [vi("x", shape)],
                                       [vi("y", ys)], [numpy_helper.from_array(np.array(ys, np.int64), "s")]),
               [f32(*shape)])

    for i, (vocab, d, idx_shape) in enumerate([(50, 16, (2, 7)), (1000, 129, (3,)), (7, 1, (4, 5))]):
        ids = rng.integers(-vocab, vocab, size=idx_shape).astype(np.int64)
        yield ("gather_%d" % i, model(helper.make_node("Gather", ["t", "i"], ["y"]), [helper.make_tensor_value_info(
            "i", TensorProto.INT64, list(idx_shape))], [vi("y", tuple(idx_shape) + (d,))],
            [numpy_helper.from_array(f32(vocab, d), "t")]), [ids])


FAMILIES = {
    # data movement: bit-identical
    "movement": (movement_cases, 0.0, 0.0),
    # reductions summed in another order than the reference's double sums
    "rownorm": (rownorm_cases, 1e-6, 1e-5),
    # IEEE f32 add/sub/mul/div/sqrt/max are correctly rounded on both sides: exact
    "eltwise": (eltwise_cases, 0.0, 0.0),
    # f32 accumulation vs the double reference: 1e-5 of the magnitude, 1e-4 relative
    "gemm": (gemm_cases, 1e-5, 1e-4),
}

cases, atol_rel, rtol = FAMILIES[FAMILY]
for name, m, feeds in cases():
    check_case(name, m, feeds, atol_rel, rtol)
print("%d passed, %d failed" % (passes, failures))
sys.exit(1 if failures else 0)
