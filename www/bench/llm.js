// LLM speed bench page: our engine (wasm, `Llm` from /pkg/qingyu.js) and @wllama/wllama
// (llama.cpp compiled to wasm, single thread) on the same GGUF and the same token ids. Our engine
// streams the GGUF into wasm memory as the library does (LlmLoader); wllama's page reads the file
// for its vocabulary (its prompts use it) and wllama gets the model by URL, through its own cache.
// Results land in `window.__benchResult` (JSON-serialisable); progress goes to the console as
// `[bench] …` lines, which scripts/bench-llm.mjs relays.
//
// Query parameters:
//   engine   qingyu | wllama | both (default both; the driver runs one engine per fresh page
//            so that each gets its own renderer process for the peak-memory reading)
//   prompts  prefill lengths, comma separated (default 64,512,1024)
//   decode   greedy decode steps after a 64-token prompt (default 32)
//   gguf     URL of the model (default /models/qwen2.5-coder-0.5b-instruct-q5_0-tied.gguf)
//   warmup_ms  minimum warm-up time per engine (default 2000)
//   dumplog  (flag) put wllama's whole log into the result
//   threads  kernel threads (default 1). Above 1 our engine is the threaded text module
//            (/pkg/threads/qingyu_text.js) run in a Web Worker (its pool blocks the calling
//            thread, which a page's main thread may not do), and wllama gets n_threads; both
//            need a cross-origin isolated page (scripts/serve.py sends the headers).
//   simd     simd128 (default) | relaxed: our engine from the relaxed-SIMD text module
//            (/pkg/relaxed/ on one thread, /pkg/threads-relaxed/ with threads)

import { bodyChunks } from '../lib/models.js';

const q = new URLSearchParams(location.search);
const ENGINE = q.get('engine') || 'both';
const PROMPTS = (q.get('prompts') || '64,512,1024').split(',').map(Number).filter((n) => n > 0);
const DECODE = Number(q.get('decode') || 32);
const DECODE_PROMPT = 64;
const GGUF = q.get('gguf') || '/models/qwen2.5-coder-0.5b-instruct-q5_0-tied.gguf';
const WARMUP_MS = Number(q.get('warmup_ms') || 2000);
const WEIGHTS = q.get('weights') || 'packed'; // how our engine holds the weights: expanded | packed
const N_CTX = 2048;
const N_BATCH = 512; // llama.cpp's logical and physical batch, same as the llama-cpp-python run
const WLLAMA_DIR = '/vendor/wllama/';
const THREADS = Math.max(1, Number(q.get('threads') || 1));
const RELAXED = q.get('simd') === 'relaxed';
// This file also runs as the Web Worker that hosts the threaded module (see benchQingyuThreads).
const IN_WORKER = typeof document === 'undefined';

const logEl = IN_WORKER ? null : document.getElementById('log');
const log = (msg) => {
  if (IN_WORKER) return self.postMessage({ log: msg });
  console.log(`[bench] ${msg}`);
  if (logEl) logEl.textContent += `${msg}\n`;
};
const now = () => performance.now();
const tick = () => new Promise((r) => setTimeout(r, 0));
const round = (x, d = 3) => (x == null || !Number.isFinite(x) ? null : Number(x.toFixed(d)));
const mib = (b) => round(b / 2 ** 20, 1);
// scripts/bench-llm.mjs exposes this to read per-thread CPU of the renderer around the timed runs.
// A worker asks its page, which answers with the same call.
const pendingCheckpoints = [];
const checkpoint = async (name) => {
  if (!IN_WORKER) return window.__benchCheckpoint ? window.__benchCheckpoint(name) : null;
  return new Promise((resolve) => { pendingCheckpoints.push(resolve); self.postMessage({ checkpoint: name }); });
};

