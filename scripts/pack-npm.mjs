#!/usr/bin/env node
// Assembles the npm package `qingyu` in target/npm/qingyu/ and packs it:
//   node scripts/pack-npm.mjs            → target/npm/qingyu-<version>.tgz (path printed last)
// packages/qingyu/ holds what is only the package's (package.json, README.md, the hand-written
// .d.ts); the code is copied from www/lib, www/qingyu-widget.js and the built wasm in www/pkg
// (`./qy build` first). No model weights go in: apps serve models/dist and pass modelBaseUrl.
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'target/npm');
const stage = path.join(out, 'qingyu');
const from = (p) => path.join(root, p);

const TEXT_MODULES = ['threads', 'relaxed', 'threads-relaxed'];
const FULL_RELAXED = ['pkg/full-relaxed/qingyu.js', 'pkg/full-relaxed/qingyu_bg.wasm'];
for (const f of ['www/pkg/qingyu.js', 'www/pkg/qingyu_bg.wasm', ...TEXT_MODULES.flatMap((d) => [`www/pkg/${d}/qingyu_text.js`, `www/pkg/${d}/qingyu_text_bg.wasm`]),
  ...FULL_RELAXED.map((f) => `www/${f}`)]) {
  if (!existsSync(from(f))) { console.error(`pack-npm: ${f} is missing; run ./qy build first`); process.exit(1); }
}
rmSync(stage, { recursive: true, force: true });
mkdirSync(stage, { recursive: true });
cpSync(from('packages/qingyu'), stage, { recursive: true });
mkdirSync(path.join(stage, 'lib'));
for (const f of readdirSync(from('www/lib'))) if (f.endsWith('.js')) cpSync(from(`www/lib/${f}`), path.join(stage, 'lib', f));
cpSync(from('www/qingyu-widget.js'), path.join(stage, 'qingyu-widget.js'));
mkdirSync(path.join(stage, 'pkg'));
for (const f of ['qingyu.js', 'qingyu_bg.wasm']) cpSync(from(`www/pkg/${f}`), path.join(stage, 'pkg', f));
// The text modules the worker picks for the LLM: threaded (a pool of workers on cross-origin
// isolated pages, with wasm-bindgen-rayon's worker snippet) and relaxed SIMD, alone and combined.
for (const d of TEXT_MODULES) cpSync(from(`www/pkg/${d}`), path.join(stage, 'pkg', d), { recursive: true });
// The full module with relaxed SIMD, which the worker picks for the photos where the LLM's relaxed module ran.
cpSync(from('www/pkg/full-relaxed'), path.join(stage, 'pkg/full-relaxed'), { recursive: true });

const json = execFileSync('npm', ['pack', '--json', '--pack-destination', out], { cwd: stage, encoding: 'utf8' });
const [info] = JSON.parse(json);
const weights = info.files.filter((f) => /\.(onnx|gguf|bin|safetensors)$/.test(f.path) || f.path.startsWith('models/'));
if (weights.length) { console.error(`pack-npm: model files in the package: ${weights.map((f) => f.path).join(', ')}`); process.exit(1); }
for (const wasm of ['pkg/qingyu_bg.wasm', ...TEXT_MODULES.map((d) => `pkg/${d}/qingyu_text_bg.wasm`), FULL_RELAXED[1]]) {
  if (!info.files.some((f) => f.path === wasm)) { console.error(`pack-npm: ${wasm} is not in the package`); process.exit(1); }
}
const tarball = path.join(out, info.filename);
const mb = (n) => `${(n / 1e6).toFixed(1)} MB`;
console.log(`pack-npm: ${info.files.length} files, ${mb(info.unpackedSize)} unpacked, ${mb(statSync(tarball).size)} packed`);
console.log(tarball);
