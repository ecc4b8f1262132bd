#!/usr/bin/python3
"""make_corpus.py - writes the hostile corpus: tests/hostile/files/* and
the table tests/hostile/cases.tsv that drives hostile.c (in-process:
status, message, peak memory) and hostile_cli.py (the CLI: exit 2, the
message, no output file).

  make_corpus.py RVVNN_CLI     (regenerate; the files are checked in)

Models are built with onnx.helper or as raw protobuf bytes (what
onnx.helper refuses to make); modules are compiled by RVVNN_CLI and then
corrupted field by field (layout: libcore/src/module/format.h).

cases.tsv columns (tab-separated; '#' lines are comments):
  name     unique case name
  command  info | compile | run | inspect | disasm | input
  file     path under files/, or a family generated at test time:
           truncate:F (every length 0..len-1), flip:F:N:SEED (N random
           1-4 bit flips), chain:N (N Relu nodes; in-process only); for
           `input` the --input spec ({dir} = files/)
  status   the status name (EFORMAT ...), "error" (any error), or "any"
  message  a fragment the error message must contain ("" = any)
  args     extra CLI arguments ({dir} = files/); limit flags apply
           in-process too
"""
import os
import shutil
import struct
import subprocess
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
FILES = os.path.join(HERE, "files")
CASES = []


def case(name, command, file, status, message="", args=""):
    CASES.append((name, command, file, status, message, args))


def save(name, data):
    path = os.path.join(FILES, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if hasattr(data, "SerializeToString"):
        data = data.SerializeToString()
    with open(path, "wb") as f:
        f.write(data)
    return name


def model(nodes, inputs, outputs, inits=(), opset=17, ir=8):
    g = helper.make_graph(nodes, "g", inputs, outputs, initializer=list(inits))
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = ir
    return m


X = helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3])
Y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 3])


def relu():
    return model([helper.make_node("Relu", ["x"], ["y"], name="r")], [X], [Y])


def add_init(t, name="add"):
    return model([helper.make_node("Add", ["x", t.name], ["y"], name=name)], [X], [Y], inits=[t])


# ---- raw protobuf, for what onnx.helper will not build ----
def varint(v):
    out = b""
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])


def field(num, payload):
    return varint(num << 3 | 2) + varint(len(payload)) + payload


def vfield(num, v):
    return varint(num << 3) + varint(v)


