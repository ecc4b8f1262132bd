"""rvvnn - Python binding of librvvnn.so.0 (ctypes, numpy in and out).

    import numpy as np, rvvnn
    with rvvnn.Model("model.onnx") as model:
        with rvvnn.Session(model, threads=2) as s:           # reference executor
            (y,) = s.run([np.ones((2, 4), np.float32)])
        with model.compile(march="rv64gcv_zvl256b", input_shapes={"X": (2, 4)}) as mod:
            for step in mod.steps:                            # RVV kernels / fallbacks
                print(step.op, step.kind, step.flops)
            with rvvnn.Session(mod) as s:                     # native, or qemu on x86
                (y2,) = s.run({"X": np.ones((2, 4), np.float32)})

Errors raise rvvnn.Error (subclasses per status) carrying .status and the
library's message. Handles are freed by close() / the with statement (or
when garbage collected)."""
import ctypes
import collections

import numpy as np

from ._lib import C, OP_FN, lib

__all__ = ["Error", "Model", "Module", "Session", "Step", "version", "abi_version", "C"]

_NP = {C["DTYPE_F32"]: np.float32, C["DTYPE_U8"]: np.uint8, C["DTYPE_I8"]: np.int8,
       C["DTYPE_U16"]: np.uint16, C["DTYPE_I16"]: np.int16, C["DTYPE_I32"]: np.int32,
       C["DTYPE_I64"]: np.int64, C["DTYPE_BOOL"]: np.bool_, C["DTYPE_F16"]: np.float16,
       C["DTYPE_F64"]: np.float64, C["DTYPE_U32"]: np.uint32, C["DTYPE_U64"]: np.uint64}
_CODE = {np.dtype(v): k for k, v in _NP.items()}


class Error(RuntimeError):
    """A failed call: .status is the negative RVVNN_E* code, .message the
    library's text (rvvnn_last_error)."""

    def __init__(self, status, message):
        self.status = status
        self.message = message
        name = lib.rvvnn_status_string(status).decode()
        super().__init__("%s (%s): %s" % (name, _STATUS_NAMES.get(status, status), message))


_STATUS_NAMES = {v: k for k, v in C.items() if k.startswith("E") and isinstance(v, int)}
# One subclass per status, reachable as rvvnn.Error.EINVAL, rvvnn.Error.ESHAPE ...
_BY_STATUS = {}
for _code, _name in _STATUS_NAMES.items():
    _cls = type("Error_" + _name, (Error,), {})
    _BY_STATUS[_code] = _cls
    setattr(Error, _name, _cls)


def _error(status, message):
    return _BY_STATUS.get(status, Error)(status, message)


def _check(rc):
    if rc != 0:
        raise _error(rc, lib.rvvnn_last_error().decode("utf-8", "replace"))


def version():
    return lib.rvvnn_version().decode()


def abi_version():
    return lib.rvvnn_abi_version()


class _Handle:
    _free = None

    def __init__(self):
        self._h = ctypes.c_void_p()

    def close(self):
        if self._h:
            type(self)._free(self._h)
            self._h = ctypes.c_void_p()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:  # interpreter shutdown
            pass

    def _live(self):
        if not self._h:
            raise ValueError("%s is closed" % type(self).__name__)
        return self._h