/** Rough time left for one engine after prefilling PROMPTS[i] at `tps` (decode ≈ half that rate). */
function eta(i, tps) {
  const tokens = PROMPTS.slice(i + 1).reduce((a, n) => a + n, 0) + DECODE_PROMPT + 2 * DECODE;
  const s = tokens / tps;
  return s < 90 ? `~${Math.ceil(s)} s left` : `~${(s / 60).toFixed(1)} min left`;
}

/** The benchmark's token ids: deterministic, all below Qwen2's 151,643 text-token vocabulary. */
function benchIds(n) {
  const ids = new Uint32Array(n);
  for (let i = 0; i < n; i++) ids[i] = (i * 7919 + 13) % 150000;
  return ids;
}

/**
 * `tokenizer.ggml.tokens` of a GGUF (v2/v3), read from its key-value header: enough of the
 * format to find one array of strings.
 */
function ggufTokens(bytes) {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const td = new TextDecoder();
  let p = 0;
  const u32 = () => { const v = dv.getUint32(p, true); p += 4; return v; };
  const u64 = () => { const v = Number(dv.getBigUint64(p, true)); p += 8; return v; };
  const str = () => { const n = u64(); const s = td.decode(bytes.subarray(p, p + n)); p += n; return s; };
  const SIZE = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };
  const skip = (type) => {
    if (type === 8) { const n = u64(); p += n; return; }
    if (type === 9) { const t = u32(); const n = u64(); for (let i = 0; i < n; i++) skip(t); return; }
    if (!(type in SIZE)) throw new Error(`GGUF: unknown value type ${type}`);
    p += SIZE[type];
  };
  if (u32() !== 0x46554747) throw new Error('not a GGUF file');
  if (u32() < 2) throw new Error('GGUF v1 is not supported');
  u64(); // tensor count
  const nKv = u64();
  for (let k = 0; k < nKv; k++) {
    const key = str();
    const type = u32();
    if (key === 'tokenizer.ggml.tokens' && type === 9) {
      const t = u32();
      const n = u64();
      if (t !== 8) throw new Error('GGUF: tokenizer.ggml.tokens is not an array of strings');
      const out = new Array(n);
      for (let i = 0; i < n; i++) out[i] = str();
      return out;
    }
    skip(type);
  }
  throw new Error('GGUF has no tokenizer.ggml.tokens');
}

/** " word" strings that are one token each: GPT-2 byte-level entries "Ġ" + 2–10 lowercase letters. */
function singleTokenWords(bytes) {
  const words = ggufTokens(bytes).filter((t) => /^\u0120[a-z]{2,10}$/.test(t)).map((t) => ` ${t.slice(1)}`);
  if (words.length < 1000) throw new Error(`only ${words.length} single-token words in the GGUF vocabulary`);
  return words;
}

async function memorySnapshot() {
  const m = {};
  if (performance.memory) {
    m.js_heap_used_mib = mib(performance.memory.usedJSHeapSize);
    m.js_heap_total_mib = mib(performance.memory.totalJSHeapSize);
  }
  if (self.crossOriginIsolated && performance.measureUserAgentSpecificMemory) {
    try {
      m.ua_specific_mib = mib((await performance.measureUserAgentSpecificMemory()).bytes);
    } catch (e) {
      m.ua_specific_error = String(e.message || e);
    }
  } else {
    m.ua_specific_mib = null; // needs a cross-origin-isolated page; this one is not (single-thread wllama)
  }
  return m;
}

async function fetchModel() {
  const t0 = now();
  const r = await fetch(GGUF);
  if (!r.ok) throw new Error(`${GGUF}: HTTP ${r.status}`);
  const bytes = new Uint8Array(await r.arrayBuffer());
  const fetch_s = (now() - t0) / 1000;
  log(`fetched ${GGUF}: ${mib(bytes.length)} MiB in ${fetch_s.toFixed(2)} s`);
  return { bytes, fetch_s };
}