def models():
    save("relu.onnx", relu())
    case("good model", "info", "relu.onnx", "OK")
    case("good model runs", "run", "relu.onnx", "OK", "", "--input=2x3xf32=1,-2,3,-4,5,-6")
    case("truncated model", "info", "truncate:relu.onnx", "error")
    case("bit-flipped model", "run", "flip:relu.onnx:300:7", "any", "", "--input=2x3xf32=1,-2,3,-4,5,-6")

    # not a model at all
    save("empty.onnx", b"")
    case("empty file", "info", "empty.onnx", "EFORMAT", "no graph")
    save("png.onnx", b"\x89PNG\r\n\x1a\n" + bytes(range(64)))
    case("a PNG", "info", "png.onnx", "EFORMAT", "invalid field number")
    save("zeros.onnx", b"\0" * 256)
    case("zero bytes", "info", "zeros.onnx", "EFORMAT", "invalid field number")
    save("wiretype.onnx", varint(7 << 3 | 7) + b"\0" * 8)
    case("wire type 7", "info", "wiretype.onnx", "EFORMAT", "unsupported wire type 7")
    save("longvarint.onnx", varint(1 << 3) + b"\xff" * 11)
    case("11-byte varint", "info", "longvarint.onnx", "EFORMAT", "truncated varint")
    save("lenpast.onnx", varint(7 << 3 | 2) + varint(1 << 40) + b"\0" * 8)
    case("length past the end", "info", "lenpast.onnx", "EFORMAT", "runs past the end")

    # nesting bombs: GraphProto in AttributeProto in NodeProto, 5000 deep
    g = b""
    for _ in range(5000):
        attr = field(1, b"then_branch") + field(6, g)
        node = field(4, b"If") + field(5, attr)
        g = field(1, node)
    save("nest_bomb.onnx", vfield(1, 8) + field(7, g))
    case("nesting bomb", "info", "nest_bomb.onnx", "ELIMIT", "nested deeper than 64 levels (limit max_depth)")
    case("nesting bomb, lower limit", "info", "nest_bomb.onnx", "ELIMIT", "deeper than 5 levels",
         "--max-depth=5")
    # TypeProto nesting (sequence of sequence of ...) inside a value_info
    t = field(1, vfield(1, 1))  # tensor_type{elem_type}
    for _ in range(3000):
        t = field(4, field(1, t))  # sequence_type{elem_type}
    vi = field(1, b"x") + field(2, t)
    save("type_bomb.onnx", vfield(1, 8) + field(7, field(11, vi)) + field(8, field(1, b"") + vfield(2, 17)))
    case("TypeProto nesting bomb", "info", "type_bomb.onnx", "ELIMIT", "limit max_depth")

    # node count
    nodes = [helper.make_node("Relu", ["x"], ["t0"], name="n0")]
    for i in range(1, 20):
        nodes.append(helper.make_node("Relu", ["t%d" % (i - 1)], ["t%d" % i], name="n%d" % i))
    nodes.append(helper.make_node("Identity", ["t19"], ["y"], name="last"))
    save("chain21.onnx", model(nodes, [X], [Y]))
    case("21 nodes", "info", "chain21.onnx", "OK")
    case("21 nodes, max 10", "info", "chain21.onnx", "ELIMIT", "more than 10 nodes (limit max_nodes)",
         "--max-nodes=10")
    case("100000 tiny nodes (most IR per byte)", "info", "chain:100000", "OK")
    case("file over max_file_bytes", "info", "chain21.onnx", "ELIMIT", "limit max_file_bytes",
         "--max-file-bytes=100")

    # dims
    for dims, label, status, text in (
            ([0, 3], "0", "ESHAPE", "cannot broadcast dimension 0: 2 vs 0"),
            ([-1, 3], "-1", "EFORMAT", "dimension 0 is negative (-1)"),
            ([1 << 31, 1 << 31, 4], "2^31x2^31x4", "ELIMIT", "exceeds"),
            ([1 << 62, 2], "2^62", "ELIMIT", "exceeds"),
            ([1 << 40, 1 << 40, 1 << 40], "size_t overflow", "ELIMIT", "element count exceeds the limit 2^40")):
        t = helper.make_tensor("w", TensorProto.FLOAT, [1], [1.0])
        t.ClearField("dims")
        t.dims.extend(dims)
        t.ClearField("float_data")
        fname = save("dims_%s.onnx" % label.replace("^", "").replace(" ", "_"), add_init(t))
        case("initializer dims %s" % label, "info", fname, status, text)
    for dims, label, status, text in (([1 << 62, 4], "2^62", "OK", ""), ([-5, 3], "-5", "EFORMAT", "negative")):
        xi = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1])
        xi.type.tensor_type.shape.dim[0].dim_value = dims[0]
        xi.type.tensor_type.shape.dim[1].dim_value = dims[1]
        fname = save("input_dims_%s.onnx" % label.replace("^", "").replace("-", "neg"),
                     model([helper.make_node("Relu", ["x"], ["y"], name="r")], [xi], [Y]))
        case("input dims %s" % label, "info", fname, status, text)
    case("input dims 2^62 compile", "compile", "input_dims_262.onnx", "ELIMIT", "element count exceeds")

    # raw_data / typed data length disagreeing with the shape
    t = numpy_helper.from_array(np.ones((2, 3), np.float32), "w")
    t.raw_data = t.raw_data[:-4]
    case("raw_data short", "info", save("raw_short.onnx", add_init(t)), "EFORMAT",
         "raw_data has 20 bytes, shape 6 elements x 4 bytes = 24")
    t = numpy_helper.from_array(np.ones((2, 3), np.float32), "w")
    t.raw_data = t.raw_data + b"\0" * 4
    case("raw_data long", "info", save("raw_long.onnx", add_init(t)), "EFORMAT", "raw_data has 28 bytes")
    t = helper.make_tensor("w", TensorProto.FLOAT, [2, 3], [1.0] * 6)
    del t.float_data[5]
    case("float_data count", "info", save("float_count.onnx", add_init(t)), "EFORMAT",
         "has 5 data elements, its shape needs 6")
    t = helper.make_tensor("w", TensorProto.FLOAT, [1], [1.0])
    t.dims[0] = 1 << 20
    case("1M elements, 1 value", "info", save("float_count_big.onnx", add_init(t)), "EFORMAT",
         "has 1 data elements, its shape needs 1048576")
    t = helper.make_tensor("w", TensorProto.STRING, [1], [b"abc"])
    case("string tensor", "info", save("string_tensor.onnx", add_init(t)), "EUNSUPPORTED", "element type 8")

    # size amplification: what a small file can make the library allocate
    n = 100000
    t = helper.make_tensor("w", TensorProto.INT64, [n], [0] * n)  # 1 byte per element on disk
    ci = helper.make_tensor_value_info("c", TensorProto.INT64, [n])
    m = model([helper.make_node("Identity", ["w"], ["c"], name="id")], [], [ci], inits=[t])
    case("packed int64 zeros (8x on decode)", "info", save("amp_int64.onnx", m), "OK")
    shape = numpy_helper.from_array(np.array([1 << 28], np.int64), "s")
    big = helper.make_tensor_value_info("b", TensorProto.FLOAT, [1 << 28])
    m = model([helper.make_node("ConstantOfShape", ["s"], ["b"], name="cos",
                                value=helper.make_tensor("v", TensorProto.FLOAT, [1], [1.0]))],
              [], [big], inits=[shape])
    case("ConstantOfShape 2^28 (1 GiB)", "info", save("amp_constofshape.onnx", m), "OK")
    case("ConstantOfShape 2^28 run", "run", "amp_constofshape.onnx", "ELIMIT", "limit max_tensor_bytes",
         "--max-tensor-bytes=64M")
    # 40 Expands of one constant to 16 MiB each, summed: folding stops at its budget
    nodes = []
    for i in range(40):
        nodes.append(helper.make_node("Expand", ["one", "shp"], ["e%d" % i], name="ex%d" % i))
    nodes.append(helper.make_node("Concat", ["e%d" % i for i in range(40)], ["cat"], name="cat", axis=0))
    nodes.append(helper.make_node("ReduceSum", ["cat"], ["s"], name="sum", keepdims=0))
    so = helper.make_tensor_value_info("s", TensorProto.FLOAT, [])
    m = model(nodes, [], [so], inits=[numpy_helper.from_array(np.array([1.0], np.float32), "one"),
                                      numpy_helper.from_array(np.array([1 << 22], np.int64), "shp")])
    case("40 x 16 MiB Expand (fold budget)", "info", save("amp_expand.onnx", m), "OK")
    # Tile of a tiny constant to 2^36 elements: its shape alone is a limit error at run
    m = model([helper.make_node("Tile", ["one", "rep"], ["y2"], name="tile")], [],
              [helper.make_tensor_value_info("y2", TensorProto.FLOAT, [1 << 36])],
              inits=[numpy_helper.from_array(np.array([1.0], np.float32), "one"),
                     numpy_helper.from_array(np.array([1 << 36], np.int64), "rep")])
    case("Tile to 2^36 run", "run", save("amp_tile.onnx", m), "ELIMIT", "limit max_tensor_bytes")

    # external data
    os.makedirs(os.path.join(FILES, "ext"), exist_ok=True)
    with open(os.path.join(FILES, "ext", "w.bin"), "wb") as f:
        f.write(np.arange(6, dtype=np.float32).tobytes())
    with open(os.path.join(FILES, "ext", "short.bin"), "wb") as f:
        f.write(b"\0" * 10)
    link = os.path.join(FILES, "ext", "passwd_link.bin")
    if os.path.lexists(link):
        os.remove(link)
    os.symlink("/etc/passwd", link)
    for label, loc, kv, status, text in (
            ("good", "w.bin", (), "OK", ""),
            ("../../etc/passwd", "../../etc/passwd", (), "EFORMAT", "cannot be opened beneath"),
            ("absolute path", "/etc/passwd", (), "EFORMAT", "is absolute"),
            ("escaping symlink", "passwd_link.bin", (), "EFORMAT", "cannot be opened beneath"),
            ("missing file", "nope.bin", (), "ENOTFOUND", "cannot be opened"),
            ("offset past the end", "w.bin", (("offset", "1000000"),), "EFORMAT", "past its end"),
            ("file too short", "short.bin", (), "EFORMAT", "past its end"),
            ("length disagrees", "w.bin", (("length", "12"),), "EFORMAT", "external data length 12"),
            ("offset not a number", "w.bin", (("offset", "-8"),), "EFORMAT", "is not a number"),
            ("directory", ".", (), "EFORMAT", "not a regular file")):
        t = helper.make_tensor("w", TensorProto.FLOAT, [2, 3], [0.0] * 6)
        t.ClearField("float_data")
        t.data_location = TensorProto.EXTERNAL
        for k, v in (("location", loc),) + kv:
            e = t.external_data.add()
            e.key, e.value = k, v
        fname = save("ext/ext_%s.onnx" % "".join(c if c.isalnum() else "_" for c in label), add_init(t))
        case("external data: %s" % label, "info", fname, status, text)

    # graph structure
    m = model([helper.make_node("Relu", ["b"], ["a"], name="n1"), helper.make_node("Relu", ["a"], ["b"], name="n2"),
               helper.make_node("Add", ["x", "a"], ["y"], name="n3")], [X], [Y])
    case("cycle", "info", save("cycle.onnx", m), "EGRAPH", "cycle")
    m = model([helper.make_node("Relu", ["y"], ["y"], name="self")], [X], [Y])
    case("self loop", "info", save("selfloop.onnx", m), "EGRAPH", "is on a cycle")
    m = model([helper.make_node("Add", ["x", "ghost"], ["y"], name="n3")], [X], [Y])
    case("dangling input", "info", save("dangling.onnx", m), "EGRAPH", "input 1 'ghost' is not defined")
    m = model([helper.make_node("Relu", ["x"], ["y"], name="a"), helper.make_node("Relu", ["x"], ["y"], name="b")],
              [X], [Y])
    case("duplicate output name", "info", save("dup_output.onnx", m), "EGRAPH", "defined twice")
    w = numpy_helper.from_array(np.ones((2, 3), np.float32), "w")
    m = model([helper.make_node("Add", ["x", "w"], ["y"], name="a")], [X], [Y], inits=[w, w])
    case("duplicate initializer", "info", save("dup_init.onnx", m), "EGRAPH", "defined twice")
    m = model([helper.make_node("Relu", ["x"], ["t"], name="a")], [X], [Y])
    case("missing output", "info", save("missing_output.onnx", m), "EGRAPH", "output 'y' is not produced")
    m = model([helper.make_node("Relu", ["x"], ["y"], name="a")], [X, X], [Y])
    case("duplicate input", "info", save("dup_input.onnx", m), "EGRAPH", "defined twice")
    m = model([helper.make_node("FrobnicateOp", ["x"], ["y"], name="frob")], [X], [Y])
    case("unknown operator", "info", save("unknown_op.onnx", m), "EUNSUPPORTED", "node 'frob' (FrobnicateOp)")
    m = model([helper.make_node("Add", ["x"], ["y"], name="add1")], [X], [Y])
    case("too few inputs", "info", save("arity.onnx", m), "EGRAPH", "1 inputs, the operator takes 2")
    m = model([helper.make_node("Add", ["", "x"], ["y"], name="add0")], [X], [Y])
    case("required input omitted", "info", save("omitted.onnx", m), "EGRAPH", "input 0 is required")
    m = model([helper.make_node("Relu", ["x"], ["y"], name="r")], [X], [Y], opset=5)
    case("opset 5", "info", save("opset5.onnx", m), "EUNSUPPORTED", "opset 5 is outside the supported range")
    m = model([helper.make_node("Relu", ["x"], ["y"], name="r")], [X], [Y], opset=99)
    case("opset 99", "info", save("opset99.onnx", m), "EUNSUPPORTED", "opset 99 is outside")
    m = relu()
    del m.opset_import[:]
    case("no opset_import", "info", save("no_opset.onnx", m), "EFORMAT", "no opset_import")

    # If / Loop with mismatched subgraphs
    c = helper.make_tensor_value_info("c", TensorProto.BOOL, [])
    b1 = helper.make_tensor_value_info("b1", TensorProto.FLOAT, [2, 3])
    b2 = helper.make_tensor_value_info("b2", TensorProto.FLOAT, [2, 3])
    then_g = helper.make_graph([helper.make_node("Relu", ["x"], ["b1"]), helper.make_node("Neg", ["x"], ["b2"])],
                               "then_body", [], [b1, b2])
    else_g = helper.make_graph([helper.make_node("Relu", ["x"], ["b1"])], "else_body", [], [b1])
    m = model([helper.make_node("If", ["c"], ["y"], name="branch", then_branch=then_g, else_branch=else_g)],
              [c, X], [Y])
    case("If: branch output count", "run", save("if_mismatch.onnx", m), "error",
         "branch 'then_body' has 2 outputs", "--input=i1=1 --input=2x3xf32=1")
    then_g = helper.make_graph([helper.make_node("Cast", ["x"], ["b1"], to=TensorProto.INT64)], "then_body", [],
                               [helper.make_tensor_value_info("b1", TensorProto.INT64, [2, 3])])
    m = model([helper.make_node("If", ["c"], ["y"], name="branch", then_branch=then_g, else_branch=else_g)],
              [c, X], [Y])
    case("If: branch output type", "run", save("if_type.onnx", m), "ETYPE", "branch 'then_body' gives i64",
         "--input=i1=1 --input=2x3xf32=1")
    m = model([helper.make_node("If", ["c"], ["y"], name="branch", then_branch=else_g)], [c, X], [Y])
    case("If: no else branch", "run", save("if_noelse.onnx", m), "error", "else_branch",
         "--input=i1=0 --input=2x3xf32=1")
    it = helper.make_tensor_value_info("i", TensorProto.INT64, [])
    cin = helper.make_tensor_value_info("cin", TensorProto.BOOL, [])
    cout = helper.make_tensor_value_info("cout", TensorProto.BOOL, [])
    body = helper.make_graph([helper.make_node("Identity", ["cin"], ["cout"]), helper.make_node("Neg", ["x"], ["b1"])],
                             "body", [it, cin], [cout, b1])
    m = model([helper.make_node("Loop", ["n", "", "x"], ["y"], name="loop", body=body)],
              [helper.make_tensor_value_info("n", TensorProto.INT64, []), X], [Y])
    case("Loop: body inputs", "run", save("loop_mismatch.onnx", m), "EGRAPH", "body has 2 inputs",
         "--input=i64=2 --input=2x3xf32=1")
    body = helper.make_graph([helper.make_node("Identity", ["cin"], ["cout"]), helper.make_node("Identity", ["v"], ["v2"])],
                             "body", [it, cin, helper.make_tensor_value_info("v", TensorProto.FLOAT, [2, 3])],
                             [cout, helper.make_tensor_value_info("v2", TensorProto.FLOAT, [2, 3])])
    m = model([helper.make_node("Loop", ["n", "", "x"], ["y"], name="loop", body=body)],
              [helper.make_tensor_value_info("n", TensorProto.INT64, []), X], [Y])
    case("Loop: 2^40 iterations, step limit", "run", save("loop_long.onnx", m), "ELIMIT", "limit max_step_ms",
         "--input=i64=1099511627776 --input=2x3xf32=1 --max-step-ms=300")


