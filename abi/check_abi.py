#!/usr/bin/python3
"""check_abi.py - compares the built librvvnn.so.0 (and rvvnn.h) with the
committed ABI baseline in abi/baseline/:

  librvvnn.abi          abidw's view (libabigail), compared with abidiff
  rvvnn.acc.dump.gz     abi-compliance-checker's dump (headers + library)

An incompatible change fails. Compatible additions pass (and say so). The
baseline may only be replaced (--update) when the current library is
compatible with it or the SONAME changed: a break needs a SONAME bump.
Tools that are not installed are skipped (exit 77 when none is).

  check_abi.py LIBRARY HEADER_DIR GENERATED_HEADER_DIR [--update | --self-test]

--self-test checks that the gate catches a removed export and a changed
parameter type (mutating copies of the baseline and the header)."""
import gzip
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
BASE = os.path.join(HERE, "baseline")
ABIGAIL = os.path.join(BASE, "librvvnn.abi")
ACC = os.path.join(BASE, "rvvnn.acc.dump.gz")
SKIP = 77


def soname(lib):
    out = subprocess.run(["objdump", "-p", lib], check=True, capture_output=True, text=True).stdout
    m = re.search(r"SONAME\s+(\S+)", out)
    return m.group(1) if m else None


def baseline_soname():
    if not os.path.exists(ABIGAIL):
        return None
    with open(ABIGAIL, encoding="utf-8") as f:
        m = re.search(r"soname='([^']+)'", f.read(4096))
    return m.group(1) if m else None


def public_headers(tmp, header_dir, gen_dir):
    inc = os.path.join(tmp, "include")
    os.makedirs(inc)
    shutil.copy(os.path.join(header_dir, "rvvnn.h"), inc)
    shutil.copy(os.path.join(gen_dir, "rvvnn_version.h"), inc)
    return inc


def abidw(lib, inc, out):
    subprocess.run(["abidw", "--headers-dir", inc, "--drop-private-types", "--exported-interfaces-only",
                    "--no-corpus-path", "--no-comp-dir-path", "--short-locs", "--out-file", out, lib],
                   check=True)


def run_abidiff(lib, inc, base=ABIGAIL):
    """0 same, 1 compatible change, 2 incompatible."""
    p = subprocess.run(["abidiff", "--headers-dir2", inc, base, lib], capture_output=True, text=True)
    print(p.stdout.strip())
    if p.returncode & 3:
        raise SystemExit("abidiff failed to run (%d): %s" % (p.returncode, p.stderr))
    return 2 if p.returncode & 8 else 1 if p.returncode & 4 else 0


def acc_descriptor(tmp, lib, inc, version):
    desc = os.path.join(tmp, "desc-%s.xml" % version)
    with open(desc, "w") as f:
        f.write("<version>%s</version>\n<headers>%s</headers>\n<libs>%s</libs>\n" % (version, inc, lib))
    return desc


def acc_dump(tmp, lib, inc, out):
    desc = acc_descriptor(tmp, lib, inc, "current")
    dump = os.path.join(tmp, "current.dump")
    subprocess.run(["abi-compliance-checker", "-l", "rvvnn", "-dump", desc, "-dump-path", dump],
                   check=True, capture_output=True, cwd=tmp)
    with open(dump, "rb") as f, gzip.GzipFile(out, "wb", mtime=0) as g:
        g.write(f.read())


def run_acc(tmp, lib, inc, base=ACC):
    """0 compatible, 2 incompatible. The baseline is a dump; the current
    side a descriptor (dump-vs-dump comparisons hang with GCC 12)."""
    old = os.path.join(tmp, "baseline.dump")
    with gzip.open(base, "rb") as g, open(old, "wb") as f:
        f.write(g.read())
    desc = acc_descriptor(tmp, lib, inc, "current")
    p = subprocess.run(["abi-compliance-checker", "-l", "rvvnn", "-old", old, "-new", desc, "-binary",
                        "-report-path", os.path.join(tmp, "report.html")],
                       capture_output=True, text=True, cwd=tmp, timeout=600)
    tail = [l for l in p.stdout.splitlines() if "compatibility" in l or "problems" in l]
    print("abi-compliance-checker:", "; ".join(tail))
    if p.returncode not in (0, 1):
        raise SystemExit("abi-compliance-checker failed (%d): %s" % (p.returncode, p.stdout[-2000:]))
    return 2 if p.returncode == 1 else 0


