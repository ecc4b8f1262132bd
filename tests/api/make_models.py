#!/usr/bin/python3
"""make_models.py - writes the small ONNX models the API tests load
(tests/api/models/*.onnx), with onnx.helper. Run it again after changing
it; the outputs are committed so the tests need no Python.

  mlp.onnx      Y = Relu(X @ W + B), X float[N,4] (N symbolic), W 4x3, B 3:
                one MatMul (an RVV step when compiled) and elementwise ops.
  custom.onnx   Y = test.domain::Scale(X, alpha=...) + 1: a custom-domain
                op the reference executor only runs with rvvnn_register_op.
"""
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "models")


def save(model, name):
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(HERE, name))


def mlp():
    w = np.arange(12, dtype=np.float32).reshape(4, 3) / 8.0 - 0.5
    b = np.array([0.25, -1.0, 0.5], dtype=np.float32)
    nodes = [
        helper.make_node("MatMul", ["X", "W"], ["XW"], name="mm"),
        helper.make_node("Add", ["XW", "B"], ["XWB"], name="bias"),
        helper.make_node("Relu", ["XWB"], ["Y"], name="relu"),
    ]
    g = helper.make_graph(
        nodes, "mlp",
        [helper.make_tensor_value_info("X", TensorProto.FLOAT, ["N", 4])],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, ["N", 3])],
        [numpy_helper.from_array(w, "W"), numpy_helper.from_array(b, "B")])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)], producer_name="rvvnn-tests")
    m.ir_version = 8
    save(m, "mlp.onnx")


def custom():
    one = numpy_helper.from_array(np.array([1.0], dtype=np.float32), "one")
    nodes = [
        helper.make_node("Scale", ["X"], ["S"], name="scale", domain="test.domain", alpha=3.0),
        helper.make_node("Add", ["S", "one"], ["Y"], name="plus1"),
    ]
    g = helper.make_graph(
        nodes, "custom",
        [helper.make_tensor_value_info("X", TensorProto.FLOAT, [2, 3])],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [2, 3])], [one])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13),
                                            helper.make_opsetid("test.domain", 1)],
                          producer_name="rvvnn-tests")
    m.ir_version = 8
    onnx.save(m, os.path.join(HERE, "custom.onnx"))  # the checker rejects unknown domains


if __name__ == "__main__":
    os.makedirs(HERE, exist_ok=True)
    mlp()
    custom()
