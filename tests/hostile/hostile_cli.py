#!/usr/bin/python3
"""hostile_cli.py - every case of cases.tsv through the rvvnn CLI: an
expected error exits 2 with "(STATUS)" and the message fragment on
stderr and leaves no output file (compile -o, run --output); an expected
success exits 0; nothing is ever killed by a signal.

  hostile_cli.py RVVNN_CLI CASES.tsv FILES_DIR

Families are sampled (hostile.c runs all of them in-process): at most 200
truncation lengths spread over the file, at most 60 bit-flipped copies;
chain:N models exist only in hostile.c's memory.
"""
import os
import random
import shutil
import subprocess
import sys
import tempfile

CLI, TABLE, FILES = sys.argv[1], sys.argv[2], os.path.abspath(sys.argv[3])
failures = []
runs = 0


def cli_args(command, path, args, out):
    extra = [a.replace("{dir}", FILES) for a in args.split()]
    if command == "compile":
        return ["compile", path, "-o", os.path.join(out, "m.rvvmod")] + extra
    if command == "run":
        return ["run", path, "--output=@" + os.path.join(out, "y.npy")] + extra
    if command == "input":
        return ["run", os.path.join(FILES, "relu.onnx"), "--input=" + path.replace("{dir}", FILES),
                "--output=@" + os.path.join(out, "y.npy")] + extra
    return [command, path] + extra


def check(name, command, path, status, message, args):
    global runs
    out = tempfile.mkdtemp(prefix="rvvnn-hostile-out-")
    try:
        p = subprocess.run([CLI] + cli_args(command, path, args, out), capture_output=True, text=True,
                           errors="replace", timeout=300)
        runs += 1
        left = os.listdir(out)
        problems = []
        if p.returncode < 0:
            problems.append("killed by signal %d" % -p.returncode)
        elif status == "OK":
            if p.returncode != 0:
                problems.append("exit %d, want 0" % p.returncode)
        elif status == "any":
            if p.returncode not in (0, 2):
                problems.append("exit %d, want 0 or 2" % p.returncode)
            if p.returncode == 2 and left:
                problems.append("left %s after an error" % left)
        else:
            if p.returncode != 2:
                problems.append("exit %d, want 2" % p.returncode)
            if status != "error" and "(%s)" % status not in p.stderr:
                problems.append("stderr lacks (%s)" % status)
            if message and message not in p.stderr:
                problems.append("stderr lacks %r" % message)
            if left:
                problems.append("left output files %s" % left)
            if "rvvnn" not in p.stderr or "error" not in p.stderr:
                problems.append("no error line")
        if problems:
            failures.append("%s: %s\n    stderr: %s" % (name, "; ".join(problems), p.stderr.strip()[-400:]))
    finally:
        shutil.rmtree(out, ignore_errors=True)


def main():
    tmp = tempfile.mkdtemp(prefix="rvvnn-hostile-")
    n_cases = 0
    try:
        for line in open(TABLE):
            if line.startswith("#") or not line.strip():
                continue
            cols = line.rstrip("\n").split("\t")
            name, command, file, status, message = cols[:5]
            args = cols[5] if len(cols) > 5 else ""
            n_cases += 1
            if command == "input":
                check(name, command, file, status, message, args)
                continue
            if file.startswith("chain:"):
                continue  # built in memory by hostile.c
            if file.startswith("truncate:") or file.startswith("flip:"):
                parts = file.split(":")
                base = os.path.join(FILES, parts[1])
                data = open(base, "rb").read()
                ext = os.path.splitext(base)[1]
                # family members live beside the base file (external data resolves there)
                variants = []
                if parts[0] == "truncate":
                    step = max(1, len(data) // 200)
                    variants = [("[%d bytes]" % n, data[:n]) for n in range(0, len(data), step)]
                else:
                    rng = random.Random(int(parts[3]))
                    for i in range(min(int(parts[2]), 60)):
                        b = bytearray(data)
                        for _ in range(1 + i % 4):
                            pos = rng.randrange(len(b))
                            b[pos] ^= 1 << rng.randrange(8)
                        variants.append(("[flip %d]" % i, bytes(b)))
                for label, v in variants:
                    path = os.path.join(tmp, "case" + ext)
                    with open(path, "wb") as f:
                        f.write(v)
                    check("%s %s" % (name, label), command, path, status, message, args)
            else:
                check(name, command, os.path.join(FILES, file), status, message, args)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    for f in failures:
        print("FAIL " + f)
    print("hostile_cli: %d cases, %d CLI runs, %d failed" % (n_cases, runs, len(failures)))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
