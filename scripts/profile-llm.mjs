#!/usr/bin/env node
// Where a decoded token's time goes inside Chromium: runs the LLM bench page (our engine only,
// one thread, on the page's main thread) under the DevTools sampling profiler and prints each
// wasm/JS function's share of the samples taken while the engine worked (idle left out). The
// wasm module's name section gives the Rust names. The load and a short prefill are in the
// profile too (their functions are named: from_gguf, matmul_*), so read the decode rows.
//
//   node scripts/profile-llm.mjs [--simd relaxed|simd128] [--decode 128] [--prompt 16] [--top 30]
//                                [--json-out target/bench/profile-llm.json]
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { withBenchPage } from './bench-page.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const simd = opt('--simd', 'relaxed');
const decode = Number(opt('--decode', 128));
// Prompt tokens: a long one (--prompt 512 --decode 1) profiles prefill instead.
const prompt = Number(opt('--prompt', 16));
const top = Number(opt('--top', 30));
const jsonOut = path.resolve(opt('--json-out', path.join(ROOT, 'target/bench/profile-llm.json')));

let cdp;
const pagePath = `bench/llm.html?engine=qingyu&prompts=${prompt}&decode=${decode}&simd=${simd}&threads=1&warmup_ms=500`;
const out = await withBenchPage(pagePath, (m) => console.log(m), async (page, browser) => {
  const result = await (await page.waitForFunction(() => window.__benchResult, null, { timeout: 20 * 60_000, polling: 500 })).jsonValue();
  const { profile } = await cdp.send('Profiler.stop');
  return { result, profile, chromium: browser.version() };
}, {
  // The page starts the bench as it loads: the profiler runs from before the first load.
  setup: async (page) => {
    cdp = await page.context().newCDPSession(page);
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 200 }); // µs
    await cdp.send('Profiler.start');
  },
  ready: () => document.readyState === 'complete',
});
if (out.error) throw new Error(out.error);
const { result, profile, chromium } = out;
if (result.error) throw new Error(result.error);
const qy = result.results?.[0] ?? {};
if (qy.error) throw new Error(qy.error);
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const selfSamples = new Map();
let busy = 0;
for (const id of profile.samples) {
  const name = nodes.get(id).callFrame.functionName || '(anonymous)';
  if (name === '(idle)') continue;
  selfSamples.set(name, (selfSamples.get(name) || 0) + 1);
  busy++;
}
// One row per function; a generic at two types is two rows (Rust names end in their hash).
const rows = [...selfSamples].sort((a, b) => b[1] - a[1]).map(([name, n]) => ({ name, share: n / busy }));
console.log(`\nSampling profile, ${simd} module, 1 thread: decode ${decode} tokens at ${qy.decode_tps ?? '?'} tok/s (the profiler slows it a little); share of busy samples (${busy}):`);
for (const r of rows.slice(0, top)) console.log(`${(100 * r.share).toFixed(1).padStart(6)} %  ${r.name.slice(0, 120)}`);
fs.mkdirSync(path.dirname(jsonOut), { recursive: true });
fs.writeFileSync(jsonOut, `${JSON.stringify({ date: new Date().toISOString(), chromium, simd, decode, busySamples: busy, rows }, null, 2)}\n`);
console.log(`all rows in ${path.relative(process.cwd(), jsonOut)}`);
