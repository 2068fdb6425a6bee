// Qingyu's Web Worker: hosts the wasm module and every model, so the page never blocks.
//
// Protocol (main → worker): {id, op, args}; {op: 'cancel', target: id}.
// Worker → main: {id, type: 'chunk', data} · {id, type: 'meta', data} · {id, type: 'done', data}
//                · {id, type: 'error', error: {name, message}} · {type: 'progress', group, loaded, total, file}.
// Work on one model runs in its own lane (one job at a time); lanes interleave at yields, so a
// caption never waits for a 347 MB LLM download and a cancel lands between two tokens.
import { GROUPS, ModelStore, abortError, typedError } from './models.js';
import './simd-probe.js'; // self.QINGYU_RELAXED_SIMD_PROBE
// A static import (not `import(url)` from the page) so that bundlers include the wasm-bindgen glue
// and, through its `new URL('qingyu_bg.wasm', import.meta.url)`, copy the wasm.
import * as bundledGlue from '../pkg/qingyu.js';

let wasm = null; // the full module's glue (SIMD128): vision, and the LLM on one thread where no text module starts
let fullReady = null; // the full module's instantiation (see loadFullModule)
let full = null; // the full module, once instantiated: its relaxed-SIMD build where that starts, else `wasm`
let text = null; // the module that runs the LLM and every summary: a text module, or `wasm` (see loadTextModule)
let weightLayout = 'packed'; // 'packed' | 'expanded', from init (the library resolves 'auto')
let threadPlan = { requested: 1, threads: 1, reason: 'not started' }; // see planThreads
let simdPlan = { requested: 'auto', kernels: 'simd128', reason: 'not started' }; // see planSimd
let visionSimd = null; // the photos' kernels, once the full module started: {kernels, code, reason}
let moduleUrls = null; // {threads, relaxed, 'threads-relaxed', 'full-relaxed'}: where the other modules are, when not next to this file
let store = null;
let features = null;
const models = { llm: null, captioner: null, classifier: null };
const loading = {}; // group → Promise
const jobs = new Map(); // id → {cancelled}
const lanes = {}; // lane → Promise (tail)
const stats = { llm: null, caption: null };

// A yield that is not clamped like nested setTimeout: lets queued messages (cancel) run.
const channel = new MessageChannel();
const wakeups = [];
channel.port1.onmessage = () => wakeups.shift()?.();
const yieldNow = () => new Promise((resolve) => { wakeups.push(resolve); channel.port2.postMessage(0); });

const post = (m) => self.postMessage(m);

/** wasm errors are `Error`s whose message starts with the kind: "InvalidInput: …". */
function normalizeError(e) {
  if (e?.name === 'AbortError') return { name: 'AbortError', message: e.message };
  const message = String(e?.message ?? e);
  const kind = /^(InvalidInput|ModelLoad|Aborted|Unsupported)\b/.exec(message)?.[1];
  if (kind === 'Aborted') return { name: 'AbortError', message };
  if (kind) return { name: kind, message };
  if (e instanceof WebAssembly.RuntimeError) return { name: 'Internal', message: `Internal: the wasm module failed (${message}); reload the page` };
  return { name: e?.name && e.name !== 'Error' ? e.name : 'Internal', message };
}

function checkCancelled(job) {
  if (job.cancelled) throw abortError();
}

// ------------------------------------------------------------------------------------------
// start-up and model loading
// ------------------------------------------------------------------------------------------
/**
 * How many kernel threads the LLM will get. More than one needs the threaded text module,
 * which needs SharedArrayBuffer: a cross-origin isolated page (COOP + COEP headers; see
 * www/README.md for static hosts). Otherwise the full module's single-thread LLM runs.
 */
function planThreads(requested) {
  if (requested <= 1) return { requested, threads: 1, code: 'requested', reason: 'one thread requested' };
  if (!self.crossOriginIsolated || typeof SharedArrayBuffer !== 'function') {
    return { requested, threads: 1, code: 'not-isolated', reason: 'the page is not cross-origin isolated (no COOP/COEP headers), so no shared memory for threads' };
  }
  return { requested, threads: requested, code: 'isolated', reason: 'cross-origin isolated page' };
}

/**
 * Which SIMD the LLM's kernels use: relaxed SIMD (the relaxed text modules) where the browser
 * validates it, unless SIMD128 was asked for. The module's own kernel check confirms it when
 * it loads (see loadTextModule).
 */