MOD_FIELDS = [  # header field, offset, size, corrupt value, status, message
    ("magic", 0, 8, b"RVVNNMOX", "EFORMAT", "not an .rvvmod file"),
    ("version", 8, 4, 99, "EFORMAT", "format version 99"),
    ("header_size", 12, 4, 191, "EFORMAT", "header_size 191"),
    ("file_size", 16, 8, 1 << 40, "EFORMAT", "header says 1099511627776 bytes"),
    ("flags", 24, 4, 0x80, "EFORMAT", "unknown flags"),
    ("ext", 28, 4, 0x100, "EFORMAT", "unknown required extensions"),
    ("vlen", 32, 4, 100, "EFORMAT", "vlen 100 is not a power of two"),
    ("min_vlen", 36, 4, 96, "EFORMAT", "min_vlen 96"),
    ("n_tensors", 40, 4, 0xFFFFFFFF, "EFORMAT", "n_tensors = 4294967295 disagrees"),
    ("n_steps", 44, 4, 1000, "EFORMAT", "n_steps = 1000 disagrees"),
    ("n_inputs", 48, 4, 5000, "EFORMAT", "5000 inputs"),
    ("n_outputs", 52, 4, 2, "EFORMAT", "output 1 has no tensor"),
    ("arena_bytes", 56, 8, 1 << 60, "ELIMIT", "limit max_arena_bytes"),
    ("opset", 64, 4, 1000, "EFORMAT", "opset 1000"),
    ("march", 68, 4, 0x7FFFFFFF, "EFORMAT", "march string offset"),
    ("reserved", 184, 8, 1, "EFORMAT", "reserved header field"),
]
SECTIONS = ["STRINGS", "TENSORS", "STEPS", "ARGS", "ATTRS", "CODE", "WEIGHTS"]


