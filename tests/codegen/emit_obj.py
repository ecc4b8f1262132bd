#!/usr/bin/python3
"""rvvnn compile --emit=obj: the ELF object and header link (by
riscv64-linux-gnu-ld) into a freestanding program (-nostdlib -static, no
libc, no malloc) that runs under qemu-riscv64 and produces the reference
executor's results (|got - ref| <= 1e-4 * max|ref|, f32 accumulation vs
the reference's double). readelf must read the object without warnings.
One program passes NULL weights, so the driver's pc-relative reference
to the linked-in <name>_weights (R_RISCV_PCREL_HI20/LO12_I) is what
finds them. A model with fallback steps is refused (exit 2, no files
left).

usage: emit_obj.py RVVNN MODELS_DIR"""
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

RVVNN, MODELS = sys.argv[1], sys.argv[2]
tmp = tempfile.mkdtemp(prefix="rvvnn-obj-")
passes = failures = 0
CTYPES = {np.dtype("float32"): "float", np.dtype("int64"): "long long", np.dtype("int32"): "int"}


def expect(cond, what, detail=""):
    global passes, failures
    print(("ok   " if cond else "FAIL ") + what + ("" if cond else ": " + str(detail)[:600]))
    passes += bool(cond)
    failures += not cond


def saved_check(name):
    """call_checked(): calls <name>_run with s0-s11 and fs0-fs11 holding known
    values and returns 99 instead of its status when any of them (callee-saved
    in the psABI, so a C caller may keep live values there) comes back changed."""
    a = [".text", ".globl call_checked", "call_checked:", "addi sp, sp, -208", "sd ra, 0(sp)"]
    a += ["sd s%d, %d(sp)" % (i, 8 + 8 * i) for i in range(12)]
    a += ["fsd fs%d, %d(sp)" % (i, 104 + 8 * i) for i in range(12)]
    a += ["li t0, 0x5a5a0000"]
    a += ["addi s%d, t0, %d" % (i, i) for i in range(12)]
    for i in range(12):
        a += ["addi t1, t0, %d" % (100 + i), "fmv.d.x fs%d, t1" % i]
    a += ["call %s_run" % name, "li t0, 0x5a5a0000", "li t2, 0"]
    for i in range(12):
        a += ["addi t1, t0, %d" % i, "xor t3, s%d, t1" % i, "or t2, t2, t3"]
        a += ["fmv.x.d t3, fs%d" % i, "addi t1, t0, %d" % (100 + i), "xor t3, t3, t1", "or t2, t2, t3"]
    a += ["beqz t2, 1f", "li a0, 99", "1:", "ld ra, 0(sp)"]
    a += ["ld s%d, %d(sp)" % (i, 8 + 8 * i) for i in range(12)]
    a += ["fld fs%d, %d(sp)" % (i, 104 + 8 * i) for i in range(12)]
    a += ["addi sp, sp, 208", "ret"]
    return "__asm__(%s);" % "\n".join('"%s\\n"' % x for x in a)


def check(name, onnx_path, inputs, vlens, flags=(), linked_weights=False):
    obj = os.path.join(tmp, name + ".o")
    r = subprocess.run([RVVNN, "compile", onnx_path, "-o", obj, "--emit=obj"] + list(flags), capture_output=True,
                       text=True)
    if r.returncode:
        expect(False, "%s: compile --emit=obj" % name, r.stderr)
        return
    re = subprocess.run(["riscv64-linux-gnu-readelf", "-a", "-W", obj], capture_output=True, text=True)
    expect(re.returncode == 0 and "warning" not in (re.stderr + re.stdout).lower(), "%s: readelf -a is clean" % name,
           re.stderr)
    ref = os.path.join(tmp, name + ".ref.npy")
    subprocess.run([RVVNN, "run", onnx_path, "--output=@" + ref] + ["--input=@" + p for p in inputs], check=True)
    want = np.load(ref)
    arrays = [np.load(p) for p in inputs]
    src = ['#include "%s.h"' % name]
    for i, a in enumerate(arrays):
        src.append("static const %s in%d[%d] = {%s};" % (CTYPES[a.dtype], i, a.size, ",".join(repr(v.item()) for v in a.ravel())))
    src.append("static float out0[%d];" % want.size)
    src.append("static unsigned char arena[%s_ARENA_BYTES + 1] __attribute__((aligned(64)));" % name)
    src.append("""static long sys3(long n, long a, long b, long c)
{
    register long a0 __asm__("a0") = a, a1 __asm__("a1") = b, a2 __asm__("a2") = c, a7 __asm__("a7") = n;
    __asm__ volatile("ecall" : "+r"(a0) : "r"(a1), "r"(a2), "r"(a7) : "memory");
    return a0;
}
%s
__typeof__(%s_run) call_checked;
void _start(void)
{
    const void *ins[%d] = {%s};
    void *outs[1] = {out0};
    int rc = call_checked(ins, outs, %s, arena);
    for (unsigned long off = 0; off < sizeof out0;) {
        long w = sys3(64, 1, (long)out0 + (long)off, (long)(sizeof out0 - off));
        if (w <= 0)
            break;
        off += (unsigned long)w;
    }
    sys3(93, rc, 0, 0);
}""" % (saved_check(name), name, len(arrays), ",".join("in%d" % i for i in range(len(arrays))),
       "0" if linked_weights else name + "_weights"))
    c = os.path.join(tmp, name + "_main.c")
    open(c, "w").write("\n".join(src) + "\n")
    exe, main_o = os.path.join(tmp, name + "_bm"), os.path.join(tmp, name + "_main.o")
    r = subprocess.run(["riscv64-linux-gnu-gcc", "-march=rv64gc", "-O1", "-ffreestanding", "-I", tmp, "-c", "-o",
                        main_o, c], capture_output=True, text=True)
    if not r.returncode:
        r = subprocess.run(["riscv64-linux-gnu-ld", "-static", "--no-relax", "-o", exe, main_o, obj],
                           capture_output=True, text=True)
    if r.returncode:
        expect(False, "%s: link the freestanding program" % name, r.stderr)
        return
    for v in vlens:
        p = subprocess.run(["qemu-riscv64", "-cpu", "rv64,v=true,vlen=%d,vext_spec=v1.0" % v, exe], capture_output=True)
        got = np.frombuffer(p.stdout, np.float32)
        ok = p.returncode == 0 and got.size == want.size
        err = float(np.abs(got.reshape(want.shape) - want).max()) if ok else float("inf")
        scale = float(np.abs(want).max())
        expect(ok and err <= 1e-4 * scale, "%s: bare-metal run at VLEN %d matches the reference (max err %.3g, "
               "max|ref| %.3g, tol 1e-4 x max|ref|) and keeps s0-s11/fs0-fs11" % (name, v, err, scale),
               "exit %d%s" % (p.returncode, " (a callee-saved register was clobbered)" if p.returncode == 99 else ""))


