#!/usr/bin/python3
"""rvvnn disasm against riscv64-linux-gnu-objdump -d -z, line by line:
ELF objects from clang-19 (RVV intrinsics, compressed code), gcc and
rvvnn compile --emit=obj must give the same headers, labels, addresses,
bits and text (with <symbol> targets), apart from the differences
tests/isa/spelling.py lists; --raw --base=ADDR must match objdump
--adjust-vma; a module lists one labelled block per RVV step; bad input
exits 2 with a message naming the problem.

usage: disasm.py RVVNN MODELS_DIR"""
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "isa"))
import spelling  # noqa: E402

RVVNN, MODELS = sys.argv[1], sys.argv[2]
tmp = tempfile.mkdtemp(prefix="rvvnn-disasm-")
passes = failures = 0
LINE = re.compile(r"^( *[0-9a-f]+):\t([0-9a-f]+) +\t(.*)$")


def expect(cond, what, detail=""):
    global passes, failures
    print(("ok   " if cond else "FAIL ") + what + ("" if cond else ": " + str(detail)[:1500]))
    passes += bool(cond)
    failures += not cond


def run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True)


def compare(name, ours, theirs, keep_symbols=True):
    """Line-by-line; instruction text through spelling.py."""
    a, b = ours.splitlines(), theirs.splitlines()
    counts, bad = {}, []
    if len(a) != len(b):
        bad.append("%d lines, objdump %d" % (len(a), len(b)))
    for x, y in zip(a, b):
        mx, my = LINE.match(x), LINE.match(y)
        if not mx or not my:
            if x != y:
                bad.append("'%s' / objdump '%s'" % (x, y))
            continue
        mine = spelling.ours(mx.group(3))
        if not keep_symbols:
            mine = spelling.objdump_text(mine)
        theirs_text = spelling.objdump_text(my.group(3), keep_symbols)
        if mx.group(1) != my.group(1) or mx.group(2) != my.group(2):
            bad.append("'%s' / objdump '%s'" % (x, y))
        elif mine != theirs_text:
            why = spelling.known_difference(mx.group(2), mine, theirs_text)
            if why is None:
                bad.append("'%s' / objdump '%s'" % (x, y))
            else:
                counts[why] = counts.get(why, 0) + 1
        else:
            counts["same"] = counts.get("same", 0) + 1
        if len(bad) > 10:
            break
    expect(not bad, "%s: rvvnn disasm = objdump -d -z (%s)" % (
        name, ", ".join("%d %s" % (v, k) for k, v in sorted(counts.items(), key=lambda kv: -kv[1]))), "\n".join(bad))


def elf_case(name, obj):
    r = run([RVVNN, "disasm", obj])
    o = run(["riscv64-linux-gnu-objdump", "-d", "-z", obj])
    if r.returncode or o.returncode:
        expect(False, "%s: disasm runs" % name, r.stderr + o.stderr)
        return
    compare(name, r.stdout, o.stdout)


SCALAR = """static int helper(int x) { return x * 3 + 1; }
int table[4] = {1, 2, 3, 4};
int pick(int i) { return helper(table[i & 3]) + (i > 5 ? 7 : 9); }
double mix(double a, float b, long c) { return a * b + (double)c; }
"""
src = os.path.join(tmp, "k.c")
open(src, "w").write("""#include <riscv_vector.h>
void saxpy(long n, float a, const float *x, float *y)
{
    for (long vl; n > 0; n -= vl, x += vl, y += vl) {
        vl = __riscv_vsetvl_e32m8(n);
        vfloat32m8_t vx = __riscv_vle32_v_f32m8(x, vl), vy = __riscv_vle32_v_f32m8(y, vl);
        __riscv_vse32_v_f32m8(y, __riscv_vfmacc_vf_f32m8(vy, a, vx, vl), vl);
    }
}
long gather(const long *t, const unsigned short *ix, long n, long *out)
{
    for (long vl; n > 0; n -= vl, ix += vl, out += vl) {
        vl = __riscv_vsetvl_e16mf2(n);
        vuint64m2_t off = __riscv_vsll_vx_u64m2(__riscv_vzext_vf4_u64m2(__riscv_vle16_v_u16mf2(ix, vl), vl), 3, vl);
        __riscv_vse64_v_i64m2(out, __riscv_vluxei64_v_i64m2(t, off, vl), vl);
    }
    return n;
}
""" + SCALAR)
kc = os.path.join(tmp, "kc.o")
r = run(["clang-19", "--target=riscv64-linux-gnu", "-march=rv64gcv", "-O2", "-c", "-o", kc, src])
expect(r.returncode == 0, "clang-19 compiles the RVV sample", r.stderr)
if r.returncode == 0:
    elf_case("clang-19 -march=rv64gcv object", kc)