def put(buf, off, size, value):
    b = bytearray(buf)
    b[off:off + size] = value if isinstance(value, bytes) else value.to_bytes(size, "little")
    return bytes(b)


def modules(cli):
    tmp = os.path.join(FILES, "tmp")
    os.makedirs(tmp, exist_ok=True)
    w = numpy_helper.from_array(np.arange(6, dtype=np.float32).reshape(2, 3), "w")
    gm = model([helper.make_node("Add", ["x", "w"], ["s"], name="add"),
                helper.make_node("Relu", ["s"], ["t"], name="relu"),
                helper.make_node("Transpose", ["t"], ["u"], name="tr", perm=[1, 0]),
                helper.make_node("Transpose", ["u"], ["y"], name="tr2", perm=[1, 0])], [X], [Y], inits=[w])
    save("addrelu.onnx", gm)

    def compile_(flags, name):
        out = os.path.join(FILES, name)
        subprocess.run([cli, "compile", os.path.join(FILES, "addrelu.onnx"), "-o", out] + flags, check=True)
        return open(out, "rb").read()

    ref = compile_(["--no-rvv"], "ref.rvvmod")
    rvv = compile_(["--vlen=256"], "rvv256.rvvmod")
    shutil.rmtree(tmp)
    inp = "--input=2x3xf32=1,-2,3,-4,5,-6"
    case("good module (fallback steps)", "run", "ref.rvvmod", "OK", "", inp)
    case("good module inspect", "inspect", "rvv256.rvvmod", "OK")
    case("good module disasm", "disasm", "rvv256.rvvmod", "OK")
    case("module at its VLEN", "run", "rvv256.rvvmod", "OK", "", inp + " --vlen=256")
    case("module at the wrong VLEN", "run", "rvv256.rvvmod", "ETARGET",
         "compiled for VLEN=256", inp + " --vlen=512")
    case("truncated module", "inspect", "truncate:ref.rvvmod", "error")
    case("bit-flipped module", "run", "flip:ref.rvvmod:300:11", "any", "", inp)
    case("bit-flipped RVV module", "disasm", "flip:rvv256.rvvmod:300:13", "any")
    for fname, off, size, val, status, text in MOD_FIELDS:
        src = rvv if fname in ("vlen", "min_vlen", "ext") else ref
        case("module header %s" % fname, "inspect", save("mod/hdr_%s.rvvmod" % fname, put(src, off, size, val)),
             status, text)
    case("module arena over a lower limit", "inspect", "ref.rvvmod", "ELIMIT", "limit max_arena_bytes",
         "--max-arena-bytes=1")
    case("module over max_file_bytes", "inspect", "ref.rvvmod", "ELIMIT", "limit max_file_bytes",
         "--max-file-bytes=1000")
    flags_rvv = struct.unpack_from("<I", rvv, 24)[0]
    case("module VLA flag with a fixed VLEN", "inspect",
         save("mod/hdr_vla_fixed.rvvmod", put(rvv, 24, 4, flags_rvv | 1)), "EFORMAT", "agnostic flag disagrees")
    for i, sname in enumerate(SECTIONS):
        off, size = struct.unpack_from("<QQ", ref, 72 + 16 * i)
        case("section %s misaligned" % sname, "inspect",
             save("mod/sec_%s_misaligned.rvvmod" % sname, put(ref, 72 + 16 * i, 8, off + 8)), "EFORMAT",
             "section %s" % sname)
        case("section %s past the end" % sname, "inspect",
             save("mod/sec_%s_past_end.rvvmod" % sname, put(ref, 72 + 16 * i + 8, 8, len(ref))), "EFORMAT",
             "section %s" % sname)
    # tables
    toff = struct.unpack_from("<Q", ref, 72 + 16 * 1)[0]
    soff = struct.unpack_from("<Q", ref, 72 + 16 * 2)[0]
    ntens = struct.unpack_from("<I", ref, 40)[0]
    weight = next(i for i in range(ntens) if ref[toff + 88 * i + 6] == 1)
    arena_t = next((i for i in range(ntens) if ref[toff + 88 * i + 6] == 0), None)
    te = toff + 88 * weight
    case("weight offset misaligned", "inspect", save("mod/weight_misaligned.rvvmod", put(ref, te + 8, 8, 8)),
         "EFORMAT", "weight offset 8 is not 64-byte aligned")
    case("weight outside WEIGHTS", "inspect", save("mod/weight_outside.rvvmod", put(ref, te + 8, 8, 1 << 20)),
         "EFORMAT", "outside WEIGHTS")
    case("tensor dtype", "inspect", save("mod/tensor_dtype.rvvmod", put(ref, te + 4, 1, 99)), "EFORMAT",
         "unknown element type 99")
    case("tensor layout", "inspect", save("mod/tensor_layout.rvvmod", put(ref, te + 7, 1, 99)), "EFORMAT",
         "unknown layout 99")
    case("tensor rank", "inspect", save("mod/tensor_rank.rvvmod", put(ref, te + 5, 1, 9)), "EFORMAT", "rank 9")
    case("tensor placement", "inspect", save("mod/tensor_place.rvvmod", put(ref, te + 6, 1, 7)), "EFORMAT",
         "unknown placement 7")
    case("tensor nbytes", "inspect", save("mod/tensor_nbytes.rvvmod", put(ref, te + 16, 8, 4)), "EFORMAT",
         "nbytes 4, its shape needs 24")
    case("tensor dims overflow", "inspect",
         save("mod/tensor_dims.rvvmod", put(put(ref, te + 24, 8, 1 << 62), te + 32, 8, 1 << 62)), "EFORMAT",
         "element count exceeds")
    case("tensor name offset", "inspect", save("mod/tensor_name.rvvmod", put(ref, te, 4, 0xFFFFFF)), "EFORMAT",
         "name offset")
    if arena_t is not None:
        ae = toff + 88 * arena_t
        case("arena tensor misaligned", "inspect", save("mod/arena_misaligned.rvvmod", put(ref, ae + 8, 8, 4)),
             "EFORMAT", "arena offset 4 is not 64-byte aligned")
        case("arena tensor outside the arena", "inspect",
             save("mod/arena_outside.rvvmod", put(ref, ae + 8, 8, 1 << 30)), "EFORMAT", "outside the")
    case("step kind", "inspect", save("mod/step_kind.rvvmod", put(ref, soff, 4, 7)), "EFORMAT", "unknown kind 7")
    case("step arguments outside ARGS", "inspect", save("mod/step_args.rvvmod", put(ref, soff + 24, 8, 1 << 40)),
         "EFORMAT", "argument list outside ARGS")
    case("step operand count", "inspect", save("mod/step_nin.rvvmod", put(ref, soff + 12, 4, 100000)),
         "EFORMAT", "argument list outside ARGS")
    case("step attributes outside ATTRS", "inspect",
         save("mod/step_attrs.rvvmod", put(ref, soff + 48, 8, 1 << 40)), "EFORMAT", "attributes outside ATTRS")
    rsoff = struct.unpack_from("<Q", rvv, 72 + 16 * 2)[0]
    nsteps = struct.unpack_from("<I", rvv, 44)[0]
    rstep = next(i for i in range(nsteps) if struct.unpack_from("<I", rvv, rsoff + 80 * i)[0] == 1)
    se = rsoff + 80 * rstep
    case("code offset outside CODE", "inspect", save("mod/code_off.rvvmod", put(rvv, se + 32, 8, 1 << 40)),
         "EFORMAT", "outside CODE")
    case("code offset misaligned", "inspect", save("mod/code_misaligned.rvvmod", put(rvv, se + 32, 8, 2)),
         "EFORMAT", "outside CODE")
    case("code size past CODE", "inspect", save("mod/code_size.rvvmod", put(rvv, se + 40, 8, 1 << 20)),
         "EFORMAT", "outside CODE")
    case("RVV step without a vector extension", "inspect",
         save("mod/rvv_no_ext.rvvmod", put(rvv, 28, 4, 0)), "EFORMAT", "requires no vector extension")
    case("not a module", "inspect", "relu.onnx", "EFORMAT", "not an .rvvmod file")