class _Options(_Handle):
    """Keyword arguments -> an rvvnn_options handle: str values go to the
    string keys, ints to the int keys; input_shapes={"X": (2, 128)};
    custom_ops={("domain", "Op"): (kernel, shape_fn)} with Python
    callables taking (inputs, outputs) lists of rvvnn.Tensor."""
    _free = lib.rvvnn_options_free

    def __init__(self, kwargs):
        super().__init__()
        _check(lib.rvvnn_options_create(ctypes.byref(self._h)))
        self._keep = []
        for key, value in kwargs.items():
            if value is None:
                continue
            if key == "input_shapes":
                for name, dims in value.items():
                    arr = (ctypes.c_int64 * len(dims))(*dims)
                    _check(lib.rvvnn_options_bind_input_shape(self._h, name.encode(), arr, len(dims)))
            elif key == "custom_ops":
                for (domain, op), (kernel, shape_fn) in value.items():
                    k, s = OP_FN(_wrap_callback(kernel)), OP_FN(_wrap_callback(shape_fn))
                    self._keep += [k, s]
                    _check(lib.rvvnn_register_op(self._h, domain.encode(), op.encode(),
                                                 ctypes.cast(k, ctypes.c_void_p),
                                                 ctypes.cast(s, ctypes.c_void_p), None))
            elif isinstance(value, bool) or isinstance(value, int):
                _check(lib.rvvnn_options_set_int(self._h, key.encode(), int(value)))
            elif isinstance(value, str):
                _check(lib.rvvnn_options_set_string(self._h, key.encode(), value.encode()))
            else:
                raise TypeError("option %s: expected str or int, got %r" % (key, value))


def _wrap_callback(fn):
    def call(user, ins, n_in, outs, n_out):
        try:
            rc = fn([Tensor(ins[i]) if ins[i] else None for i in range(n_in)],
                    [Tensor(outs[i]) for i in range(n_out)])
            return 0 if rc is None else int(rc)
        except Error as e:
            return e.status
        except Exception:
            return C["EINTERNAL"]
    return call


class Tensor:
    """A borrowed rvvnn_tensor (a session output or a custom-op argument);
    valid only while its owner is (the session until its next run, the
    callback until it returns)."""

    def __init__(self, handle):
        self._h = ctypes.c_void_p(handle)

    @property
    def dtype(self):
        v = ctypes.c_int32()
        _check(lib.rvvnn_tensor_dtype(self._h, ctypes.byref(v)))
        return v.value

    @property
    def shape(self):
        r = ctypes.c_size_t()
        _check(lib.rvvnn_tensor_rank(self._h, ctypes.byref(r)))
        dims = (ctypes.c_int64 * max(r.value, 1))()
        _check(lib.rvvnn_tensor_dims(self._h, dims, r.value))
        return tuple(dims[i] for i in range(r.value))

    def set_shape(self, dtype, shape):
        """For custom shape functions: dtype as numpy dtype or ONNX code."""
        code = dtype if isinstance(dtype, int) else _CODE[np.dtype(dtype)]
        dims = (ctypes.c_int64 * max(len(shape), 1))(*shape)
        _check(lib.rvvnn_tensor_set_shape(self._h, code, dims, len(shape)))

    # Attributes of the custom-op node this argument belongs to.
    def attr_int(self, name):
        v = ctypes.c_int64()
        _check(lib.rvvnn_op_attr_int(self._h, name.encode(), ctypes.byref(v)))
        return v.value

    def attr_float(self, name):
        v = ctypes.c_double()
        _check(lib.rvvnn_op_attr_float(self._h, name.encode(), ctypes.byref(v)))
        return v.value

    def attr_string(self, name):
        p, n = ctypes.c_void_p(), ctypes.c_size_t()
        _check(lib.rvvnn_op_attr_string(self._h, name.encode(), ctypes.byref(p), ctypes.byref(n)))
        return ctypes.string_at(p, n.value).decode("utf-8", "replace") if n.value else ""

    def attr_ints(self, name):
        n = ctypes.c_size_t()
        _check(lib.rvvnn_op_attr_ints(self._h, name.encode(), None, 0, ctypes.byref(n)))
        vals = (ctypes.c_int64 * max(n.value, 1))()
        _check(lib.rvvnn_op_attr_ints(self._h, name.encode(), vals, n.value, ctypes.byref(n)))
        return [vals[i] for i in range(n.value)]

    def view(self):
        """A numpy array over the tensor's memory (no copy)."""
        p, n = ctypes.c_void_p(), ctypes.c_size_t()
        _check(lib.rvvnn_tensor_data(self._h, ctypes.byref(p), ctypes.byref(n)))
        dt = np.uint16 if self.dtype == C["DTYPE_BF16"] else _NP.get(self.dtype)  # bf16 as its bits
        if dt is None:
            raise _error(C["ETYPE"], "element type %d has no numpy equivalent" % self.dtype)
        if not p.value:
            return None
        buf = (ctypes.c_char * n.value).from_address(p.value)
        return np.frombuffer(buf, dtype=dt).reshape(self.shape)

    def numpy(self):
        v = self.view()
        return None if v is None else v.copy()