def self_test(lib, header_dir, gen_dir, have_abigail, have_acc):
    """The gate must catch breaks: a symbol the baseline has and the
    library lacks (abidiff), and a parameter type changed in rvvnn.h
    (abi-compliance-checker)."""
    bad = 0
    with tempfile.TemporaryDirectory() as tmp:
        inc = public_headers(tmp, header_dir, gen_dir)
        if have_abigail:
            with open(ABIGAIL, encoding="utf-8") as f:
                text = f.read()
            gone = ("<elf-symbol name='rvvnn_gone' version='RVVNN_0' is-default-version='yes' "
                    "type='func-type' binding='global-binding' visibility='default-visibility' "
                    "is-defined='yes'/>\n    <elf-symbol name='rvvnn_abi_version'")
            mutated = os.path.join(tmp, "mutated.abi")
            with open(mutated, "w", encoding="utf-8") as f:
                f.write(text.replace("<elf-symbol name='rvvnn_abi_version'", gone, 1))
            r = run_abidiff(lib, inc, mutated)
            print("abidiff on a removed export:", "caught" if r == 2 else "MISSED")
            bad |= r != 2
        if have_acc:
            h = os.path.join(inc, "rvvnn.h")
            with open(h, encoding="utf-8") as f:
                text = f.read()
            changed = text.replace("size_t index, int32_t dtype,", "size_t index, int64_t dtype,", 1)
            assert changed != text, "rvvnn_session_set_input's signature moved: update the self test"
            with open(h, "w", encoding="utf-8") as f:
                f.write(changed)
            r = run_acc(tmp, lib, inc)
            print("abi-compliance-checker on a changed parameter type:", "caught" if r == 2 else "MISSED")
            bad |= r != 2
    return 1 if bad else 0


def main():
    lib, header_dir, gen_dir = (os.path.abspath(p) for p in sys.argv[1:4])
    update = "--update" in sys.argv[4:]
    have_abigail = shutil.which("abidw") and shutil.which("abidiff")
    have_acc = shutil.which("abi-compliance-checker")
    if not have_abigail and not have_acc:
        print("neither abigail-tools nor abi-compliance-checker is installed: skipped")
        return SKIP
    if "--self-test" in sys.argv[4:]:
        return self_test(lib, header_dir, gen_dir, have_abigail, have_acc)
    cur_soname, base_so = soname(lib), baseline_soname()
    with tempfile.TemporaryDirectory() as tmp:
        inc = public_headers(tmp, header_dir, gen_dir)
        worst = 0
        if have_abigail and os.path.exists(ABIGAIL):
            worst = max(worst, run_abidiff(lib, inc))
        if have_acc and os.path.exists(ACC):
            worst = max(worst, run_acc(tmp, lib, inc))
        if update:
            if worst == 2 and cur_soname == base_so:
                print("refusing to update: the library breaks the baseline's ABI but SONAME is still %s; "
                      "bump the SONAME (and RVVNN_ABI_VERSION) first" % cur_soname)
                return 1
            os.makedirs(BASE, exist_ok=True)
            if have_abigail:
                abidw(lib, inc, ABIGAIL)
            if have_acc:
                acc_dump(tmp, lib, inc, ACC)
            print("baseline updated for", cur_soname)
            return 0
    if base_so is None and not os.path.exists(ACC):
        print("no baseline committed: run with --update")
        return 1
    if base_so and cur_soname != base_so:
        print("SONAME %s differs from the baseline's %s: regenerate the baseline (--update)" %
              (cur_soname, base_so))
        return 1
    if worst == 2:
        print("INCOMPATIBLE with the %s baseline: keep the ABI, or bump the SONAME and update" % base_so)
        return 1
    print("compatible with the %s baseline%s" % (base_so, " (additions: consider --update)" if worst else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
