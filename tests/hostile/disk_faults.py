#!/usr/bin/python3
"""disk_faults.py - output files under failure: a file size limit
(RLIMIT_FSIZE: writes fail with EFBIG, as on a full disk), /dev/full and
other non-regular targets, unwritable paths, and the output directory
removed while the run is under way. Each must exit 2 with a message
naming the path and leave no file (not even the temporary one).

  disk_faults.py RVVNN_CLI FILES_DIR

The removal mid-run is made deterministic with a full pipe: rvvnn run
--time writes its timing line to stderr after running the model and
before writing outputs; with stderr a pipe whose buffer this script has
filled, the CLI blocks there until the directory is gone."""
import os
import resource
import shutil
import stat
import subprocess
import sys
import tempfile

import onnx
from onnx import TensorProto, helper

from clicheck import Checker

CLI, FILES = sys.argv[1], os.path.abspath(sys.argv[2])
MODEL = os.path.join(FILES, "addrelu.onnx")
INPUT = "--input=@" + os.path.join(FILES, "x.npy")
check = Checker(CLI)


def expect(name, args, want_text, out_dir=None, preexec=None):
    check.expect(name, args, 2, [want_text], out_dir, preexec)


def fsize_limit(n):
    return lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (n, n))


def removed_mid_run(tmp):
    """The output directory disappears between the run and the write."""
    out = os.path.join(tmp, "gone")
    os.makedirs(out)
    r, w = os.pipe()
    os.set_blocking(w, False)
    try:
        while True:
            os.write(w, b"x" * 4096)
    except BlockingIOError:
        pass
    try:
        while True:
            os.write(w, b"x")
    except BlockingIOError:
        pass
    os.set_blocking(w, True)  # the child must block, not fail, on the full pipe
    p = subprocess.Popen([CLI, "run", MODEL, INPUT, "--time", "--output=@" + os.path.join(out, "y.npy")],
                         stdout=subprocess.DEVNULL, stderr=w)
    os.close(w)
    shutil.rmtree(out)
    chunks = []
    while True:
        b = os.read(r, 65536)
        if not b:
            break
        chunks.append(b)
    os.close(r)
    code = p.wait(timeout=300)
    err = b"".join(chunks).lstrip(b"x").decode(errors="replace")
    problems = []
    if code != 2:
        problems.append("exit %d, want 2" % code)
    if "cannot create a temporary file beside it" not in err:
        problems.append("stderr lacks the path error")
    if os.path.exists(out):
        problems.append("%s exists again" % out)
    check.result("output directory removed mid-run", problems, err)


def main():
    tmp = tempfile.mkdtemp(prefix="rvvnn-disk-")
    try:
        out = os.path.join(tmp, "out")
        os.makedirs(out)
        # a size limit below the output: EFBIG on write (disk-full behaviour)
        expect("compile, file size limit 512 bytes", ["compile", MODEL, "-o", os.path.join(out, "m.rvvmod")],
               "write failed", out, fsize_limit(512))
        expect("compile --emit=obj, file size limit", ["compile", MODEL, "--emit=obj", "-o", os.path.join(out, "m.o")],
               "write failed", out, fsize_limit(1024))
        expect("compile --emit=asm, file size limit", ["compile", MODEL, "--emit=asm", "-o", os.path.join(out, "m.s")],
               "write failed", out, fsize_limit(256))
        expect("run --output, file size limit 64 bytes", ["run", MODEL, INPUT, "--output=@" + os.path.join(out, "y.npy")],
               "write failed", out, fsize_limit(64))
        # a device, a directory, a fifo as the output: refused, never replaced
        expect("compile -o /dev/full", ["compile", MODEL, "-o", "/dev/full"], "not a regular file")
        st = os.stat("/dev/full")
        check.result("/dev/full untouched", ["/dev/full was replaced or a temporary file left in /dev"]
                     if not stat.S_ISCHR(st.st_mode) or [f for f in os.listdir("/dev") if f.startswith("full.tmp")]
                     else [], "")
        os.makedirs(os.path.join(out, "adir"))
        expect("compile -o DIRECTORY", ["compile", MODEL, "-o", os.path.join(out, "adir")], "not a regular file")
        os.rmdir(os.path.join(out, "adir"))
        os.mkfifo(os.path.join(tmp, "fifo"))
        expect("run --output to a fifo", ["run", MODEL, INPUT, "--output=@" + os.path.join(tmp, "fifo")],
               "not a regular file")
        # unwritable paths (root ignores permission bits: use paths no one can create)
        expect("compile into a missing directory", ["compile", MODEL, "-o", os.path.join(tmp, "nope", "m.rvvmod")],
               "cannot create a temporary file beside it")
        with open(os.path.join(tmp, "plain"), "w") as f:
            f.write("x")
        expect("compile under a file", ["compile", MODEL, "-o", os.path.join(tmp, "plain", "m.rvvmod")],
               "Not a directory")
        expect("compile into /proc", ["compile", MODEL, "-o", "/proc/rvvnn-test.rvvmod"],
               "cannot create a temporary file beside it")
        # two outputs, the second unwritable: neither is left
        a = helper.make_tensor_value_info("a", TensorProto.FLOAT, [2, 3])
        b = helper.make_tensor_value_info("b", TensorProto.FLOAT, [2, 3])
        x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3])
        g = helper.make_graph([helper.make_node("Relu", ["x"], ["a"]), helper.make_node("Neg", ["x"], ["b"])],
                              "two", [x], [a, b])
        m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
        m.ir_version = 8
        two = os.path.join(tmp, "two.onnx")
        onnx.save(m, two)
        expect("second of two outputs unwritable", ["run", two, INPUT, "--output=@" + os.path.join(out, "a.npy"),
                                                    "--output=@" + os.path.join(tmp, "nope", "b.npy")],
               "output 'b'", out)
        removed_mid_run(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    check.finish()


if __name__ == "__main__":
    main()
