#!/usr/bin/python3
"""gen_manifest.py - the ABI manifest and the FFI declarations of the
bindings, generated from libcore/include/rvvnn.h so they cannot drift:

  abi/rvvnn.abi.json               every export with its libffi types (one
                                   export per line; tests/api/test_api_ffi.c
                                   reads it and calls each one through libffi)
  bindings/lua/rvvnn_cdef.lua      the ffi.cdef text and constants for LuaJIT
  bindings/python/rvvnn/_abi.py    C signatures and constants for ctypes

It also enforces the header's ABI rules: only fixed-width integers, int,
size_t, double, pointers and handle/callback typedefs; no varargs, structs
by value or enums; every void * buffer followed by its size_t length.

  gen_manifest.py [--root DIR] --write    regenerate the three files
  gen_manifest.py [--root DIR] --check    exit 1 (with a diff) if any differs
"""
import argparse
import difflib
import json
import os
import re
import sys

SONAME = "librvvnn.so.0"
VERSION_NODE = "RVVNN_0"

# C type (normalised) -> libffi type name. LP64 Linux: int is 32 bits,
# size_t 64 (the only targets rvvnn builds for: x86_64, riscv64, aarch64).
SCALARS = {
    "void": "void", "int": "sint32", "int32_t": "sint32", "int64_t": "sint64",
    "uint32_t": "uint32", "uint64_t": "uint64", "size_t": "uint64", "double": "double",
}
# Buffers that need no length: freeing one, and callback context.
NO_LENGTH_OK = {("rvvnn_buffer_free", "data"), ("rvvnn_register_op", "user")}


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    return re.sub(r"//[^\n]*", " ", text)


def norm(t):
    """Canonical spelling: single spaces, 'char *', 'void **', '* const *'."""
    t = " ".join(t.replace("*", " * ").split())
    while "* *" in t:
        t = t.replace("* *", "**")
    return t


def split_param(p):
    """'const int64_t *dims' -> ('const int64_t *', 'dims')."""
    p = p.strip()
    m = re.match(r"^(.*?)([A-Za-z_][A-Za-z0-9_]*)$", p)
    if not m:
        raise SystemExit("cannot parse parameter %r" % p)
    return norm(m.group(1)), m.group(2)


def ffi_type(ctype, callbacks, where):
    if "*" in ctype:
        return "pointer"
    base = ctype.replace("const ", "").strip()
    if base in callbacks:
        return "pointer"
    if base in SCALARS:
        return SCALARS[base]
    raise SystemExit("%s: type %r is not allowed in the ABI (fixed-width ints, size_t, double, "
                     "pointers only)" % (where, ctype))


def parse(header_text):
    text = strip_comments(header_text)
    consts = []
    for m in re.finditer(r"^\s*#define\s+(RVVNN_[A-Z0-9_]+)\s+(\(?-?[0-9]+\)?)\s*$", text, re.M):
        consts.append((m.group(1), int(m.group(2).strip("()"))))
    text = re.sub(r"^\s*#[^\n]*$", " ", text, flags=re.M)  # constants read; drop directives
    handles = re.findall(r"typedef\s+struct\s+(rvvnn_\w+)\s+\1\s*;", text)
    callbacks = {}
    for m in re.finditer(r"typedef\s+([^;()]+?)\(\s*\*\s*(rvvnn_\w+)\s*\)\s*\(([^;]*?)\)\s*;", text, re.S):
        callbacks[m.group(2)] = (norm(m.group(1)), [split_param(p) for p in m.group(3).split(",")])
    if re.search(r"\benum\b", text):
        raise SystemExit("rvvnn.h: enums are not allowed in the ABI")
    funcs = []
    for m in re.finditer(r"RVVNN_API\s+([^;]+?)\s*;", text, re.S):
        decl = " ".join(m.group(1).split())
        dm = re.match(r"^(.*?)\b(rvvnn_\w+)\s*\((.*)\)$", decl)
        if not dm:
            raise SystemExit("cannot parse declaration %r" % decl)
        ret, name, plist = norm(dm.group(1)), dm.group(2), dm.group(3).strip()
        if "..." in plist:
            raise SystemExit("%s: varargs are not allowed" % name)
        params = [] if plist in ("", "void") else [split_param(p) for p in plist.split(",")]
        for i, (pt, pn) in enumerate(params):
            if re.match(r"^(const )?void \*$", pt) and (name, pn) not in NO_LENGTH_OK:
                nxt = params[i + 1][0] if i + 1 < len(params) else ""
                if nxt != "size_t":
                    raise SystemExit("%s: buffer %s is not followed by its size_t length" % (name, pn))
            if pt == "void **" and (i + 1 >= len(params) or params[i + 1][0] != "size_t *"):
                raise SystemExit("%s: out-buffer %s is not followed by a size_t * length" % (name, pn))
        funcs.append({
            "name": name,
            "return": ffi_type(ret, callbacks, name),
            "params": [ffi_type(pt, callbacks, "%s(%s)" % (name, pn)) for pt, pn in params],
            "c_return": ret,
            "c_params": [[pt, pn] for pt, pn in params],
        })
    if not funcs:
        raise SystemExit("rvvnn.h: no RVVNN_API declarations found")
    return consts, handles, callbacks, funcs


