-- rvvnn.lua - LuaJIT FFI binding of librvvnn.so.0. The declarations come
-- from rvvnn_cdef.lua, generated from rvvnn.h by abi/gen_manifest.py.
--
--   local rvvnn = require("rvvnn")
--   local m = rvvnn.model("model.onnx")                 -- or rvvnn.model_from_string(bytes)
--   local s = rvvnn.session(m, {threads = 2})            -- reference executor
--   local out = s:run({{dtype = "f32", shape = {2, 4}, data = {...}}})
--   -- out[1] = {name = "Y", dtype = "f32", shape = {2, 3}, data = {...}}
--   local mod = m:compile({march = "rv64gcv", vlen = 0, input_shapes = {X = {2, 4}}})
--   for _, st in ipairs(mod:steps()) do print(st.op, st.kind, st.flops) end
--   local s2 = rvvnn.session(mod)                        -- native, or qemu on x86
--
-- Failures raise a Lua error whose value is a table {status = -N, name =
-- "EINVAL", message = "..."} (tostring gives "rvvnn: EINVAL: message").
-- Handles are freed by the garbage collector or explicitly with :free().
-- The library is $RVVNN_LIBRARY when set (a build tree), else librvvnn.so.0.
local ffi = require("ffi")

local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local decl = dofile(here .. "rvvnn_cdef.lua")
ffi.cdef(decl.cdef)
local C = ffi.load(os.getenv("RVVNN_LIBRARY") or "librvvnn.so.0")
local K = decl.constants

local M = {constants = K}

local status_names = {}
for k, v in pairs(K) do
  if k:match("^E[A-Z]+$") then status_names[v] = k end
end

local err_mt = {__tostring = function(e) return "rvvnn: " .. e.name .. ": " .. e.message end}

local function raise(status, message)
  error(setmetatable({status = status, name = status_names[status] or tostring(status),
                      message = message}, err_mt), 3)
end

local function check(rc)
  if rc ~= 0 then raise(rc, ffi.string(C.rvvnn_last_error())) end
end

-- dtype names <-> ONNX codes and the C element types used for data.
local DT = {
  f32 = {K.DTYPE_F32, "float"}, f64 = {K.DTYPE_F64, "double"}, i8 = {K.DTYPE_I8, "int8_t"},
  u8 = {K.DTYPE_U8, "uint8_t"}, i16 = {K.DTYPE_I16, "int16_t"}, u16 = {K.DTYPE_U16, "uint16_t"},
  i32 = {K.DTYPE_I32, "int32_t"}, u32 = {K.DTYPE_U32, "uint32_t"}, i64 = {K.DTYPE_I64, "int64_t"},
  u64 = {K.DTYPE_U64, "uint64_t"}, bool = {K.DTYPE_BOOL, "uint8_t"},
}
local DT_BY_CODE = {}
for name, d in pairs(DT) do DT_BY_CODE[d[1]] = name end

function M.version() return ffi.string(C.rvvnn_version()) end
function M.status_string(rc) return ffi.string(C.rvvnn_status_string(rc)) end

