#!/usr/bin/python3
"""Every rv.def row against tools nobody here wrote.

  rows.py golden SWEEP GOLDEN    the sweep equals the checked-in goldens
                                 (what GNU as and objdump gave), no tools
  rows.py binutils SWEEP GOLDEN  a larger sweep through GNU as (same
                                 bytes) and objdump (same text); every
                                 16-bit word and random 32-bit words
                                 through objdump; the goldens re-derived
                                 from binutils equal the checked-in file
  rows.py llvm SWEEP             the larger sweep through llvm-mc-19
                                 assembles to the same bytes, and its
                                 --show-encoding agrees line by line for
                                 every line without a branch target
  rows.py update SWEEP GOLDEN    rewrites the goldens from binutils

Text differences are only those spelling.py lists."""
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import spelling  # noqa: E402

GOLDEN_PER_ROW = 4
BIG_PER_ROW = 30
RANDOM_WORDS = 200000
ARCH = "rv64i2p1_m2p0_a2p1_f2p2_d2p2_c2p0_v1p0_zicsr2p0_zifencei2p0_zfhmin1p0"
AS = ["riscv64-linux-gnu-as", "-march=rv64gcv_zfhmin"]
LLVM_MC = ["llvm-mc-19", "--triple=riscv64", "-filetype=obj",
           "-mattr=+m,+a,+f,+d,+c,+v,+zvfh,+zfhmin,+zicsr,+zifencei,-relax"]
LLVM_ATTRS = {8: "+m,+a,+f,+d,+v,+zvfh,+zfhmin,+zicsr,+zifencei", 4: "+m,+a,+f,+d,+c,+zicsr"}
tmp = tempfile.mkdtemp(prefix="rvvnn-isa-")
failures = 0


def fail(msg):
    global failures
    failures += 1
    if failures <= 40:
        print("FAIL " + msg)


def sweep(tool, *args):
    out = subprocess.run([tool] + [str(a) for a in args], capture_output=True, text=True, check=True).stdout
    return [line.split("\t", 2) for line in out.splitlines()]


