#!/usr/bin/python3
"""BERT-tiny (build/models/bert_tiny_op17.onnx) compiled to RVV code and
run by the built-in emulator and by qemu-riscv64 at VLEN 128 and 256
(vector-length agnostic module), at VLEN 256 for the module tuned with
-march=rv64gcv_zvl256b, and at VLEN 128 for Zve32f code; the CNNs
(SqueezeNet1.1, MobileNetV2, ResNet18: RVV steps between fallback
convolutions) vector-length agnostic at VLEN 128. The outputs must
be bit-identical (the same bytes: tolerance none). The emulator's wall
time is printed for information, never checked.

usage: emu_models.py RVVNN MODEL_DIR"""
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

RVVNN, MODELS = sys.argv[1:3]
tmp = tempfile.mkdtemp(prefix="rvvnn-emu-models-")
failures = 0


def run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True, errors="replace")


CASES = [("bert_tiny_op17", "vla", [], [128, 256]), ("bert_tiny_op17", "zvl256b", ["-march=rv64gcv_zvl256b"], [256]),
         ("bert_tiny_op17", "zve32f", ["-march=rv64gc_zve32f"], [128])]
CASES += [(m, "vla", [], [128]) for m in ("squeezenet1_1", "mobilenet_v2", "resnet18")]
for name, cname, flags, vlens in CASES:
    model = os.path.join(MODELS, name + ".onnx")
    ids = os.path.join(MODELS, name + ".input_0.npy")
    cname = "%s.%s" % (name, cname)
    mod = os.path.join(tmp, "%s.rvvmod" % cname)
    r = run([RVVNN, "compile", model, "-o", mod, "--verbose"] + flags)
    if r.returncode:
        failures += 1
        print("FAIL compile %s: %s" % (cname, r.stderr.strip()[-300:]))
        continue
    for v in vlens:
        got = {}
        for ex in ("qemu", "emu"):
            out = os.path.join(tmp, "y.%s.%s.%d.npy" % (cname, ex, v))
            t0 = time.time()
            r = run([RVVNN, "run", mod, "--executor=" + ex, "--vlen=%d" % v, "--input=@" + ids, "--output=@" + out])
            dt = time.time() - t0
            if r.returncode:
                failures += 1
                print("FAIL %s VLEN=%d %s: %s" % (cname, v, ex, r.stderr.strip()[-300:]))
                break
            got[ex] = (np.load(out), dt)
        if len(got) != 2:
            continue
        q, e = got["qemu"][0], got["emu"][0]
        # bit-identical: same dtype, shape and bytes (no tolerance)
        if q.dtype != e.dtype or q.shape != e.shape or q.tobytes() != e.tobytes():
            failures += 1
            d = np.nonzero(q.reshape(-1) != e.reshape(-1))[0] if q.shape == e.shape else []
            print("FAIL %s VLEN=%d: emu differs from qemu (%d elements, first %s)" % (
                cname, v, len(d), d[:1]))
        else:
            print("ok   %s VLEN=%d: bit-identical (%s %s); emu %.1f s, qemu %.1f s" % (
                cname, v, q.dtype, q.shape, got["emu"][1], got["qemu"][1]), flush=True)
sys.exit(1 if failures else 0)