def tensors():
    np.save(os.path.join(FILES, "x.npy"), np.ones((2, 3), np.float32))
    good = open(os.path.join(FILES, "x.npy"), "rb").read()
    case("npy input", "input", "@{dir}/x.npy", "OK")
    save("x_trunc.npy", good[:-3])
    case("npy truncated", "input", "@{dir}/x_trunc.npy", "EFORMAT", "data bytes, shape needs 24")
    save("x_hdr.npy", good[:8] + b"\xff\xff" + good[10:])
    case("npy header length", "input", "@{dir}/x_hdr.npy", "EFORMAT", "runs past the end")
    hdr = b"{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904, 4), }"
    save("x_huge.npy", b"\x93NUMPY\x01\x00" + struct.pack("<H", len(hdr)) + hdr)
    case("npy huge shape", "input", "@{dir}/x_huge.npy", "ELIMIT", "element count exceeds the limit 2^40")
    hdr = b"{'descr': '>f4', 'fortran_order': False, 'shape': (2, 3), }"
    save("x_be.npy", b"\x93NUMPY\x01\x00" + struct.pack("<H", len(hdr)) + hdr + b"\0" * 24)
    case("npy big-endian", "input", "@{dir}/x_be.npy", "EUNSUPPORTED", "big-endian")
    t = numpy_helper.from_array(np.ones((2, 3), np.float32), "x")
    t.raw_data = t.raw_data[:-1]
    save("x_short.pb", t)
    case("TensorProto raw_data short", "input", "@{dir}/x_short.pb", "EFORMAT", "raw_data has 23 bytes")
    save("x_garbage.pb", b"\xff" * 32)
    case("TensorProto garbage", "input", "@{dir}/x_garbage.pb", "EFORMAT", "invalid field tag")
    case("inline: too many values", "input", "2x3xf32=1,2,3,4,5,6,7", "ESHAPE", "more values than")
    case("inline: not a number", "input", "2x3xf32=1,abc", "EINVAL", "is not a number")
    case("inline: 2^40 elements", "input", "1099511627776xf32", "ELIMIT", "exceed the limit max_tensor_bytes")
    case("inline: 1 GiB of zeros, 16 MiB limit", "input", "268435456xf32", "ELIMIT", "limit max_tensor_bytes",
         "--max-tensor-bytes=16M")
    case("inline: unknown type", "input", "2x3xq7=1", "EINVAL", "unknown element type")


def main():
    cli = sys.argv[1]
    if os.path.isdir(FILES):
        shutil.rmtree(FILES)
    os.makedirs(FILES)
    models()
    modules(cli)
    tensors()
    names = [c[0] for c in CASES]
    assert len(names) == len(set(names)), "duplicate case names"
    with open(os.path.join(HERE, "cases.tsv"), "w") as f:
        f.write("# generated by make_corpus.py; columns: name, command, file, status, message, args\n")
        for c in CASES:
            assert all("\t" not in x for x in c)
            f.write("\t".join(c) + "\n")
    size = sum(os.path.getsize(os.path.join(dp, fn)) for dp, _, fs in os.walk(FILES) for fn in fs
               if not os.path.islink(os.path.join(dp, fn)))
    print("%d cases, %d files, %d bytes" % (len(CASES), sum(len(fs) for _, _, fs in os.walk(FILES)), size))


if __name__ == "__main__":
    main()