class Model(_Handle):
    """An ONNX model: Model(path) or Model(data=bytes)."""
    _free = lib.rvvnn_model_free

    def __init__(self, path=None, data=None):
        super().__init__()
        if (path is None) == (data is None):
            raise ValueError("give a path or data")
        if path is not None:
            _check(lib.rvvnn_model_load_file(str(path).encode(), ctypes.byref(self._h)))
        else:
            data = bytes(data)
            _check(lib.rvvnn_model_load_memory(data, len(data), ctypes.byref(self._h)))

    def _names(self, count_fn, name_fn):
        n = ctypes.c_size_t()
        _check(count_fn(self._live(), ctypes.byref(n)))
        out = []
        for i in range(n.value):
            s = ctypes.c_char_p()
            _check(name_fn(self._h, i, ctypes.byref(s)))
            out.append(s.value.decode())
        return out

    @property
    def inputs(self):
        return self._names(lib.rvvnn_model_input_count, lib.rvvnn_model_input_name)

    @property
    def outputs(self):
        return self._names(lib.rvvnn_model_output_count, lib.rvvnn_model_output_name)

    def compile(self, path=None, **options):
        """Compiles to a Module (or, with path, to that file and returns
        None). Options: march, target_cpu_features, vlen, lmul_max,
        no_rvv, input_shapes, custom_ops (their shape functions size the
        custom steps the module records)."""
        with _Options(options) as o:
            if path is not None:
                _check(lib.rvvnn_compile_to_file(self._live(), o._h, str(path).encode()))
                return None
            mod = Module.__new__(Module)
            _Handle.__init__(mod)
            _check(lib.rvvnn_compile(self._live(), o._h, ctypes.byref(mod._h)))
            return mod

    def compile_to_bytes(self, **options):
        with _Options(options) as o:
            p, n = ctypes.c_void_p(), ctypes.c_size_t()
            _check(lib.rvvnn_compile_to_memory(self._live(), o._h, ctypes.byref(p), ctypes.byref(n)))
            try:
                return ctypes.string_at(p, n.value)
            finally:
                lib.rvvnn_buffer_free(p)


Step = collections.namedtuple("Step", "name op kind flops bytes")


class Module(_Handle):
    """A compiled .rvvmod: Module(path) or Module(data=bytes)."""
    _free = lib.rvvnn_module_free

    def __init__(self, path=None, data=None):
        super().__init__()
        if (path is None) == (data is None):
            raise ValueError("give a path or data")
        if path is not None:
            _check(lib.rvvnn_module_load_file(str(path).encode(), ctypes.byref(self._h)))
        else:
            data = bytes(data)
            _check(lib.rvvnn_module_load_memory(data, len(data), ctypes.byref(self._h)))

    def save(self, path):
        _check(lib.rvvnn_module_save(self._live(), str(path).encode()))

    def __bytes__(self):
        p, n = ctypes.c_void_p(), ctypes.c_size_t()
        _check(lib.rvvnn_module_data(self._live(), ctypes.byref(p), ctypes.byref(n)))
        return ctypes.string_at(p, n.value)

    @property
    def target(self):
        """(march, vlen, min_vlen); vlen 0 = vector-length agnostic."""
        m, v, mv = ctypes.c_char_p(), ctypes.c_uint32(), ctypes.c_uint32()
        _check(lib.rvvnn_module_target(self._live(), ctypes.byref(m), ctypes.byref(v), ctypes.byref(mv)))
        return m.value.decode(), v.value, mv.value

    @property
    def steps(self):
        n = ctypes.c_size_t()
        _check(lib.rvvnn_module_step_count(self._live(), ctypes.byref(n)))
        out = []
        for i in range(n.value):
            name, op = ctypes.c_char_p(), ctypes.c_char_p()
            kind, flops, nbytes = ctypes.c_int32(), ctypes.c_uint64(), ctypes.c_uint64()
            _check(lib.rvvnn_module_step_info(self._h, i, ctypes.byref(name), ctypes.byref(op),
                                              ctypes.byref(kind), ctypes.byref(flops),
                                              ctypes.byref(nbytes)))
            out.append(Step(name.value.decode(), op.value.decode(),
                            "rvv" if kind.value == C["STEP_RVV"] else
                            "custom" if kind.value == C["STEP_CUSTOM"] else "fallback",
                            flops.value, nbytes.value))
        return out


