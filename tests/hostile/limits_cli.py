#!/usr/bin/python3
"""limits_cli.py - the run-time limits through the CLI: max_step_ms on the
reference executor, on a fallback-only module in-process and on an RVV
module under qemu; max_arena_bytes and max_tensor_bytes on a run. Each
must exit 2 with RVVNN's ELIMIT, the limit's name, and the flag that
raises it; with the limits at their defaults the same runs succeed.

The step is a 512x512x512 MatMul (134 M multiply-adds): no machine does
it in 1 ms, natively or emulated, so the time limit is certain to trip
without this test measuring time itself.

  limits_cli.py RVVNN_CLI OUT_DIR"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from clicheck import Checker

CLI, OUT = sys.argv[1], sys.argv[2]
os.makedirs(OUT, exist_ok=True)
check = Checker(CLI)
run = check.expect


def main():
    # y = x @ W, W = ones(512, 512) made by ConstantOfShape (folded at compile time)
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [512, 512])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [512, 512])
    shape = numpy_helper.from_array(np.array([512, 512], np.int64), "shape")
    g = helper.make_graph([
        helper.make_node("ConstantOfShape", ["shape"], ["w"], name="ones",
                         value=helper.make_tensor("v", TensorProto.FLOAT, [1], [1.0])),
        helper.make_node("MatMul", ["x", "w"], ["y"], name="mm")], "mm", [x], [y], initializer=[shape])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    model = os.path.join(OUT, "mm512.onnx")
    onnx.save(m, model)
    inp = "--input=512x512xf32=0.5"
    ref_mod, rvv_mod = os.path.join(OUT, "mm512_ref.rvvmod"), os.path.join(OUT, "mm512.rvvmod")
    run("compile (fallback steps)", ["compile", model, "--no-rvv", "-o", ref_mod], 0)
    run("compile (RVV)", ["compile", model, "-o", rvv_mod], 0)
    limit = ["(ELIMIT)", "limit max_step_ms", "--max-step-ms=N raises it"]
    run("reference run, no limit", ["run", model, inp], 0)
    run("reference run, 1 ms per step", ["run", model, inp, "--max-step-ms=1"], 2, limit + ["node 'mm'"])
    run("fallback module, 1 ms per step", ["run", ref_mod, inp, "--max-step-ms=1"], 2, limit)
    run("RVV module under qemu, 1 ms per step", ["run", rvv_mod, inp, "--max-step-ms=1"], 2,
        limit + ["riscv64 runner"])
    run("reference run, 64 KiB arena", ["run", model, inp, "--max-arena-bytes=64K"], 2,
        ["(ELIMIT)", "limit max_arena_bytes", "--max-arena-bytes=N raises it"])
    run("an input over max_tensor_bytes", ["run", model, inp, "--max-tensor-bytes=256K"], 2,
        ["(ELIMIT)", "limit max_tensor_bytes", "--max-tensor-bytes=N raises it"])
    run("module tensors over max_tensor_bytes", ["run", ref_mod, inp, "--max-tensor-bytes=256K"], 2,
        ["(ELIMIT)", "limit max_tensor_bytes"])
    run("bad limit value", ["run", model, inp, "--max-step-ms=lots"], 2, ["--max-step-ms=lots"])
    check.finish()


if __name__ == "__main__":
    main()
