#!/usr/bin/python3
"""An object from elf_write (elf_demo) is read by readelf -a without a
warning, linked by riscv64-linux-gnu-ld with a gcc-compiled caller that
defines ext_add, and run under qemu-riscv64: the CALL_PLT and PCREL
relocations resolve, so answer() returns ext_add(40, 2) + 100 = 142.

usage: elf_link.py ELF_DEMO"""
import os
import subprocess
import sys
import tempfile

tmp = tempfile.mkdtemp(prefix="rvvnn-elf-")
obj, main_c, main_o, exe = (os.path.join(tmp, n) for n in ("demo.o", "main.c", "main.o", "demo"))
ok = True


def step(what, cmd, want_rc=0, stdin=None):
    global ok
    r = subprocess.run(cmd, capture_output=True, text=True)
    good = r.returncode == want_rc and "warning" not in (r.stdout + r.stderr).lower()
    print(("ok   " if good else "FAIL ") + what + ("" if good else ": rc %d %s" % (r.returncode, r.stderr[:800])))
    ok &= good
    return r


step("elf_demo writes the object", [sys.argv[1], obj])
r = step("readelf -a reads it without warnings", ["riscv64-linux-gnu-readelf", "-a", "-W", obj])
for want in ("R_RISCV_CALL_PLT", "R_RISCV_PCREL_HI20", "R_RISCV_PCREL_LO12_I", "ext_add", "Tag_RISCV_arch"):
    if want not in r.stdout:
        print("FAIL readelf shows no %s" % want)
        ok = False
open(main_c, "w").write("""long answer(void);
long ext_add(long a, long b) { return a + b; }
void _start(void)
{
    register long a0 __asm__("a0") = answer(), a7 __asm__("a7") = 93;
    __asm__ volatile("ecall" : : "r"(a0), "r"(a7));
    for (;;) ;
}
""")
step("gcc compiles the caller", ["riscv64-linux-gnu-gcc", "-march=rv64gc", "-O1", "-ffreestanding", "-c", "-o",
                                  main_o, main_c])
step("riscv64-linux-gnu-ld links caller and object", ["riscv64-linux-gnu-ld", "-static", "-o", exe, main_o, obj])
step("the program returns 142 under qemu-riscv64", ["qemu-riscv64", exe], want_rc=142)
print("ok" if ok else "failures")
sys.exit(0 if ok else 1)
