#!/usr/bin/python3
"""rvvnn compile --emit=asm round trip: the text, assembled by GNU as
(riscv64-linux-gnu-as -march=rv64gcv), gives exactly the bytes of the
module's CODE section (plus GNU as's nop padding of the section end to 16
bytes), for modules that use every generator (BERT-tiny
VLA and fixed-VLEN at each LMUL cap, and the op sweep cases).

usage: emit_asm.py RVVNN MODELS_DIR"""
import os
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import onnx  # noqa: E402
import opcases  # noqa: E402

RVVNN, MODELS = sys.argv[1], sys.argv[2]
tmp = tempfile.mkdtemp(prefix="rvvnn-asm-")
passes = failures = 0
CODE_SECTION = 5  # SEC_CODE in libcore/src/module/format.h; the table starts at byte 72


def code_of(module):
    b = open(module, "rb").read()
    off, size = struct.unpack_from("<QQ", b, 72 + 16 * CODE_SECTION)
    return b[off:off + size]


def roundtrip(name, onnx_path, flags):
    global passes, failures
    mod, s, o, bin_ = (os.path.join(tmp, name + ext) for ext in (".rvvmod", ".s", ".o", ".bin"))
    for out, extra in ((mod, []), (s, ["--emit=asm"])):
        r = subprocess.run([RVVNN, "compile", onnx_path, "-o", out] + flags + extra, capture_output=True, text=True)
        if r.returncode:
            failures += 1
            print("FAIL %s: compile: %s" % (name, r.stderr))
            return
    r = subprocess.run(["riscv64-linux-gnu-as", "-march=rv64gcv", "-o", o, s], capture_output=True, text=True)
    if r.returncode:
        failures += 1
        print("FAIL %s: GNU as: %s" % (name, r.stderr[:500]))
        return
    subprocess.run(["riscv64-linux-gnu-objcopy", "-O", "binary", "-j", ".text", o, bin_], check=True)
    want, got = code_of(mod), open(bin_, "rb").read()
    # GNU as pads the end of .text to its 16-byte alignment with nops
    tail = got[len(want):]
    if got[:len(want)] == want and len(tail) < 16 and tail == b"\x13\x00\x00\x00" * (len(tail) // 4):
        passes += 1
        print("ok   %s: %d bytes of code identical" % (name, len(want)))
    else:
        failures += 1
        first = next((i for i in range(min(len(got), len(want))) if got[i] != want[i]), min(len(got), len(want)))
        print("FAIL %s: %d vs %d bytes, first difference at byte %d" % (name, len(got), len(want), first))


for lm in (1, 2, 4, 8):
    roundtrip("bert_vla_lmul%d" % lm, os.path.join(MODELS, "bert_tiny_op17.onnx"), ["--lmul-max=%d" % lm])
roundtrip("bert_zvl256", os.path.join(MODELS, "bert_tiny_op17.onnx"), ["-march=rv64gcv_zvl256b"])
roundtrip("bert_op13_zve32f", os.path.join(MODELS, "bert_tiny_op13.onnx"), ["-march=rv64gc_zve32f"])
for cnn in ("seg_tiny", "mobilenet_v2"):  # conv, depthwise, pooling, ConvTranspose, Resize kernels
    if os.path.exists(os.path.join(MODELS, cnn + ".onnx")):
        roundtrip(cnn, os.path.join(MODELS, cnn + ".onnx"), [])
opcases.QUICK = True
for fam, (gen, _, _) in sorted({**opcases.FAMILIES, **opcases.EXTRA_FAMILIES}.items()):
    for name, m, feeds in gen():
        p = os.path.join(tmp, name + ".onnx")
        onnx.save(m, p)
        roundtrip(name, p, [])
print("%d passed, %d failed" % (passes, failures))
sys.exit(1 if failures else 0)
