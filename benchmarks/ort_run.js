// Runs one ONNX model on ONNX Runtime (the onnxruntime-node package) for
// benchmarks/ort_bench.py: loads the model with a fixed intra-op thread
// count, feeds the .npy input, runs warmup + N timed iterations, writes the
// first output as .npy (so the caller can check ORT and rvvnn agree) and
// prints one JSON line with the per-run times.
//
// usage: node ort_run.js ORT_MODULE_DIR MODEL.onnx INPUT.npy THREADS WARMUP ITERS OUT.npy
'use strict';
const fs = require('fs');

// .npy v1/v2/v3: magic, version, header length, a Python-dict header, raw data.
function readNpy(path) {
  const buf = fs.readFileSync(path);
  if (buf.toString('latin1', 0, 6) !== '\x93NUMPY') throw new Error(path + ': not a .npy file');
  const major = buf[6];
  const hlen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const hstart = major === 1 ? 10 : 12;
  const header = buf.toString('latin1', hstart, hstart + hlen);
  const descr = /'descr':\s*'([^']+)'/.exec(header);
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header);
  if (!descr || !shape || /'fortran_order':\s*True/.test(header))
    throw new Error(path + ': unsupported .npy header ' + header);
  const dims = shape[1].split(',').map(s => s.trim()).filter(s => s.length).map(Number);
  // copy so the typed array is aligned whatever the header length was
  const raw = buf.subarray(hstart + hlen);
  const ab = raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length);
  const kinds = { '<f4': ['float32', Float32Array], '<i8': ['int64', BigInt64Array],
                  '<i4': ['int32', Int32Array], '<f8': ['float64', Float64Array] };
  const k = kinds[descr[1]];
  if (!k) throw new Error(path + ': unsupported dtype ' + descr[1]);
  return { type: k[0], dims, data: new k[1](ab) };
}

function writeNpyF32(path, dims, data) {
  const shape = '(' + dims.join(', ') + (dims.length === 1 ? ',' : '') + ')';
  let header = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ', }';
  const pad = 64 - ((10 + header.length + 1) % 64);
  header += ' '.repeat(pad % 64) + '\n';
  const pre = Buffer.alloc(10);
  Buffer.from('\x93NUMPY', 'latin1').copy(pre, 0);
  pre[6] = 1; pre[7] = 0; pre.writeUInt16LE(header.length, 8);
  const f32 = Float32Array.from(data, Number);
  fs.writeFileSync(path, Buffer.concat([pre, Buffer.from(header, 'latin1'),
                                        Buffer.from(f32.buffer, f32.byteOffset, f32.byteLength)]));
}

async function main() {
  const [ortDir, model, input, threads, warmup, iters, out] = process.argv.slice(2);
  const ort = require(ortDir);
  const session = await ort.InferenceSession.create(model, {
    intraOpNumThreads: Number(threads), interOpNumThreads: 1, executionMode: 'sequential' });
  const x = readNpy(input);
  const feeds = { [session.inputNames[0]]: new ort.Tensor(x.type, x.data, x.dims) };
  let res;
  for (let i = 0; i < Number(warmup); i++) res = await session.run(feeds);
  const times = [];
  for (let i = 0; i < Number(iters); i++) {
    const t0 = process.hrtime.bigint();
    res = await session.run(feeds);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  const y = res[session.outputNames[0]];
  writeNpyF32(out, y.dims, y.data);
  console.log(JSON.stringify({ version: ort.env.versions.node || ort.env.versions.common,
                               times_ms: times }));
}

main().catch(e => { console.error('ort_run: ' + (e && e.message ? e.message : e)); process.exit(2); });
