#!/usr/bin/python3
"""test_python.py - the ctypes binding (bindings/python/rvvnn): models,
sessions with list/dict inputs, errors as exceptions carrying the status,
compile + module inspection + module sessions (qemu on x86), custom ops
written in Python, context managers, and rvvnn.backend running a few
onnx node tests through the compiled-module path. Expected values come
from numpy, each comparison with its tolerance."""
import os
import tempfile
import unittest

import numpy as np

import rvvnn
import rvvnn.backend

HERE = os.path.dirname(os.path.abspath(__file__))
MLP = os.path.join(HERE, "..", "api", "models", "mlp.onnx")
CUSTOM = os.path.join(HERE, "..", "api", "models", "custom.onnx")
W = np.arange(12, dtype=np.float64).reshape(4, 3) / 8.0 - 0.5
B = np.array([0.25, -1.0, 0.5])


def mlp_ref(x):
    return np.maximum(x.astype(np.float64) @ W + B, 0)


class PythonBinding(unittest.TestCase):
    def test_version(self):
        self.assertRegex(rvvnn.version(), r"^\d+\.\d+\.\d+$")
        self.assertEqual(rvvnn.abi_version(), rvvnn.C["ABI_VERSION"])

    def test_ref_session(self):
        x = np.linspace(-2, 2, 12, dtype=np.float32).reshape(3, 4)
        with rvvnn.Model(MLP) as m:
            self.assertEqual((m.inputs, m.outputs), (["X"], ["Y"]))
            with rvvnn.Session(m, threads=1) as s:
                self.assertEqual(s.executor, "ref")
                (y,) = s.run([x])
                np.testing.assert_allclose(y, mlp_ref(x), rtol=1e-5, atol=1e-6)
                (y,) = s.run({"X": x[:1]})  # new batch size
                self.assertEqual(y.shape, (1, 3))
                with self.assertRaises(rvvnn.Error.ETYPE) as cm:
                    s.run([x.astype(np.int32)])
                self.assertEqual(cm.exception.status, rvvnn.C["ETYPE"])
                self.assertIn("'X'", cm.exception.message)
                with self.assertRaises(rvvnn.Error.EINVAL):
                    s.run([x, x])
        with open(MLP, "rb") as f:
            with rvvnn.Model(data=f.read()) as m2:
                self.assertEqual(m2.inputs, ["X"])

    def test_errors(self):
        with self.assertRaises(rvvnn.Error) as cm:
            rvvnn.Model(data=b"garbage")
        self.assertEqual(cm.exception.status, rvvnn.C["EFORMAT"])
        with self.assertRaises(rvvnn.Error.ENOTFOUND):
            with rvvnn.Model(MLP) as m:
                rvvnn.Session(m, no_such_option=1)
        m = rvvnn.Model(MLP)
        m.close()
        with self.assertRaises(ValueError):
            m.inputs

    def test_compile_and_module(self):
        x = np.array([[1, 2, 3, 4], [-1, 0.5, -2, 3]], dtype=np.float32)
        with rvvnn.Model(MLP) as m:
            with m.compile(march="rv64gcv", vlen=0, input_shapes={"X": (2, 4)}) as mod:
                steps = mod.steps
                # MatMul + bias is one fused step (passes/fuse.c)
                self.assertTrue({"MatMul", "MatMulEpilogue"} & {s.op for s in steps})
                self.assertTrue(any(s.kind == "rvv" for s in steps))
                self.assertEqual(mod.target[:2], ("rv64gcv", 0))
                data = bytes(mod)
                self.assertEqual(data, m.compile_to_bytes(input_shapes={"X": (2, 4)}))
                with rvvnn.Session(mod) as s:
                    self.assertEqual(s.executor, "native" if os.uname().machine == "riscv64" else "qemu")
                    (y,) = s.run([x])
                    np.testing.assert_allclose(y, mlp_ref(x), rtol=1e-5, atol=1e-6)
            with tempfile.TemporaryDirectory() as d:
                path = os.path.join(d, "m.rvvmod")
                m.compile(path, no_rvv=1, input_shapes={"X": (2, 4)})
                with rvvnn.Module(path) as mod2:
                    self.assertTrue(all(s.kind == "fallback" for s in mod2.steps))
                    with rvvnn.Session(mod2) as s:
                        self.assertEqual(s.executor, "native")
                        np.testing.assert_allclose(s.run([x])[0], mlp_ref(x), rtol=1e-5, atol=1e-6)
                    with self.assertRaises(rvvnn.Error.EFORMAT):
                        rvvnn.Module(data=bytes(mod2)[:100])

    def test_custom_op(self):
        calls = []

        def shape(ins, outs):
            outs[0].set_shape(np.float32, ins[0].shape)

        def kernel(ins, outs):
            calls.append(1)
            outs[0].view()[...] = ins[0].view() * ins[0].attr_float("alpha")  # alpha=3 in the model
            with self.assertRaises(rvvnn.Error.ENOTFOUND):
                outs[0].attr_ints("axes")

        x = np.arange(6, dtype=np.float32).reshape(2, 3) - 2
        with rvvnn.Model(CUSTOM) as m:
            with self.assertRaises(rvvnn.Error.EUNSUPPORTED):
                rvvnn.Session(m).run([x])
            ops = {("test.domain", "Scale"): (kernel, shape)}
            with rvvnn.Session(m, custom_ops=ops) as s:
                np.testing.assert_array_equal(s.run([x])[0], x * 3 + 1)  # exact in f32
            self.assertEqual(len(calls), 1)

            def failing(ins, outs):
                raise rvvnn.Error(rvvnn.C["ELIMIT"], "too big")
            with rvvnn.Session(m, custom_ops={("test.domain", "Scale"): (failing, shape)}) as s:
                with self.assertRaises(rvvnn.Error.ELIMIT):
                    s.run([x])

            # compiled: Scale is a custom step the module's session calls back,
            # under qemu (the Add is RVV code) and in-process (all fallback)
            with m.compile(custom_ops=ops) as mod:
                self.assertEqual([st.kind for st in mod.steps], ["custom", "rvv"])
                n = len(calls)
                with rvvnn.Session(mod, custom_ops=ops, executor="qemu") as s:
                    self.assertEqual(s.executor, "qemu")
                    np.testing.assert_array_equal(s.run([x])[0], x * 3 + 1)
                self.assertEqual(len(calls), n + 1)
                with rvvnn.Session(mod, executor="qemu") as s:
                    with self.assertRaises(rvvnn.Error.EUNSUPPORTED):
                        s.run([x])
                with rvvnn.Session(mod, custom_ops={("test.domain", "Scale"): (failing, shape)},
                                   executor="qemu") as s:
                    with self.assertRaises(rvvnn.Error.ELIMIT):
                        s.run([x])
            with m.compile(custom_ops=ops, no_rvv=1) as mod:
                self.assertEqual([st.kind for st in mod.steps], ["custom", "fallback"])
                with rvvnn.Session(mod, custom_ops=ops) as s:
                    self.assertEqual(s.executor, "native")
                    np.testing.assert_array_equal(s.run([x])[0], x * 3 + 1)

    def test_backend_module_path(self):
        """A few onnx node tests through compile + module session."""
        import onnx
        from onnx import numpy_helper
        root = os.path.join(os.path.dirname(onnx.__file__), "backend", "test", "data", "node")
        for name in ["test_matmul_2d", "test_add", "test_relu", "test_softmax_axis_1"]:
            d = os.path.join(root, name)
            model = onnx.load(os.path.join(d, "model.onnx"))
            ds = os.path.join(d, "test_data_set_0")
            ins = [numpy_helper.to_array(onnx.load_tensor(os.path.join(ds, "input_%d.pb" % i)))
                   for i in range(len(model.graph.input))]
            want = numpy_helper.to_array(onnx.load_tensor(os.path.join(ds, "output_0.pb")))
            rep = rvvnn.backend.prepare(model, executor="module")
            (got,) = rep.run(ins)
            np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-6, err_msg=name)


if __name__ == "__main__":
    unittest.main()
