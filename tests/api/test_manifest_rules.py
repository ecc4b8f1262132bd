#!/usr/bin/python3
"""test_manifest_rules.py - abi/gen_manifest.py refuses headers that break
the ABI rules (so the rules in rvvnn.h are enforced, not just written),
and maps the allowed types to the right libffi names."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "abi"))
import gen_manifest  # noqa: E402

HEAD = "#define RVVNN_ABI_VERSION 0\ntypedef struct rvvnn_x rvvnn_x;\n"
BAD = {
    "struct by value": "struct s { int a; };\nRVVNN_API int rvvnn_f(struct s v);",
    "varargs": "RVVNN_API int rvvnn_f(const char *fmt, ...);",
    "enum": "enum e { A };\nRVVNN_API int rvvnn_f(int a);",
    "long": "RVVNN_API int rvvnn_f(long a);",
    "float": "RVVNN_API int rvvnn_f(float a);",
    "buffer without length": "RVVNN_API int rvvnn_f(const void *data, int n);",
    "out-buffer without length": "RVVNN_API int rvvnn_f(void **data, int *n);",
}
failures = 0
for what, decl in BAD.items():
    try:
        gen_manifest.parse(HEAD + decl)
        print("accepted a header with", what)
        failures += 1
    except SystemExit:
        pass
ok_decl = ("typedef int (*rvvnn_cb)(void *user, int64_t v);\n"
           "RVVNN_API int rvvnn_f(rvvnn_x *h, const void *data, size_t size, double d, uint32_t u, "
           "int64_t i, rvvnn_cb cb);\nRVVNN_API void rvvnn_g(void);")
consts, handles, callbacks, funcs = gen_manifest.parse(HEAD + ok_decl)
want = ["pointer", "pointer", "uint64", "double", "uint32", "sint64", "pointer"]
if funcs[0]["params"] != want or funcs[0]["return"] != "sint32" or funcs[1]["return"] != "void":
    print("wrong ffi types:", funcs)
    failures += 1
if handles != ["rvvnn_x"] or list(callbacks) != ["rvvnn_cb"] or consts != [("RVVNN_ABI_VERSION", 0)]:
    print("wrong handles/callbacks/constants:", handles, callbacks, consts)
    failures += 1
print("%d rule checks, %d failures" % (len(BAD) + 2, failures))
sys.exit(1 if failures else 0)
