"""Operator cases shared by the RVV sweeps (sweep.py) and the conformance
matrix (tests/conformance/matrix.py): one-node ONNX models with inputs,
grouped into families with the tolerance each family is judged by."""
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

QUICK = False
rng = np.random.default_rng(20261124)
# Cases the generators rightly decline on an ELEN=32 target (64-bit
# elements): the sweeps check they fall back there instead of running.
NEEDS_ELEN64 = set()
# Cases whose nodes must fuse (passes/fuse.c) into this many RVV steps.
EXPECT_STEPS = {"conv_fused_relu": 1, "conv_fused_clip": 1, "conv_fused_res_relu": 1, "conv_fused_bn": 1,
                "conv_fused_bn_relu_nobias": 1, "convepi_bn_hardswish": 1,
                # the activation's input has another reader: Conv, HardSwish and Add stay three steps
                "convepi_shared_hardswish": 3}
for _geo in ("3x3", "1x1", "dw3x3_s2"):
    for _act in ("hardswish", "hardsigmoid", "sigmoid"):
        EXPECT_STEPS["convepi_%s_%s" % (_geo, _act)] = 1


def model(node, inputs, outputs, inits):
    g = helper.make_graph([node], "g", inputs, outputs, initializer=inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    return m


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
    # fused epilogues (passes/fuse.c): bias + GELU(erf) as torch exports it, and bias + residual + Relu
    for i, (m_, k, n) in enumerate([(7, 33, 65), (130, 64, 40)]):
        g_nodes = [helper.make_node("MatMul", ["a", "w"], ["h0"]), helper.make_node("Add", ["h0", "bias"], ["h"]),
                   helper.make_node("Div", ["h", "sq2"], ["d"]), helper.make_node("Erf", ["d"], ["e"]),
                   helper.make_node("Add", ["e", "one"], ["ep"]), helper.make_node("Mul", ["h", "ep"], ["hm"]),
                   helper.make_node("Mul", ["hm", "half"], ["y"])]
        inits = [numpy_helper.from_array(f32(k, n), "w"), numpy_helper.from_array(f32(n), "bias"),
                 numpy_helper.from_array(np.array(1.4142135381698608, np.float32), "sq2"),
                 numpy_helper.from_array(np.array(1.0, np.float32), "one"),
                 numpy_helper.from_array(np.array(0.5, np.float32), "half")]
        g = helper.make_graph(g_nodes, "g", [vi("a", (m_, k))], [vi("y", (m_, n))], inits)
        mm = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
        mm.ir_version = 8
        yield ("matmul_bias_gelu_%d" % i, mm, [f32(m_, k)])
        g2 = helper.make_graph([helper.make_node("MatMul", ["a", "w"], ["h0"]), helper.make_node("Add", ["bias", "h0"], ["h"]),
                                helper.make_node("Add", ["r", "h"], ["hr"]), helper.make_node("Relu", ["hr"], ["y"])],
                               "g", [vi("a", (2, m_, k)), vi("r", (2, m_, n))], [vi("y", (2, m_, n))], inits[:2])
        mm2 = helper.make_model(g2, opset_imports=[helper.make_opsetid("", 17)])
        mm2.ir_version = 8
        yield ("matmul_bias_res_relu_%d" % i, mm2, [f32(2, m_, k), f32(2, m_, n)])
    # Gemm as the ONNX node tests use it: every operand an input; transA, transB of a run-time B,
    # alpha, beta, and C as a row, the whole matrix or a scalar
    for i, (m_, k, n, ta, tb, alpha, beta, cshape) in enumerate([
            (4, 3, 5, 1, 1, 0.25, 0.35, (1, 5)), (9, 37, 33, 0, 1, 1.0, 1.0, (9, 33)),
            (33, 70, 7, 1, 0, 0.5, 1.0, ()), (2, 17, 129, 0, 0, 1.0, 0.5, (129,))]):
        sa, sb = (k, m_) if ta else (m_, k), (n, k) if tb else (k, n)
        yield ("gemm_inputs_%d" % i, model(helper.make_node("Gemm", ["a", "b", "c"], ["y"], transA=ta, transB=tb,
                                                           alpha=alpha, beta=beta),
                                          [vi("a", sa), vi("b", sb), vi("c", cshape)], [vi("y", (m_, n))], []),
               [f32(*sa), f32(*sb), f32(*cshape)])
    # the software-pipelined k loop (gemm.c): K = 1 (no loop, no look-ahead load), K at and around
    # the unroll of 8 (straight code of 8 steps; one trip plus 1; one trip plus 8), odd K; M = 13
    # leaves a row tail after 6- and 7-row blocks
    for k in [1, 2, 8, 9, 16, 17]:
        yield ("matmul_kpipe_k%d" % k, model(helper.make_node("MatMul", ["a", "b"], ["y"]), [vi("a", (13, k))],
                                              [vi("y", (13, 33))], [numpy_helper.from_array(f32(k, 33), "b")]),
               [f32(13, k)])
    # the same with a run-time transposed B (vlse32 loads, stride in s0 through the k loop)
    for k in [1, 9]:
        yield ("gemm_kpipe_rtb_k%d" % k, model(helper.make_node("Gemm", ["a", "b"], ["y"], transB=1),
                                                [vi("a", (13, k)), vi("b", (21, k))], [vi("y", (13, 21))], []),
               [f32(13, k), f32(21, k)])
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
        yield ("logsoftmax_%d" % i, model(helper.make_node("LogSoftmax", ["x"], ["y"], axis=-1), [vi("x", shape)],
                                          [vi("y", shape)], []), [x])
        c = shape[-1]
        yield ("layernorm_%d" % i, model(helper.make_node("LayerNormalization", ["x", "g", "b"], ["y"], axis=-1,
                                                          epsilon=1e-5), [vi("x", shape)], [vi("y", shape)],
                                         [numpy_helper.from_array(f32(c), "g"), numpy_helper.from_array(f32(c), "b")]),
               [x])


    # inference BatchNormalization not after a Conv (codegen/batchnorm.c): per-channel x * k + t
    for i, shape in enumerate([(2, 33, 7, 9), (1, 5, 129), (3, 4)][:2 if QUICK else 3]):
        c = shape[1]
        prm = [numpy_helper.from_array(f32(c), "sc"), numpy_helper.from_array(f32(c), "bb"),
               numpy_helper.from_array(f32(c), "mu"),
               numpy_helper.from_array((np.abs(f32(c)) + 0.1).astype(np.float32), "var")]
        yield ("batchnorm_%d" % i, model(helper.make_node("BatchNormalization", ["x", "sc", "bb", "mu", "var"], ["y"],
                                                          epsilon=1e-4), [vi("x", shape)], [vi("y", shape)], prm),
               [f32(*shape)])

    # over an inner axis: vectorised across the dims after it
    for i, (shape, axis) in enumerate([((3, 7, 33), 1), ((129, 5), 0), ((2, 4, 3, 9), -3)]):
        x = f32(*shape) * 3
        for op in ("Softmax", "LogSoftmax"):
            yield ("%s_axis_%d" % (op.lower(), i), model(helper.make_node(op, ["x"], ["y"], axis=axis),
                                                        [vi("x", shape)], [vi("y", shape)], []), [x])


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

    for i, (shapes, axis) in enumerate([([(2, 3, 5), (2, 1, 5), (2, 7, 5)], 1), ([(33,), (1,), (129,)], 0),
                                        ([(3, 4, 2), (3, 4, 31)], -1)]):
        ys = list(shapes[0])
        ys[axis] = sum(s_[axis] for s_ in shapes)
        names = ["x%d" % k for k in range(len(shapes))]
        yield ("concat_%d" % i, model(helper.make_node("Concat", names, ["y"], axis=axis),
                                      [vi(nm, sh) for nm, sh in zip(names, shapes)], [vi("y", ys)], []),
               [f32(*sh) for sh in shapes])
    for i, (vocab, d, idx_shape) in enumerate([(50, 16, (2, 7)), (1000, 129, (3,)), (7, 1, (4, 5))]):
        ids = rng.integers(-vocab, vocab, size=idx_shape).astype(np.int64)
        yield ("gather_%d" % i, model(helper.make_node("Gather", ["t", "i"], ["y"]), [helper.make_tensor_value_info(
            "i", TensorProto.INT64, list(idx_shape))], [vi("y", tuple(idx_shape) + (d,))],
            [numpy_helper.from_array(f32(vocab, d), "t")]), [ids])


def math_cases():
    xs = [(1,), (31,), (4, 33)]
    for op in ("Exp", "Erf"):
        for i, sh in enumerate(xs):
            x = (f32(*sh) * 4).astype(np.float32)
            yield ("%s_%d" % (op.lower(), i), model(helper.make_node(op, ["x"], ["y"]), [vi("x", sh)], [vi("y", sh)], []),
                   [x])
    for i, sh in enumerate(xs):
        yield ("clip_%d" % i, model(helper.make_node("Clip", ["x", "lo", "hi"], ["y"]), [vi("x", sh)], [vi("y", sh)],
                                    [numpy_helper.from_array(np.array(-0.5, np.float32), "lo"),
                                     numpy_helper.from_array(np.array(0.75, np.float32), "hi")]), [f32(*sh)])
        for e in (2.0, 0.5):
            x = np.abs(f32(*sh)) if e == 0.5 else f32(*sh)
            yield ("pow%g_%d" % (e, i), model(helper.make_node("Pow", ["x", "e"], ["y"]), [vi("x", sh)], [vi("y", sh)],
                                             [numpy_helper.from_array(np.array(e, np.float32), "e")]), [x])


# edge sizes for the ops below, rotated so every op meets two of them:
# 1, 7, VLEN/32 - 1 and + 1 at VLEN 1024 (LMUL 1) or 128 (LMUL 8), 129, large
EDGE = [(1,), (7,), (31,), (32,), (33,), (4, 33), (3, 5, 129), (2, 1031)]


def edge_shapes(i):
    return [EDGE[i % len(EDGE)], EDGE[(i + 5) % len(EDGE)]] if not QUICK else [EDGE[(i + 4) % len(EDGE)]]


def unary_model(op, shape, **attrs):
    return model(helper.make_node(op, ["x"], ["y"], **attrs), [vi("x", shape)], [vi("y", shape)], [])


# (op, attributes, input scale, positive only)
ACTIVATIONS = [("Sigmoid", {}, 8, False), ("Tanh", {}, 3, False), ("HardSigmoid", {"alpha": 0.3, "beta": 0.4}, 4, False),
               ("HardSwish", {}, 5, False), ("Elu", {"alpha": 0.7}, 3, False), ("Selu", {}, 3, False),
               ("Softsign", {}, 3, False), ("Log", {}, 10, True), ("Softplus", {}, 10, False)]


def activation_cases():
    for i, (op, attrs, scale, pos) in enumerate(ACTIVATIONS):
        for j, sh in enumerate(edge_shapes(i)):
            x = (f32(*sh) * scale).astype(np.float32)
            yield ("%s_%d" % (op.lower(), j), unary_model(op, sh, **attrs), [np.abs(x) if pos else x])


def exact_cases():
    """Elementwise ops whose RVV result equals the reference's bits."""
    for i, op in enumerate(["Floor", "Ceil", "Round", "Sign"]):
        for j, sh in enumerate(edge_shapes(i)):
            x = f32(*sh) * 4
            n = x.size
            # halves (Round is to nearest even), integers, -0, and values past 2^23
            x.flat[: n // 2] = rng.integers(-40, 40, n // 2) / 2.0
            x.flat[n // 2: n // 2 + min(4, n - n // 2)] = [-0.0, 1e8, -3e9, 0.0][: min(4, n - n // 2)]
            yield ("%s_%d" % (op.lower(), j), unary_model(op, sh), [x.astype(np.float32)])
    for i, (op, attrs) in enumerate([("LeakyRelu", {"alpha": 0.1}), ("ThresholdedRelu", {"alpha": 0.5})]):
        for j, sh in enumerate(edge_shapes(i + 4)):
            yield ("%s_%d" % (op.lower(), j), unary_model(op, sh, **attrs), [f32(*sh)])
    shapes = [((2, 3, 129), (129,)), ((5, 31), (5, 1)), ((1,), (4, 257)), ((3, 1, 5), (1, 4, 5))]
    if QUICK:
        shapes = shapes[1:3]
    for op in ["PRelu", "Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual"]:
        for j, (sa, sb) in enumerate(shapes):
            ys = np.broadcast_shapes(sa, sb)
            a, b = f32(*sa), f32(*sb)
            if op in ("Equal", "LessOrEqual", "GreaterOrEqual"):  # make some elements equal
                a = np.round(a * 2).astype(np.float32) / 2
                b = np.round(b * 2).astype(np.float32) / 2
            out = helper.make_tensor_value_info("y", TensorProto.BOOL, list(ys)) if op != "PRelu" else vi("y", ys)
            yield ("%s_%d" % (op.lower(), j), model(helper.make_node(op, ["a", "b"], ["y"]),
                   [vi("a", sa), vi("b", sb)], [out], []), [a, b])
    # variadic Max/Min: one and three inputs with broadcasting
    for op in ["Max", "Min"]:
        yield ("%s_one" % op.lower(), model(helper.make_node(op, ["a"], ["y"]), [vi("a", (33,))], [vi("y", (33,))], []),
               [f32(33)])
        yield ("%s_three" % op.lower(), model(helper.make_node(op, ["a", "b", "c"], ["y"]),
               [vi("a", (2, 1, 33)), vi("b", (3, 33)), vi("c", (2, 3, 1))], [vi("y", (2, 3, 33))], []),
               [f32(2, 1, 33), f32(3, 33), f32(2, 3, 1)])
    # Where: bool condition, broadcasting of all three inputs, 4- and 8-byte elements
    for j, (sc, sx, sy, dt) in enumerate([((2, 3, 33), (2, 3, 33), (2, 3, 33), np.float32),
                                           ((3, 1), (1, 33), (3, 33), np.float32),
                                           ((1,), (5, 7), (7,), np.float32),
                                           ((4, 9), (4, 9), (), np.int64)]):
        ys = np.broadcast_shapes(sc, sx, sy)
        ty = TensorProto.FLOAT if dt == np.float32 else TensorProto.INT64
        mk = lambda n, sh: helper.make_tensor_value_info(n, ty, list(sh))
        cond = rng.integers(0, 2, size=sc).astype(bool)
        xs = (f32(*sx) * 100).astype(dt)
        yv = (f32(*sy) * 100).astype(dt) if sy else np.array(7, dt)
        if dt == np.int64:
            NEEDS_ELEN64.add("where_%d" % j)
        yield ("where_%d" % j, model(helper.make_node("Where", ["c", "x", "y2"], ["y"]),
               [helper.make_tensor_value_info("c", TensorProto.BOOL, list(sc)), mk("x", sx), mk("y2", sy)],
               [mk("y", ys)], []), [cond, xs, yv])
    # Cast among f32, f64, ints and bool (float -> int truncates; out-of-range wraps like the reference)
    casts = [(np.float32, np.int32), (np.float32, np.int64), (np.float32, np.int8), (np.float32, np.uint8),
             (np.float32, bool), (np.float32, np.float64), (np.float64, np.float32), (np.int32, np.float32),
             (np.int64, np.float32), (np.uint8, np.float32), (bool, np.float32), (np.int32, np.int64),
             (np.int64, np.int32), (np.int8, np.int32), (np.int32, bool), (np.int64, np.float64)]
    if QUICK:
        casts = casts[:3] + casts[5:9]
    code = {np.float32: TensorProto.FLOAT, np.float64: TensorProto.DOUBLE, np.int32: TensorProto.INT32,
            np.int64: TensorProto.INT64, np.int8: TensorProto.INT8, np.uint8: TensorProto.UINT8, bool: TensorProto.BOOL}
    for j, (src, dst) in enumerate(casts):
        sh = EDGE[j % len(EDGE)]
        v = f32(*sh) * 300
        v.flat[0] = -0.0
        if v.size > 3:
            v.flat[1:4] = [3e9, -1e12, 2.5]  # beyond int32, beyond int64's low bits, a half
        x = (v > 0) if src is bool else v.astype(src) if src in (np.float32, np.float64) else \
            rng.integers(-2**31 if src is np.int32 else -2**62 if src is np.int64 else 0 if src is np.uint8 else -128,
                         2**31 if src is np.int32 else 2**62 if src is np.int64 else 256 if src is np.uint8 else 128,
                         size=sh).astype(src)
        name = "cast_%s_%s" % (np.dtype(src).name, np.dtype(dst).name)
        if 64 in (np.dtype(src).itemsize * 8, np.dtype(dst).itemsize * 8) or (
                src in (np.float32, np.float64) and dst not in (np.float32, np.float64, bool)):
            NEEDS_ELEN64.add(name)  # 64-bit elements, or float -> int through int64
        yield (name,
               model(helper.make_node("Cast", ["x"], ["y"], to=code[dst]),
                     [helper.make_tensor_value_info("x", code[src], list(sh))],
                     [helper.make_tensor_value_info("y", code[dst], list(sh))], []), [x])
    # Clip with bounds given at run time
    yield ("clip_runtime", model(helper.make_node("Clip", ["x", "lo", "hi"], ["y"]),
           [vi("x", (4, 33)), vi("lo", ()), vi("hi", ())], [vi("y", (4, 33))], []),
           [f32(4, 33), np.array(-0.25, np.float32), np.array(0.5, np.float32)])


REDUCE_OPS = ["ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2",
              "ReduceSumSquare", "ReduceLogSum", "ReduceLogSumExp"]
# (input shape, axes, keepdims): the kept innermost dim (vertical, unit stride), a long reduced innermost
# dim (horizontal), a short one (vertical, strided), two reduced groups, everything, negative axes
REDUCE_SHAPES = [((3, 129), [0], 1), ((4, 33), [1], 0), ((257, 3), [-1], 1), ((2, 7, 5, 31), [0, 2], 0),
                 ((7, 32), None, 1), ((2, 3, 4, 5), [1, 3], 1), ((1,), [0], 0), ((5, 1, 2, 33), [-3, -1], 0)]


def reduce_cases():
    for i, op in enumerate(REDUCE_OPS):
        for j in ([0, 1, 2] if QUICK else [0, 2, 4, 6]):
            shape, axes, keep = REDUCE_SHAPES[(i + j) % len(REDUCE_SHAPES)]
            x = f32(*shape)
            if op == "ReduceProd":
                x = (1 + 0.1 * x).astype(np.float32)  # products of many stay in range
            if op == "ReduceLogSum":
                x = np.abs(x) + 0.1
            kept = [d for d in range(len(shape)) if axes is not None and d not in [a % len(shape) for a in axes]]
            ys = [1 if (axes is None or d not in kept) else shape[d] for d in range(len(shape))] if keep else \
                [shape[d] for d in kept]
            inits, ins = [], ["x"]
            attrs = {"keepdims": keep}
            if axes is not None:
                if op == "ReduceSum":  # opset 13+: axes is an input
                    inits = [numpy_helper.from_array(np.array(axes, np.int64), "axes")]
                    ins.append("axes")
                else:
                    attrs["axes"] = axes
            yield ("%s_%d" % (op[6:].lower(), j), model(helper.make_node(op, ins, ["y"], **attrs), [vi("x", shape)],
                                                         [vi("y", ys)], inits), [x])
    for op in ["GlobalAveragePool", "GlobalMaxPool"]:
        for j, shape in enumerate([(1, 3, 7, 7), (2, 33, 4, 5)][:1 if QUICK else 2]):
            yield ("%s_%d" % (op.lower(), j), model(helper.make_node(op, ["x"], ["y"]), [vi("x", shape)],
                                                     [vi("y", shape[:2] + (1, 1))], []), [f32(*shape)])


# Conv: (x shape, out channels, kernel, attrs, bias). Odd planes (1x1, 7x7, 13x17), rows and channel
# counts around VLMAX (e32: 4..256 lanes at VLEN 128..1024 x LMUL), strides 1/2, pads (symmetric,
# asymmetric, SAME), dilation 2, groups, depthwise 3x3/5x5, batch 2, 1-D.
CONV_CASES = [
    ("1x1_7x7", (1, 16, 7, 7), 33, (1, 1), {}, True),
    ("1x1_s2", (1, 8, 13, 17), 9, (1, 1), {"strides": [2, 2]}, True),
    ("1x1_plane1", (1, 64, 1, 1), 40, (1, 1), {}, True),
    ("3x3_p1", (1, 5, 13, 17), 12, (3, 3), {"pads": [1, 1, 1, 1]}, True),
    ("3x3_p1_s2_batch2", (2, 3, 14, 15), 7, (3, 3), {"pads": [1, 1, 1, 1], "strides": [2, 2]}, False),
    ("3x3_p1_plane1", (1, 4, 1, 1), 5, (3, 3), {"pads": [1, 1, 1, 1]}, True),
    ("3x3_row129", (1, 2, 3, 129), 3, (3, 3), {"pads": [1, 1, 1, 1]}, True),
    ("3x3_c64", (1, 64, 8, 8), 33, (3, 3), {"pads": [1, 1, 1, 1]}, True),
    ("7x7_s2_p3", (1, 3, 23, 29), 8, (7, 7), {"pads": [3, 3, 3, 3], "strides": [2, 2]}, True),
    ("3x3_dil2", (1, 4, 11, 9), 6, (3, 3), {"pads": [2, 2, 2, 2], "dilations": [2, 2]}, True),
    ("3x3_pads_asym", (1, 3, 8, 9), 4, (3, 3), {"pads": [0, 1, 2, 0]}, True),
    ("3x3_same_upper_s2", (1, 3, 10, 11), 5, (3, 3), {"auto_pad": "SAME_UPPER", "strides": [2, 2]}, False),
    ("3x3_valid_s2", (1, 3, 9, 32), 31, (3, 3), {"strides": [2, 2]}, True),
    ("group2", (1, 8, 9, 9), 6, (3, 3), {"pads": [1, 1, 1, 1], "group": 2}, True),
    ("dw3x3", (1, 33, 13, 17), 33, (3, 3), {"pads": [1, 1, 1, 1], "group": 33}, True),
    ("dw3x3_s2_batch2", (2, 16, 14, 14), 16, (3, 3), {"pads": [1, 1, 1, 1], "group": 16, "strides": [2, 2]}, True),
    ("dw5x5", (1, 8, 7, 7), 8, (5, 5), {"pads": [2, 2, 2, 2], "group": 8}, False),
    ("dw_mult2", (1, 4, 7, 9), 8, (3, 3), {"pads": [1, 1, 1, 1], "group": 4}, True),
    ("conv1d", (1, 4, 37), 6, (5,), {"pads": [2, 2]}, True),
]
# Depthwise 3x3 as MobileNetV2 has them (conv.c's row passes: several output rows per pass, a tail pass),
# strides 1/2 at odd widths and a width of one strip at VLEN 1024; heights so passes and tails both run;
# dilation 2; no padding (no masks, no row checks).
CONV_CASES += [("dw3x3_s%d_w%d" % (s_, w_), (1, 3, 11 + s_, w_), 3, (3, 3),
                {"pads": [1, 1, 1, 1], "group": 3, "strides": [s_, s_]}, w_ % 2 == 1)
               for s_ in (1, 2) for w_ in (1, 7, 13, 17, 113, 224)]
# Small planes (conv.c's flattened strips, stride 1 and W = Wo): ResNet's 7x7 and 14x14 with input channels
# around VLEN/32 (4..32) and output channels around the block size; a 3x1 kernel (row masks only).
CONV_CASES += [("flat7_c%d_m%d" % (c_, m_), (1, c_, 7, 7), m_, (3, 3), {"pads": [1, 1, 1, 1]}, c_ % 2 == 1)
               for c_, m_ in ((3, 5), (4, 9), (8, 4), (17, 13), (31, 8), (33, 6))]
CONV_CASES += [("flat14_c%d_m%d" % (c_, m_), (1, c_, 14, 14), m_, (3, 3), {"pads": [1, 1, 1, 1]}, c_ % 2 == 0)
               for c_, m_ in ((4, 5), (16, 9), (32, 3))]
CONV_CASES += [("flat_k3x1", (2, 5, 6, 9), 4, (3, 1), {"pads": [1, 0, 1, 0]}, True),
               ("flat_k5_p2_w1", (1, 3, 9, 1), 2, (5, 5), {"pads": [2, 2, 2, 2]}, True)]
CONV_CASES += [("dw3x3_dil2", (1, 3, 10, 11), 3, (3, 3), {"pads": [2, 2, 2, 2], "group": 3, "dilations": [2, 2]}, True),
               ("dw3x3_valid", (1, 3, 8, 17), 3, (3, 3), {"group": 3}, False)]


def conv_cases():
    for name, xs, m_, k, attrs, bias in (CONV_CASES[:4] if QUICK else CONV_CASES):
        g_ = attrs.get("group", 1)
        w = f32(m_, xs[1] // g_, *k)
        inits = [numpy_helper.from_array(w, "w")]
        ins = ["x", "w"]
        if bias:
            inits.append(numpy_helper.from_array(f32(m_), "b"))
            ins.append("b")
        node = helper.make_node("Conv", ins, ["y"], kernel_shape=list(k), **attrs)
        yield ("conv_" + name, model(node, [vi("x", xs)], [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], inits), [f32(*xs)])
    # weights as a graph input (ONNX's node tests): read in place at run time, fewer channels per block
    for name, xs, ws, attrs in [("runtime_w", (1, 5, 9, 11), (7, 5, 3, 3), {"pads": [1, 1, 1, 1]}),
                                ("runtime_w_group", (2, 8, 7, 7), (12, 2, 3, 3), {"group": 4, "strides": [2, 2]}),
                                ("runtime_w_wide", (1, 96, 5, 5), (10, 96, 3, 3), {"pads": [1, 1, 1, 1]}),
                                ("runtime_w_dw", (1, 4, 9, 13), (4, 1, 3, 3), {"group": 4, "pads": [1, 1, 1, 1]})
                                ][:1 if QUICK else 4]:
        node = helper.make_node("Conv", ["x", "w"], ["y"], kernel_shape=[3, 3], **attrs)
        yield ("conv_" + name, model(node, [vi("x", xs), vi("w", ws)],
                                     [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], []), [f32(*xs), f32(*ws)])
    # ConvTranspose with stride == kernel (upsampling heads): channel tails, a 1x1 plane, batch 2, no bias
    for name, xs, m_, k, bias in [("k2", (1, 8, 5, 7), 6, 2, True), ("k3_batch2", (2, 3, 4, 33), 5, 3, False),
                                  ("plane1", (1, 16, 1, 1), 33, 2, True)][:1 if QUICK else 3]:
        inits = [numpy_helper.from_array(f32(xs[1], m_, k, k), "w")]
        if bias:
            inits.append(numpy_helper.from_array(f32(m_), "b"))
        node = helper.make_node("ConvTranspose", ["x", "w"] + (["b"] if bias else []), ["y"], kernel_shape=[k, k],
                                strides=[k, k])
        yield ("convt_" + name, model(node, [vi("x", xs)], [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
                                      inits), [f32(*xs)])
    # fused epilogues (passes/fuse.c -> rvvnn::ConvEpilogue): Relu, Clip (ReLU6), residual Add + Relu
    xs = (1, 6, 9, 11)
    w, b = f32(6, 6, 3, 3), f32(6)
    for tail in ["relu", "clip", "res_relu"]:
        nodes = [helper.make_node("Conv", ["x", "w", "b"], ["h"], kernel_shape=[3, 3], pads=[1, 1, 1, 1])]
        inits = [numpy_helper.from_array(w, "w"), numpy_helper.from_array(b, "b")]
        if tail == "relu":
            nodes.append(helper.make_node("Relu", ["h"], ["y"]))
        elif tail == "clip":
            inits += [numpy_helper.from_array(np.array(0.0, np.float32), "lo"),
                      numpy_helper.from_array(np.array(0.5, np.float32), "hi")]
            nodes.append(helper.make_node("Clip", ["h", "lo", "hi"], ["y"]))
        else:
            nodes += [helper.make_node("Add", ["h", "x"], ["hr"]), helper.make_node("Relu", ["hr"], ["y"])]
        g = helper.make_graph(nodes, "g", [vi("x", xs)], [vi("y", xs)], inits)
        mm = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
        mm.ir_version = 8
        yield ("conv_fused_" + tail, mm, [f32(*xs)])
    # BatchNormalization after the conv (with and without conv bias, then Relu): folded into the weights
    for tail, bias in [("bn", True), ("bn_relu_nobias", False)]:
        ins = ["x", "w", "b"] if bias else ["x", "w"]
        nodes = [helper.make_node("Conv", ins, ["h"], kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[2, 2]),
                 helper.make_node("BatchNormalization", ["h", "sc", "bb", "mu", "var"],
                                  ["y" if tail == "bn" else "hb"], epsilon=1e-3)]
        if tail != "bn":
            nodes.append(helper.make_node("Relu", ["hb"], ["y"]))
        inits = [numpy_helper.from_array(w, "w"), numpy_helper.from_array(b, "b"),
                 numpy_helper.from_array(f32(6), "sc"), numpy_helper.from_array(f32(6), "bb"),
                 numpy_helper.from_array(f32(6), "mu"),
                 numpy_helper.from_array((np.abs(f32(6)) + 0.5).astype(np.float32), "var")]
        g = helper.make_graph(nodes, "g", [vi("x", xs)], [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
                              inits if bias else inits[:1] + inits[2:])
        mm = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
        mm.ir_version = 8
        yield ("conv_fused_" + tail, mm, [f32(*xs)])


# Fused HardSwish / HardSigmoid / Sigmoid epilogues (rvvnn::ConvEpilogue) on a regular 3x3 conv,
# a 1x1 conv (the GEMM path) and a depthwise strided conv; MobileNetV3's Conv + BN + HardSwish; and a
# Conv whose output is also read by another node, which must not fuse.
CONVEPI_GEOMETRY = [
    ("3x3", (1, 6, 9, 11), 6, (3, 3), {"pads": [1, 1, 1, 1]}),
    ("1x1", (1, 16, 7, 7), 33, (1, 1), {}),
    ("dw3x3_s2", (2, 33, 13, 17), 33, (3, 3), {"pads": [1, 1, 1, 1], "strides": [2, 2], "group": 33}),
]
CONVEPI_ACTS = [("hardswish", "HardSwish", {}), ("hardsigmoid", "HardSigmoid", {"alpha": 0.3, "beta": 0.45}),
                ("sigmoid", "Sigmoid", {})]


def _graph_model(nodes, xs, inits, extra_outputs=()):
    outs = [helper.make_tensor_value_info(o, TensorProto.FLOAT, None) for o in ("y",) + tuple(extra_outputs)]
    g = helper.make_graph(nodes, "g", [vi("x", xs)], outs, inits)
    mm = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    mm.ir_version = 8
    return mm


def convepi_cases():
    for geo, xs, m_, k, attrs in CONVEPI_GEOMETRY:
        g_ = attrs.get("group", 1)
        w, b = f32(m_, xs[1] // g_, *k), f32(m_)
        for act, op, aattrs in CONVEPI_ACTS:
            nodes = [helper.make_node("Conv", ["x", "w", "b"], ["h"], kernel_shape=list(k), **attrs),
                     helper.make_node(op, ["h"], ["y"], **aattrs)]
            inits = [numpy_helper.from_array(w, "w"), numpy_helper.from_array(b, "b")]
            yield ("convepi_%s_%s" % (geo, act), _graph_model(nodes, xs, inits), [f32(*xs)])
    # MobileNetV3's block: Conv (no bias) + BatchNormalization + HardSwish
    xs, w = (1, 8, 11, 13), f32(12, 8, 3, 3)
    nodes = [helper.make_node("Conv", ["x", "w"], ["h"], kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[2, 2]),
             helper.make_node("BatchNormalization", ["h", "sc", "bb", "mu", "var"], ["hb"], epsilon=1e-3),
             helper.make_node("HardSwish", ["hb"], ["y"])]
    inits = [numpy_helper.from_array(w, "w"), numpy_helper.from_array(f32(12), "sc"),
             numpy_helper.from_array(f32(12), "bb"), numpy_helper.from_array(f32(12), "mu"),
             numpy_helper.from_array((np.abs(f32(12)) + 0.5).astype(np.float32), "var")]
    yield ("convepi_bn_hardswish", _graph_model(nodes, xs, inits), [f32(*xs)])
    # the conv output is read by HardSwish and by the Add: no fusion, results still right
    xs, w, b = (1, 6, 9, 11), f32(6, 6, 3, 3), f32(6)
    nodes = [helper.make_node("Conv", ["x", "w", "b"], ["h"], kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
             helper.make_node("HardSwish", ["h"], ["a"]), helper.make_node("Add", ["a", "h"], ["y"])]
    inits = [numpy_helper.from_array(w, "w"), numpy_helper.from_array(b, "b")]
    yield ("convepi_shared_hardswish", _graph_model(nodes, xs, inits), [f32(*xs)])


NODE_DATA = "/usr/share/libonnx-testdata/data/node"


def onnx_node_constw(d, keep_inputs=False):
    """ONNX node test d (libonnx-testdata) with its weight input (input 1) made an initializer, so
    the RVV generator can re-lay it at compile time; the other inputs stay graph inputs. With
    keep_inputs, the model as shipped and all its inputs."""
    import glob
    m = onnx.load(os.path.join(NODE_DATA, d, "model.onnx"))
    arrs = [numpy_helper.to_array(onnx.load_tensor(f))
            for f in sorted(glob.glob(os.path.join(NODE_DATA, d, "test_data_set_0", "input_*.pb")))]
    if keep_inputs:
        return m, arrs
    w = m.graph.input[1]
    m.graph.initializer.append(numpy_helper.from_array(arrs[1], w.name))
    del m.graph.input[1]
    return m, [arrs[0]] + arrs[2:]


# General ConvTranspose (codegen/convt.c emit_general): (x shape, out channels per group, kernel, attrs,
# bias). Overlapping taps, pads, output_padding, output_shape, auto_pad, dilations, groups, batch 2,
# 1-D, 3-D; planes 1x1, 7x7, 13x17; channel counts around VLEN/32 (4, 8, 16, 32 lanes at LMUL 1).
CONVT_CASES = [
    ("k3_s1", (1, 3, 7, 7), 5, (3, 3), {}, True),
    ("k3_s2_p1_op1", (1, 4, 7, 7), 8, (3, 3), {"strides": [2, 2], "pads": [1, 1, 1, 1], "output_padding": [1, 1]}, True),
    ("k4_s2_p1_13x17", (1, 8, 13, 17), 9, (4, 4), {"strides": [2, 2], "pads": [1, 1, 1, 1]}, True),
    ("k3_s2_c33_m31", (1, 33, 5, 6), 31, (3, 3), {"strides": [2, 2]}, False),
    ("k3_c16_m17_batch2", (2, 16, 7, 9), 17, (3, 3), {"pads": [1, 1, 1, 1]}, True),
    ("plane1_k3_s2", (1, 7, 1, 1), 32, (3, 3), {"strides": [2, 2]}, True),
    ("k1_s1_7x7", (1, 9, 7, 7), 4, (1, 1), {}, True),
    ("k1_s2_op1", (1, 5, 7, 7), 3, (1, 1), {"strides": [2, 2], "output_padding": [1, 1]}, True),
    ("k5_dil2_pads_asym", (1, 3, 6, 8), 4, (3, 3), {"dilations": [2, 2], "pads": [0, 2, 1, 0]}, True),
    ("k3_s3x2_big_pads", (1, 2, 4, 5), 3, (3, 3), {"strides": [3, 2], "pads": [2, 2, 2, 2]}, True),
    ("same_lower_s2", (1, 3, 5, 6), 4, (3, 3), {"strides": [2, 2], "auto_pad": "SAME_LOWER"}, True),
    ("output_shape_s2", (1, 3, 6, 5), 2, (3, 3), {"strides": [2, 2], "output_shape": [14, 12]}, True),
    # odd total padding from output_shape: the extra element goes first unless SAME_UPPER (ONNX's rule)
    ("output_shape_odd_pad", (1, 3, 6, 5), 2, (3, 3), {"strides": [2, 2], "output_shape": [12, 10]}, True),
    ("output_shape_odd_pad_upper", (1, 3, 6, 5), 2, (3, 3), {"strides": [2, 2], "output_shape": [12, 10],
                                                             "auto_pad": "SAME_UPPER"}, True),
    ("group2", (1, 8, 7, 7), 3, (3, 3), {"strides": [2, 2], "pads": [1, 1, 1, 1], "group": 2}, True),
    ("depthwise_k4_s2", (2, 16, 13, 17), 1, (4, 4), {"strides": [2, 2], "pads": [1, 1, 1, 1], "group": 16}, True),
    ("row129_k3_s2", (1, 2, 2, 129), 3, (3, 3), {"strides": [2, 2]}, True),
    ("conv1d_k5_s3_p1", (2, 5, 13), 7, (5,), {"strides": [3], "pads": [1, 2], "output_padding": [1]}, True),
    # the geometries of libonnx-testdata's pytorch-converted/-operator ConvTranspose tests (opset 6, which
    # the importer refuses, so they are rebuilt here at opset 17)
    ("torch_convtranspose2d", (1, 3, 7, 6), 4, (3, 3), {"strides": [3, 2], "pads": [1, 1, 1, 1],
                                                        "output_padding": [1, 1]}, True),
    ("torch_convtranspose2d_no_bias", (1, 3, 6, 7), 4, (3, 3), {"strides": [2, 3], "pads": [1, 1, 1, 1],
                                                                "output_padding": [1, 1]}, False),
    ("torch_operator_convtranspose", (2, 3, 4, 5), 3, (3, 3), {"strides": [3, 3], "pads": [1, 1, 1, 1],
                                                               "output_padding": [2, 2]}, False),
    ("conv3d_k3_s2_p1", (1, 4, 3, 5, 6), 5, (3, 3, 2), {"strides": [2, 2, 1], "pads": [1, 1, 0, 0, 1, 1],
                                                       "dilations": [1, 1, 2]}, True),
    ("conv3d_group2_batch2", (2, 4, 2, 3, 4), 2, (2, 3, 3), {"strides": [1, 2, 2], "group": 2,
                                                             "output_padding": [0, 1, 1]}, False),
]


def convt_cases():
    for name, xs, mg, k, attrs, bias in (CONVT_CASES[:3] if QUICK else CONVT_CASES):
        g_ = attrs.get("group", 1)
        inits = [numpy_helper.from_array(f32(xs[1], mg, *k), "w")]
        if bias:
            inits.append(numpy_helper.from_array(f32(mg * g_), "b"))
        node = helper.make_node("ConvTranspose", ["x", "w"] + (["b"] if bias else []), ["y"], kernel_shape=list(k),
                                **attrs)
        yield ("convt_" + name, model(node, [vi("x", xs)], [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
                                      inits), [f32(*xs)])
    # weights (and bias) as graph inputs, read in place at run time: groups, 3-D, bias, odd channels
    for name, xs, mg, k, attrs in [("rt_group2_bias", (2, 6, 5, 7), 5, (3, 3), {"strides": [2, 2], "pads": [1, 0, 1, 0],
                                                                                 "group": 2}),
                                   ("rt_3d", (1, 3, 2, 4, 5), 9, (2, 3, 3), {"strides": [2, 1, 2]}),
                                   ("rt_k7_c33", (1, 33, 3, 4), 17, (7, 7), {"strides": [2, 2], "pads": [3, 3, 3, 3]})
                                   ][:0 if QUICK else 3]:
        g_ = attrs.get("group", 1)
        ws = (xs[1], mg) + tuple(k)
        ins = [vi("x", xs), vi("w", ws)] + ([vi("b", (mg * g_,))] if name.endswith("bias") else [])
        node = helper.make_node("ConvTranspose", [i.name for i in ins], ["y"], kernel_shape=list(k), **attrs)
        feeds = [f32(*xs), f32(*ws)] + ([f32(mg * g_)] if name.endswith("bias") else [])
        yield ("convt_" + name, model(node, ins, [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], []),
               feeds)
    # every ConvTranspose node test of ONNX's test data: as shipped (W a graph input, read at run time),
    # and with its weights made constant (re-laid at compile time)
    if os.path.isdir(NODE_DATA):
        for d in sorted(os.listdir(NODE_DATA)):
            if d.startswith("test_convtranspose") and not QUICK:
                tag = d[len("test_convtranspose"):].strip("_") or "basic"
                m, feeds = onnx_node_constw(d)
                yield ("convt_node_" + tag, m, feeds)
                m, feeds = onnx_node_constw(d, keep_inputs=True)
                yield ("convt_node_rtw_" + tag, m, feeds)


# Pooling: (op, x shape, kernel, attrs)
POOL_CASES = [
    ("MaxPool", (1, 5, 13, 17), (3, 3), {"pads": [1, 1, 1, 1], "strides": [2, 2]}),
    ("MaxPool", (1, 4, 13, 13), (3, 3), {"strides": [2, 2], "ceil_mode": 1}),
    ("MaxPool", (2, 3, 8, 9), (2, 2), {"strides": [2, 2]}),
    ("MaxPool", (1, 2, 11, 11), (3, 3), {"dilations": [2, 2], "pads": [1, 1, 1, 1]}),
    ("MaxPool", (1, 33, 7, 7), (3, 3), {"auto_pad": "SAME_UPPER"}),
    ("MaxPool", (1, 4, 31), (3,), {"strides": [2]}),
    ("MaxPool", (1, 3, 3, 129), (3, 3), {"pads": [1, 1, 1, 1]}),
    ("AveragePool", (1, 3, 7, 7), (3, 3), {"pads": [1, 1, 1, 1]}),
    ("AveragePool", (1, 3, 7, 7), (3, 3), {"pads": [1, 1, 1, 1], "count_include_pad": 1}),
    ("AveragePool", (1, 3, 13, 17), (3, 3), {"pads": [1, 1, 1, 1], "strides": [2, 2], "ceil_mode": 1,
                                             "count_include_pad": 1}),
    ("AveragePool", (2, 5, 13, 17), (3, 3), {"pads": [1, 1, 1, 1], "strides": [2, 2], "ceil_mode": 1}),
    ("AveragePool", (1, 33, 2, 2), (2, 2), {}),
    ("AveragePool", (1, 2, 9, 10), (5, 5), {"pads": [2, 1, 2, 2], "count_include_pad": 1}),
]


def pool_cases(kind):
    for i, (op, xs, k, attrs) in enumerate(POOL_CASES):
        if op != kind or (QUICK and i % 3):
            continue
        yield ("%s_%d" % (op.lower(), i), model(helper.make_node(op, ["x"], ["y"], kernel_shape=list(k), **attrs),
                                                 [vi("x", xs)], [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], []), [f32(*xs)])


# Resize: (x shape, scales, attrs): up- and downsampling, integral and fractional coordinates, each mode
RESIZE_CASES = [
    ((1, 4, 16, 16), (1, 1, 2, 2), {"mode": "linear"}),  # seg_tiny's head: half_pixel
    ((2, 3, 7, 9), (1, 1, 2, 3), {"mode": "linear", "coordinate_transformation_mode": "align_corners"}),
    ((1, 2, 13, 17), (1, 1, 0.5, 0.75), {"mode": "linear", "coordinate_transformation_mode": "asymmetric"}),
    ((1, 3, 5, 33), (1, 1, 3, 2), {"mode": "nearest"}),
    ((1, 2, 9, 10), (1, 1, 1.5, 0.6), {"mode": "nearest", "coordinate_transformation_mode": "asymmetric",
                                        "nearest_mode": "floor"}),
    ((1, 1, 1, 1), (1, 1, 4, 129), {"mode": "linear", "coordinate_transformation_mode": "pytorch_half_pixel"}),
]


def resize_cases():
    for i, (xs, sc, attrs) in enumerate(RESIZE_CASES[:2] if QUICK else RESIZE_CASES):
        node = helper.make_node("Resize", ["x", "", "scales"], ["y"], **attrs)
        yield ("resize_%d_%s" % (i, attrs["mode"]),
               model(node, [vi("x", xs)], [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
                     [numpy_helper.from_array(np.array(sc, np.float32), "scales")]), [f32(*xs)])


FAMILIES = {
    # f32 accumulation in another order than the reference's double: 1e-6 of the magnitude, 1e-5 relative
    "reduce": (reduce_cases, 1e-6, 1e-5),
    # vmath.c polynomials and ops built on them: within 3 ULP (vmath_ulp.py), plus the reference's rounding
    "activation": (activation_cases, 0.0, 4.8e-7),
    # rounding, sign, comparisons, selects, variadic max/min: bit-identical to the reference
    "exact": (exact_cases, 0.0, 0.0),
    # polynomial exp/erf: within 2 ULP (vmath.c), i.e. 2.4e-7 relative; Clip and Pow exact
    "math": (math_cases, 0.0, 2.4e-7),
    # data movement: bit-identical
    "movement": (movement_cases, 0.0, 0.0),
    # reductions summed in another order than the reference's double sums
    "rownorm": (rownorm_cases, 1e-6, 1e-5),
    # IEEE f32 add/sub/mul/div/sqrt/max are correctly rounded on both sides: exact
    "eltwise": (eltwise_cases, 0.0, 0.0),
    # f32 accumulation vs the double reference: 1e-5 of the magnitude, 1e-4 relative
    "gemm": (gemm_cases, 1e-5, 1e-4),
    # Conv: f32 accumulation vs the reference's double, like gemm: 1e-5 of the magnitude, 1e-4 relative
    "conv": (conv_cases, 1e-5, 1e-4),
    # fused HardSwish/HardSigmoid/Sigmoid epilogues: the conv's tolerance (1e-5 of the magnitude, 1e-4
    # relative); the activations' own error (<= 2 ULP, vmath.c) is far below it
    "convepi": (convepi_cases, 1e-5, 1e-4),
    # ConvTranspose, general geometry: f32 accumulation in another order than the reference's double, like
    # Conv: 1e-5 of the magnitude, 1e-4 relative
    "convt": (convt_cases, 1e-5, 1e-4),
    # MaxPool selects an input element: bit-identical
    "maxpool": (lambda: pool_cases("MaxPool"), 0.0, 0.0),
    # AveragePool: an f32 sum of at most 25 taps divided by the count vs the reference's double: 1e-6 / 1e-5
    "avgpool": (lambda: pool_cases("AveragePool"), 1e-6, 1e-5),
}

# Families the sweeps run but the conformance matrix leaves out: ONNX's Resize node tests pass the
# scales as a run-time input, so their output shapes are unknown at compile time and no module can
# hold them (that is a compile error, not an RVV result).
EXTRA_FAMILIES = {
    # Resize: nearest gathers (exact); linear blends two rows of two taps in f32 vs the reference's double
    "resize": (resize_cases, 1e-6, 1e-5),
}
