#!/usr/bin/python3
"""limits_doc.py - README.md's table of limits is libcore/src/util/limits.def:
one row per limit with its API key, CLI flag, default and what it
bounds, in the same order. Prints the expected table when they differ.

  limits_doc.py ROOT"""
import re
import sys

root = sys.argv[1]
text = open(root + "/libcore/src/util/limits.def").read()
rows = re.findall(r'^X\((\w+),\s*"([^"]+)",\s*([^,]+),\s*\d+,\s*"([^"]+)",\s*"([^"]+)"\)', text, re.M | re.S)
if len(rows) < 6:
    sys.exit("limits_doc: cannot parse limits.def (%d rows)" % len(rows))


def human(expr, unit):
    v = eval(expr.replace("(uint64_t)", ""))
    return "%d GiB" % (v >> 30) if unit == "bytes" and v % (1 << 30) == 0 else "%d %s" % (v, unit)


want = ["| `%s` | `%s=N` | %s | %s |" % (n, f, human(d, unit), desc) for n, f, d, unit, desc in rows]
readme = open(root + "/README.md").read().splitlines()
have = [l for l in readme if l.startswith("| `max_")]
if have != want:
    print("README.md's limits table differs from limits.def; it should read:")
    print("| limit (API option) | CLI flag | default | what it bounds |\n|---|---|---|---|")
    print("\n".join(want))
    sys.exit(1)
print("README.md lists the %d limits of limits.def" % len(want))
