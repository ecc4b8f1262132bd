"""_lib.py - loads librvvnn.so.0 and declares every export's ctypes
signature from _abi.py (generated from rvvnn.h by abi/gen_manifest.py,
so the declarations cannot drift from the header).

The library comes from $RVVNN_LIBRARY when set (a build tree), else from
the standard loader (the installed librvvnn.so.0)."""
import ctypes
import os

from ._abi import CONSTANTS, FUNCTIONS

_SCALARS = {
    "void": None, "int": ctypes.c_int, "int32_t": ctypes.c_int32, "int64_t": ctypes.c_int64,
    "uint32_t": ctypes.c_uint32, "uint64_t": ctypes.c_uint64, "size_t": ctypes.c_size_t,
    "double": ctypes.c_double, "const char *": ctypes.c_char_p,
}


def _ctype(c):
    if c in _SCALARS:
        return _SCALARS[c]
    # handles, buffers, out-parameters and callbacks: all plain addresses
    return ctypes.c_void_p


def _load():
    path = os.environ.get("RVVNN_LIBRARY") or "librvvnn.so.0"
    lib = ctypes.CDLL(path)
    for name, (ret, params) in FUNCTIONS.items():
        fn = getattr(lib, name)
        fn.restype = _ctype(ret)
        fn.argtypes = [_ctype(t) for t, _ in params]
    return lib


lib = _load()
C = {k[len("RVVNN_"):]: v for k, v in CONSTANTS.items()}

# The C callback types of rvvnn.h (rvvnn_op_fn, rvvnn_shape_fn).
OP_FN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.POINTER(ctypes.c_void_p), ctypes.c_size_t,
                         ctypes.POINTER(ctypes.c_void_p), ctypes.c_size_t)
