#!/usr/bin/python3
"""Model-level checks, one model per call.

  check_model.py RVVNN MODELS_DIR NAME ref   reference executor vs torch
  check_model.py RVVNN MODELS_DIR NAME rvv   RVV module (VLA, and fixed
      VLEN) under qemu at VLEN 128/256/512/1024 vs the reference executor

Tolerance: |got - want| <= 1e-4 * max|want| (relative to the output's
magnitude, which the model JSON records and this script prints); for the
CNNs the top-1 class must agree as well."""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare import compare  # noqa: E402

RVVNN, MODELS, NAME, MODE = sys.argv[1:5]
REL = 1e-4
info = json.load(open(os.path.join(MODELS, NAME + ".json")))
onnx_path = os.path.join(MODELS, NAME + ".onnx")
inputs = []
for i, spec in enumerate(info["inputs"]):
    p = os.path.join(MODELS, "%s.input_%d.npy" % (NAME, i))
    inputs.append("--input=@" + p)
torch_out = np.load(os.path.join(MODELS, NAME + ".output_0.npy"))
tmp = tempfile.mkdtemp(prefix="rvvnn-model-")
failures = passes = 0


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode:
        raise SystemExit("FAIL: %s\n%s%s" % (" ".join(cmd), p.stdout, p.stderr))
    return p


def judge(label, got, want):
    global failures, passes
    ok, msg = compare(got, want, REL, 0.0, True)
    if got.ndim == 2 and got.shape[0] == 1:
        same = int(np.argmax(got)) == int(np.argmax(want))
        ok = ok and same
        msg += "; top-1 %s" % ("agrees" if same else "DIFFERS")
    print("%s %s: %s" % ("ok  " if ok else "FAIL", label, msg))
    if ok:
        passes += 1
    else:
        failures += 1


ref_path = os.path.join(tmp, "ref.npy")
run([RVVNN, "run", onnx_path, "--output=@" + ref_path] + inputs)
ref = np.load(ref_path)
if MODE == "ref":
    judge("%s reference executor vs torch" % NAME, ref, torch_out)
    # determinism: the same bits for any thread count
    for t in (1, 2):
        p1 = os.path.join(tmp, "ref_t%d.npy" % t)
        run([RVVNN, "run", onnx_path, "--threads=%d" % t, "--output=@" + p1] + inputs)
        same = np.array_equal(np.load(p1).view(np.uint8), ref.view(np.uint8))
        print("%s %s: --threads=%d gives the same bits as the default" % ("ok  " if same else "FAIL", NAME, t))
        passes += same
        failures += not same
else:
    variants = [("VLA", [], [128, 256, 512, 1024])] + [("zvl%d" % v, ["-march=rv64gcv_zvl%db" % v], [v])
                                                      for v in (128, 256, 512, 1024)]
    for label, flags, vlens in variants:
        mod = os.path.join(tmp, label + ".rvvmod")
        p = run([RVVNN, "compile", onnx_path, "-o", mod, "--verbose"] + flags)
        print("   %s: %s" % (label, p.stderr.strip().splitlines()[-1]))
        for v in vlens:
            out = os.path.join(tmp, "rvv.npy")
            run([RVVNN, "run", mod, "--vlen=%d" % v, "--output=@" + out] + inputs)
            got = np.load(out)
            judge("%s %s module at VLEN %d vs reference" % (NAME, label, v), got, ref)
            judge("%s %s module at VLEN %d vs torch" % (NAME, label, v), got, torch_out)
print("%d passed, %d failed" % (passes, failures))
sys.exit(1 if failures else 0)