-- options table -> rvvnn_options handle (freed by the GC)
local function make_options(opts)
  local p = ffi.new("rvvnn_options*[1]")
  check(C.rvvnn_options_create(p))
  local o = ffi.gc(p[0], C.rvvnn_options_free)
  for key, value in pairs(opts or {}) do
    if key == "input_shapes" then
      for name, dims in pairs(value) do
        local arr = ffi.new("int64_t[?]", math.max(#dims, 1), dims)
        check(C.rvvnn_options_bind_input_shape(o, name, arr, #dims))
      end
    elseif type(value) == "number" or type(value) == "boolean" then
      local v = value == true and 1 or value == false and 0 or value
      check(C.rvvnn_options_set_int(o, key, v))
    elseif type(value) == "string" then
      check(C.rvvnn_options_set_string(o, key, value))
    else
      raise(K.EINVAL, "option " .. key .. ": expected a string, number or boolean")
    end
  end
  return o
end

local function names(h, count_fn, name_fn)
  local n = ffi.new("size_t[1]")
  check(count_fn(h, n))
  local out, s = {}, ffi.new("const char*[1]")
  for i = 0, tonumber(n[0]) - 1 do
    check(name_fn(h, i, s))
    out[#out + 1] = ffi.string(s[0])
  end
  return out
end

-- ---- models ----
local Model = {}
Model.__index = Model

local function wrap_model(p)
  return setmetatable({h = ffi.gc(p[0], C.rvvnn_model_free)}, Model)
end

function M.model(path)
  local p = ffi.new("rvvnn_model*[1]")
  check(C.rvvnn_model_load_file(path, p))
  return wrap_model(p)
end

function M.model_from_string(bytes)
  local p = ffi.new("rvvnn_model*[1]")
  check(C.rvvnn_model_load_memory(bytes, #bytes, p))
  return wrap_model(p)
end

function Model:inputs() return names(self.h, C.rvvnn_model_input_count, C.rvvnn_model_input_name) end
function Model:outputs() return names(self.h, C.rvvnn_model_output_count, C.rvvnn_model_output_name) end
function Model:free() C.rvvnn_model_free(ffi.gc(self.h, nil)); self.h = nil end

local Module = {}
Module.__index = Module

function Model:compile(opts)
  local o = make_options(opts)
  local p = ffi.new("rvvnn_module*[1]")
  check(C.rvvnn_compile(self.h, o, p))
  return setmetatable({h = ffi.gc(p[0], C.rvvnn_module_free)}, Module)
end

function Model:compile_to_file(path, opts)
  check(C.rvvnn_compile_to_file(self.h, make_options(opts), path))
end

-- ---- modules ----
function M.module(path)
  local p = ffi.new("rvvnn_module*[1]")
  check(C.rvvnn_module_load_file(path, p))
  return setmetatable({h = ffi.gc(p[0], C.rvvnn_module_free)}, Module)
end

function M.module_from_string(bytes)
  local p = ffi.new("rvvnn_module*[1]")
  check(C.rvvnn_module_load_memory(bytes, #bytes, p))
  return setmetatable({h = ffi.gc(p[0], C.rvvnn_module_free)}, Module)
end

function Module:save(path) check(C.rvvnn_module_save(self.h, path)) end
function Module:free() C.rvvnn_module_free(ffi.gc(self.h, nil)); self.h = nil end

function Module:bytes()
  local d, n = ffi.new("const void*[1]"), ffi.new("size_t[1]")
  check(C.rvvnn_module_data(self.h, d, n))
  return ffi.string(d[0], n[0])
end

function Module:steps()
  local n = ffi.new("size_t[1]")
  check(C.rvvnn_module_step_count(self.h, n))
  local name, op = ffi.new("const char*[1]"), ffi.new("const char*[1]")
  local kind, flops, bytes = ffi.new("int32_t[1]"), ffi.new("uint64_t[1]"), ffi.new("uint64_t[1]")
  local out = {}
  for i = 0, tonumber(n[0]) - 1 do
    check(C.rvvnn_module_step_info(self.h, i, name, op, kind, flops, bytes))
    out[#out + 1] = {name = ffi.string(name[0]), op = ffi.string(op[0]),
                     kind = kind[0] == K.STEP_RVV and "rvv" or kind[0] == K.STEP_CUSTOM and "custom" or "fallback",
                     flops = tonumber(flops[0]), bytes = tonumber(bytes[0])}
  end
  return out
end

-- ---- sessions ----
local Session = {}
Session.__index = Session

function M.session(source, opts)
  local o = make_options(opts)
  local p = ffi.new("rvvnn_session*[1]")
  if getmetatable(source) == Model then
    check(C.rvvnn_session_create_from_model(source.h, o, p))
  elseif getmetatable(source) == Module then
    check(C.rvvnn_session_create_from_module(source.h, o, p))
  else
    raise(K.EINVAL, "session: expected a model or a module")
  end
  local s = setmetatable({h = ffi.gc(p[0], C.rvvnn_session_free), source = source}, Session)
  s.input_names = names(s.h, C.rvvnn_session_input_count, C.rvvnn_session_input_name)
  s.output_names = names(s.h, C.rvvnn_session_output_count, C.rvvnn_session_output_name)
  return s
end

function Session:executor()
  local s = ffi.new("const char*[1]")
  check(C.rvvnn_session_executor(self.h, s))
  return ffi.string(s[0])
end

function Session:free() C.rvvnn_session_free(ffi.gc(self.h, nil)); self.h = nil end

-- inputs: list (in order) of {dtype=, shape=, data=} where data is a Lua
-- array of numbers. Returns a list of the same form (plus name).
function Session:run(inputs)
  if #inputs ~= #self.input_names then
    raise(K.EINVAL, #inputs .. " inputs given, the session has " .. #self.input_names)
  end
  local keep = {}
  for i, t in ipairs(inputs) do
    local d = DT[t.dtype or "f32"]
    if not d then raise(K.ETYPE, "input " .. i .. ": unknown dtype " .. tostring(t.dtype)) end
    local n = 1
    for _, v in ipairs(t.shape) do n = n * v end
    if #t.data ~= n then raise(K.ESHAPE, "input " .. i .. ": " .. #t.data .. " values for " .. n .. " elements") end
    local buf = ffi.new(d[2] .. "[?]", math.max(n, 1), t.data)
    local dims = ffi.new("int64_t[?]", math.max(#t.shape, 1), t.shape)
    keep[i] = {buf, dims}
    check(C.rvvnn_session_set_input(self.h, i - 1, d[1], dims, #t.shape, buf, n * ffi.sizeof(d[2])))
  end
  check(C.rvvnn_session_run(self.h))
  local out = {}
  local tp = ffi.new("rvvnn_tensor*[1]")
  local dt, rank = ffi.new("int32_t[1]"), ffi.new("size_t[1]")
  local data, nbytes = ffi.new("void*[1]"), ffi.new("size_t[1]")
  for k = 1, #self.output_names do
    check(C.rvvnn_session_output(self.h, k - 1, tp))
    check(C.rvvnn_tensor_dtype(tp[0], dt))
    check(C.rvvnn_tensor_rank(tp[0], rank))
    local r = tonumber(rank[0])
    local dims = ffi.new("int64_t[?]", math.max(r, 1))
    check(C.rvvnn_tensor_dims(tp[0], dims, r))
    check(C.rvvnn_tensor_data(tp[0], data, nbytes))
    local name = DT_BY_CODE[dt[0]]
    if not name then raise(K.ETYPE, "output " .. k .. ": element type " .. dt[0] .. " has no Lua form") end
    local shape = {}
    for d = 0, r - 1 do shape[#shape + 1] = tonumber(dims[d]) end
    local ptr = ffi.cast(DT[name][2] .. "*", data[0])
    local vals = {}
    for i = 0, tonumber(nbytes[0]) / ffi.sizeof(DT[name][2]) - 1 do vals[i + 1] = tonumber(ptr[i]) end
    out[k] = {name = self.output_names[k], dtype = name, shape = shape, data = vals}
  end
  return out
end

return M
