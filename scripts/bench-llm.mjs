#!/usr/bin/env node
// `./qy bench llm`: LLM speed of
//   (a) our engine, native           cargo run --release --bin qingyu -- bench-llm --json
//   (b) our engine, wasm in headless Chromium        www/bench/llm.html?engine=qingyu
//   (r) the same with relaxed SIMD (the relaxed-SIMD text modules)  …&simd=relaxed
//   (c) @wllama/wllama (llama.cpp → wasm), same Chromium   ?engine=wllama
//   (d) llama.cpp native via llama-cpp-python   models/reference/llamacpp_bench.py
//       (scripts/setup-llamacpp.sh installs llama-cpp-python into .tools/llama-cpp on first use)
// each on 1 thread and on N threads (rows a2, b2…: (b) is then the threaded text module in a
// worker, (c) wllama's pthreads, both in a cross-origin isolated page served by scripts/serve.py),
// on the same GGUF and the same token ids, then ONE table (load s, prefill tok/s per prompt
// length, decode tok/s, peak MiB) and the ratios. A missing piece prints "n/a" and why; it
// never fails the whole bench. Every number also goes to target/bench/llm.json.
//
// Options: --prompts 64,512,1024  --decode 32  --gguf PATH  --engines a,b,r,c,d
//          --threads 1,N (default 1 and the machine's cores, at most 8)
//          --native-bin PATH (a prebuilt `qingyu` binary instead of `cargo run --release`)
//          --warmup-ms 2000  --page-timeout-min 30  --json-out PATH
//          --rounds N (default 1): every engine N times, in turns, each figure the median of its
//            rounds (peak MiB the largest): on a shared machine one run's ratio can be 15 % off
//          --weights expanded|packed (how (a) and (b) hold the LLM's weights; default packed, as the library)
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const WWW = path.join(ROOT, 'www');
const DEFAULT_GGUF = path.join(ROOT, 'models/dist/qwen2.5-coder-0.5b-instruct-q5_0-tied.gguf');
const WLLAMA_PKG = path.join(ROOT, 'node_modules/@wllama/wllama');
const VENDOR = path.join(WWW, 'vendor');
const LLAMACPP_PY = path.join(ROOT, '.tools/llama-cpp/bin/python');
const SETUP_LLAMACPP = path.join(ROOT, 'scripts/setup-llamacpp.sh');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-quic'];

// ---------------------------------------------------------------------------------------------
// options
// ---------------------------------------------------------------------------------------------
function parseArgs(argv) {
  const o = {
    prompts: [64, 512, 1024], decode: 32, gguf: DEFAULT_GGUF, engines: ['a', 'b', 'r', 'c', 'd'],
    warmupMs: 2000, pageTimeoutMin: 30, nativeBin: null, jsonOut: path.join(ROOT, 'target/bench/llm.json'),
    weights: 'packed', threads: [...new Set([1, Math.min(8, os.cpus().length)])], rounds: 1,
  };
  const alias = { native: 'a', wasm: 'b', qingyu: 'b', relaxed: 'r', wllama: 'c', llamacpp: 'd', 'llama.cpp': 'd' };
  for (let i = 0; i < argv.length; i++) {
    const [k, inline] = argv[i].split('=', 2);
    const v = () => (inline !== undefined ? inline : argv[++i]);
    switch (k) {
      case '--prompts': o.prompts = v().split(',').map(Number).filter((n) => n > 0); break;
      case '--decode': o.decode = Number(v()); break;
      case '--gguf': o.gguf = path.resolve(v()); break;
      case '--engines': o.engines = v().split(',').map((e) => alias[e] || e); break;
      case '--warmup-ms': o.warmupMs = Number(v()); break;
      case '--page-timeout-min': o.pageTimeoutMin = Number(v()); break;
      case '--json-out': o.jsonOut = path.resolve(v()); break;
      case '--native-bin': o.nativeBin = path.resolve(v()); break;
      case '--threads': o.threads = [...new Set(v().split(',').map(Number))]; break;
      case '--rounds': o.rounds = Number(v()); if (!(Number.isInteger(o.rounds) && o.rounds >= 1)) throw new Error('--rounds: 1 or more'); break;
      case '--weights': o.weights = v(); if (!['packed', 'expanded'].includes(o.weights)) throw new Error('--weights: packed or expanded'); break;
      case '-h': case '--help':
        console.log(fs.readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1, 15)
          .map((l) => l.replace(/^\/\/ ?/, '')).join('\n'));
        process.exit(0);
      // falls through
      default: throw new Error(`unknown option ${argv[i]} (see --help)`);
    }
  }
  if (!o.prompts.length || o.prompts.some((n) => n + 1 > 2048)) throw new Error('--prompts: lengths 1..2047');
  if (!(o.decode > 0) || 64 + o.decode + 1 > 2048) throw new Error('--decode: 1..1983');
  for (const e of o.engines) if (!'abcdr'.includes(e) || e.length !== 1) throw new Error(`--engines: unknown ${e}`);
  if (!o.threads.length || o.threads.some((t) => !Number.isInteger(t) || t < 1 || t > 64)) throw new Error('--threads: whole numbers 1..64');
  return o;
}

