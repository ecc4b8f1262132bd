"""rvvnn.backend - an ONNX backend (onnx.backend.base) over rvvnn, so
onnx's own conformance suite runs against it:

    import onnx.backend.test, rvvnn.backend
    bt = onnx.backend.test.BackendTest(rvvnn.backend, __name__)

prepare() loads the serialized model into rvvnn and returns a rep whose
run() executes it on the reference executor (executor="ref", the
default), or compiles it for RVV and runs the module (executor="module":
natively on riscv64, under qemu-riscv64 elsewhere), binding symbolic
input dims from the first inputs given."""
import numpy as np
from onnx.backend.base import Backend, BackendRep

from . import Model, Session


class RvvnnRep(BackendRep):
    def __init__(self, model, executor="ref", **options):
        self._model = model
        self._executor = executor
        self._options = options
        self._session = None
        self._shapes = None

    def _session_for(self, arrays):
        if self._executor == "ref":
            if self._session is None:
                self._session = Session(self._model, **self._options)
            return self._session
        shapes = [a.shape for a in arrays]
        if self._session is None or shapes != self._shapes:
            names = self._model.inputs
            mod = self._model.compile(input_shapes=dict(zip(names, shapes)), **self._options)
            self._session = Session(mod)
            self._shapes = shapes
        return self._session

    def run(self, inputs, **kwargs):
        if isinstance(inputs, dict):
            arrays = [np.asarray(inputs[n]) for n in self._model.inputs]
        elif isinstance(inputs, (list, tuple)):
            arrays = [np.asarray(x) for x in inputs]
        else:
            arrays = [np.asarray(inputs)]
        return tuple(self._session_for(arrays).run(arrays))


class RvvnnBackend(Backend):
    @classmethod
    def is_compatible(cls, model, device="CPU", **kwargs):
        return device == "CPU"

    @classmethod
    def prepare(cls, model, device="CPU", **kwargs):
        super().prepare(model, device, **kwargs)  # onnx's checks of the model
        executor = kwargs.pop("executor", "ref")
        return RvvnnRep(Model(data=model.SerializeToString()), executor, **kwargs)

    @classmethod
    def run_model(cls, model, inputs, device="CPU", **kwargs):
        return cls.prepare(model, device, **kwargs).run(inputs)

    @classmethod
    def supports_device(cls, device):
        return device == "CPU"


prepare = RvvnnBackend.prepare
run_model = RvvnnBackend.run_model
supports_device = RvvnnBackend.supports_device
is_compatible = RvvnnBackend.is_compatible
run_node = RvvnnBackend.run_node