gc = os.path.join(tmp, "gc.o")
plain = os.path.join(tmp, "plain.c")
open(plain, "w").write(SCALAR)
r = run(["riscv64-linux-gnu-gcc", "-march=rv64gc", "-O2", "-c", "-o", gc, plain])
expect(r.returncode == 0, "gcc compiles the scalar sample", r.stderr)
if r.returncode == 0:
    elf_case("gcc -march=rv64gc object", gc)
bert = os.path.join(tmp, "bert.o")
r = run([RVVNN, "compile", os.path.join(MODELS, "bert_tiny_op17.onnx"), "-o", bert, "--emit=obj"])
expect(r.returncode == 0, "compile --emit=obj", r.stderr)
if r.returncode == 0:
    elf_case("rvvnn --emit=obj BERT-tiny object", bert)

# raw bytes at a base address vs objdump --adjust-vma
if os.path.exists(kc):
    raw = os.path.join(tmp, "kc.bin")
    subprocess.run(["riscv64-linux-gnu-objcopy", "-O", "binary", "-j", ".text", kc, raw], check=True)
    r = run([RVVNN, "disasm", "--raw", "--base=0x10000", raw])
    o = run(["riscv64-linux-gnu-objdump", "-d", "-z", "--adjust-vma=0x10000", kc])
    ours = [l for l in r.stdout.splitlines() if LINE.match(l)]
    theirs = [l for l in o.stdout.splitlines() if LINE.match(l)]
    compare("--raw --base=0x10000", "\n".join(ours), "\n".join(theirs), keep_symbols=False)

# a module: one labelled block per RVV step
mod = os.path.join(tmp, "bert.rvvmod")
r = run([RVVNN, "compile", os.path.join(MODELS, "bert_tiny_op17.onnx"), "-o", mod])
d = run([RVVNN, "disasm", mod])
ins = run([RVVNN, "inspect", mod, "--json"])
steps = len(re.findall(r"^[0-9a-f]{16} <step \d+: .*>:$", d.stdout, re.M))
rvv = ins.stdout.count('"kind": "rvv"')
lines = [l for l in d.stdout.splitlines() if l and not l.startswith(("0", mod))]
expect(d.returncode == 0 and steps == rvv and steps > 0 and all(LINE.match(l) for l in lines) and
       "vfmacc.vf\t" in d.stdout and "vsetvli\t" in d.stdout,
       "module: %d step blocks for %d RVV steps, %d lines in objdump's layout" % (steps, rvv, len(lines)),
       d.stderr + ins.stderr)

# bad input: exit 2, a message, no crash
junk = os.path.join(tmp, "junk.bin")
open(junk, "wb").write(b"hello, not code\n" * 4)
short = os.path.join(tmp, "short.o")
if os.path.exists(kc):
    open(short, "wb").write(open(kc, "rb").read()[:200])
bad_strtab = os.path.join(tmp, "badnames.o")
if os.path.exists(kc):
    b = bytearray(open(kc, "rb").read())
    b[62:64] = (999).to_bytes(2, "little")  # e_shstrndx
    open(bad_strtab, "wb").write(bytes(b))
for args, want in (([os.path.join(tmp, "missing.o")], "cannot open"),
                   ([junk], "neither an ELF file nor an rvvnn module"),
                   ([short], "run past the file"),
                   ([bad_strtab], "e_shstrndx 999"),
                   (["/bin/true"], "is not RISC-V"),
                   ([junk, "--base=0x10"], "--base applies to --raw"),
                   ([junk, "--raw", "--base=zz"], "not an address"),
                   ([], "no file given")):
    r = run([RVVNN, "disasm"] + args)
    expect(r.returncode == 2 and want in r.stderr and "Traceback" not in r.stderr,
           "disasm %s: exit 2, '%s'" % (" ".join(os.path.basename(a) for a in args), want),
           "exit %d: %s" % (r.returncode, r.stderr))
# corrupted objects: every run ends with exit 0 or 2, never a signal
if os.path.exists(kc):
    import random
    rnd = random.Random(7)
    good = open(kc, "rb").read()
    crashes, runs = [], 300
    mut = os.path.join(tmp, "mut.o")
    for i in range(runs):
        b = bytearray(good)
        for _ in range(rnd.randint(1, 8)):
            at = rnd.randrange(len(b)) if rnd.random() < 0.5 else rnd.randrange(64)
            b[at] = rnd.randrange(256)
        if rnd.random() < 0.2:
            b = b[:rnd.randrange(len(b))]
        open(mut, "wb").write(bytes(b))
        r = run([RVVNN, "disasm", mut])
        if r.returncode not in (0, 2) or (r.returncode == 2 and "error" not in r.stderr):
            crashes.append("mutation %d: exit %d %s" % (i, r.returncode, r.stderr[:200]))
    expect(not crashes, "%d corrupted objects: each listed or refused with exit 2" % runs, "\n".join(crashes[:5]))
print("%d passed, %d failed" % (passes, failures))
sys.exit(1 if failures else 0)
