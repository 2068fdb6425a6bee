#!/usr/bin/env node
// `./qy bench summarize`: summaries of the evaluation articles (eval/articles/*.json), by
//   native   target/release/qingyu bench-summarize (one JSON line per article × type)
//   wasm     www/bench/summarize.html in headless Debian Chromium (same step API as the worker)
// then ONE table per engine and type: key-fact recall (zh / en), faithfulness violations found
// by the guard and left after it, length-rule compliance, latency split into extract / prefill /
// decode (medians), plus the end-to-end latency of the 1,505-character Chinese article zh-04
// (`tldr` short, model loaded). Every number also goes to target/bench/summarize.json.
//
// Options: --types key-points:medium,tldr:medium,teaser:short,headline:short
//          --engines native,wasm   --only zh-01,en-01   --native-bin PATH   --json-out PATH
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const LATENCY_RUN = { id: 'zh-04', type: 'tldr', length: 'short' };

function parseArgs(argv) {
  const o = {
    types: 'key-points:medium,tldr:medium,teaser:short,headline:short', engines: ['native', 'wasm'], only: null,
    nativeBin: path.join(ROOT, 'target/release/qingyu'), jsonOut: path.join(ROOT, 'target/bench/summarize.json'),
  };
  for (let i = 0; i < argv.length; i++) {
    const v = () => argv[++i];
    switch (argv[i]) {
      case '--types': o.types = v(); break;
      case '--engines': o.engines = v().split(','); break;
      case '--only': o.only = v().split(','); break;
      case '--native-bin': o.nativeBin = path.resolve(v()); break;
      case '--json-out': o.jsonOut = path.resolve(v()); break;
      default: throw new Error(`unknown option ${argv[i]}`);
    }
  }
  o.plan = o.types.split(',').map((t) => { const [type, length = 'medium'] = t.split(':'); return { type, length }; });
  return o;
}

const log = (msg) => console.error(`[bench summarize] ${msg}`);

function loadArticles(only) {
  const dir = path.join(ROOT, 'eval/articles');
  return fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()
    .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')))
    .filter((a) => !only || only.includes(a.id));
}

// ---------------------------------------------------------------------------------------------
// scoring (independent of the engine's own post-processing)
// ---------------------------------------------------------------------------------------------
const han = (s) => (s.match(/\p{Script=Han}/gu) || []).length;

/** A fact is recalled when the summary contains any of its must_mention strings. */
function recall(article, text) {
  const hit = article.key_facts.filter((f) => f.must_mention.some((m) => text.includes(m))).length;
  return hit / article.key_facts.length;
}

/** Chrome's length rules: bullets 3/5/7, sentences 1/3/5, headline words 12/17/22 (zh chars/2). */
function compliant(type, length, text) {
  const idx = { short: 0, medium: 1, long: 2 }[length];
  if (type === 'key-points') return text.split('\n').filter((l) => l.trim()).length <= [3, 5, 7][idx];
  if (type === 'headline') {
    const words = han(text) * 2 > text.length ? text.length / 2 : text.split(/\s+/).filter(Boolean).length;
    return words <= [12, 17, 22][idx] && !text.includes('\n');
  }
  const sentences = text.split(/(?<=[。！？])|(?<=[.!?])\s+/).filter((s) => s.trim()).length;
  return sentences <= [1, 3, 5][idx];
}

