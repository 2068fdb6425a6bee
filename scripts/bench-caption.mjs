#!/usr/bin/env node
// `./qy bench caption`: photo captions and OCR, quality and speed, of
//   (a) our engine, native          target/release/qingyu caption IMG... --lang en --json
//   (b) our engine, wasm in headless Chromium        www/bench/caption.html?engine=qingyu
//   (c) onnxruntime-web (wasm, 1 thread, SIMD), same Chromium, same ONNX graphs   ?engine=ort
// on the eval photos (eval/photos/manifest.json, fetched into eval/photos/.cache) and the
// synthetic signs (eval/signs/signs.json, rendered into eval/signs/.cache). Prints per photo the
// captions (en, zh), concept hit and per-stage ms of each engine, then totals: concept hit rate,
// OCR character error rate on the signs, median whole-caption time, ratio (b)/(c); then caption
// quality per split of the photos (tune: may be tuned on; check: held out) and overall: concept hit
// rate en and zh, "A photo." rate, false-mention rate (see scoreSplits); then (with the
// native engine) the `detail: 'full'` descriptions of the photos, written natively by the LLM from
// the tags: kept vs dropped sentences and why, fallbacks, time. A missing
// engine prints "n/a" and why; it never fails the whole bench. All numbers: target/bench/caption.json.
//
// Options: --engines a,b,c (or native,wasm,ort)  --runs 3  --warmup 1  --only coffee.png,exit.png
//          --no-full (skip the LLM descriptions)  --gguf PATH (the LLM for them)
//          --native-bin PATH (a prebuilt `qingyu` binary instead of `cargo run --release`)
//          --page-timeout-min 30  --json-out PATH  --split tune|check (only that half of the photos)
//          --simd auto|simd128 (the wasm engine's module: auto = what the library runs photos on,
//          relaxed SIMD where the browser has it; simd128 = the SIMD128 module)
//          --chunk 20 (the browser engines take turns every 20 images, each chunk in a fresh page,
//          so that a slow spell of a shared machine falls on both; 0 = each engine runs the whole
//          list in one page, one after the other)
// Env: ORT_WEB_DIR=path/to/onnxruntime-web (default node_modules/onnxruntime-web), CHROMIUM_PATH.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { loadGroups, tagRight } from '../eval/photos/match.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const WWW = path.join(ROOT, 'www');
const PHOTOS = path.join(ROOT, 'eval/photos');
const LABELS = path.join(ROOT, 'crate/src/vision/labels');
const SIGNS = path.join(ROOT, 'eval/signs');
const ORT_PKG = process.env.ORT_WEB_DIR || path.join(ROOT, 'node_modules/onnxruntime-web');
// The wasm-only ES module and its single-/multi-thread SIMD runtime (numThreads = 1 uses no workers).
const ORT_FILES = ['ort.wasm.min.mjs', 'ort-wasm-simd-threaded.mjs', 'ort-wasm-simd-threaded.wasm'];
const VENDOR_ORT = path.join(WWW, 'vendor/onnxruntime-web');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-quic'];
const SPLITS = ['tune', 'check'];
const GROUPS = loadGroups(LABELS);
const STAGES = [['decodeMs', 'dec'], ['classifyMs', 'cls'], ['detectMs', 'det'], ['ocrMs', 'ocr'], ['totalMs', 'total']];

function parseArgs(argv) {
  const o = { engines: ['a', 'b', 'c'], runs: 3, warmup: 1, only: null, nativeBin: null, pageTimeoutMin: 30, full: true, gguf: null, simd: 'auto', chunk: 20,
    jsonOut: path.join(ROOT, 'target/bench/caption.json') };
  const alias = { native: 'a', wasm: 'b', qingyu: 'b', ort: 'c', 'ort-web': 'c' };
  for (let i = 0; i < argv.length; i++) {
    const [k, inline] = argv[i].split('=', 2);
    const v = () => (inline !== undefined ? inline : argv[++i]);
    switch (k) {
      case '--engines': o.engines = v().split(',').map((e) => alias[e] || e); break;
      case '--runs': o.runs = Number(v()); break;
      case '--warmup': o.warmup = Number(v()); break;
      case '--only': o.only = new Set(v().split(',')); break;
      case '--native-bin': o.nativeBin = path.resolve(v()); break;
      case '--page-timeout-min': o.pageTimeoutMin = Number(v()); break;
      case '--json-out': o.jsonOut = path.resolve(v()); break;
      case '--split': o.split = v(); break;
      case '--no-full': o.full = false; break;
      case '--gguf': o.gguf = path.resolve(v()); break;
      case '--chunk': o.chunk = Number(v()); break;
      case '--simd': o.simd = v(); if (!['auto', 'simd128'].includes(o.simd)) throw new Error('--simd: auto or simd128'); break;
      case '-h': case '--help':
        console.log(fs.readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1)
          .filter((l, i, a) => a.slice(0, i + 1).every((x) => x.startsWith('//')))
          .map((l) => l.replace(/^\/\/ ?/, '')).join('\n'));
        process.exit(0);
      // falls through
      default: throw new Error(`unknown option ${argv[i]} (see --help)`);
    }
  }
  for (const e of o.engines) if (!['a', 'b', 'c'].includes(e)) throw new Error(`--engines: unknown ${e}`);
  if (!(o.runs >= 1) || !(o.warmup >= 0)) throw new Error('--runs >= 1, --warmup >= 0');
  if (o.split && !SPLITS.includes(o.split)) throw new Error(`--split: ${SPLITS.join(' or ')}`);
  if (!(Number.isInteger(o.chunk) && o.chunk >= 0)) throw new Error('--chunk: a whole number >= 0');
  return o;
}

