#!/usr/bin/python3
"""Corrupted RVV code in a real compiled module (BERT-tiny): the module
loader accepts it (code bytes are not its business), so the emulator must
turn each into an error naming the step and pc, exit status 2, and no
signal: an illegal word at a step's entry, a load from address 0, a
store into the module's (read-only) input, a jump to address 0.

usage: hostile_module.py RVVNN MODEL_DIR"""
import os
import struct
import subprocess
import sys
import tempfile

RVVNN, MODELS = sys.argv[1:3]
tmp = tempfile.mkdtemp(prefix="rvvnn-emu-hostile-")
model = os.path.join(MODELS, "bert_tiny_op17.onnx")
ids = os.path.join(MODELS, "bert_tiny_op17.input_0.npy")
mod = os.path.join(tmp, "bert.rvvmod")
subprocess.run([RVVNN, "compile", model, "-o", mod], check=True, capture_output=True)
img = bytearray(open(mod, "rb").read())
# format.h: mod_header.sec[] starts at byte 72, 16 bytes per section (offset, size);
# STEPS is section 2, CODE 5; mod_step is 80 bytes with code_off at byte 32
code_off = struct.unpack_from("<Q", img, 72 + 5 * 16)[0]
steps_off, steps_size = struct.unpack_from("<QQ", img, 72 + 2 * 16)
STEP = 5  # a step past the first few, so earlier steps run fine first
kind, = struct.unpack_from("<I", img, steps_off + STEP * 80)
entry = struct.unpack_from("<Q", img, steps_off + STEP * 80 + 32)[0]
assert kind == 1 and steps_size >= (STEP + 1) * 80, "step %d is not an RVV step" % STEP

cases = [
    ("illegal word", [0xffffffff], "illegal instruction"),
    ("load from address 0", [0x00003503], "outside the step's memory"),         # ld a0, 0(zero)
    ("store into the weights", [0x00853583, 0x00b5b023], "read-only"),          # ld a1,8(a0); sd a1,0(a1)
    ("jump to address 0", [0x00000067], "outside the module's code"),           # jalr zero, 0(zero)
]
failures = 0
for name, words, why in cases:
    bad = bytearray(img)
    for i, w in enumerate(words):
        struct.pack_into("<I", bad, code_off + entry + 4 * i, w)
    path = os.path.join(tmp, "bad.rvvmod")
    open(path, "wb").write(bad)
    r = subprocess.run([RVVNN, "run", path, "--executor=emu", "--input=@" + ids, "--output=@" + tmp + "/y.npy"],
                       capture_output=True, text=True, errors="replace")
    ok = r.returncode == 2 and ("step %d" % STEP) in r.stderr and "pc 0x" in r.stderr and why in r.stderr
    print("%s %s: exit %d: %s" % ("ok  " if ok else "FAIL", name, r.returncode, r.stderr.strip()[-240:]))
    failures += not ok
sys.exit(1 if failures else 0)