function planSimd(requested) {
  if (requested === 'simd128') return { requested, kernels: 'simd128', code: 'requested', reason: 'SIMD128 requested' };
  let ok = false;
  try { ok = WebAssembly.validate(self.QINGYU_RELAXED_SIMD_PROBE); } catch { /* no relaxed SIMD */ }
  if (!ok) return { requested, kernels: 'simd128', code: 'unsupported', reason: 'this browser has no WebAssembly relaxed SIMD' };
  return { requested, kernels: 'relaxed', code: 'relaxed', reason: 'the browser has WebAssembly relaxed SIMD' };
}

/**
 * The LLM's module, loaded the first time the LLM is. In order of preference, the first that
 * starts: the text module with threads and relaxed SIMD, with threads, with relaxed SIMD, and
 * the full module (one thread, SIMD128); the plans decide which are tried. A relaxed module
 * must pass a quick kernel check against the scalar reference before it is used (an engine
 * whose relaxed dot differs gives wrong sums, not an error). What could not start is said in
 * `threadPlan` / `simdPlan` and by a warning message.
 */
async function loadTextModule() {
  if (text) return text;
  const wantThreads = threadPlan.threads > 1;
  const wantRelaxed = simdPlan.kernels === 'relaxed';
  const candidates = [
    { dir: 'threads-relaxed', threads: true, relaxed: true },
    { dir: 'threads', threads: true, relaxed: false },
    { dir: 'relaxed', threads: false, relaxed: true },
  ].filter((c) => (!c.threads || wantThreads) && (!c.relaxed || wantRelaxed));
  const failed = {};
  let chosen = { threads: false, relaxed: false }; // the full module
  for (const c of candidates) {
    try {
      const url = moduleUrls?.[c.dir] ?? new URL(`../pkg/${c.dir}/qingyu_text.js`, import.meta.url).href;
      const mod = await import(/* @vite-ignore */ /* webpackIgnore: true */ url);
      await mod.default();
      if (c.relaxed) checkRelaxed(mod);
      if (c.threads) await mod.startThreads(threadPlan.threads);
      text = mod;
      chosen = c;
      break;
    } catch (e) {
      const why = String(e?.message ?? e).split('\n')[0];
      if (c.threads) failed.threads ??= why;
      if (c.relaxed) failed.relaxed ??= why;
    }
  }
  if (wantThreads && !chosen.threads) {
    threadPlan = { ...threadPlan, threads: 1, code: 'failed', reason: `the threaded module did not start (${failed.threads}); one thread` };
    post({ type: 'threadswarning', message: threadPlan.reason });
  }
  if (wantRelaxed && !chosen.relaxed) {
    simdPlan = { ...simdPlan, kernels: 'simd128', code: 'failed', reason: `the relaxed-SIMD module did not pass its start (${failed.relaxed}); SIMD128` };
    post({ type: 'simdwarning', module: 'llm', message: simdPlan.reason });
  }
  // No text module: the LLM runs in the full module, whose SIMD follows the plan as settled above.
  text ??= await loadFullModule();
  return text;
}

/** A relaxed-SIMD module's kernel check against the scalar reference (throws when it fails). */
function checkRelaxed(mod) {
  const path = mod.kernelSelfTest(20260, 12);
  if (path !== 'wasm-relaxed-simd') throw new Error(`its kernels are ${path}`);
}

/**
 * The full module (tract and the vision models; 24 MB), instantiated the first time something
 * needs it: a page that only summarizes never downloads or compiles it (~30 MiB of renderer
 * memory and 24 MB of download saved). Its relaxed-SIMD build (tract's matrix kernels fuse
 * multiply and add) where the LLM's relaxed module started, after the same kernel check; else,
 * or when that build does not start, the SIMD128 one.
 */
function loadFullModule() {
  fullReady ??= startFullModule().then((mod) => { full = mod; return mod; }, (e) => {
    fullReady = null; // a later photo tries again
    throw typedError('ModelLoad', `ModelLoad: the vision module did not load: ${String(e?.message ?? e).split('\n')[0]}`);
  });
  return fullReady;
}