const t0Run = Date.now();
const progress = (msg) => console.log(`[bench ${((Date.now() - t0Run) / 1000).toFixed(0).padStart(4)}s] ${msg}`);

// ---------------------------------------------------------------------------------------------
// the eval set
// ---------------------------------------------------------------------------------------------
function evalList(o) {
  const man = JSON.parse(fs.readFileSync(path.join(PHOTOS, 'manifest.json'), 'utf8'));
  const signs = JSON.parse(fs.readFileSync(path.join(SIGNS, 'signs.json'), 'utf8'));
  const photos = man.photos.map((p) => ({ file: p.file, url: `/eval/photos/${p.file}`, path: path.join(PHOTOS, '.cache', p.file),
    accept: p.accept, accept_zh: p.accept_zh || [], present: p.present || [], split: p.split || 'tune', category: p.category || '' }));
  const sgn = signs.signs.map((s) => ({ file: `${s.id}.png`, url: `/eval/signs/${s.id}.png`,
    path: path.join(SIGNS, '.cache', `${s.id}.png`), lines: s.lines }));
  const missing = [...photos, ...sgn].filter((x) => !fs.existsSync(x.path));
  if (missing.length) {
    throw new Error(`${missing.length} eval images missing (first: ${path.relative(ROOT, missing[0].path)}); run `
      + '.venv/bin/python eval/photos/fetch.py && .venv/bin/python eval/signs/render.py');
  }
  const keep = (x) => !o.only || o.only.has(x.file);
  return { photos: photos.filter((x) => keep(x) && (!o.split || x.split === o.split)), signs: sgn.filter(keep) };
}

// ---------------------------------------------------------------------------------------------
// (a) native: one process, every image (1 + warmup + runs) times in en, then once in zh
// ---------------------------------------------------------------------------------------------
function runTool(cmd, args, timeoutMs = 60 * 60_000) {
  return new Promise((resolve) => {
    let child;
    try {
      child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      resolve({ error: `${cmd}: ${e.message}` });
      return;
    }
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => { clearTimeout(timer); resolve({ error: `${cmd}: ${e.message}` }); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const lines = out.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('{'));
      const json = [];
      for (const l of lines) {
        try { json.push(JSON.parse(l)); } catch { /* not ours */ }
      }
      if (code === 0 && json.length) resolve({ json });
      else {
        const last = err.trim().split('\n').pop() || '';
        resolve({ error: `exit ${signal || code}${last ? `: ${last.slice(0, 200)}` : ''}${json.length ? '' : ' (no JSON on stdout)'}` });
      }
    });
  });
}

async function benchNative(o, images) {
  // cargo run (like bench-llm) so a stale target/release/qingyu is never measured; --native-bin skips the build.
  const bin = o.nativeBin;
  const [cmd, pre] = bin ? [bin, []]
    : ['cargo', ['run', '--quiet', '--release', '-p', 'qingyu', '--bin', 'qingyu', '--']];
  progress(`(a) qingyu native: ${bin ? path.relative(ROOT, bin) : 'cargo run --release'} caption (${images.length} images × ${o.warmup + o.runs})`);
  const reps = o.warmup + o.runs;
  const files = images.flatMap((x) => Array(reps).fill(x.path));
  const en = await runTool(cmd, [...pre, 'caption', ...files, '--lang', 'en', '--json']);
  if (en.error) return { engine: 'qingyu-native', error: en.error };
  if (en.json.length !== files.length) {
    return { engine: 'qingyu-native', error: `printed ${en.json.length} JSON objects for ${files.length} images` };
  }
  const zh = await runTool(cmd, [...pre, 'caption', ...images.map((x) => x.path), '--lang', 'zh', '--json']);
  const items = images.map((x, i) => {
    const runs = en.json.slice(i * reps + o.warmup, (i + 1) * reps);
    const r = runs[runs.length - 1];
    return { file: x.file, text: r.text, text_zh: zh.json?.[i]?.text ?? null, alt: r.alt, labels: r.labels,
      objects: r.objects, ocr: r.ocr, tags: r.tags, tags_zh: zh.json?.[i]?.tags,
      timing: medianTiming(runs.map((j) => j.timing || {})) };
  });
  return { engine: 'qingyu-native', items, zh_error: zh.error };
}