def c_proto(f):
    ps = ", ".join(("%s%s" if t.endswith("*") else "%s %s") % (t, n) for t, n in f["c_params"])
    ret = f["c_return"]
    return "%s%s%s(%s);" % (ret, "" if ret.endswith("*") else " ", f["name"], ps or "void")


def manifest(consts, funcs):
    abi = dict(consts)["RVVNN_ABI_VERSION"]
    lines = ["{",
             '  "library": "%s",' % SONAME,
             '  "version_node": "%s",' % VERSION_NODE,
             '  "abi_version": %d,' % abi,
             '  "data_model": "LP64 (int: sint32, size_t: uint64)",',
             '  "exports": [']
    for i, f in enumerate(funcs):
        entry = {"name": f["name"], "return": f["return"], "params": f["params"], "c": c_proto(f)}
        lines.append("    " + json.dumps(entry) + ("," if i + 1 < len(funcs) else ""))
    lines += ["  ],", '  "constants": {']
    for i, (k, v) in enumerate(consts):
        lines.append('    "%s": %d%s' % (k, v, "," if i + 1 < len(consts) else ""))
    lines += ["  }", "}"]
    return "\n".join(lines) + "\n"


def lua_cdef(consts, handles, callbacks, funcs):
    out = ["-- rvvnn_cdef.lua - GENERATED by abi/gen_manifest.py from libcore/include/rvvnn.h;",
           "-- do not edit. The ffi.cdef declarations and the constants of the C API.",
           "return {", "cdef = [["]
    out += ["typedef struct %s %s;" % (h, h) for h in handles]
    for name, (ret, params) in callbacks.items():
        ps = ", ".join(("%s%s" if t.endswith("*") else "%s %s") % (t, n) for t, n in params)
        out.append("typedef %s (*%s)(%s);" % (ret, name, ps))
    out += [c_proto(f) for f in funcs]
    out += ["]],", "constants = {"]
    out += ["  %s = %d," % (k[len("RVVNN_"):], v) for k, v in consts]
    out += ["},", "}"]
    return "\n".join(out) + "\n"


def py_abi(consts, funcs):
    out = ['"""_abi.py - GENERATED by abi/gen_manifest.py from libcore/include/rvvnn.h;',
           'do not edit. C signatures (return type, [(param type, name)]) and constants."""',
           "", "FUNCTIONS = {"]
    for f in funcs:
        out.append("    %r: (%r, %r)," % (f["name"], f["c_return"], [tuple(p) for p in f["c_params"]]))
    out += ["}", "", "CONSTANTS = {"]
    out += ["    %r: %d," % (k, v) for k, v in consts]
    out += ["}", ""]
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true")
    mode.add_argument("--check", action="store_true")
    args = ap.parse_args()
    with open(os.path.join(args.root, "libcore/include/rvvnn.h"), encoding="utf-8") as f:
        consts, handles, callbacks, funcs = parse(f.read())
    outputs = {
        "abi/rvvnn.abi.json": manifest(consts, funcs),
        "bindings/lua/rvvnn_cdef.lua": lua_cdef(consts, handles, callbacks, funcs),
        "bindings/python/rvvnn/_abi.py": py_abi(consts, funcs),
    }
    stale = 0
    for rel, text in outputs.items():
        path = os.path.join(args.root, rel)
        if args.write:
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            continue
        try:
            with open(path, encoding="utf-8") as f:
                old = f.read()
        except FileNotFoundError:
            old = ""
        if old != text:
            stale = 1
            sys.stdout.writelines(difflib.unified_diff(old.splitlines(True), text.splitlines(True),
                                                       rel + " (committed)", rel + " (from rvvnn.h)"))
    if stale:
        print("ABI files are stale: run /usr/bin/python3 abi/gen_manifest.py --write and commit")
    else:
        print("%d exports; %s up to date" % (len(funcs), ", ".join(outputs) if args.check else "written"))
    return stale


if __name__ == "__main__":
    sys.exit(main())