def source(lines, raw):
    """GNU-as source for the lines (raw: .insn of the words)."""
    src, mode = ['\t.attribute arch, "%s"' % ARCH], None
    for hx, gas, _ in lines:
        m = "rvc" if len(hx) == 4 else "norvc"
        if m != mode:
            src.append("\t.option " + m)
            mode = m
        src.append("\t.insn %d, 0x%s" % (len(hx) // 2, hx) if raw else "\t" + gas)
    return "\n".join(src) + "\n"


def assemble(cmd, text, name):
    s, o = os.path.join(tmp, name + ".s"), os.path.join(tmp, name + ".o")
    open(s, "w").write(text)
    r = subprocess.run(cmd + ["-o", o, s], capture_output=True, text=True)
    if r.returncode:
        fail("%s: %s" % (cmd[0], "\n".join(r.stderr.splitlines()[:20])))
        return None
    return o


def section_bytes(obj):
    b = os.path.join(tmp, "text.bin")
    subprocess.run(["riscv64-linux-gnu-objcopy", "-O", "binary", "-j", ".text", obj, b], check=True)
    return open(b, "rb").read()


def objdump(obj):
    """[(hex, text)] per instruction, text without objdump's annotations."""
    out = subprocess.run(["riscv64-linux-gnu-objdump", "-d", "-z", obj], capture_output=True, text=True, check=True).stdout
    got = []
    for line in out.splitlines():
        m = re.match(r"^\s*[0-9a-f]+:\t([0-9a-f]+)\s+\t(.*)$", line)
        if m:
            got.append((m.group(1), spelling.objdump_text(m.group(2))))
    return got


def hex_bytes(lines):
    return b"".join(int(hx, 16).to_bytes(len(hx) // 2, "little") for hx, _, _ in lines)


def first_difference(lines, got):
    """The line whose bytes differ first, for the message."""
    want, off = hex_bytes(lines), 0
    for hx, gas, _ in lines:
        n = len(hx) // 2
        if got[off:off + n] != want[off:off + n]:
            return "'%s': rvvnn %s, assembled %s" % (gas, hx, got[off:off + n][::-1].hex())
        off += n
    return "lengths %d and %d" % (len(want), len(got))


def through_binutils(lines):
    """GNU as bytes and objdump text of the lines' GNU-as text, checked
    against rvvnn's; returns objdump's [(hex, text)]."""
    obj = assemble(AS, source(lines, False), "rows")
    if not obj:
        return []
    got = objdump(obj)
    if section_bytes(obj) != hex_bytes(lines):
        fail("GNU as gives other bytes than rvvnn's encoder: " + first_difference(lines, section_bytes(obj)))
    if len(got) != len(lines):
        fail("objdump listed %d instructions for %d lines" % (len(got), len(lines)))
    bad_hex = bad_text = 0
    for (hx, gas, dis), (ohx, otext) in zip(lines, got):
        if ohx != hx:
            bad_hex += 1
            fail("'%s': rvvnn %s, GNU as %s" % (gas, hx, ohx))
        elif spelling.ours(dis) != otext:
            bad_text += 1
            fail("%s: rvvnn '%s', objdump '%s'" % (hx, dis, otext))
    print("binutils: %d row encodings; GNU as: %d differ; objdump: %d texts differ" % (len(lines), bad_hex, bad_text))
    return got


def show_encoding(lines):
    """llvm-mc-19 --show-encoding per line (32-bit rows without C, so it
    cannot compress them; compressed rows with C); lines with a branch
    target are left to the object check, their encoding being a fixup."""
    for width, attrs in sorted(LLVM_ATTRS.items()):
        sel = [(hx, gas) for hx, gas, _ in lines if len(hx) == width and ".+" not in gas and ".-" not in gas]
        r = subprocess.run(LLVM_MC[:2] + ["-mattr=" + attrs, "--show-encoding"], input="".join(
            "\t%s\n" % gas for _, gas in sel), capture_output=True, text=True)
        encs = re.findall(r"encoding: \[([^\]]*)\]", r.stdout)
        if r.returncode or len(encs) != len(sel):
            fail("llvm-mc-19 --show-encoding: %d encodings for %d lines: %s" % (len(encs), len(sel), r.stderr[:600]))
            continue
        bad = 0
        for (hx, gas), e in zip(sel, encs):
            got = bytes(int(x, 16) for x in e.split(","))[::-1].hex()
            if got != hx:
                bad += 1
                fail("llvm-mc-19 --show-encoding '%s': %s, rvvnn %s" % (gas, got, hx))
        print("llvm-mc-19 --show-encoding: %d %d-bit lines, %d differ" % (len(sel), width * 4, bad))


def classify_words(tool, kind, n=None):
    lines = sweep(tool, kind, *([n] if n else []))
    obj = assemble(AS, source(lines, True), kind)
    if not obj:
        return
    got = objdump(obj)
    if len(got) != len(lines):
        fail("%s: objdump listed %d instructions for %d words" % (kind, len(got), len(lines)))
        return
    counts = {}
    for (hx, _, dis), (_, otext) in zip(lines, got):
        ours = spelling.ours(dis)
        why = "same" if ours == otext else spelling.known_difference(hx, ours, otext)
        if why is None:
            fail("%s %s: rvvnn '%s', objdump '%s' (not a listed difference)" % (kind, hx, dis, otext))
            why = "unexplained"
        counts[why] = counts.get(why, 0) + 1
    print("objdump, %s: %d words: %s" % (kind, len(lines), ", ".join(
        "%d %s" % (v, k) for k, v in sorted(counts.items(), key=lambda kv: -kv[1]))))


def golden_text(lines, got):
    head = ["# isa_sweep rows %d through GNU as and objdump 2.40 (tests/isa/rows.py update):" % GOLDEN_PER_ROW,
            "# bytes GNU as gave for the text<TAB>the text<TAB>objdump's text of those bytes"]
    return "\n".join(head + ["%s\t%s\t%s" % (ohx, gas, otext) for (_, gas, _), (ohx, otext) in zip(lines, got)]) + "\n"


def read_golden(path):
    return [line.split("\t", 2) for line in open(path).read().splitlines() if not line.startswith("#")]


def main():
    mode, tool = sys.argv[1], sys.argv[2]
    golden = sys.argv[3] if len(sys.argv) > 3 else None
    need = {"binutils": AS[0], "update": AS[0], "llvm": LLVM_MC[0]}.get(mode)
    if need and not shutil.which(need):
        sys.exit("%s is not installed (scripts/setup installs it)" % need)
    if mode == "golden":
        lines, want = sweep(tool, "rows", GOLDEN_PER_ROW), read_golden(golden)
        if len(lines) != len(want):
            fail("the sweep has %d lines, the goldens %d (rows added? run rows.py update)" % (len(lines), len(want)))
        diff = 0
        for (hx, gas, dis), (ghx, ggas, gtext) in zip(lines, want):
            if hx != ghx or gas != ggas or spelling.ours(dis) != gtext:
                diff += 1
                fail("rvvnn %s '%s' '%s', golden %s '%s' '%s'" % (hx, gas, dis, ghx, ggas, gtext))
        print("golden: %d lines, %d differ" % (len(lines), diff))
    elif mode in ("binutils", "update"):
        small = sweep(tool, "rows", GOLDEN_PER_ROW)
        got = through_binutils(small)
        text = golden_text(small, got)
        if mode == "update":
            open(golden, "w").write(text)
            print("wrote %s (%d lines)" % (golden, len(small)))
        else:
            if open(golden).read() != text:
                fail("%s is not what binutils gives today (run rows.py update)" % golden)
            else:
                print("golden: %s matches binutils (%d lines)" % (os.path.basename(golden), len(small)))
            through_binutils(sweep(tool, "rows", BIG_PER_ROW))
            classify_words(tool, "c16")
            classify_words(tool, "words", RANDOM_WORDS)
            print("known differences from objdump 2.40 (spelling.py):")
            for d in spelling.DIFFERENCES:
                print("  - " + d)
    elif mode == "llvm":
        lines = sweep(tool, "rows", BIG_PER_ROW)
        obj = assemble(LLVM_MC, source(lines, False), "llvm")
        if obj:
            same = section_bytes(obj) == hex_bytes(lines)
            if not same:
                fail("llvm-mc-19 gives other bytes than rvvnn's encoder: " + first_difference(lines, section_bytes(obj)))
            print("llvm-mc-19: %d row encodings assemble to %s bytes" % (len(lines), "the same" if same else "other"))
        show_encoding(lines)
    else:
        sys.exit(__doc__)
    print("%s" % ("ok" if not failures else "%d failures" % failures))
    sys.exit(1 if failures else 0)


main()