/** A row's key: the engine letter, with the thread count after it when above one (b, b2). */
const rowKey = (e, t) => (t > 1 ? `${e}${t}` : e);
/** The page engines and their row letters. */
const WEB_LETTER = { qingyu: 'b', 'qingyu-relaxed': 'r', wllama: 'c' };

const t0Run = Date.now();

// The machine's 1-minute load average while each engine runs: a row on t threads uses t cores,
// so a load well above t means something else competed for the CPU and the numbers are low.
const loadSamples = {};
let loadTag = null;
setInterval(() => { if (loadTag) (loadSamples[loadTag] ??= []).push(os.loadavg()[0]); }, 2000).unref();
const meanLoad = (tag) => {
  const a = loadSamples[tag] || [];
  return a.length ? Number((a.reduce((x, y) => x + y, 0) / a.length).toFixed(2)) : null;
};
const progress = (msg) => console.log(`[bench ${((Date.now() - t0Run) / 1000).toFixed(0).padStart(4)}s] ${msg}`);

// ---------------------------------------------------------------------------------------------
// child processes: run to completion, relay stderr as progress, keep the last JSON stdout line
// ---------------------------------------------------------------------------------------------
function runJsonTool(label, cmd, args, { env, cwd = ROOT, timeoutMs = 30 * 60_000 } = {}) {
  return new Promise((resolve) => {
    let child;
    try {
      child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      resolve({ error: `${cmd}: ${e.message}` });
      return;
    }
    let out = '';
    let lastErr = '';
    let errBuf = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => {
      errBuf += d;
      const lines = errBuf.split(/\r?\n/);
      errBuf = lines.pop();
      for (const l of lines) {
        if (!l.trim()) continue;
        lastErr = l.trim();
        progress(`${label}: ${l.trim()}`);
      }
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => { clearTimeout(timer); resolve({ error: `${cmd}: ${e.message}` }); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (errBuf.trim()) lastErr = errBuf.trim();
      const line = out.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('{')).pop();
      let json = null;
      try { json = line ? JSON.parse(line) : null; } catch { /* reported below */ }
      if (code === 0 && json) resolve(json);
      else resolve({ error: `exit ${signal || code}${lastErr ? `: ${lastErr.slice(0, 200)}` : ''}${json ? '' : ' (no JSON on stdout)'}` });
    });
  });
}

async function benchNative(o, threads) {
  const benchArgs = ['bench-llm', '--json', '--gguf', o.gguf, '--prompts', o.prompts.join(','), '--decode', String(o.decode),
    '--weights', o.weights, '--threads', String(threads)];
  const tag = `(${rowKey('a', threads)})`;
  let r;
  if (o.nativeBin) {
    progress(`${tag} qingyu native, ${threads} thread(s): ${path.relative(ROOT, o.nativeBin)} bench-llm`);
    r = await runJsonTool(tag, o.nativeBin, benchArgs);
  } else {
    progress(`${tag} qingyu native, ${threads} thread(s): cargo run --release --bin qingyu -- bench-llm (builds first if needed)`);
    const cargoHome = process.env.CARGO_HOME || path.join(process.env.HOME || '', '.cargo');
    r = await runJsonTool(tag, 'cargo', ['run', '--quiet', '--release', '-p', 'qingyu', '--bin', 'qingyu', '--', ...benchArgs],
      { env: { PATH: `${path.join(cargoHome, 'bin')}:${process.env.PATH}` } });
  }
  return { engine: 'qingyu-native', ...r };
}