async function startFullModule() {
  if (simdPlan.kernels === 'relaxed') {
    try {
      const url = moduleUrls?.['full-relaxed'] ?? new URL('../pkg/full-relaxed/qingyu.js', import.meta.url).href;
      const mod = await import(/* @vite-ignore */ /* webpackIgnore: true */ url);
      await mod.default();
      checkRelaxed(mod);
      visionSimd = { kernels: 'relaxed', code: 'relaxed', reason: 'the browser has WebAssembly relaxed SIMD' };
      return mod;
    } catch (e) {
      const why = String(e?.message ?? e).split('\n')[0];
      visionSimd = { kernels: 'simd128', code: 'failed', reason: `the relaxed-SIMD vision module did not pass its start (${why}); SIMD128` };
      post({ type: 'simdwarning', module: 'vision', message: visionSimd.reason });
    }
  } else {
    // As the LLM's: SIMD128 asked for, no relaxed SIMD in this browser, or its module failed.
    visionSimd = { kernels: 'simd128', code: simdPlan.code, reason: simdPlan.reason };
  }
  await wasm.default();
  return wasm;
}

async function init({ wasmUrl, moduleUrls: urls, modelBaseUrl, files, weights, threads, simd }) {
  weightLayout = weights ?? 'packed';
  threadPlan = planThreads(threads ?? 1);
  simdPlan = planSimd(simd ?? 'auto');
  moduleUrls = urls ?? null;
  wasm = wasmUrl ? await import(/* @vite-ignore */ /* webpackIgnore: true */ wasmUrl) : bundledGlue;
  store = new ModelStore({ baseUrl: modelBaseUrl, files });
  const probe = wasm.Llm?.prototype ?? {};
  features = {
    summarizeExtractive: typeof wasm.summarizeExtractive === 'function',
    summarizeLlm: typeof probe.summarizeStart === 'function' && typeof probe.summarizeStep === 'function',
    captioner: typeof wasm.Captioner === 'function',
    classifier: typeof wasm.Classifier === 'function',
    llm: typeof wasm.Llm === 'function',
  };
  // The text module runs every summary, so it starts now; `build` describes it (the module the
  // LLM's kernels run in), and the full module waits for the first photo.
  const engine = await loadTextModule();
  return { version: engine.version(), build: engine.buildInfo(), features, threads: { ...threadPlan }, simd: { ...simdPlan } };
}

function ensure(group, job) {
  // Own keys only: a group named "__proto__" or "constructor" must not reach loading[…].
  if (!Object.hasOwn(GROUPS, group)) return Promise.reject(typedError('InvalidInput', `InvalidInput: unknown model group ${JSON.stringify(String(group))}`));
  if (group === 'llm' && models.llm) return models.llm;
  if (group === 'vision' && models.captioner) return models.captioner;
  if (group === 'classifier' && models.classifier) return models.classifier;
  loading[group] ??= loadGroup(group).finally(() => {
    delete loading[group];
    post({ type: 'progress-end', group }); // also after a failure: nothing is downloading any more
  });
  return loading[group].then((m) => { checkCancelled(job); return m; });
}