// ---------------------------------------------------------------------------------------------
// (b) our engine in wasm
// ---------------------------------------------------------------------------------------------
/** The GGUF streamed from the network into wasm memory piece by piece, as the library loads
 * it (the page never holds the whole file): returns the LlmLoader, ready to finish. */
async function streamModel(mod) {
  const t0 = now();
  const r = await fetch(GGUF);
  if (!r.ok) throw new Error(`${GGUF}: HTTP ${r.status}`);
  const size = Number(r.headers.get('content-length'));
  if (!size) throw new Error(`${GGUF}: no content-length`);
  const loader = new mod.LlmLoader(size, WEIGHTS);
  // Through one reused buffer, as the library reads: a fresh chunk per network read would leave
  // the whole file behind as garbage and show in the page's peak.
  for await (const chunk of bodyChunks(r.body)) loader.write(chunk);
  const fetch_s = (now() - t0) / 1000;
  log(`streamed ${GGUF} into wasm memory: ${mib(size)} MiB in ${fetch_s.toFixed(2)} s`);
  return { loader, size, fetch_s };
}

async function benchQingyu() {
  if (THREADS > 1 && !IN_WORKER) return benchQingyuThreads();
  const res = { engine: `qingyu-wasm${THREADS > 1 ? '-threads' : ''}${RELAXED ? '-relaxed' : ''}` };
  const url = RELAXED ? `/pkg/${THREADS > 1 ? 'threads-relaxed' : 'relaxed'}/qingyu_text.js`
    : THREADS > 1 ? '/pkg/threads/qingyu_text.js' : '/pkg/qingyu.js';
  let mod;
  try {
    mod = await import(url);
  } catch (e) {
    return { ...res, error: `cannot import ${url}: ${e.message}` };
  }
  if (typeof mod.Llm !== 'function') {
    return { ...res, error: `Llm is not exported by ${url} (the wasm build predates the LLM API)` };
  }
  const tInit = now();
  const wasm = await mod.default();
  if (THREADS > 1) {
    if (!self.crossOriginIsolated) return { ...res, error: 'threads need a cross-origin isolated page (serve with scripts/serve.py)' };
    await mod.startThreads(THREADS);
  }
  res.init_s = round((now() - tInit) / 1000);
  res.threads = mod.kernelThreads?.() ?? 1;
  try {
    res.build = mod.buildInfo();
  } catch { /* older builds */ }

  log('qingyu-wasm: loading');
  const { loader, size, fetch_s } = await streamModel(mod);
  res.gguf_bytes = size;
  res.fetch_s = round(fetch_s);
  let t0 = now();
  const llm = loader.finish(N_CTX);
  res.load_s = round((now() - t0) / 1000);
  log(`qingyu-wasm: loaded in ${res.load_s} s`);
  try {
    // Warm-up: V8 compiles the module lazily (Liftoff first, TurboFan for hot functions), so run
    // short prefills + decodes until at least WARMUP_MS have passed.
    t0 = now();
    let runs = 0;
    do {
      llm.benchPrefill(benchIds(16));
      llm.benchDecode(4);
      runs++;
      await tick();
    } while (now() - t0 < WARMUP_MS);
    res.warmup = { runs, s: round((now() - t0) / 1000) };
    log(`qingyu-wasm: warm-up ${runs} × (prefill 16 + decode 4) in ${res.warmup.s} s`);

    await checkpoint('measure-start');
    res.prefill_tps = {};
    res.prefill_s = {};
    for (const [i, n] of PROMPTS.entries()) {
      await tick();
      const ids = benchIds(n);
      t0 = now();
      llm.benchPrefill(ids);
      const s = (now() - t0) / 1000;
      res.prefill_s[n] = round(s);
      res.prefill_tps[n] = round(n / s, 2);
      log(`qingyu-wasm: prefill ${n} tokens in ${s.toFixed(2)} s = ${res.prefill_tps[n]} tok/s (${eta(i, n / s)})`);
    }

    await tick();
    res.first_token = llm.benchPrefill(benchIds(DECODE_PROMPT));
    t0 = now();
    const out = llm.benchDecode(DECODE);
    const s = (now() - t0) / 1000;
    res.decode_s = round(s);
    res.decode_tps = round(DECODE / s, 2);
    res.decode_ids = Array.from(out);
    log(`qingyu-wasm: decode ${DECODE} tokens in ${s.toFixed(2)} s = ${res.decode_tps} tok/s`);
    res.cpu = await checkpoint('measure-end');
    res.wasm_memory_mib = mib(mod.memoryBytes ? mod.memoryBytes() : wasm.memory.buffer.byteLength);
    res.memory = await memorySnapshot();
  } finally {
    llm.free();
  }
  return res;
}

