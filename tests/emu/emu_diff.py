#!/usr/bin/python3
"""Random vector instruction sequences (emu_diffgen.c: every arithmetic,
compare, mask, move, slide, gather, compress, reduction, widening, carry,
fixed-point, conversion, estimate and load/store row the emulator
implements - indexed accesses with in-bounds offsets - and the scalar A
extension's AMOs and LR/SC, masked and unmasked, random legal vtypes, AVLs, rounding modes and vxrm) on random
register contents (random bits with NaNs,
infinities, zeros and subnormals mixed into the float lanes) run under
qemu-riscv64 and on the emulator at VLEN 128, 256, 512 and 1024. The
dumped register files must be bit-identical (tolerance: none).

usage: emu_diff.py RVVNN EMU_DIFFGEN [COUNT] [SEED]"""
import os
import subprocess
import sys
import tempfile

import numpy as np

RVVNN, GEN = sys.argv[1:3]
COUNT = int(sys.argv[3]) if len(sys.argv) > 3 else 80
SEED = int(sys.argv[4]) if len(sys.argv) > 4 else 20261201
tmp = tempfile.mkdtemp(prefix="rvvnn-emu-diff-")
r = subprocess.run([GEN, tmp, str(COUNT), str(SEED)], capture_output=True, text=True)
if r.returncode:
    print("FAIL generator: " + r.stderr)
    sys.exit(1)
print("generator: " + r.stdout.strip())
rng = np.random.default_rng(SEED)
specials = np.array([0x7fc00000, 0x7f800001, 0xff800000, 0x7f800000, 0x00000000, 0x80000000, 0x00000001,
                     0x807fffff, 0x3f800000, 0x4f000000, 0xcf000000, 0x5f000000], np.uint32)
failures = passes = 0
for i in range(COUNT):
    x = rng.integers(0, 2**32, size=2048, dtype=np.uint64).astype(np.uint32)
    pick = rng.random(2048) < 0.2
    x[pick] = rng.choice(specials, size=int(pick.sum()))
    small = rng.random(2048) < 0.2  # small integers and ordinary floats too
    x[small] = np.where(rng.random(int(small.sum())) < 0.5, rng.integers(0, 40, int(small.sum())),
                        rng.standard_normal(int(small.sum())).astype(np.float32).view(np.uint32))
    xin = os.path.join(tmp, "x%d.npy" % i)
    np.save(xin, x.view(np.uint8))
    mod = os.path.join(tmp, "diff%d.rvvmod" % i)
    for v in (128, 256, 512, 1024):
        outs = {}
        for ex in ("qemu", "emu"):
            out = os.path.join(tmp, "y.%s.npy" % ex)
            r = subprocess.run([RVVNN, "run", mod, "--executor=" + ex, "--vlen=%d" % v, "--input=@" + xin,
                                "--output=@" + out], capture_output=True, text=True, errors="replace")
            if r.returncode:
                outs = None
                failures += 1
                print("FAIL diff%d VLEN=%d %s: %s" % (i, v, ex, r.stderr.strip()[-400:]))
                break
            outs[ex] = np.load(out)
        if outs is None:
            continue
        q, e = outs["qemu"], outs["emu"]
        if q.tobytes() != e.tobytes():  # bit-identical, no tolerance
            failures += 1
            d = np.nonzero(q != e)[0]
            vlenb = v // 8
            where = ["v%d byte %d" % (b // vlenb, b % vlenb) if b < 32 * vlenb else "scalar byte %d" % (b - 4096)
                     for b in d[:4]]
            print("FAIL diff%d VLEN=%d: %d bytes differ, first at %s" % (i, v, len(d), ", ".join(where)))
        else:
            passes += 1
print("%d identical, %d failed" % (passes, failures))
sys.exit(1 if failures else 0)
