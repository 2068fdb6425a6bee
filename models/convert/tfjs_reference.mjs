// Runs a TF.js graph model (model.json + weight shards, read from disk) on float32 input tensors
// and writes the requested outputs. It is the independent reference for models/convert/*.py
// converters of TF.js models (tfjs_detector.py calls it); nothing here knows about one model.
//
//     node models/convert/tfjs_reference.mjs MODEL_JSON JOB_DIR
//
// JOB_DIR/job.json (written by the caller):
//     {"input": "tower_0/images",                      graph input (Placeholder) name
//      "outputs": ["tower_0/keypoints", ...],           node names to fetch (":k" for output k)
//      "runs": [{"name": "coffee", "file": "coffee.input.f32", "shape": [1, 512, 512, 3]}, ...]}
// Each run's file holds the input as raw little-endian float32 (row-major, `shape`).
// Writes, for run R and output index i, JOB_DIR/R.out{i}.f32 (raw little-endian float32,
// row-major), and JOB_DIR/result.json:
//     {"tfjs_version": ..., "backend": "cpu",
//      "runs": {"coffee": [{"name": ..., "file": ..., "shape": [...], "dtype": ...}, ...]}}
//
// @tensorflow/tfjs is resolved from the repository's node_modules (two folders up from this
// file), so the working directory does not matter. Only the pure-JS CPU backend is used: no
// native code, no network.

import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(path.join(repoRoot, 'package.json'));

function die(msg) {
  process.stderr.write(`[tfjs_reference] error: ${msg}\n`);
  process.exit(1);
}

// tfjs prints a one-time hint about @tensorflow/tfjs-node when it sees Node; it is irrelevant here.
const origWarn = console.warn;
console.warn = () => {};
const tf = require('@tensorflow/tfjs');
console.warn = origWarn;

async function main() {
  const [modelJsonPath, jobDir] = process.argv.slice(2);
  if (!modelJsonPath || !jobDir) die('usage: node tfjs_reference.mjs MODEL_JSON JOB_DIR');
  const job = JSON.parse(fs.readFileSync(path.join(jobDir, 'job.json'), 'utf8'));

  await tf.setBackend('cpu');
  await tf.ready();

  // Custom IOHandler: the model.json as is, the weight shards concatenated in manifest order
  // (exactly what tfjs' own file/http loaders hand to loadGraphModel).
  const modelJson = JSON.parse(fs.readFileSync(modelJsonPath, 'utf8'));
  const modelDir = path.dirname(modelJsonPath);
  const weightSpecs = [];
  const shards = [];
  for (const group of modelJson.weightsManifest) {
    weightSpecs.push(...group.weights);
    for (const p of group.paths) shards.push(fs.readFileSync(path.join(modelDir, p)));
  }
  const all = Buffer.concat(shards);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
  const handler = {
    load: async () => ({
      modelTopology: modelJson.modelTopology,
      format: modelJson.format,
      generatedBy: modelJson.generatedBy,
      convertedBy: modelJson.convertedBy,
      signature: modelJson.signature,
      userDefinedMetadata: modelJson.userDefinedMetadata,
      weightSpecs,
      weightData,
    }),
  };
  const model = await tf.loadGraphModel(handler);

  const result = { tfjs_version: tf.version.tfjs, backend: tf.getBackend(), runs: {} };
  for (const run of job.runs) {
    const raw = fs.readFileSync(path.join(jobDir, run.file));
    const n = run.shape.reduce((a, b) => a * b, 1);
    if (raw.byteLength !== 4 * n) die(`${run.file}: ${raw.byteLength} bytes, expected ${4 * n}`);
    const data = new Float32Array(n);
    Buffer.from(data.buffer).set(raw); // copy: the file buffer need not be 4-byte aligned
    const input = tf.tensor(data, run.shape, 'float32');
    const feeds = { [job.input]: input };
    let outs = model.execute(feeds, job.outputs);
    if (!Array.isArray(outs)) outs = [outs];
    const written = [];
    for (let i = 0; i < outs.length; i++) {
      const t = outs[i];
      const values = t.dtype === 'float32' ? await t.data() : Float32Array.from(await t.data());
      const file = `${run.name}.out${i}.f32`;
      fs.writeFileSync(path.join(jobDir, file), Buffer.from(values.buffer, values.byteOffset, values.byteLength));
      written.push({ name: job.outputs[i], file, shape: t.shape, dtype: t.dtype });
    }
    tf.dispose([input, ...outs]);
    result.runs[run.name] = written;
  }
  fs.writeFileSync(path.join(jobDir, 'result.json'), JSON.stringify(result, null, 1) + '\n');
}

main().catch((e) => die(e && e.stack ? e.stack : String(e)));
