#!/usr/bin/python3
"""Compares two .npy outputs with a tolerance stated relative to the
output's magnitude.

  compare.py GOT.npy WANT.npy [--rtol R] [--atol A] [--rel-to-max]

Passes when |got - want| <= atol + rtol * scale everywhere, where scale
is |want| elementwise, or max|want| with --rel-to-max. Prints max abs
error, max rel error, the worst index and the magnitude; exit 1 on a
mismatch."""
import argparse
import sys

import numpy as np


def compare(got, want, rtol, atol, rel_to_max):
    got = np.asarray(got, np.float64)
    want = np.asarray(want, np.float64)
    if got.shape != want.shape:
        return False, "shape %s != %s" % (got.shape, want.shape)
    mag = float(np.abs(want).max()) if want.size else 0.0
    scale = mag if rel_to_max else np.abs(want)
    err = np.abs(got - want)
    excess = err - (atol + rtol * scale)
    worst = np.unravel_index(int(np.argmax(excess)), err.shape) if err.size else ()
    rel = float((err / np.maximum(np.abs(want), 1e-30)).max()) if err.size else 0.0
    ok = bool(np.all(excess <= 0))
    msg = "max abs err %.3g, max rel err %.3g, worst at %s (got %.9g want %.9g), max|want| %.3g, tol %s" % (
        float(err.max()) if err.size else 0.0, rel, tuple(int(i) for i in worst),
        float(got[worst]) if err.size else 0.0, float(want[worst]) if err.size else 0.0, mag,
        "atol %g + rtol %g x %s" % (atol, rtol, "max|want|" if rel_to_max else "|want|"))
    return ok, msg


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("got")
    ap.add_argument("want")
    ap.add_argument("--rtol", type=float, default=1e-4)
    ap.add_argument("--atol", type=float, default=0.0)
    ap.add_argument("--rel-to-max", action="store_true")
    a = ap.parse_args()
    ok, msg = compare(np.load(a.got), np.load(a.want), a.rtol, a.atol, a.rel_to_max)
    print(("ok: " if ok else "MISMATCH: ") + msg)
    sys.exit(0 if ok else 1)