async function loadGroup(group) {
  const names = GROUPS[group];
  if (group === 'vision' && !features.captioner) {
    throw typedError('Unsupported', 'Unsupported: photo captions need the Captioner, which this wasm build does not have yet');
  }
  const t0 = performance.now();
  // The GGUF goes part by part straight into wasm memory (LlmLoader), from the cache or as it
  // downloads, so the page never holds the whole 347 MB file as a JS buffer beside the engine's copy.
  let llmLoader = null;
  const engine = group === 'llm' ? await loadTextModule() : await loadFullModule();
  const streamLlm = group === 'llm' && typeof engine.LlmLoader === 'function';
  const into = (name, size) => {
    if (!streamLlm || name !== names[0]) return null;
    llmLoader?.free(); // a damaged cached copy gave way to a download: start over
    llmLoader = new engine.LlmLoader(size, weightLayout);
    return (chunk) => llmLoader.write(chunk);
  };
  let files;
  try {
    files = await store.load(names, {
      onProgress: ({ loaded, total, file }) => post({ type: 'progress', group, loaded, total, file }),
      onCacheError: (file, e) => post({ type: 'cachewarning', group, file, message: String(e?.message ?? e) }),
      into,
      // The engine's incremental SHA-256: a first download streams into the loader part by part.
      hasher: streamLlm && typeof engine.Sha256 === 'function' ? () => new engine.Sha256() : null,
    });
  } catch (e) {
    llmLoader?.free();
    throw e;
  }
  const fetchMs = performance.now() - t0;
  const t1 = performance.now();
  let current = null;
  try {
    let model;
    if (group === 'llm') {
      current = names[0];
      model = llmLoader ? llmLoader.finish(2048) : new engine.Llm(files.get(names[0]), 2048);
      llmLoader = null; // finish() consumed it
    } else if (group === 'classifier') {
      current = 'efficientnet-lite0.onnx';
      model = new engine.Classifier(files.get('efficientnet-lite0.onnx'), files.get('imagenet-labels.json'));
    } else {
      const f = (n) => files.get(n);
      model = new engine.Captioner();
      current = 'efficientnet-lite0.onnx';
      model.loadClassifier(f('efficientnet-lite0.onnx'), f('imagenet-labels.json'));
      current = 'detector.onnx';
      model.loadDetector(f('detector.onnx'), f('coco-labels.json'));
      current = 'ppocrv4-det.onnx';
      model.loadOcr(f('ppocrv4-det.onnx'), f('ppocrv4-rec.onnx'), f('ppocr-cls.onnx'), f('ppocr-keys.txt'));
    }
    const key = group === 'vision' ? 'captioner' : group;
    models[key] = model;
    stats[`${group}Load`] = { fetchMs, compileMs: performance.now() - t1, ...(group === 'llm' ? { threads: { ...threadPlan }, simd: { ...simdPlan } } : { simd: { ...visionSimd } }) };
    return model;
  } catch (e) {
    // A file that passed its hash but does not load is useless in the cache: drop it so the
    // next attempt fetches it again.
    if (current && /^ModelLoad/.test(String(e?.message))) await store.evict(current).catch(() => {});
    throw e;
  }
}

// ------------------------------------------------------------------------------------------
// operations
// ------------------------------------------------------------------------------------------
async function summarize(job, { text, options }) {
  const type = options.type ?? 'key-points';
  const { useModel, ...wasmOptions } = options;
  // useModel: key points rephrased by the LLM instead of extracted sentences.
  const opts = useModel ? { ...wasmOptions, rephrase: true } : wasmOptions;
  if (type === 'key-points' && !options.useModel && !options.outputLanguage) {
    return summarizeExtractive(job, text, opts);
  }
  if (type === 'key-points' && !options.useModel && options.outputLanguage && features.summarizeExtractive) {
    // Same language as the input: the extractive answer is the faithful one.
    const probe = (await loadTextModule()).summarizeExtractive(text, { ...wasmOptions, outputLanguage: undefined });
    if (probe.language === options.outputLanguage) return summarizeExtractive(job, text, opts, probe);
  }
  if (!features.summarizeLlm) {
    throw typedError('Unsupported', `Unsupported: "${type}" summaries need the LLM summarizer, which this wasm build does not have yet`);
  }
  const llm = await ensure('llm', job);
  const t0 = performance.now();
  const meta = llm.summarizeStart(text, opts);
  post({ id: job.id, type: 'meta', data: meta });
  let firstMs = null;
  let pieces = 0;
  const tDecode = performance.now();
  try {
    for (;;) {
      await yieldNow();
      checkCancelled(job);
      const piece = llm.summarizeStep();
      if (piece === undefined) break;
      pieces++;
      if (piece) {
        firstMs ??= performance.now() - t0;
        post({ id: job.id, type: 'chunk', data: piece });
      }
    }
  } catch (e) {
    try { llm.cancel(); } catch { /* already idle */ }
    throw e;
  }
  const result = llm.summarizeResult();
  const totalMs = performance.now() - t0;
  const generated = result.tokens?.generated ?? pieces;
  const decodeMs = result.timing?.decodeMs || (performance.now() - tDecode);
  stats.llm = {
    kind: 'summarize', firstTokenMs: firstMs, totalMs, promptTokens: result.tokens?.prompt ?? meta.promptTokens,
    generatedTokens: generated, prefillMs: result.timing?.prefillMs || null, decodeMs,
    tokensPerSecond: decodeMs > 0 ? (generated / decodeMs) * 1000 : null,
  };
  return { ...result, stats: stats.llm };
}

