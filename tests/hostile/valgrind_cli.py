#!/usr/bin/python3
"""valgrind_cli.py - the CLI under `valgrind --error-exitcode=1` (memcheck,
definite leaks are errors) on small models: info, compile, run on the
reference executor, run of a fallback-only module, and a few hostile
inputs that must still exit 2. Exit 1 from valgrind is an invalid read,
write, use of uninitialised memory or a leak.

  valgrind_cli.py RVVNN_CLI FILES_DIR SEG_TINY.onnx OUT_DIR
"""
import os
import subprocess
import sys

CLI, FILES, SEG, OUT = sys.argv[1:5]
VG = ["valgrind", "--error-exitcode=1", "--leak-check=full", "--errors-for-leak-kinds=definite",
      "--show-leak-kinds=definite", "--quiet"]
os.makedirs(OUT, exist_ok=True)
f = lambda name: os.path.join(FILES, name)
o = lambda name: os.path.join(OUT, name)
X = "--input=@" + f("x.npy")
RUNS = [
    (["info", f("addrelu.onnx")], 0),
    (["compile", f("addrelu.onnx"), "-o", o("addrelu.rvvmod")], 0),
    (["compile", f("addrelu.onnx"), "--no-rvv", "-o", o("addrelu_ref.rvvmod")], 0),
    (["run", f("addrelu.onnx"), X, "--threads=1", "--output=@" + o("y.npy")], 0),
    (["run", o("addrelu_ref.rvvmod"), X, "--expected_output=@" + o("y.npy")], 0),
    (["inspect", o("addrelu.rvvmod")], 0),
    (["disasm", o("addrelu.rvvmod")], 0),
    (["compile", SEG, "-o", o("seg.rvvmod")], 0),
    (["info", f("nest_bomb.onnx")], 2),
    (["info", f("ext/ext_escaping_symlink.onnx")], 2),
    (["inspect", f("mod/hdr_n_tensors.rvvmod")], 2),
    (["run", f("if_mismatch.onnx"), "--input=i1=1", "--input=2x3xf32=1"], 2),
]


def main():
    bad = 0
    env = dict(os.environ, OMP_NUM_THREADS="1")
    for args, want in RUNS:
        p = subprocess.run(VG + [CLI] + args, capture_output=True, text=True, errors="replace", env=env,
                           timeout=900)
        ok = p.returncode == want
        print("%s valgrind rvvnn %s: exit %d (want %d)" % ("ok  " if ok else "FAIL", " ".join(
            os.path.basename(a) for a in args), p.returncode, want))
        if not ok:
            bad += 1
            print(p.stderr[-3000:])
    print("%d runs, %d failed" % (len(RUNS), bad))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
