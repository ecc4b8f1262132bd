"""Operator cases shared by the RVV sweeps (sweep.py) and the conformance
matrix (tests/conformance/matrix.py): one-node ONNX models with inputs,
grouped into families with the tolerance each family is judged by."""
import numpy as np
from onnx import TensorProto, helper, numpy_helper

QUICK = False
rng = np.random.default_rng(20261124)


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


FAMILIES = {
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
}
