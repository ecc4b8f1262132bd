#!/usr/bin/python3
"""check_exports.py - librvvnn.so.0 exports exactly the manifest's
functions, all rvvnn_*, all in version node RVVNN_0, and has SONAME
librvvnn.so.0. Usage: check_exports.py LIBRARY MANIFEST"""
import json
import subprocess
import sys

lib, manifest_path = sys.argv[1], sys.argv[2]
with open(manifest_path, encoding="utf-8") as f:
    manifest = json.load(f)
want = {e["name"] for e in manifest["exports"]}
nm = subprocess.run(["nm", "-D", "--defined-only", "--with-symbol-versions", lib],
                    check=True, capture_output=True, text=True).stdout
got, bad = set(), []
for line in nm.splitlines():
    parts = line.split()
    if len(parts) < 3:
        continue
    kind, sym = parts[1], parts[2]
    name, _, version = sym.partition("@")
    if kind == "A" and name == manifest["version_node"]:
        continue  # the version node's own definition
    if not name.startswith("rvvnn_") or version.lstrip("@") != manifest["version_node"]:
        bad.append(sym)
    got.add(name)
soname = subprocess.run(["objdump", "-p", lib], check=True, capture_output=True, text=True).stdout
ok = True
if bad:
    print("exports outside rvvnn_*@@RVVNN_0:", " ".join(sorted(bad)))
    ok = False
if got != want:
    print("exported but not in the manifest:", " ".join(sorted(got - want)))
    print("in the manifest but not exported:", " ".join(sorted(want - got)))
    ok = False
if "SONAME               %s" % manifest["library"] not in soname:
    print("SONAME is not", manifest["library"])
    ok = False
print("%d exports, all rvvnn_*@@%s, SONAME %s: %s" % (len(got), manifest["version_node"],
                                                    manifest["library"], "ok" if ok else "FAILED"))
sys.exit(0 if ok else 1)