async function summarizeExtractive(job, text, opts, ready = null) {
  if (!features.summarizeExtractive) {
    throw typedError('Unsupported', 'Unsupported: key points need summarizeExtractive, which this wasm build does not have yet');
  }
  // In the LLM's module, not the full one: jieba's dictionary (~40 MiB of wasm memory) is
  // then loaded once for every kind of summary, not once in each module's memory.
  const engine = ready ? null : await loadTextModule();
  checkCancelled(job);
  const t0 = performance.now();
  const result = ready ?? engine.summarizeExtractive(text, opts);
  post({ id: job.id, type: 'chunk', data: result.text });
  return { ...result, fallback: false, stats: { totalMs: performance.now() - t0 } };
}

/** Plain chat generation with the same engine (ChatML), for prompts, tests and benchmarks. */
async function generate(job, { prompt, options }) {
  const llm = await ensure('llm', job);
  const system = options.system ?? 'You are a helpful assistant.';
  const chat = `<|im_start|>system\n${system}<|im_end|>\n<|im_start|>user\n${prompt}<|im_end|>\n<|im_start|>assistant\n`;
  const { system: _s, prefillChunk, ...gen } = options;
  const t0 = performance.now();
  const promptTokens = llm.start(chat, gen);
  try {
    // Prefill in chunks with yields in between, so a long prompt can be cancelled too. The
    // chunk adapts to ~300 ms of work (prefill speed hardly depends on the chunk size here,
    // 4 → 128 tokens all within noise on 2 cores), which keeps a cancel well inside a second.
    let chunk = prefillChunk ?? 8;
    for (let done = false; !done;) {
      await yieldNow();
      checkCancelled(job);
      const tc = performance.now();
      done = llm.prefill(chunk);
      const msPerToken = (performance.now() - tc) / chunk;
      if (!prefillChunk && msPerToken > 0) chunk = Math.max(4, Math.min(64, Math.round(300 / msPerToken)));
    }
    const prefillMs = performance.now() - t0;
    let firstMs = null;
    let n = 0;
    const tDecode = performance.now();
    let text = '';
    for (;;) {
      await yieldNow();
      checkCancelled(job);
      const piece = llm.step();
      if (piece === undefined) break;
      n++;
      if (piece) {
        firstMs ??= performance.now() - t0;
        text += piece;
        post({ id: job.id, type: 'chunk', data: piece });
      }
    }
    const decodeMs = performance.now() - tDecode;
    stats.llm = {
      kind: 'prompt', firstTokenMs: firstMs, totalMs: performance.now() - t0, promptTokens,
      generatedTokens: n, prefillMs, decodeMs, tokensPerSecond: decodeMs > 0 ? (n / decodeMs) * 1000 : null,
      prefillTokensPerSecond: prefillMs > 0 ? (promptTokens / prefillMs) * 1000 : null,
    };
    return { text, finishReason: llm.finishReason(), stats: stats.llm };
  } catch (e) {
    try { llm.cancel(); } catch { /* idle */ }
    throw e;
  }
}

/** The page sends raw pixels as {rgba, width, height} (the buffer transferred); wasm takes an ImageData. */
function toImageData({ rgba, width, height }) {
  try {
    return new ImageData(new Uint8ClampedArray(rgba.buffer, rgba.byteOffset, rgba.byteLength), width, height);
  } catch (e) {
    throw typedError('InvalidInput', `InvalidInput: ${width}×${height} pixels do not match ${rgba.byteLength} bytes of RGBA (${e.message})`);
  }
}

async function rgbaToPng(rgba, width, height) {
  const canvas = new OffscreenCanvas(width, height);
  canvas.getContext('2d').putImageData(toImageData({ rgba, width, height }), 0, 0);
  return new Uint8Array(await (await canvas.convertToBlob({ type: 'image/png' })).arrayBuffer());
}

async function caption(job, { image, options }) {
  const captioner = await ensure('vision', job);
  checkCancelled(job);
  const t0 = performance.now();
  // The captioner writes the brief sentence; detail 'full' has the LLM describe it (below).
  const brief = { ...options, detail: 'brief' };
  const result = image.bytes
    ? captioner.caption(image.bytes, brief)
    : captioner.captionImageData(toImageData(image), brief);
  stats.caption = { totalMs: performance.now() - t0, timing: result.timing ?? null };
  if (options.detail !== 'full') return { ...result, stats: stats.caption };
  return describe(job, result, options.language);
}