rng = np.random.default_rng(5)
x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [3, 37])
y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [3, 50])
m = helper.make_model(helper.make_graph(
    [helper.make_node("MatMul", ["x", "w"], ["h"]), helper.make_node("Add", ["h", "b"], ["h2"]),
     helper.make_node("Softmax", ["h2"], ["y"], axis=-1)], "g", [x], [y],
    [numpy_helper.from_array(rng.standard_normal((37, 50)).astype(np.float32), "w"),
     numpy_helper.from_array(rng.standard_normal(50).astype(np.float32), "b")]),
    opset_imports=[helper.make_opsetid("", 17)])
m.ir_version = 8
mlp = os.path.join(tmp, "mlp.onnx")
onnx.save(m, mlp)
xin = os.path.join(tmp, "x.npy")
np.save(xin, rng.standard_normal((3, 37)).astype(np.float32))
check("mlp", mlp, [xin], [128, 512], linked_weights=True)
cx = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 5, 9, 11])
cy = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 8, 9, 11])
cm = helper.make_model(helper.make_graph(
    [helper.make_node("Conv", ["x", "w", "b"], ["c"], pads=[1, 1, 1, 1]), helper.make_node("Relu", ["c"], ["y"])],
    "g", [cx], [cy],
    [numpy_helper.from_array(rng.standard_normal((8, 5, 3, 3)).astype(np.float32), "w"),
     numpy_helper.from_array(rng.standard_normal(8).astype(np.float32), "b")]),
    opset_imports=[helper.make_opsetid("", 17)])
cm.ir_version = 8
convp = os.path.join(tmp, "conv.onnx")
onnx.save(cm, convp)
cxin = os.path.join(tmp, "cx.npy")
np.save(cxin, rng.standard_normal((1, 5, 9, 11)).astype(np.float32))
check("conv", convp, [cxin], [128, 1024])
check("bert", os.path.join(MODELS, "bert_tiny_op17.onnx"), [os.path.join(MODELS, "bert_tiny_op17.input_0.npy")], [256])

# a model with a fallback step (Sin has no RVV generator) is refused
ci = helper.make_tensor_value_info("c", TensorProto.FLOAT, [4])
co = helper.make_tensor_value_info("o", TensorProto.FLOAT, [4])
cm = helper.make_model(helper.make_graph([helper.make_node("Sin", ["c"], ["o"])], "g", [ci], [co]),
                       opset_imports=[helper.make_opsetid("", 17)])
cm.ir_version = 8
cp = os.path.join(tmp, "cast.onnx")
onnx.save(cm, cp)
r = subprocess.run([RVVNN, "compile", cp, "-o", os.path.join(tmp, "cast.o"), "--emit=obj"], capture_output=True, text=True)
expect(r.returncode == 2 and "fall back" in r.stderr and not os.path.exists(os.path.join(tmp, "cast.o")),
       "a model with fallback steps is refused for --emit=obj", r.stderr)
print("%d passed, %d failed" % (passes, failures))
sys.exit(1 if failures else 0)