/**
 * scripts/setup-llamacpp.sh: installs llama-cpp-python into .tools/llama-cpp when it is not
 * there yet (a one-time 10-15 minute compile of llama.cpp; its progress lines pass through), and
 * says "present" at once when it is. Resolves null when ready, else why not.
 */
function setupLlamaCpp() {
  const rel = path.relative(ROOT, SETUP_LLAMACPP);
  return new Promise((resolve) => {
    let failure = '';
    let last = '';
    let buf = '';
    const lines = (d) => {
      buf += d;
      const ls = buf.split(/\r?\n/);
      buf = ls.pop();
      for (const l of ls.map((x) => x.trim()).filter(Boolean)) {
        progress(`(d) ${l}`);
        const m = l.match(/FAILED: (.*)/);
        if (m) failure = m[1];
        else if (!/will say n\/a/.test(l)) last = l.replace(/^\[setup-llamacpp\]\s*/, '');
      }
    };
    let child;
    try {
      child = spawn('bash', [SETUP_LLAMACPP], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      resolve(`${rel}: ${e.message}`);
      return;
    }
    child.stdout.on('data', lines);
    child.stderr.on('data', lines);
    child.on('error', (e) => resolve(`${rel}: ${e.message}`));
    child.on('close', (code, signal) => {
      lines('\n');
      resolve(code === 0 ? null
        : `llama-cpp-python not installed (${rel} exit ${signal || code}): ${(failure || last).slice(0, 300)}`);
    });
  });
}

let llamaCppReady = null; // the set-up runs once, for every thread count
async function benchLlamaCpp(o, threads) {
  const key = rowKey('d', threads);
  if (llamaCppReady === null) {
    progress('(d) llama.cpp native: checking llama-cpp-python (scripts/setup-llamacpp.sh installs it once)');
    loadTag = null; // a first-time compile is not part of (d)'s load-average reading
    llamaCppReady = (await setupLlamaCpp()) ?? '';
  }
  loadTag = key;
  if (llamaCppReady) return { engine: 'llama.cpp', error: llamaCppReady };
  progress(`(${key}) llama.cpp native (llama-cpp-python, ${threads} thread(s))`);
  const r = await runJsonTool(`(${key})`, LLAMACPP_PY, [path.join(ROOT, 'models/reference/llamacpp_bench.py'),
    '--gguf', o.gguf, '--prompts', o.prompts.join(','), '--decode', String(o.decode),
    '--warmup-ms', String(o.warmupMs), '--threads', String(threads)]);
  return { engine: 'llama.cpp', ...r };
}

// ---------------------------------------------------------------------------------------------
// Chromium: renderer-process memory and CPU from /proc (the page and its workers live there)
// ---------------------------------------------------------------------------------------------
function readProc(pid, file) {
  try { return fs.readFileSync(`/proc/${pid}/${file}`, 'utf8'); } catch { return null; }
}
function statusKiB(status, key) {
  const m = status && status.match(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm'));
  return m ? Number(m[1]) : 0;
}
function cpuSeconds(statText) {
  if (!statText) return 0;
  const f = statText.slice(statText.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100; // utime + stime, in USER_HZ (100 on Linux)
}
function rendererPids(browserPid) {
  const parent = new Map();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const st = readProc(d, 'stat');
    if (st) parent.set(Number(d), Number(st.slice(st.lastIndexOf(')') + 2).split(' ')[1]));
  }
  const isDescendant = (pid) => {
    for (let p = pid, hops = 0; p > 1 && hops < 16; p = parent.get(p), hops++) if (p === browserPid) return true;
    return false;
  };
  return [...parent.keys()].filter((pid) => isDescendant(pid)
    && (readProc(pid, 'cmdline') || '').includes('--type=renderer'));
}
/** CPU seconds per thread of a process: Map tid → {name, cpu_s}. */
function threadCpu(pid) {
  const m = new Map();
  let tids = [];
  try { tids = fs.readdirSync(`/proc/${pid}/task`); } catch { return m; }
  for (const tid of tids) {
    m.set(tid, { name: (readProc(`${pid}/task/${tid}`, 'comm') || '?').trim(),
      cpu_s: cpuSeconds(readProc(`${pid}/task/${tid}`, 'stat')) });
  }
  return m;
}
/** Threads that used more than 0.2 s of CPU between two threadCpu() snapshots, busiest first. */
function busyBetween(a, b, wallS) {
  return [...b].map(([tid, t]) => ({ name: t.name, cpu_s: t.cpu_s - (a.get(tid)?.cpu_s ?? 0) }))
    .filter((t) => t.cpu_s > 0.2).sort((x, y) => y.cpu_s - x.cpu_s)
    .map((t) => ({ name: t.name, cpu_s: Number(t.cpu_s.toFixed(1)), share_of_wall: Number((t.cpu_s / wallS).toFixed(2)) }));
}
/** Polls the renderers every 100 ms: peak RSS (VmHWM for renderers born during the phase), CPU. */
function monitorRenderers(browserPid) {
  const before = new Set(rendererPids(browserPid));
  const cpu0 = new Map([...before].map((p) => [p, cpuSeconds(readProc(p, 'stat'))]));
  const cpuLast = new Map();
  const t0 = Date.now();
  let peakKiB = 0;
  let main = null; // the renderer with the most RSS: the page's
  let mainRss = 0;
  let marks = {};
  let pids = [...before];
  let lastScan = 0;
  const poll = () => {
    if (Date.now() - lastScan > 1000) { pids = rendererPids(browserPid); lastScan = Date.now(); }
    for (const pid of pids) {
      const st = readProc(pid, 'status');
      if (!st) continue;
      const rss = statusKiB(st, 'VmRSS');
      peakKiB = Math.max(peakKiB, rss, before.has(pid) ? 0 : statusKiB(st, 'VmHWM'));
      cpuLast.set(pid, cpuSeconds(readProc(pid, 'stat')));
      if (rss >= mainRss) { mainRss = rss; main = pid; }
    }
  };
  poll();
  const timer = setInterval(poll, 100);
  return {
    /**
     * The page calls window.__benchCheckpoint('measure-start' | 'measure-end') around its timed
     * runs; at the end this says which threads of the page's renderer burnt CPU in between.
     */
    checkpoint(name) {
      poll();
      marks[name] = { t: Date.now(), pid: main, threads: main ? threadCpu(main) : new Map() };
      const a = marks['measure-start'];
      const b = marks['measure-end'];
      if (name !== 'measure-end' || !a || !b || a.pid !== b.pid) return null;
      const wall = (b.t - a.t) / 1000;
      const busy = busyBetween(a.threads, b.threads, wall);
      const cpu = busy.reduce((x, t) => x + t.cpu_s, 0);
      return { wall_s: Number(wall.toFixed(1)), cpu_s: Number(cpu.toFixed(1)),
        cpu_per_wall: Number((cpu / wall).toFixed(2)), busy_threads: busy };
    },
    stop() {
      clearInterval(timer);
      poll();
      const wall = (Date.now() - t0) / 1000;
      let cpu = 0;
      for (const [pid, c] of cpuLast) cpu += c - (cpu0.get(pid) || 0);
      return { peak_mib: Number((peakKiB / 1024).toFixed(1)), renderer_cpu_s: Number(cpu.toFixed(1)),
        wall_s: Number(wall.toFixed(1)), cpu_per_wall: Number((cpu / wall).toFixed(2)) };
    },
  };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

async function startServer() {
  const port = await freePort();
  const server = spawn('python3', [path.join(ROOT, 'scripts/serve.py'), String(port), '--bind', '127.0.0.1', '--directory', WWW],
    { stdio: 'ignore' });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${base}/bench/llm.html`)).ok) return { server, base };
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  server.kill();
  throw new Error(`scripts/serve.py did not come up on ${base}`);
}

/** wllama's ES module + wasm, copied from node_modules (not committed); the GGUF linked in. */
function prepareVendor(o) {
  const dst = path.join(VENDOR, 'wllama');
  fs.mkdirSync(dst, { recursive: true });
  let version = null;
  try {
    version = JSON.parse(fs.readFileSync(path.join(WLLAMA_PKG, 'package.json'), 'utf8')).version;
    fs.copyFileSync(path.join(WLLAMA_PKG, 'esm/index.js'), path.join(dst, 'index.js'));
    fs.copyFileSync(path.join(WLLAMA_PKG, 'esm/wasm/wllama.wasm'), path.join(dst, 'wllama.wasm'));
  } catch (e) {
    version = null;
    fs.rmSync(dst, { recursive: true, force: true });
    progress(`wllama not available: ${e.message} (run npm install)`);
  }
  const link = path.join(VENDOR, 'model.gguf');
  fs.rmSync(link, { force: true });
  fs.symlinkSync(o.gguf, link);
  return { wllamaVersion: version, ggufUrl: '/vendor/model.gguf' };
}

/** `which`: [engine, threads] pairs, engine 'qingyu' (b), 'qingyu-relaxed' (r) or 'wllama' (c). */
async function benchBrowser(o, which) {
  const out = {};
  const vendor = prepareVendor(o);
  out.wllamaVersion = vendor.wllamaVersion;
  const { server, base } = await startServer();
  let browser;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    out.chromium = browser.version();
    // Playwright spawns Chromium as our child: its renderers are the --type=renderer descendants.
    const browserPid = process.pid;
    progress(`Chromium ${out.chromium} (headless), site ${base}/`);
    for (const [engine, threads] of which) {
      const key = rowKey(WEB_LETTER[engine], threads);
      if (engine === 'wllama' && !vendor.wllamaVersion) {
        out[key] = { engine, error: '@wllama/wllama not in node_modules (npm install)' };
        continue;
      }
      // One fresh context + page per engine: its own renderer process, so the peak-memory
      // reading belongs to that engine alone. Only one page is open at any time.
      const context = await browser.newContext();
      const page = await context.newPage();
      page.on('console', (m) => {
        const t = m.text();
        if (t.startsWith('[bench] ')) progress(`(${key}) ${t.slice(8)}`);
        else if (m.type() === 'error' || m.type() === 'warning') progress(`(${key}) console.${m.type()}: ${t.slice(0, 300)}`);
      });
      page.on('pageerror', (e) => progress(`(${key}) page error: ${e.message}`));
      loadTag = key;
      const mon = monitorRenderers(browserPid);
      let measured = null;
      await page.exposeFunction('__benchCheckpoint', (name) => {
        const r = mon.checkpoint(name);
        if (r) measured = { ...r, workers: page.workers().length };
        return measured;
      });
      const qs = new URLSearchParams({ engine: engine === 'wllama' ? 'wllama' : 'qingyu',
        simd: engine === 'qingyu-relaxed' ? 'relaxed' : 'simd128', prompts: o.prompts.join(','), decode: String(o.decode),
        gguf: vendor.ggufUrl, warmup_ms: String(o.warmupMs), weights: o.weights, threads: String(threads) });
      let result;
      try {
        await page.goto(`${base}/bench/llm.html?${qs}`);
        const handle = await page.waitForFunction(() => window.__benchResult, null,
          { timeout: o.pageTimeoutMin * 60_000, polling: 500 });
        const page_ = await handle.jsonValue();
        result = page_.error ? { engine, error: page_.error } : { fetch_s: page_.fetch_s, ...page_.results[0] };
        // CPU of the renderer's threads during the timed runs, and the page's dedicated workers
        // at the end of them (wllama: 1 worker; pthreads would add one per extra thread).
        result.measured_cpu = measured;
      } catch (e) {
        result = { engine, error: e.message.split('\n')[0] };
      }
      result.renderer = mon.stop();
      if (!result.error) result.peak_mib = result.renderer.peak_mib;
      out[key] = result;
      await context.close();
      // Let the closed page's renderer go before the next engine's memory reading starts.
      for (let i = 0; i < 50 && rendererPids(browserPid)
        .some((pid) => statusKiB(readProc(pid, 'status'), 'VmRSS') > 256 * 1024); i++) {
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  } catch (e) {
    for (const [engine, threads] of which) {
      const key = rowKey(WEB_LETTER[engine], threads);
      out[key] ??= { engine, error: `browser: ${e.message.split('\n')[0]}` };
    }
  } finally {
    await browser?.close().catch(() => {});
    server.kill();
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// the table
// ---------------------------------------------------------------------------------------------
function fmt(x, d = 1) {
  return x == null || !Number.isFinite(Number(x)) ? 'n/a' : Number(x).toFixed(d);
}
function ratio(a, b) {
  return a == null || b == null || !(Number(b) > 0) ? 'n/a' : `${(Number(a) / Number(b)).toFixed(2)}×`;
}

function printTable(o, rows, meta) {
  const P = o.prompts;
  const head = ['engine', 'load s', ...P.map((n) => `prefill@${n}`), `decode(${o.decode})`, 'peak MiB'];
  const lines = rows.map(({ label, r }) => [label, r.error ? 'n/a' : fmt(r.load_s, 2),
    ...P.map((n) => (r.error ? 'n/a' : fmt(r.prefill_tps?.[n] ?? r.prefill_tps?.[String(n)]))),
    r.error ? 'n/a' : fmt(r.decode_tps), r.error ? 'n/a' : fmt(r.peak_mib, 0)]);
  const all = [head, ...lines];
  const w = head.map((_, i) => Math.max(...all.map((l) => String(l[i]).length)));
  const line = (l) => l.map((c, i) => (i === 0 ? String(c).padEnd(w[i]) : String(c).padStart(w[i]))).join('  ');
  const ggufMB = (fs.statSync(o.gguf).size / 1e6).toFixed(1);
  console.log('');
  console.log(`LLM speed, tokens/s (higher is better) — ${path.basename(o.gguf)} (${ggufMB} MB), n_ctx 2048`
    + `${o.rounds > 1 ? `; each figure the median of ${o.rounds} rounds (peak MiB the largest)` : ''}`);
  console.log(line(head));
  console.log(w.map((n) => '-'.repeat(n)).join('  '));
  for (const l of lines) console.log(line(l));

  const get = (key) => rows.find((x) => x.key === key)?.r;
  const rhead = ['ratio (>1: the first faster)', ...P.map((n) => `prefill@${n}`), `decode(${o.decode})`];
  const ratioRow = (label, x, y) => [label,
    ...P.map((n) => (!x || x.error || !y || y.error ? 'n/a'
      : ratio(x.prefill_tps?.[n] ?? x.prefill_tps?.[String(n)], y.prefill_tps?.[n] ?? y.prefill_tps?.[String(n)]))),
    !x || x.error || !y || y.error ? 'n/a' : ratio(x.decode_tps, y.decode_tps)];
  const rl = [];
  for (const t of o.threads) {
    const [b, r, c, d] = ['b', 'r', 'c', 'd'].map((e) => rowKey(e, t));
    rl.push(ratioRow(`${b}/${c}  qingyu-wasm ÷ wllama, ${t} thread(s)`, get(b), get(c)));
    rl.push(ratioRow(`${b}/${d}  qingyu-wasm ÷ llama.cpp native, ${t} thread(s)`, get(b), get(d)));
    rl.push(ratioRow(`${r}/${b}  relaxed SIMD ÷ SIMD128, ${t} thread(s)`, get(r), get(b)));
    rl.push(ratioRow(`${r}/${c}  qingyu-wasm relaxed ÷ wllama, ${t} thread(s)`, get(r), get(c)));
    rl.push(ratioRow(`${r}/${d}  qingyu-wasm relaxed ÷ llama.cpp native, ${t} thread(s)`, get(r), get(d)));
  }
  for (const t of o.threads.filter((x) => x > 1)) {
    for (const [e, name] of [['b', 'qingyu-wasm'], ['r', 'qingyu-wasm relaxed'], ['a', 'qingyu-native'], ['c', 'wllama'], ['d', 'llama.cpp']]) {
      rl.push(ratioRow(`${rowKey(e, t)}/${e}  ${name}, ${t} threads ÷ 1`, get(rowKey(e, t)), get(e)));
    }
  }
  const rall = [rhead, ...rl];
  const rw = rhead.map((_, i) => Math.max(...rall.map((l) => String(l[i]).length)));
  const rline = (l) => l.map((c, i) => (i === 0 ? String(c).padEnd(rw[i]) : String(c).padStart(rw[i]))).join('  ');
  console.log('');
  console.log(rline(rhead));
  console.log(rw.map((n) => '-'.repeat(n)).join('  '));
  for (const l of rl) console.log(rline(l));

  // Decode under a summary's script mask: the output head computes only the rows of tokens
  // the mask lets through (tokens alternate between the two ways in one run).
  for (const { label, r } of rows) {
    if (r.error || !r.decode_masked_tps) continue;
    const parts = Object.entries(r.decode_masked_tps).map(([lang, [whole, rows]]) =>
      `${lang} output ${fmt(whole)} → ${fmt(rows)} tok/s (${ratio(rows, whole)})`);
    console.log('');
    console.log(`${label.split(' ')[0]} decode under the summaries' script masks, whole output head → the mask's rows only: ${parts.join('; ')}`);
  }
  console.log('');
  for (const { label, r } of rows) if (r.error) console.log(`n/a ${label.split(' ')[0]}: ${r.error}`);
  const c = get('c');
  if (c && !c.error && c.threads) {
    const t = c.threads;
    const m = c.measured_cpu;
    console.log(`(c) thread check: isMultithread=${t.isMultithread}, getNumThreads=${t.getNumThreads}, `
      + `crossOriginIsolated=${t.crossOriginIsolated}`
      + `${t.log?.find((l) => /pthreadPoolSize/.test(l)) ? `, wllama log: "${t.log.find((l) => /pthreadPoolSize/.test(l))}"` : ''}`
      + (m ? `; during the timed runs: ${m.workers} worker(s), renderer CPU ${m.cpu_s} s over ${m.wall_s} s wall `
        + `(${m.cpu_per_wall}×), busiest threads: ${m.busy_threads.slice(0, 3).map((x) => `${x.name} ${x.cpu_s} s`).join(', ')}` : ''));
  }
  if (c && !c.error && c.prompt_kind) {
    console.log(`(c) prompts: wllama 3.x accepts text prompts only, so it gets a ${c.prompt_kind}; `
      + 'llama.cpp\'s prompt_n confirmed exactly N tokens each time.');
  }
  // Same ids in, greedy ids out: our engine against llama.cpp (a sanity check, not a gate —
  // Q5_0 rounding differences may flip a near-tie after a few tokens).
  const d = get('d');
  for (const key of rows.map((x) => x.key).filter((k) => /^[abr]/.test(k))) {
    const r = get(key);
    if (!r || r.error || !d || d.error || !Array.isArray(r.decode_ids) || !Array.isArray(d.decode_ids)) continue;
    let prefix = 0;
    while (prefix < Math.min(r.decode_ids.length, d.decode_ids.length) && r.decode_ids[prefix] === d.decode_ids[prefix]) prefix++;
    console.log(`greedy ids after the 64-id prompt, (${key}) vs (d): first token ${r.first_token === d.first_token ? 'equal' : `differs (${r.first_token} vs ${d.first_token})`}, `
      + `first ${prefix}/${d.decode_ids.length} decoded ids equal`);
  }
  console.log('load: (a)/(d) from the file on disk; (b) the GGUF streamed from the local server into wasm memory '
    + `as the library does (fetch ${fmt(meta.fetch_s, 2)} s not included), then parsed and repacked; (c) from wllama's own copy of the GGUF, which its model manager `
    + `downloaded by URL into the page's OPFS first (${fmt(c?.download_s, 2)} s, not included). `
    + 'Prefill = one prompt of N fixed ids ((i·7919+13) mod 150000) '
    + `from an empty cache; decode = ${o.decode} greedy single-token steps after a 64-token prompt.`);
  console.log('peak MiB: (a) the CLI\'s own reading; (b)/(c) peak RSS of the page\'s renderer process ((b) streams the '
    + 'GGUF into wasm memory, (c)\'s page holds the 347 MB it read for the vocabulary); (d) ru_maxrss of the Python process.');
  // A row on t threads keeps about t cores busy itself.
  const busy = Object.entries(meta.load_avg || {}).filter(([k, l]) => l > (Number(k.slice(1)) || 1) + 0.5);
  console.log(`machine: ${meta.cores} cores; mean 1-min load average per engine: `
    + `${Object.entries(meta.load_avg || {}).map(([k, l]) => `(${k}) ${l}`).join(', ') || 'n/a'}`
    + (busy.length ? ` — WARNING: other work competed for the CPU during ${busy.map(([k]) => `(${k})`).join(' ')}; those numbers are low` : ''));
  console.log(`Chromium ${meta.chromium ?? 'n/a'}; wllama ${meta.wllamaVersion ?? 'n/a'} (libllama ${get('c')?.libllama ?? '?'}); `
    + `all numbers in ${path.relative(ROOT, o.jsonOut)}`);
}

/** The median of the numbers in `xs` (null when there are none). */
function median(xs) {
  const v = xs.filter((x) => x != null && Number.isFinite(Number(x))).map(Number).sort((a, b) => a - b);
  if (!v.length) return null;
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
}

/** One row's rounds as one result: each speed and the load time the median of the rounds that
 * ran, peak MiB the largest; the rest (thread checks, masks) from the first; every round's
 * figures kept under `rounds`. An error only when no round ran. */
function mergeRounds(runs) {
  const ok = runs.filter((r) => r && !r.error);
  if (!ok.length) return runs.find((r) => r?.error) ?? { error: 'not run' };
  if (runs.length === 1) return ok[0];
  const lengths = [...new Set(ok.flatMap((r) => Object.keys(r.prefill_tps ?? {})))];
  return {
    ...ok[0],
    load_s: median(ok.map((r) => r.load_s)),
    prefill_tps: Object.fromEntries(lengths.map((n) => [n, median(ok.map((r) => r.prefill_tps?.[n]))])),
    decode_tps: median(ok.map((r) => r.decode_tps)),
    peak_mib: Math.max(...ok.map((r) => Number(r.peak_mib) || 0)) || null,
    rounds: runs.map((r) => (r?.error ? { error: r.error } : { load_s: r.load_s, prefill_tps: r.prefill_tps, decode_tps: r.decode_tps, peak_mib: r.peak_mib })),
  };
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(o.gguf)) throw new Error(`${o.gguf} not found (./qy build fetches it)`);
  progress(`prompts ${o.prompts.join(',')}, decode ${o.decode}, engines ${o.engines.join(',')}, gguf ${path.relative(ROOT, o.gguf)}${o.rounds > 1 ? `, ${o.rounds} rounds` : ''}`);
  const rounds = [];
  let meta = {};
  for (let i = 0; i < o.rounds; i++) {
    if (o.rounds > 1) progress(`round ${i + 1} of ${o.rounds}`);
    const round = await benchRound(o);
    rounds.push(round.res);
    meta = { ...round.meta, ...meta };
  }
  const res = Object.fromEntries([...new Set(rounds.flatMap(Object.keys))].map((k) => [k, mergeRounds(rounds.map((r) => r[k]))]));
  loadTag = null;
  meta.cores = os.cpus().length;
  meta.load_avg = Object.fromEntries(Object.keys(loadSamples).map((k) => [k, meanLoad(k)]));
  meta.rounds = o.rounds;
  const rows = [];
  for (const [e, name] of [['a', `qingyu native, ${o.weights}`], ['b', `qingyu wasm, Chromium, ${o.weights}`],
    ['r', `qingyu wasm relaxed SIMD, Chromium, ${o.weights}`],
    ['c', `wllama ${meta.wllamaVersion ?? ''} wasm, Chromium`], ['d', 'llama.cpp native (llama-cpp-python)']]) {
    for (const t of o.threads) {
      const key = rowKey(e, t);
      const how = 'br'.includes(e) && t > 1 ? `, threaded module, ${t} threads` : `, ${t} thread${t > 1 ? 's' : ''}`;
      rows.push({ key, label: `(${key}) ${name}${how}`, r: res[key] ?? { error: 'not run (--engines)' } });
    }
  }
  fs.mkdirSync(path.dirname(o.jsonOut), { recursive: true });
  fs.writeFileSync(o.jsonOut, `${JSON.stringify({ date: new Date().toISOString(), options: { ...o, gguf: o.gguf },
    meta, results: res }, null, 2)}\n`);
  printTable(o, rows, meta);
}

/** Every engine and thread count once: native first, one at a time, then the page engines. */
async function benchRound(o) {
  const res = {};
  // Native first, one at a time, with the browser not yet running: each engine gets the CPU alone.
  for (const t of o.threads) {
    if (o.engines.includes('a')) {
      loadTag = rowKey('a', t);
      res[loadTag] = await benchNative(o, t);
    }
  }
  for (const t of o.threads) {
    if (o.engines.includes('d')) res[rowKey('d', t)] = await benchLlamaCpp(o, t);
  }
  loadTag = null; // benchBrowser tags (b)/(c) itself
  const web = [];
  for (const t of o.threads) {
    if (o.engines.includes('b')) web.push(['qingyu', t]);
    if (o.engines.includes('r')) web.push(['qingyu-relaxed', t]);
    if (o.engines.includes('c')) web.push(['wllama', t]);
  }
  let meta = {};
  if (web.length) {
    const br = await benchBrowser(o, web);
    for (const [engine, t] of web) { const k = rowKey(WEB_LETTER[engine], t); res[k] = br[k]; }
    meta = { chromium: br.chromium, wllamaVersion: br.wllamaVersion, fetch_s: br.b?.fetch_s ?? br.c?.fetch_s };
  }
  return { res, meta };
}

main().catch((e) => {
  console.error(`[bench] ${e.stack || e}`);
  process.exit(1);
});