/** detail 'full': 2–3 checked sentences by the LLM from the caption's tags (streamed as chunks). */
async function describe(job, caption, language) {
  const llm = await ensure('llm', job);
  if (typeof llm.describeStart !== 'function') {
    throw typedError('Unsupported', "Unsupported: detail 'full' needs describeStart, which this wasm build does not have");
  }
  const t0 = performance.now();
  post({ id: job.id, type: 'meta', data: { brief: caption.text, ...llm.describeStart(caption, language) } });
  try {
    for (;;) {
      await yieldNow();
      checkCancelled(job);
      const piece = llm.describeStep();
      if (piece === undefined) break;
      if (piece) post({ id: job.id, type: 'chunk', data: piece });
    }
  } catch (e) {
    try { llm.cancel(); } catch { /* already idle */ }
    throw e;
  }
  const description = llm.describeResult();
  stats.caption = { ...stats.caption, describeMs: performance.now() - t0, totalMs: stats.caption.totalMs + performance.now() - t0 };
  return { ...caption, text: description.text, brief: caption.text, detail: 'full', description, stats: stats.caption };
}

async function classify(job, { image, k }) {
  const classifier = await ensure('classifier', job);
  checkCancelled(job);
  const bytes = image.bytes ?? await rgbaToPng(image.rgba, image.width, image.height);
  const t0 = performance.now();
  const labels = classifier.classify(bytes, k ?? 5);
  stats.classify = { totalMs: performance.now() - t0 };
  return { labels, stats: stats.classify };
}

const OPS = {
  summarize: { lane: (a) => ((a.options.type ?? 'key-points') === 'key-points' && !a.options.useModel && !a.options.outputLanguage ? 'text' : 'llm'), run: summarize },
  generate: { lane: () => 'llm', run: generate },
  // A full description runs the LLM too: queue it behind other LLM work.
  caption: { lane: (a) => (a.options.detail === 'full' ? 'llm' : 'vision'), run: caption },
  classify: { lane: () => 'classifier', run: classify },
  load: {
    lane: (a) => `load-${a.group}`,
    run: async (job, { group }) => { await ensure(group, job); return { group, stats: stats[`${group}Load`] ?? null }; },
  },
  stats: { lane: () => null, run: async () => ({ ...stats, loaded: { llm: !!models.llm, vision: !!models.captioner, classifier: !!models.classifier } }) },
  // The wasm linear memory (it only grows; a restarted worker starts a new one) and the jobs in the worker.
  memory: {
    lane: () => null,
    // Both modules' memories when the threaded one runs the LLM (it has its own, shared).
    run: async () => ({ wasmMemoryBytes: (full?.memoryBytes() ?? 0) + (text && text !== full ? text.memoryBytes() : 0) || null, jobs: jobs.size }),
  },
  unload: {
    lane: () => null,
    run: async (job, { group }) => {
      const key = group === 'vision' ? 'captioner' : group;
      models[key]?.free?.();
      models[key] = null;
      return true;
    },
  },
};

self.onmessage = (ev) => {
  const msg = ev.data;
  if (msg.op === 'cancel') {
    const job = jobs.get(msg.target);
    if (job) {
      job.cancelled = true;
      if (!job.started) { jobs.delete(job.id); post({ id: job.id, type: 'error', error: { name: 'AbortError', message: 'Aborted: cancelled before it started' } }); }
    }
    return;
  }
  if (msg.op === 'init') {
    init(msg.args).then(
      (data) => post({ id: msg.id, type: 'done', data }),
      (e) => post({ id: msg.id, type: 'error', error: normalizeError(e) }),
    );
    return;
  }
  const op = Object.hasOwn(OPS, msg.op) ? OPS[msg.op] : null;
  if (!op) { post({ id: msg.id, type: 'error', error: { name: 'Unsupported', message: `Unsupported: unknown operation ${msg.op}` } }); return; }
  const job = { id: msg.id, cancelled: false, started: false };
  jobs.set(job.id, job);
  const runJob = async () => {
    if (!jobs.has(job.id)) return; // cancelled while queued (already answered)
    job.started = true;
    try {
      const data = await op.run(job, msg.args);
      post({ id: job.id, type: 'done', data });
    } catch (e) {
      post({ id: job.id, type: 'error', error: normalizeError(job.cancelled ? abortError() : e) });
    } finally {
      jobs.delete(job.id);
    }
  };
  const lane = op.lane(msg.args);
  if (!lane) { runJob(); return; }
  lanes[lane] = (lanes[lane] ?? Promise.resolve()).then(runJob);
};
