#!/usr/bin/env node
// `./qy bench kernels`: the LLM's weight-product kernels in headless Chromium, SIMD128 (the full
// module) vs relaxed SIMD (the relaxed text module), on the model's layouts and shapes, one
// thread, interleaved run by run; the fastest of N runs each, in GMAC/s, and the ratio. A kernel
// view of what `./qy bench llm` rows (b) and (r) show for the whole model.
//
// Options: --runs 15  --json-out target/bench/kernels.json
//          --cases q5:151936:896:1,q6:896:4864:1   (layout:rows:cols:tokens; layouts q5 q5r q5x q4 q4r q6 q6r q6x)
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const runs = Number(opt('--runs', 15));
const cases = opt('--cases', '');
if (cases && !/^(q5[xr]?|q4r?|q6[xr]?):\d+:\d+:\d+(,(q5[xr]?|q4r?|q6[xr]?):\d+:\d+:\d+)*$/.test(cases)) {
  console.error(`--cases: "${cases}" is not a list of layout:rows:cols:tokens (layouts q5 q5r q5x q4 q4r q6 q6r q6x), e.g. q5:151936:896:1`);
  process.exit(2);
}
const jsonOut = path.resolve(opt('--json-out', path.join(ROOT, 'target/bench/kernels.json')));

const freePort = () => new Promise((resolve) => {
  const s = net.createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
});

const port = await freePort();
const server = spawn('python3', [path.join(ROOT, 'scripts/serve.py'), String(port), '--directory', path.join(ROOT, 'www')], { stdio: 'ignore' });
const base = `http://127.0.0.1:${port}`;
let browser;
try {
  for (let i = 0; i < 100; i++) {
    try { if ((await fetch(`${base}/bench/kernels.html`)).ok) break; } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium', headless: true });
  const page = await browser.newPage();
  page.on('console', (m) => { if (m.text().startsWith('[bench] ')) console.log(m.text()); });
  await page.goto(`${base}/bench/kernels.html?runs=${runs}${cases ? `&cases=${encodeURIComponent(cases)}` : ''}`);
  const r = await (await page.waitForFunction(() => window.__benchResult, null, { timeout: 20 * 60_000, polling: 500 })).jsonValue();
  if (r.error) throw new Error(r.error);
  fs.mkdirSync(path.dirname(jsonOut), { recursive: true });
  fs.writeFileSync(jsonOut, `${JSON.stringify({ date: new Date().toISOString(), chromium: browser.version(), ...r }, null, 2)}\n`);
  const head = ['layout', 'rows×cols', 'tokens', 'SIMD128 GMAC/s', 'relaxed GMAC/s', 'relaxed ÷ SIMD128'];
  const lines = r.rows.map((x) => [x.layout, `${x.rows}×${x.cols}`, x.tokens, x.simd128.toFixed(2), x.relaxed.toFixed(2), `${x.ratio.toFixed(2)}×`]);
  const w = head.map((_, i) => Math.max(...[head, ...lines].map((l) => String(l[i]).length)));
  const line = (l) => l.map((c, i) => (i === 0 ? String(c).padEnd(w[i]) : String(c).padStart(w[i]))).join('  ');
  console.log(`\nWeight products, one thread, Chromium ${browser.version()}; fastest of ${r.runs} interleaved runs (kernels: ${r.simd128} vs ${r.relaxed})`);
  console.log(line(head));
  console.log(w.map((n) => '-'.repeat(n)).join('  '));
  for (const l of lines) console.log(line(l));
  console.log(`all numbers in ${path.relative(process.cwd(), jsonOut)}`);
} finally {
  await browser?.close().catch(() => {});
  server.kill();
}
