#!/bin/sh
# Assembles the text asm_golden prints with GNU as (-march=rv64gcv) and
# checks every word equals what rvvnn's emitter produced.
set -eu
gen=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! command -v riscv64-linux-gnu-as >/dev/null; then
    echo "riscv64-linux-gnu-as not installed"; exit 1
fi
"$gen" > "$tmp/pairs"
pass=0; fail=0
while IFS='	' read -r hex text; do
    printf '\t.option norvc\n\t%s\n' "$text" > "$tmp/one.s"
    riscv64-linux-gnu-as -march=rv64gcv -o "$tmp/one.o" "$tmp/one.s"
    got=$(riscv64-linux-gnu-objcopy -O binary -j .text "$tmp/one.o" /dev/stdout | od -An -tx4 -v | tr -s ' \n' ' ' | sed 's/^ //;s/ $//')
    if [ "$got" = "$hex" ]; then pass=$((pass+1)); else fail=$((fail+1)); echo "MISMATCH: $text: rvvnn $hex, GNU as $got"; fi
done < "$tmp/pairs"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