/** The threaded module in a Web Worker running this file: logs and checkpoints come back here. */
function benchQingyuThreads() {
  return new Promise((resolve) => {
    const worker = new Worker(new URL(`llm.js${location.search}`, import.meta.url), { type: 'module' });
    worker.onmessage = async ({ data }) => {
      if (data.log !== undefined) log(data.log);
      else if (data.checkpoint !== undefined) worker.postMessage({ checkpointDone: await checkpoint(data.checkpoint) });
      else if (data.result !== undefined) { worker.terminate(); resolve(data.result); }
    };
    worker.onerror = (e) => { worker.terminate(); resolve({ engine: 'qingyu-wasm-threads', error: `worker: ${e.message}` }); };
  });
}

// ---------------------------------------------------------------------------------------------
// (c) @wllama/wllama: llama.cpp's llama-server core compiled to wasm (memory64 + JSPI)
// ---------------------------------------------------------------------------------------------
async function benchWllama(bytes) {
  const res = { engine: 'wllama' };
  let Wllama;
  try {
    ({ Wllama } = await import(`${WLLAMA_DIR}index.js`));
  } catch (e) {
    return { ...res, error: `cannot import ${WLLAMA_DIR}index.js (copied from node_modules by scripts/bench-llm.mjs): ${e.message}` };
  }
  res.libllama = Wllama.getLibllamaVersion?.();
  const nativeLog = [];
  const keep = (level) => (...a) => {
    const line = a.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join(' ');
    nativeLog.push(line);
    if (level === 'warn' || level === 'error') console[level](`[wllama] ${line}`);
  };
  const wllama = new Wllama({ default: `${WLLAMA_DIR}wllama.wasm` }, {
    logger: { debug: keep('debug'), log: keep('log'), warn: keep('warn'), error: keep('error') },
  });

  // wllama 3.x runs llama-server's core and takes the prompt as text only (a JSON array of token
  // ids is rejected: "type must be string, but is array"; the v2 tokenize/decode API is gone).
  // So it gets a text of exactly N tokens: " word" pieces that are single vocabulary entries of
  // this GGUF, picked with the same (i·7919+13) rule. llama.cpp reports how many prompt tokens it
  // evaluated (timings.prompt_n) and the bench fails if that is not N. Prefill cost does not depend
  // on which ids are fed, only on how many.
  const words = singleTokenWords(bytes);
  const textOf = (n) => {
    let t = '';
    for (let i = 0; i < n; i++) t += words[(i * 7919 + 13) % words.length];
    return t;
  };
  res.prompt_kind = `text of N single-token words (${words.length}-word pool from the GGUF vocabulary)`;

  // The model goes to wllama by URL, as loadModelFromUrl() does it but in two timed steps:
  // (1) its model manager downloads the GGUF from this server into the origin-private file
  // system (OPFS; in the driver's fresh browser context that is always a real download), then
  // (2) loadModel() reads the cached file-backed Blob into the worker. Only (2) is load_s, as
  // for our engine (whose load starts from bytes already in the page). wllama is not handed the
  // page's bytes as `new Blob([bytes])`: Chromium 156 fails to read a 347 MB in-memory Blob in
  // wllama's worker (NotReadableError). The cached copy is removed at the end (and a copy left
  // by an earlier run of this page, which may be another GGUF under the same URL, before).
  const url = new URL(GGUF, location.href).href;
  for (const m of await wllama.modelManager.getModels({ includeInvalid: true })) {
    if (m.url === url) await m.remove();
  }
  log(`wllama: downloading ${GGUF} by URL into its OPFS cache`);
  let t0 = now();
  const model = await wllama.modelManager.downloadModel(url);
  const dropModel = () => model.remove().catch((e) => log(`wllama: could not remove the cached model: ${e}`));
  res.download_s = round((now() - t0) / 1000);
  res.model_source = `${GGUF} by URL (wllama's model manager, OPFS cache)`;
  log(`wllama: model in its cache after ${res.download_s} s; loading`);
  t0 = now();
  try {
    await wllama.loadModel(model, {
      n_threads: THREADS, // 1: no pthread workers; more: llama.cpp's own pool (isolated page)
      n_ctx: N_CTX,
      n_batch: N_BATCH,
      n_ubatch: N_BATCH,
      n_gpu_layers: 0, // CPU (wasm SIMD) only; also keeps WebGPU out of it
      n_parallel: 1, // one server slot
      warmup: false, // load time = load only; the bench warms up on its own below, as for our engine
    });
  } catch (e) {
    await dropModel();
    throw e;
  }
  res.load_s = round((now() - t0) / 1000);
  log(`wllama: loaded in ${res.load_s} s`);
  res.threads = {
    isMultithread: wllama.isMultithread(),
    getNumThreads: wllama.getNumThreads(),
    crossOriginIsolated: self.crossOriginIsolated,
    sharedArrayBuffer: typeof SharedArrayBuffer !== 'undefined',
    hardwareConcurrency: navigator.hardwareConcurrency,
    // wllama's and llama.cpp's own words on threads, backend and batch sizes
    log: nativeLog.filter((l) => /Multithread|pthread|n_threads|WebGPU|async file|model buffer|n_u?batch  |flash_attn/.test(l))
      .slice(0, 12),
  };
  log(`wllama: isMultithread=${res.threads.isMultithread} getNumThreads=${res.threads.getNumThreads} ` +
      `crossOriginIsolated=${res.threads.crossOriginIsolated}`);


  // cache_prompt:false: every request starts from an empty KV cache; temperature 0: greedy;
  // ignore_eos: always exactly max_tokens tokens.
  const complete = async (n, maxTokens) => {
    const prompt = textOf(n);
    const t = now();
    const r = await wllama.createCompletion({
      prompt,
      max_tokens: maxTokens,
      temperature: 0,
      cache_prompt: false,
      ignore_eos: true,
    });
    const wall_s = (now() - t) / 1000;
    const tm = r.timings;
    if (tm && (tm.prompt_n !== n || tm.cache_n)) {
      throw new Error(`wllama evaluated ${tm.prompt_n} prompt tokens (${tm.cache_n} from cache), expected ${n}`);
    }
    return { wall_s, timings: tm, r };
  };

  try {
    t0 = now();
    let runs = 0;
    do {
      await complete(16, 5);
      runs++;
    } while (now() - t0 < WARMUP_MS);
    res.warmup = { runs, s: round((now() - t0) / 1000) };
    log(`wllama: warm-up ${runs} × (prefill 16 + decode 4) in ${res.warmup.s} s`);

    await checkpoint('measure-start');
    res.prefill_tps = {};
    res.prefill_s = {};
    res.prefill_internal_tps = {};
    for (const [i, n] of PROMPTS.entries()) {
      const { wall_s, timings } = await complete(n, 1);
      res.prefill_s[n] = round(wall_s);
      res.prefill_tps[n] = round(n / wall_s, 2);
      res.prefill_internal_tps[n] = timings ? round(timings.prompt_n / (timings.prompt_ms / 1000), 2) : null;
      log(`wllama: prefill ${n} tokens in ${wall_s.toFixed(2)} s = ${res.prefill_tps[n]} tok/s ` +
          `(llama.cpp's own timer: ${res.prefill_internal_tps[n]} tok/s; ${eta(i, n / wall_s)})`);
    }

    // Decode: a 64-token prompt, then DECODE + 1 sampled tokens; the first comes from the
    // prefill logits, each of the other DECODE needs one single-token forward pass. llama-server
    // times exactly those DECODE passes (predicted_ms starts at the first sampled token).
    const { wall_s, timings, r } = await complete(DECODE_PROMPT, DECODE + 1);
    res.decode_wall_s = round(wall_s);
    if (timings) {
      const steps = timings.predicted_n - 1;
      res.decode_s = round(timings.predicted_ms / 1000);
      res.decode_tps = round(steps / (timings.predicted_ms / 1000), 2);
      if (res.prefill_s[DECODE_PROMPT] != null) {
        // cross-check from wall clocks: (prompt + decode) - (same prompt, no decode)
        res.decode_wall_tps = round(DECODE / (wall_s - res.prefill_s[DECODE_PROMPT]), 2);
      }
      log(`wllama: decode ${steps} tokens in ${(timings.predicted_ms / 1000).toFixed(2)} s = ${res.decode_tps} tok/s` +
          (res.decode_wall_tps ? ` (wall-clock difference: ${res.decode_wall_tps} tok/s)` : ''));
    }
    res.decode_text = r.choices?.[0]?.text;
    res.cpu = await checkpoint('measure-end'); // before exit(): the worker thread is still alive
    if (q.has('dumplog')) res.native_log_all = nativeLog; // ?dumplog: wllama's whole log in the result
    res.memory = await memorySnapshot();
  } finally {
    await wllama.exit();
    await dropModel();
  }
  return res;
}

