#!/usr/bin/env node
// `./qy bench web`: the web library as a page uses it, in headless Debian Chromium:
//   cold load   first visit: download + sha256 + cache + compile (fresh browser profile)
//   warm load   second visit: the same from the Cache API (no network for models)
//   LLM         time to first token, decode tok/s, prefill tok/s (summarize tldr when the build has it, else a prompt)
//   caption     median latency of a photo caption (classifier only while the Captioner is missing),
//               then one detail 'full' caption (the LLM's description; first text and total)
// One table on stdout; every number also goes to target/bench/web.json.
// Options: --decode 64  --caption-runs 3  --json-out PATH
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const WWW = path.join(ROOT, 'www');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

const o = { decode: 64, captionRuns: 3, jsonOut: path.join(ROOT, 'target/bench/web.json') };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const [k, inline] = argv[i].split('=', 2);
  const v = () => (inline !== undefined ? inline : argv[++i]);
  if (k === '--decode') o.decode = Number(v());
  else if (k === '--caption-runs') o.captionRuns = Number(v());
  else if (k === '--json-out') o.jsonOut = path.resolve(v());
  else { console.error(`unknown option ${argv[i]}; use --decode N --caption-runs N --json-out PATH`); process.exit(2); }
}

const freePort = () => new Promise((resolve, reject) => {
  const s = net.createServer();
  s.on('error', reject);
  s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
});

async function startServer() {
  const port = await freePort();
  const server = spawn('python3', [path.join(ROOT, 'scripts/serve.py'), String(port), '--bind', '127.0.0.1', '--directory', WWW], { stdio: 'ignore' });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try { if ((await fetch(`${base}/bench/web.html`)).ok) return { server, base }; } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  server.kill();
  throw new Error(`scripts/serve.py did not come up on ${base}`);
}

const log = (m) => console.log(`[bench web] ${m}`);

async function visit(context, base, input) {
  const page = await context.newPage();
  page.on('pageerror', (e) => log(`page error: ${e.message}`));
  await page.goto(`${base}/bench/web.html`);
  await page.waitForFunction(() => window.benchReady);
  const r = await page.evaluate((i) => window.bench(i), input);
  await page.close();
  return r;
}

async function main() {
  execAssets();
  const article = JSON.parse(fs.readFileSync(path.join(WWW, 'samples/articles.json'), 'utf8')).find((a) => a.id === 'zh-01').text;
  const photoB64 = fs.readFileSync(path.join(WWW, 'samples/coffee.png')).toString('base64');
  const input = { article, photoB64, captionRuns: o.captionRuns, decodeTokens: o.decode };
  const { server, base } = await startServer();
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'qingyu-bench-'));
  let context;
  try {
    // A real on-disk profile, as a visitor has: the Cache API persists between the visits.
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: ARGS, headless: true });
    log('cold visit (empty cache: download + verify + cache + compile)…');
    const cold = await visit(context, base, input);
    log('warm visit (models from the Cache API)…');
    const warm = await visit(context, base, input);
    report({ cold, warm, load: os.loadavg()[0] });
  } finally {
    await context?.close();
    server.kill();
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

function execAssets() {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts/web-assets.mjs')], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('scripts/web-assets.mjs failed');
}

function report({ cold, warm, load }) {
  const s = (ms) => (ms == null ? 'n/a' : `${(ms / 1000).toFixed(2)} s`);
  const n = (v, d = 1) => (v == null ? 'n/a' : v.toFixed(d));
  const rows = [
    ['engine start (worker + wasm compile)', s(cold.engineMs), s(warm.engineMs), ''],
    ['LLM load: total', s(cold.llmLoad.totalMs), s(warm.llmLoad.totalMs), '347 MB GGUF'],
    ['  fetch (+ sha256 + cache on cold)', s(cold.llmLoad.fetchMs), s(warm.llmLoad.fetchMs), ''],
    ['  compile (repack weights)', s(cold.llmLoad.compileMs), s(warm.llmLoad.compileMs), ''],
    [`vision load (${cold.visionLoad.group}): total`, s(cold.visionLoad.totalMs), s(warm.visionLoad.totalMs), ''],
    ['time to first token', s(cold.llm.firstTokenMs), s(warm.llm.firstTokenMs), warm.llm.kind],
    ['prefill tok/s', n(cold.llm.prefillTokensPerSecond ?? (cold.llm.promptTokens / (cold.llm.prefillMs / 1000))), n(warm.llm.prefillTokensPerSecond ?? (warm.llm.promptTokens / (warm.llm.prefillMs / 1000))), `${warm.llm.promptTokens} prompt tokens`],
    ['decode tok/s', n(cold.llm.tokensPerSecond), n(warm.llm.tokensPerSecond), `${warm.llm.generatedTokens} tokens`],
    ['key points (extractive)', cold.keyPointsMs == null ? 'n/a' : `${cold.keyPointsMs.toFixed(0)} ms`, warm.keyPointsMs == null ? 'n/a' : `${warm.keyPointsMs.toFixed(0)} ms`, cold.features.summarizeExtractive ? '' : 'not in this wasm build yet'],
    ['caption latency (median)', `${cold.caption.medianMs.toFixed(0)} ms`, `${warm.caption.medianMs.toFixed(0)} ms`, warm.caption.kind],
    ["caption detail 'full': first text / total", cold.captionFull ? `${s(cold.captionFull.firstTextMs)} / ${s(cold.captionFull.totalMs)}` : 'n/a',
      warm.captionFull ? `${s(warm.captionFull.firstTextMs)} / ${s(warm.captionFull.totalMs)}` : 'n/a',
      warm.captionFull ? `${warm.captionFull.promptTokens} prompt tokens: ${warm.captionFull.text}` : ''],
  ];
  const w = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i].length), ['metric', 'cold visit', 'warm visit', 'note'][i].length));
  const line = (r) => `| ${r.map((c, i) => c.padEnd(w[i])).join(' | ')} |`;
  console.log();
  console.log(line(['metric', 'cold visit', 'warm visit', 'note']));
  console.log(`|${w.map((x) => '-'.repeat(x + 2)).join('|')}|`);
  for (const r of rows) console.log(line(r));
  console.log(`\nheadless Chromium (${CHROMIUM}), 1 worker thread, models served by python http.server on localhost; 1-min load average at the end: ${load.toFixed(2)}`);
  fs.mkdirSync(path.dirname(o.jsonOut), { recursive: true });
  fs.writeFileSync(o.jsonOut, JSON.stringify({ date: new Date().toISOString(), cold, warm, loadavg: load }, null, 1));
  console.log(`numbers: ${path.relative(ROOT, o.jsonOut)}`);
}

main().catch((e) => { console.error(e); process.exit(1); });