// ---------------------------------------------------------------------------------------------
// engines
// ---------------------------------------------------------------------------------------------
function runNative(o, articles) {
  return new Promise((resolve) => {
    if (!fs.existsSync(o.nativeBin)) { resolve({ error: `${o.nativeBin} not built` }); return; }
    const args = ['bench-summarize', '--types', [...o.plan.map((p) => `${p.type}:${p.length}`)].join(','),
      '--only', articles.map((a) => a.id).join(',')];
    const child = spawn(o.nativeBin, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => {
      const lines = (err + d).split('\n');
      err = lines.pop();
      lines.filter(Boolean).forEach((l) => log(`native: ${l}`));
    });
    child.on('close', async (code) => {
      if (code !== 0) { resolve({ error: `exit ${code}` }); return; }
      const runs = out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
      // The latency run, separately, after the others (model loaded, prompts cached).
      const lat = await new Promise((res) => {
        const c = spawn(o.nativeBin, ['bench-summarize', '--types', `${LATENCY_RUN.type}:${LATENCY_RUN.length}`, '--only', LATENCY_RUN.id],
          { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
        let s = '';
        c.stdout.on('data', (d) => { s += d; });
        c.on('close', () => res(s.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l))));
      });
      lat.forEach((r) => { r.latencyRun = true; });
      resolve({ runs: [...runs, ...lat] });
    });
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

async function runWasm(o, articles) {
  const port = await freePort();
  const server = spawn('python3', ['-m', 'http.server', String(port), '--bind', '127.0.0.1', '--directory', path.join(ROOT, 'www')],
    { stdio: 'ignore' });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  try {
    const page = await browser.newPage();
    page.on('console', (m) => { if (m.text().startsWith('[bench]')) log(`wasm: ${m.text().slice(8)}`); });
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 100; i++) {
      try { if ((await fetch(`${base}/bench/summarize.html`)).ok) break; } catch { /* not up yet */ }
      await new Promise((r) => setTimeout(r, 100));
    }
    await page.goto(`${base}/bench/summarize.html`);
    await page.waitForFunction(() => window.benchReady === true, null, { timeout: 60_000 });
    page.setDefaultTimeout(0);
    const plain = articles.map(({ id, text }) => ({ id, text }));
    const res = await page.evaluate(async ([a, plan, lat]) => {
      const runs = [];
      // One page run per length group keeps the model loaded once per group.
      const byLength = {};
      plan.forEach((p) => { (byLength[p.length] ||= []).push(p.type); });
      let first = null;
      for (const [length, types] of Object.entries(byLength)) {
        const r = await window.runSummarizeBench(a, types, length, []);
        first ||= r;
        runs.push(...r.runs);
      }
      const l = await window.runSummarizeBench(a.filter((x) => x.id === lat.id), [], 'short', [lat]);
      runs.push(...l.runs);
      return { model: first.model, userAgent: first.userAgent, runs };
    }, [plain, o.plan, LATENCY_RUN]);
    return res;
  } catch (e) {
    return { error: e.message.split('\n')[0] };
  } finally {
    await browser.close();
    server.kill();
  }
}

// ---------------------------------------------------------------------------------------------
// table
// ---------------------------------------------------------------------------------------------
const median = (xs) => { const s = xs.filter(Number.isFinite).sort((a, b) => a - b); return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN; };
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const f = (x, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');

function summarizeRuns(articles, runs, plan) {
  const byId = Object.fromEntries(articles.map((a) => [a.id, a]));
  return plan.map(({ type, length }) => {
    const rs = runs.filter((r) => r.type === type && r.length === length && !r.latencyRun);
    const lang = (l) => rs.filter((r) => byId[r.article].language === l).map((r) => recall(byId[r.article], r.result.text));
    const t = (k) => median(rs.map((r) => r.result.timing[k]));
    return {
      type, length, n: rs.length,
      recallZh: mean(lang('zh')), recallEn: mean(lang('en')),
      found: rs.reduce((s, r) => s + r.result.violations.found, 0),
      remaining: rs.reduce((s, r) => s + r.result.violations.remaining, 0),
      fallbacks: rs.filter((r) => r.result.fallback).length,
      compliance: rs.filter((r) => compliant(type, length, r.result.text)).length / Math.max(1, rs.length),
      extractMs: t('extractMs'), prefillMs: t('prefillMs'), decodeMs: t('decodeMs'),
      wallMs: median(rs.map((r) => r.wallMs)),
    };
  });
}

function printTable(results) {
  const head = ['engine', 'type', 'length', 'n', 'recall zh', 'recall en', 'violations found', 'left', 'fallbacks', 'length ok',
    'extract ms', 'prefill ms', 'decode ms', 'total ms'];
  const rows = [];
  for (const [engine, r] of Object.entries(results)) {
    if (r.error) { rows.push([engine, `n/a: ${r.error}`]); continue; }
    for (const s of r.table) {
      rows.push([engine, s.type, s.length, s.n, f(s.recallZh, 2), f(s.recallEn, 2), s.found, s.remaining, s.fallbacks,
        `${f(100 * s.compliance)}%`, f(s.extractMs, 1), f(s.prefillMs), f(s.decodeMs), f(s.wallMs)]);
    }
  }
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i] ?? '').length)));
  const line = (r) => r.map((c, i) => String(c ?? '').padEnd(widths[i])).join('  ');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  rows.forEach((r) => console.log(line(r)));
  console.log();
  for (const [engine, r] of Object.entries(results)) {
    const l = r.runs?.find((x) => x.latencyRun);
    if (l) {
      const t = l.result.timing;
      console.log(`${engine}: ${LATENCY_RUN.id} (1,505 chars) ${LATENCY_RUN.type} ${LATENCY_RUN.length} end to end ${f(l.wallMs)} ms ` +
        `(extract ${f(t.extractMs)} + prefill ${f(t.prefillMs)} [${l.result.tokens.prompt} prompt tokens, ${l.result.tokens.reused} cached] ` +
        `+ decode ${f(t.decodeMs)} [${l.result.tokens.generated} tokens]): ${l.result.text}`);
    }
  }
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const articles = loadArticles(o.only);
  log(`${articles.length} articles; plan ${o.types}; engines ${o.engines.join(',')}`);
  const results = {};
  if (o.engines.includes('native')) results.native = await runNative(o, articles);
  if (o.engines.includes('wasm')) results.wasm = await runWasm(o, articles);
  for (const r of Object.values(results)) if (r.runs) r.table = summarizeRuns(articles, r.runs, o.plan);
  fs.mkdirSync(path.dirname(o.jsonOut), { recursive: true });
  fs.writeFileSync(o.jsonOut, JSON.stringify(results, null, 1));
  printTable(results);
  console.log(`\n(all runs: ${path.relative(ROOT, o.jsonOut)})`);
}

main().catch((e) => { console.error(e); process.exit(1); });