async function main() {
  const out = {
    url: location.href,
    user_agent: navigator.userAgent,
    cross_origin_isolated: self.crossOriginIsolated,
    prompts: PROMPTS,
    decode: DECODE,
    gguf: GGUF,
    n_ctx: N_CTX,
    results: [],
  };
  const tooLong = PROMPTS.find((n) => n + 1 > N_CTX || DECODE_PROMPT + DECODE + 1 > N_CTX);
  if (tooLong) throw new Error(`prompt ${tooLong} does not fit the ${N_CTX}-token context`);
  const engines = ENGINE === 'both' ? ['qingyu', 'wllama'] : [ENGINE];
  // wllama's prompts come from the GGUF's vocabulary, so its page reads the file; ours streams it.
  let bytes = null;
  if (engines.includes('wllama')) {
    const fetched = await fetchModel();
    bytes = fetched.bytes;
    out.fetch_s = round(fetched.fetch_s);
    out.gguf_bytes = bytes.length;
  }
  for (const e of engines) {
    const fn = { qingyu: benchQingyu, wllama: benchWllama }[e];
    if (!fn) throw new Error(`unknown engine ${e}`);
    let r;
    try {
      r = await fn(bytes);
    } catch (err) {
      r = { engine: e === 'qingyu' ? 'qingyu-wasm' : 'wllama', error: String(err?.stack || err) };
    }
    if (r.error) log(`${r.engine}: ERROR ${r.error}`);
    out.results.push(r);
  }
  return out;
}

if (IN_WORKER) {
  self.onmessage = ({ data }) => { if ('checkpointDone' in data) pendingCheckpoints.shift()?.(data.checkpointDone); };
  benchQingyu().catch((e) => ({ engine: 'qingyu-wasm-threads', error: String(e?.stack || e) }))
    .then((result) => self.postMessage({ result }));
} else {
  main().then(
    (r) => { window.__benchResult = r; log('done'); },
    (e) => { window.__benchResult = { error: String(e?.stack || e) }; log(`ERROR ${e?.stack || e}`); },
  );
}