// detail 'full': the photos described natively by the LLM, once per language (greedy, so one run).
async function benchFull(o, photos) {
  const bin = o.nativeBin;
  const [cmd, pre] = bin ? [bin, []]
    : ['cargo', ['run', '--quiet', '--release', '-p', 'qingyu', '--bin', 'qingyu', '--']];
  progress(`(a) qingyu native: caption --detail full (${photos.length} photos × en, zh)`);
  const out = { engine: 'qingyu-native-full' };
  for (const lang of ['en', 'zh']) {
    const r = await runTool(cmd, [...pre, 'caption', ...photos.map((x) => x.path), '--lang', lang, '--detail', 'full', '--json',
      ...(o.gguf ? ['--gguf', o.gguf] : [])]);
    if (r.error) return { ...out, error: r.error };
    out[lang] = r.json.map((j, i) => ({ file: photos[i].file, brief: j.brief, text: j.text, description: j.description }));
  }
  return out;
}

function printFull(full) {
  console.log('');
  if (!full) return;
  if (full.error) { console.log(`detail 'full': n/a — ${full.error}`); return; }
  console.log(`detail 'full' — the LLM describes each photo from its tags (native, greedy); a dropped sentence named something the models did not find`);
  const rows = full.en.map((e, i) => {
    const z = full.zh[i];
    const mark = (x) => `${x.description.fallback ? '(brief) ' : ''}${x.text}`;
    return [e.file, clip(mark(e), 70), clip(mark(z), 36), `${e.description.dropped.length}/${z.description.dropped.length}`];
  });
  table(['photo', 'description (en)', 'description (zh)', 'dropped en/zh'], rows, 3);
  console.log('');
  const totals = ['en', 'zh'].map((lang) => {
    const ds = full[lang].map((x) => x.description);
    const kept = ds.reduce((a, d) => a + d.sentences.length, 0);
    const dropped = ds.reduce((a, d) => a + d.dropped.length, 0);
    const reasons = {};
    for (const d of ds) for (const x of d.dropped) for (const r of x.reasons) { const k = r.split(':')[0]; reasons[k] = (reasons[k] ?? 0) + 1; }
    const ms = median(ds.map((d) => d.timing.prefillMs + d.timing.decodeMs));
    return [lang, `${ds.filter((d) => !d.fallback).length}/${ds.length}`, fmt(kept / ds.length, 1), String(dropped),
      Object.entries(reasons).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ') || '-',
      fmt(median(ds.map((d) => d.tokens.prompt))), fmt(ms)];
  });
  table(['lang', 'LLM-written', 'sentences kept / photo', 'dropped', 'why dropped', 'median prompt tokens', 'median LLM ms'], totals);
}

function median(a) {
  const s = a.filter((x) => Number.isFinite(x)).sort((x, y) => x - y);
  const n = s.length;
  return n === 0 ? null : n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}
function medianTiming(list) {
  const keys = [...new Set(list.flatMap((t) => Object.keys(t)))];
  return Object.fromEntries(keys.map((k) => [k, median(list.map((t) => t[k]))]));
}

// ---------------------------------------------------------------------------------------------
// (b), (c): headless Chromium against a small static server
// ---------------------------------------------------------------------------------------------
const MIME = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.wasm': 'application/wasm', '.json': 'application/json', '.png': 'image/png', '.jpg': 'image/jpeg',
  '.txt': 'text/plain; charset=utf-8', '.onnx': 'application/octet-stream', '.css': 'text/css' };

/** www/ as is, plus /eval/list.json and the eval images straight from their git-ignored caches. */
function startServer(list) {
  const listJson = JSON.stringify({
    photos: list.photos.map(({ file, url, accept, accept_zh: acceptZh }) => ({ file, url, accept, accept_zh: acceptZh })),
    signs: list.signs.map(({ file, url, lines }) => ({ file, url, lines })),
  });
  const server = http.createServer((req, res) => {
    const url = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    if (url === '/eval/list.json') {
      res.writeHead(200, { 'content-type': MIME['.json'] });
      res.end(listJson);
      return;
    }
    let file;
    if (url.startsWith('/eval/photos/')) file = path.join(PHOTOS, '.cache', path.basename(url));
    else if (url.startsWith('/eval/signs/')) file = path.join(SIGNS, '.cache', path.basename(url));
    else file = path.join(WWW, path.normalize(url).replace(/^(\.\.[/\\])+/, ''));
    if (file.endsWith('/')) file = path.join(file, 'index.html');
    fs.stat(file, (err, st) => {
      if (err || !st.isFile()) {
        res.writeHead(404);
        res.end('not found');
        return;
      }
      res.writeHead(200, { 'content-type': MIME[path.extname(file)] || 'application/octet-stream', 'content-length': st.size });
      fs.createReadStream(file).pipe(res);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, base: `http://127.0.0.1:${server.address().port}` })));
}