class Session(_Handle):
    """Session(model_or_module, **options): options as for compile plus
    threads, executor ("auto", "ref", "native", "qemu", "emu"), qemu_vlen,
    qemu_cpu, runtime, custom_ops (for a model, and for a module compiled
    from a model with custom ops: its custom steps call them, also when
    the module runs under qemu)."""
    _free = lib.rvvnn_session_free

    def __init__(self, source, **options):
        super().__init__()
        self._source = source  # the model/module must outlive the session
        with _Options(options) as o:
            if isinstance(source, Model):
                _check(lib.rvvnn_session_create_from_model(source._live(), o._h, ctypes.byref(self._h)))
            elif isinstance(source, Module):
                _check(lib.rvvnn_session_create_from_module(source._live(), o._h, ctypes.byref(self._h)))
            else:
                raise TypeError("Session needs a Model or a Module")
            self._callbacks = o._keep  # custom-op trampolines live as long as the session
        self.input_names = self._names(lib.rvvnn_session_input_count, lib.rvvnn_session_input_name)
        self.output_names = self._names(lib.rvvnn_session_output_count, lib.rvvnn_session_output_name)

    _names = Model._names

    @property
    def executor(self):
        s = ctypes.c_char_p()
        _check(lib.rvvnn_session_executor(self._live(), ctypes.byref(s)))
        return s.value.decode()

    def _declared_dtype(self, i):
        dt, rank = ctypes.c_int32(), ctypes.c_int32()
        _check(lib.rvvnn_session_input_info(self._live(), i, ctypes.byref(dt), None, 0, ctypes.byref(rank)))
        return dt.value

    def run(self, inputs):
        """inputs: a list (in order) or a dict by name of array-likes.
        Returns the outputs as a list of numpy arrays (copies)."""
        if isinstance(inputs, dict):
            missing = [n for n in self.input_names if n not in inputs]
            if missing:
                raise _error(C["EINVAL"], "inputs missing: %s" % ", ".join(missing))
            inputs = [inputs[n] for n in self.input_names]
        if len(inputs) != len(self.input_names):
            raise _error(C["EINVAL"], "%d inputs given, the session has %d" %
                        (len(inputs), len(self.input_names)))
        keep = []
        for i, x in enumerate(inputs):
            a = np.asarray(x)
            if not a.flags.c_contiguous:  # (np.ascontiguousarray would turn 0-d into 1-d)
                a = a.copy(order="C")
            code = _CODE.get(a.dtype)
            # numpy has no bfloat16: bf16 data travels as its uint16 bits,
            # as onnx's own numpy_helper represents it.
            if a.dtype == np.uint16 and self._declared_dtype(i) == C["DTYPE_BF16"]:
                code = C["DTYPE_BF16"]
            if code is None:
                raise _error(C["ETYPE"], "input %d: numpy dtype %s is not supported" % (i, a.dtype))
            dims = (ctypes.c_int64 * max(a.ndim, 1))(*a.shape)
            keep.append((a, dims))
            _check(lib.rvvnn_session_set_input(self._live(), i, code, dims, a.ndim,
                                               a.ctypes.data_as(ctypes.c_void_p), a.nbytes))
        _check(lib.rvvnn_session_run(self._h))
        outs = []
        for k in range(len(self.output_names)):
            t = ctypes.c_void_p()
            _check(lib.rvvnn_session_output(self._h, k, ctypes.byref(t)))
            outs.append(Tensor(t.value).numpy())
        return outs
