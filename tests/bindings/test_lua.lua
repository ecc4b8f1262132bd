-- test_lua.lua - the LuaJIT binding: load, run on the reference
-- executor, compile, inspect, run the module (qemu on x86), errors as Lua
-- errors with status and message. Expected values are computed here in
-- double precision; |got - want| <= 1e-5 + 1e-5 * |want|.
--   luajit test_lua.lua BINDING_DIR MODELS_DIR
package.path = arg[1] .. "/?.lua;" .. package.path
local rvvnn = require("rvvnn")
local models = arg[2]

local passed, failed = 0, 0
local function check(cond, what)
  if cond then passed = passed + 1 else failed = failed + 1; io.stderr:write("FAIL: " .. what .. "\n") end
end

local function mlp(x, n) -- Y = Relu(X @ W + B), W[k][j] = (3k + j)/8 - 0.5
  local b, y = {0.25, -1.0, 0.5}, {}
  for r = 0, n - 1 do
    for j = 0, 2 do
      local acc = b[j + 1]
      for k = 0, 3 do acc = acc + x[r * 4 + k + 1] * ((k * 3 + j) / 8 - 0.5) end
      y[#y + 1] = acc > 0 and acc or 0
    end
  end
  return y
end

local function close_all(got, want, what)
  check(#got == #want, what .. ": " .. #got .. " values, want " .. #want)
  for i = 1, #want do
    local tol = 1e-5 + 1e-5 * math.abs(want[i])
    check(math.abs(got[i] - want[i]) <= tol, what .. "[" .. i .. "] = " .. tostring(got[i]) .. ", want " .. want[i])
  end
end

check(rvvnn.version():match("^%d+%.%d+%.%d+$") ~= nil, "version")
local x = {1, 2, 3, 4, -1, 0.5, -2, 3}
local m = rvvnn.model(models .. "/mlp.onnx")
check(m:inputs()[1] == "X" and m:outputs()[1] == "Y", "names")
local s = rvvnn.session(m, {threads = 1})
check(s:executor() == "ref", "ref executor")
local out = s:run({{dtype = "f32", shape = {2, 4}, data = x}})
check(out[1].name == "Y" and out[1].dtype == "f32" and out[1].shape[1] == 2 and out[1].shape[2] == 3, "output shape")
close_all(out[1].data, mlp(x, 2), "ref")

-- errors are Lua errors carrying status and message
local ok, e = pcall(s.run, s, {{dtype = "i32", shape = {2, 4}, data = {1, 2, 3, 4, 5, 6, 7, 8}}})
check(not ok and e.status == rvvnn.constants.ETYPE and e.name == "ETYPE" and e.message:find("'X'"), "type error")
check(tostring(e):find("^rvvnn: ETYPE:") ~= nil, "error text")
ok, e = pcall(rvvnn.model, models .. "/nope.onnx")
check(not ok and e.status < 0 and e.message:find("nope.onnx"), "missing model")
ok, e = pcall(rvvnn.session, m, {executor = "gpu"})
check(not ok and e.status == rvvnn.constants.EINVAL, "bad option")

local mod = m:compile({march = "rv64gcv", vlen = 0, input_shapes = {X = {2, 4}}})
local steps, saw_rvv = mod:steps(), false
for _, st in ipairs(steps) do saw_rvv = saw_rvv or st.kind == "rvv" end
check(#steps >= 1 and saw_rvv, "module has RVV steps")
local mod2 = rvvnn.module_from_string(mod:bytes())
check(#mod2:steps() == #steps, "module round trip")
local ms = rvvnn.session(mod2)
check(ms:executor() == (jit.arch == "riscv64" and "native" or "qemu"), "module executor " .. ms:executor())
close_all(ms:run({{dtype = "f32", shape = {2, 4}, data = x}})[1].data, mlp(x, 2), "module")
ok, e = pcall(rvvnn.module_from_string, mod:bytes():sub(1, 100))
check(not ok and e.status < 0, "truncated module")
ms:free(); s:free(); m:free()
collectgarbage()
print(string.format("%d passed, %d failed", passed, failed))
os.exit(failed == 0 and 0 or 1)