/** onnxruntime-web's wasm build, copied from the npm package (not committed), like bench-llm's wllama. */
function prepareOrt() {
  try {
    const version = JSON.parse(fs.readFileSync(path.join(ORT_PKG, 'package.json'), 'utf8')).version;
    fs.mkdirSync(VENDOR_ORT, { recursive: true });
    for (const f of ORT_FILES) {
      const src = path.join(ORT_PKG, 'dist', f);
      const dst = path.join(VENDOR_ORT, f);
      if (!fs.existsSync(dst) || fs.statSync(dst).size !== fs.statSync(src).size) fs.copyFileSync(src, dst);
    }
    return version;
  } catch (e) {
    progress(`onnxruntime-web not available: ${e.message} (npm install)`);
    return null;
  }
}

async function benchBrowser(o, list, which) {
  const out = { ortVersion: prepareOrt() };
  const { server, base } = await startServer(list);
  let browser;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    out.chromium = browser.version();
    progress(`Chromium ${out.chromium} (headless), site ${base}/`);
    // The engines take turns chunk by chunk (see --chunk); a chunk's results join the engine's.
    const files = [...list.photos, ...list.signs].map((x) => x.file);
    const chunks = o.chunk > 0 ? Array.from({ length: Math.ceil(files.length / o.chunk) }, (_, i) => files.slice(i * o.chunk, (i + 1) * o.chunk)) : [null];
    for (const chunk of chunks) for (const key of which) {
      const engine = key === 'b' ? 'qingyu' : 'ort';
      if (out[key]?.error) continue;
      if (engine === 'ort' && !out.ortVersion) {
        out[key] = { engine: 'ort-web', error: 'onnxruntime-web not in node_modules (npm install)' };
        continue;
      }
      // One fresh context + page per engine: the engines never share a renderer or a warm cache.
      const context = await browser.newContext();
      const page = await context.newPage();
      page.on('console', (m) => {
        const t = m.text();
        if (t.startsWith('[bench] ')) progress(`(${key}) ${t.slice(8)}`);
        else if (m.type() === 'error') progress(`(${key}) console.error: ${t.slice(0, 300)}`);
      });
      page.on('pageerror', (e) => progress(`(${key}) page error: ${e.message}`));
      const qs = new URLSearchParams({ engine, runs: String(o.runs), warmup: String(o.warmup), simd: o.simd, ...(chunk ? { only: chunk.join(',') } : {}) });
      try {
        await page.goto(`${base}/bench/caption.html?${qs}`);
        const handle = await page.waitForFunction(() => window.__benchResult, null,
          { timeout: o.pageTimeoutMin * 60_000, polling: 500 });
        const r = await handle.jsonValue();
        const result = r.error ? { engine, error: r.error } : r.result;
        if (!out[key] || result.error) out[key] = result;
        else for (const k of ['items', 'parity']) if (result[k]) out[key][k] = [...(out[key][k] ?? []), ...result[k]];
      } catch (e) {
        out[key] = { engine, error: e.message.split('\n')[0] };
      }
      await context.close();
    }
  } catch (e) {
    for (const key of which) out[key] ??= { error: `browser: ${e.message.split('\n')[0]}` };
  } finally {
    await browser?.close().catch(() => {});
    server.close();
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// scoring
// ---------------------------------------------------------------------------------------------
const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Any accepted concept as a whole word (plural s/es allowed) in the caption, labels or objects. */
function conceptHit(item, accept, engine) {
  if (!item) return null;
  // ORT-web has no caption composer: its "caption" is its top-1 label + objects (+ OCR), see caption.js.
  const words = engine === 'c'
    ? [item.labels?.[0]?.name, ...(item.objects || []).map((x) => x.name)]
    : [item.text, ...(item.labels || []).map((x) => x.name), ...(item.objects || []).map((x) => x.name)];
  const hay = words.filter(Boolean).join(' | ').toLowerCase();
  const hit = accept.find((a) => new RegExp(`(^|[^a-z])${escapeRe(a.toLowerCase())}(s|es)?($|[^a-z])`).test(hay));
  return hit ?? false;
}

/** Chinese name → its English names, from the crate's label tables (concepts, ImageNet, COCO). */
let zhNames = null;
function zhNameTable() {
  if (zhNames) return zhNames;
  zhNames = new Map();
  const add = (zh, ...en) => { if (zh) zhNames.set(zh, [...(zhNames.get(zh) || []), ...en.filter(Boolean)]); };
  const rows = (f) => fs.readFileSync(path.join(LABELS, f), 'utf8').split('\n').slice(1).filter(Boolean).map((l) => l.split('\t'));
  try {
    for (const [key, en, enPlural, zh] of rows('concepts.tsv')) add(zh, en, enPlural, key.replace(/_/g, ' '));
    for (const f of ['imagenet.tsv', 'coco.tsv']) for (const [, en, zh] of rows(f)) add(zh, en);
  } catch (e) {
    progress(`label tables not read (${e.message}): zh hits are plain substring matches`);
  }
  return zhNames;
}

/** An accepted Chinese string in the zh caption or the Chinese names of its labels and objects, as
 * the English hit counts the caption, labels and objects (`textOnly`: the zh caption alone, as
 * "hit en text"). Chinese has no word boundaries, so a substring, unless that occurrence lies inside
 * a longer known name of another concept: 花 in 花瓶 (vase) or 山 in 火山 (volcano) is no hit, 猫 in
 * 埃及猫 (Egyptian cat, English name matching `accept`) is. Null without a zh caption or without
 * accept_zh. */
function conceptHitZh(item, acceptZh, accept = [], textOnly = false) {
  if (!item || item.text_zh == null || !acceptZh?.length) return null;
  const text = textOnly ? item.text_zh
    : [item.text_zh, ...(item.labels || []).map((x) => x.zh), ...(item.objects || []).map((x) => x.zh)].filter(Boolean).join(' | ');
  const enOk = (names) => names.some((n) => accept.some((w) => wordRe(w.toLowerCase()).test(n.toLowerCase())));
  const longer = [...zhNameTable()].filter(([zh]) => text.includes(zh));
  const covered = (a, i) => longer.some(([zh, en]) => zh.length > a.length && zh.includes(a) && !acceptZh.includes(zh) && !enOk(en)
    && [...text.matchAll(new RegExp(escapeRe(zh), 'g'))].some((m) => m.index <= i && i + a.length <= m.index + zh.length));
  for (const a of acceptZh) {
    for (let i = text.indexOf(a); i >= 0; i = text.indexOf(a, i + 1)) if (!covered(a, i)) return a;
  }
  return false;
}

const EMPTY_EN = 'A photo.';
const EMPTY_ZH = '一张照片。';
/** The caption names no concept: the bare fallback sentence, or an empty tag list (where the engine
 * reports tags). Null when there is no caption in that language. */
function namesNothing(item, lang) {
  const text = lang === 'en' ? item?.text : item?.text_zh;
  if (text == null) return null;
  const tags = lang === 'en' ? item.tags : item.tags_zh;
  return text.trim() === (lang === 'en' ? EMPTY_EN : EMPTY_ZH) || (Array.isArray(tags) && tags.length === 0);
}

const wordRe = (w) => new RegExp(`(^|[^a-z])${escapeRe(w)}(s|es)?($|[^a-z])`);
/** A tag is a false mention when it is not right for the photo by eval/photos/match.mjs (its English
 * names — wording, concept key, related concepts — against accept ∪ present; a group it backed off
 * to by the photo's category or an annotated member). Returns the false tags' names; null when the
 * engine reports no tags. */
function falseMentions(item, p) {
  return falseTags(item, p)?.map((t) => t.name || t.concept) ?? null;
}

function falseTags(item, p) {
  if (!item || !Array.isArray(item.tags)) return null;
  return item.tags.filter((t) => !tagRight([t.name, t.concept, ...(t.related || [])], t.concept, p, GROUPS));
}

/** Whether a false tag is stated without "possibly" (sure, or "probably"); null when the engine
 * reports no wording levels. The hedged rest is what a "possibly" claims may miss. */
function falseStated(item, p) {
  const tags = falseTags(item, p);
  if (tags == null || !item.tags.every((t) => t.level)) return null;
  return tags.some((t) => t.level === 'sure' || t.level === 'likely');
}

/** Calibration of the wording: the caption's lead claim (its first tag's `level`: sure, likely =
 * "probably", possible = "possibly") and whether it holds — every tag named at that level is right
 * (matches accept ∪ present as for false mentions), or for "possibly A or B" one of them is. Null
 * when the engine reports no levels. */
function leadClaim(item, p) {
  const named = (item?.tags || []).filter((t) => t.level);
  if (!named.length) return null;
  const lead = named[0].level;
  const group = named.filter((t) => t.level === lead);
  const wrong = new Set(falseMentions({ tags: group }, p));
  const ok = group.map((t) => !wrong.has(t.name || t.concept));
  return { level: lead, right: lead === 'possible' ? ok.some(Boolean) : ok.every(Boolean),
    claimed: Math.min(...group.map((t) => t.confidence ?? 0)) };
}

/** Caption quality of one engine over a set of photos (counts: n of `of`). */
function scorePhotos(photos, itemOf, key) {
  const rate = (xs) => { const v = xs.filter((x) => x != null); return { n: v.filter(Boolean).length, of: v.length }; };
  const items = photos.map((p) => [p, itemOf(key, p.file)]).filter(([, it]) => it);
  const fm = items.map(([p, it]) => falseMentions(it, p));
  const tagsTotal = items.reduce((a, [, it]) => a + (Array.isArray(it.tags) ? it.tags.length : 0), 0);
  return {
    photos: photos.length,
    hit_en: rate(items.map(([p, it]) => Boolean(conceptHit(it, p.accept, key)))),
    hit_en_text: rate(items.map(([p, it]) => (it.text == null ? null : Boolean(conceptHit({ text: it.text }, p.accept, 'a'))))),
    hit_zh: rate(items.map(([p, it]) => { const h = conceptHitZh(it, p.accept_zh, p.accept); return h == null ? null : Boolean(h); })),
    hit_zh_text: rate(items.map(([p, it]) => { const h = conceptHitZh(it, p.accept_zh, p.accept, true); return h == null ? null : Boolean(h); })),
    // ORT-web has no caption composer (its "caption" is top-1 label + objects): no "A photo." there
    empty_en: rate(items.map(([, it]) => (key === 'c' ? null : namesNothing(it, 'en')))),
    empty_zh: rate(items.map(([, it]) => (key === 'c' ? null : namesNothing(it, 'zh')))),
    false_mention: rate(fm.map((f) => (f == null ? null : f.length > 0))),
    false_stated: rate(items.map(([p, it]) => falseStated(it, p))),
    false_tags: { n: fm.reduce((a, f) => a + (f ? f.length : 0), 0), of: tagsTotal },
    wording: Object.fromEntries(['sure', 'likely', 'possible'].map((lv) => {
      const cs = items.map(([p, it]) => leadClaim(it, p)).filter((c) => c?.level === lv);
      return [lv, { n: cs.filter((c) => c.right).length, of: cs.length,
        claimed: cs.length ? cs.reduce((a, c) => a + c.claimed, 0) / cs.length : null }];
    })),
  };
}

/** Per split (tune, check) and overall, for every engine that ran. */
function scoreSplits(list, res, itemOf) {
  const out = {};
  for (const key of ['a', 'b', 'c']) {
    if (!res[key] || res[key].error || !res[key].items) continue;
    out[key] = {};
    for (const sp of [...SPLITS, 'all']) {
      const photos = sp === 'all' ? list.photos : list.photos.filter((p) => p.split === sp);
      if (photos.length) out[key][sp] = scorePhotos(photos, itemOf, key);
    }
  }
  return out;
}

function editDistance(a, b) {
  const x = [...a]; const y = [...b];
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const cur = [i];
    for (let j = 1; j <= y.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[y.length];
}
// PP-OCR drops most spaces, so whitespace does not count; NFKC folds full-width forms.
const norm = (s) => s.normalize('NFKC').replace(/\s+/g, '');

function signScore(item, lines) {
  if (!item) return null;
  const ref = norm(lines.join(''));
  const hyp = norm((item.ocr || []).map((l) => l.text).join(''));
  return { ref, hyp, dist: editDistance(ref, hyp), len: [...ref].length };
}

// ---------------------------------------------------------------------------------------------
// the table
// ---------------------------------------------------------------------------------------------
const fmt = (x, d = 0) => (x == null || !Number.isFinite(Number(x)) ? 'n/a' : Number(x).toFixed(d));
const clip = (s, n) => (s == null ? 'n/a' : (s.length > n ? `${s.slice(0, n - 1)}…` : s));

function table(head, rows, leftCols = 1) {
  const all = [head, ...rows].map((r) => r.map(String));
  const w = head.map((_, i) => Math.max(...all.map((r) => [...r[i]].length + (r[i].match(/[\u3000-\u9fff\uff00-\uffef]/g) || []).length)));
  const pad = (c, i) => {
    const extra = (c.match(/[\u3000-\u9fff\uff00-\uffef]/g) || []).length; // CJK glyphs take two columns
    const n = w[i] - extra;
    return i < leftCols ? c.padEnd(n) : c.padStart(n);
  };
  console.log(all[0].map(pad).join('  '));
  console.log(w.map((n) => '-'.repeat(n)).join('  '));
  for (const r of all.slice(1)) console.log(r.map(pad).join('  '));
}

const pct = (r) => (r && r.of ? `${fmt(100 * r.n / r.of)}% (${r.n}/${r.of})` : 'n/a');

function printSplits(list, res, itemOf) {
  const q = scoreSplits(list, res, itemOf);
  const counts = SPLITS.map((sp) => `${sp} ${list.photos.filter((p) => p.split === sp).length}`).join(', ');
  console.log('');
  console.log(`Caption quality per split (${counts}; tune: may be tuned on, check: held out, never tune on it)`);
  console.log('hit en = an accept word (whole word, plural s/es) in caption/labels/objects (en text: in the caption alone); hit zh = '
    + 'an accept_zh string in the zh caption/labels/objects (zh text: in the zh caption alone), not inside a longer name of another '
    + 'concept (花 in 花瓶); "A photo." = the caption names '
    + 'no concept ("A photo." / "一张照片。" or no tags); false mention = photos with a tag none of whose English names matches '
    + 'accept ∪ present (a group such as "animal" or "building": the photo\'s category, or an annotated member; eval/photos/match.mjs); '
    + 'false stated = photos with such a tag stated plainly or with "probably" (the rest of the false mentions are "possibly" guesses); '
    + 'false tags = such tags / all tags');
  const E = [['a', 'native'], ['b', 'wasm'], ['c', 'ort']];
  const rows = [];
  for (const [k, n] of E) {
    if (!q[k]) continue;
    for (const [sp, r] of Object.entries(q[k])) {
      rows.push([n, sp, String(r.photos), pct(r.hit_en), pct(r.hit_en_text), pct(r.hit_zh), pct(r.hit_zh_text), pct(r.empty_en), pct(r.empty_zh),
        pct(r.false_mention), pct(r.false_stated), r.false_tags.of ? `${r.false_tags.n}/${r.false_tags.of}` : 'n/a']);
    }
  }
  if (rows.length) {
    table(['engine', 'split', 'photos', 'hit en', 'hit en text', 'hit zh', 'hit zh text', '"A photo." en', '"A photo." zh', 'false mention',
      'false stated', 'false tags'], rows, 2);
  } else console.log('n/a: no engine produced captions');
  const wrows = [];
  for (const [k, n] of E) {
    if (!q[k]) continue;
    for (const [sp, r] of Object.entries(q[k])) {
      if (!Object.values(r.wording).some((w) => w.of)) continue;
      wrows.push([n, sp, ...['sure', 'likely', 'possible'].map((lv) => {
        const w = r.wording[lv];
        return w.of ? `${pct(w)}, claims ${fmt(100 * w.claimed)}%` : 'n/a';
      })]);
    }
  }
  if (wrows.length) {
    console.log('wording calibration: the lead claim holds (sure / "probably": every tag named at that level is right; '
      + '"possibly A or B": one is) vs the mean calibrated confidence it claims (tags.rs, fitted on tune)');
    table(['engine', 'split', 'sure', 'probably', 'possibly'], wrows, 2);
  }
  const ka = q.a ? 'a' : q.b ? 'b' : null;
  if (ka) {
    const wrong = list.photos.map((p) => [p, falseMentions(itemOf(ka, p.file), p)]).filter(([, f]) => f?.length);
    if (wrong.length) {
      console.log(`false mentions (${ka === 'a' ? 'native' : 'wasm'}): `
        + wrong.map(([p, f]) => `${p.file} [${p.split}]: ${f.join(', ')}`).join('; '));
    }
  }
  return q;
}

function printReport(o, list, res, meta) {
  const E = [['a', 'native'], ['b', 'wasm'], ['c', 'ort']];
  const itemOf = (key, file) => (res[key]?.error ? null : res[key]?.items?.find((x) => x.file === file));
  const best = (file) => itemOf('b', file) || itemOf('a', file);

  console.log('');
  console.log(`Captions — ${list.photos.length} photos (eval/photos), ours = wasm (native where wasm is n/a); `
    + 'hit = an accepted concept in caption/labels/objects (ORT-web: top-1 label + objects)');
  table(['photo', 'split', 'hit a/b/c', 'zh a/b', 'caption (en)', 'caption (zh)', 'ORT-web top-1; objects'],
    list.photos.map((p) => {
      const h = E.map(([k]) => { const r = conceptHit(itemOf(k, p.file), p.accept, k); return r == null ? '-' : r ? 'Y' : '.'; }).join('/');
      const z = E.slice(0, 2).map(([k]) => { const r = conceptHitZh(itemOf(k, p.file), p.accept_zh, p.accept); return r == null ? '-' : r ? 'Y' : '.'; }).join('/');
      const b = best(p.file);
      return [p.file, p.split, h, z, clip(b?.text, 48), clip(b?.text_zh, 24), clip(itemOf('c', p.file)?.text, 44)];
    }), 7);

  console.log('');
  console.log(`Latency, ms (median of ${o.runs} runs after ${o.warmup} warm-up; stage = its pre/post-processing + inference)`);
  const head = ['image', ...E.flatMap(([, n]) => STAGES.slice(1).map(([, s]) => `${n}:${s}`))];
  const all = [...list.photos, ...list.signs];
  table(head, all.map((x) => [x.file, ...E.flatMap(([k]) => STAGES.slice(1).map(([s]) => fmt(itemOf(k, x.file)?.timing?.[s])))]));

  console.log('');
  console.log(`OCR — ${list.signs.length} synthetic signs (eval/signs); CER = edit distance / reference length, whitespace ignored`);
  const sc = Object.fromEntries(E.map(([k]) => [k, list.signs.map((s) => signScore(itemOf(k, s.file), s.lines))]));
  table(['sign', 'reference', ...E.map(([, n]) => `${n} read`)],
    list.signs.map((s, i) => [s.file, s.lines.join(' / '), ...E.map(([k]) => (sc[k][i] ? `${clip(sc[k][i].hyp, 22)} (${sc[k][i].dist})` : 'n/a'))]), 3);

  console.log('');
  const totals = E.map(([k, n]) => {
    const r = res[k];
    if (!r || r.error || !r.items) return [n, 'n/a', 'n/a', 'n/a', 'n/a', 'n/a'];
    const hits = list.photos.map((p) => conceptHit(itemOf(k, p.file), p.accept, k)).filter((h) => h != null);
    const s = sc[k].filter(Boolean);
    const dist = s.reduce((a, x) => a + x.dist, 0); const len = s.reduce((a, x) => a + x.len, 0);
    const tot = (arr) => median(arr.map((x) => itemOf(k, x.file)?.timing?.totalMs));
    return [n, `${hits.filter(Boolean).length}/${hits.length} = ${fmt(100 * hits.filter(Boolean).length / hits.length)}%`,
      len ? `${fmt(100 * dist / len, 1)}% (${dist}/${len})` : 'n/a', fmt(tot(list.photos)), fmt(tot(list.signs)), fmt(tot([...list.photos, ...list.signs]))];
  });
  table(['engine', 'concept hit rate', 'OCR CER (signs)', 'median total ms (photos)', '(signs)', '(all)'], totals);
  const tb = totals[1][5]; const tc = totals[2][5];
  console.log(`ratio median total, ours-wasm ÷ ORT-web: ${tb !== 'n/a' && tc !== 'n/a' ? `${(Number(tb) / Number(tc)).toFixed(2)}× (<1: ours faster)` : 'n/a'}`);
  for (const [k, n] of E) {
    const r = res[k];
    if (!r) console.log(`n/a ${n}: not run (--engines)`);
    else if (r.error) console.log(`n/a ${n}: ${r.error}`);
  }
  printSplits(list, res, itemOf);
  if (res.b && !res.b.error) console.log(`(b) ours, wasm: ${res.b.module} (${res.b.simd === 'relaxed' ? 'relaxed SIMD' : 'SIMD128'}; --simd ${o.simd})`);
  const c = res.c;
  if (c && !c.error) {
    const par = c.parity || [];
    console.log(`(c) onnxruntime-web ${c.version}: ${JSON.stringify(c.settings)}; 5 sessions created in ${fmt(c.load_ms)} ms; `
      + `JS preprocessing vs the converters' sha256: ${par.filter((p) => p.ok).length}/${par.length} identical`
      + (par.some((p) => !p.ok) ? ` (differ: ${par.filter((p) => !p.ok).map((p) => `${p.file} ${p.what}`).join(', ')})` : ''));
    const run = median(c.items.map((x) => x.timing?.sessionRunMs));
    console.log(`(c) median of the per-image session.run() time alone (5 graphs, no JS pre/post-processing): ${fmt(run)} ms; `
      + 'OCR uses the simplified DB post-processing of models/convert/ppocr.py (axis-aligned boxes), one rec run per line.');
  }
  printFull(res.full);
  console.log(`machine: ${meta.cores} cores, load average ${meta.load.map((l) => l.toFixed(2)).join(' ')} at the end; `
    + `Chromium ${meta.chromium ?? 'n/a'}; all numbers in ${path.relative(ROOT, o.jsonOut)}`);
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const list = evalList(o);
  const images = [...list.photos, ...list.signs];
  progress(`${list.photos.length} photos + ${list.signs.length} signs, engines ${o.engines.join(',')}, ${o.warmup} warm-up + ${o.runs} runs`);
  const res = {};
  if (o.engines.includes('a')) res.a = await benchNative(o, images);
  if (o.engines.includes('a') && o.full) res.full = await benchFull(o, list.photos);
  const web = ['b', 'c'].filter((k) => o.engines.includes(k));
  const meta = { cores: os.cpus().length };
  if (web.length) {
    const br = await benchBrowser(o, list, web);
    for (const k of web) res[k] = br[k];
    meta.chromium = br.chromium;
    meta.ortVersion = br.ortVersion;
  }
  meta.load = os.loadavg();
  fs.mkdirSync(path.dirname(o.jsonOut), { recursive: true });
  const itemOfRes = (key, file) => (res[key]?.error ? null : res[key]?.items?.find((x) => x.file === file));
  const quality = scoreSplits(list, res, itemOfRes);
  fs.writeFileSync(o.jsonOut, `${JSON.stringify({ date: new Date().toISOString(),
    options: { ...o, only: o.only && [...o.only] }, meta, quality, results: res }, null, 2)}\n`);
  printReport(o, list, res, meta);
}

main().catch((e) => {
  console.error(`[bench] ${e.stack || e}`);
  process.exit(1);
});
