// Summarize bench page: loads the wasm module and the GGUF once, then summarizes each article
// with each type through the same step API the worker uses (summarizeStart / summarizeStep /
// summarizeResult), timing every call with performance.now(). The driver script passes the
// articles in and scores the results (recall, guard, length rules) itself.
//
// ?threads=N (N > 1): the threaded text module with N kernel threads. It must run in a worker
// (its pool blocks the calling thread), so the page then runs this same file as a module worker
// and forwards runSummarizeBench / runDraftBench to it. ?quality=best: LLM summaries with
// three candidates each. ?simd=relaxed: the relaxed-SIMD text module (what the library picks in
// Chromium), one thread or threaded.
const params = new URLSearchParams(location.search);
const GGUF = params.get('gguf') || '/models/qwen2.5-coder-0.5b-instruct-q5_0-tied.gguf';
const THREADS = Math.max(1, Number(params.get('threads') || 1));
// ?quality=best: every LLM summary generates three candidates and shows the best-covering one.
const QUALITY = params.get('quality') || undefined;
const RELAXED = params.get('simd') === 'relaxed';
const MODULE = THREADS > 1 ? (RELAXED ? 'threads-relaxed/qingyu_text.js' : 'threads/qingyu_text.js') : (RELAXED ? 'relaxed/qingyu_text.js' : 'qingyu.js');
const IN_WORKER = typeof document === 'undefined';
const logEl = IN_WORKER ? null : document.getElementById('log');
const log = (msg) => {
  if (IN_WORKER) return self.postMessage({ log: msg });
  console.log(`[bench] ${msg}`);
  logEl.textContent += `${msg}\n`;
};

let llm = null;
let Llm = null;
let summarizeExtractive = null;

const WARM_UP = {
  en: 'The library opened a new reading room on Monday. It has forty seats and a quiet corner for children.',
  zh: '图书馆周一开放了新的阅览室。阅览室有四十个座位，还有一个给孩子的安静角落。',
};

async function loadModel() {
  const mod = await import(`/pkg/${MODULE}`);
  await mod.default();
  if (THREADS > 1) await mod.startThreads(THREADS);
  ({ Llm, summarizeExtractive } = mod);
  log(`module ${MODULE}, ${THREADS > 1 ? `${mod.kernelThreads()} kernel threads` : '1 thread'}`);
  const t0 = performance.now();
  const bytes = new Uint8Array(await (await fetch(GGUF)).arrayBuffer());
  const t1 = performance.now();
  llm = new Llm(bytes, 2048);
  const t2 = performance.now();
  log(`model: fetch ${(t1 - t0).toFixed(0)} ms, load ${(t2 - t1).toFixed(0)} ms`);
  return { fetchMs: t1 - t0, loadMs: t2 - t1, threads: THREADS };
}

/** One summary end to end; wallMs includes everything the caller waits for. */
function summarizeOnce(text, options) {
  const t0 = performance.now();
  if (options.type === 'key-points' && !options.rephrase && !options.outputLanguage) {
    const result = summarizeExtractive(text, options);
    return { result, wallMs: performance.now() - t0, firstTextMs: performance.now() - t0 };
  }
  llm.summarizeStart(text, options);
  let firstTextMs = null;
  for (;;) {
    const piece = llm.summarizeStep();
    if (piece === undefined) break;
    if (piece && firstTextMs === null) firstTextMs = performance.now() - t0;
  }
  const result = llm.summarizeResult();
  return { result, wallMs: performance.now() - t0, firstTextMs };
}

let model = null;

/** "same": the article's language; "cross": the other one (the summary is translated). */
const outputFor = (a, direction) => (direction === 'cross' ? (a.language === 'zh' ? 'en' : 'zh') : undefined);

const runSummarizeBench = async (articles, types, length, extra = [], directions = ['same']) => {
  model ||= await loadModel();
  // Warm-up on other text: loads jieba's dictionary and caches the shared system prompts (en,
  // then zh), as in a page that has already summarized something — but none of the articles.
  summarizeOnce(WARM_UP.en, { type: 'headline', length: 'short' });
  summarizeOnce(WARM_UP.zh, { type: 'headline', length: 'short' });
  summarizeOnce(WARM_UP.zh, { type: 'key-points', length });
  const runs = [];
  for (const a of articles) {
    for (const type of types) {
      for (const direction of directions) {
        const outputLanguage = outputFor(a, direction);
        const options = { type, length, format: 'plain-text', ...(outputLanguage ? { outputLanguage } : {}), ...(QUALITY ? { quality: QUALITY } : {}) };
        const r = summarizeOnce(a.text, options);
        log(`${a.id} ${type} ${direction}: ${r.wallMs.toFixed(0)} ms — ${r.result.text.replace(/\n/g, ' / ').slice(0, 120)}`);
        runs.push({ article: a.id, type, length, direction, ...r });
      }
    }
  }
  for (const { id, type, length: len } of extra) {
    const a = articles.find((x) => x.id === id);
    const r = summarizeOnce(a.text, { type, length: len, format: 'plain-text' });
    log(`${id} ${type} ${len} (latency run): ${r.wallMs.toFixed(0)} ms`);
    runs.push({ article: id, type, length: len, direction: 'same', latencyRun: true, ...r });
  }
  return { model, runs, userAgent: navigator.userAgent };
};

/**
 * Prompt-lookup drafting, measured: each summary with one-token decoding (setDraft('0')), then
 * with each policy ("K:N" or "K:N:b"), in the shape of the native `bench-summarize --draft-compare` lines.
 */
const runDraftBench = async (articles, plan, policies, directions = ['same']) => {
  model ||= await loadModel();
  summarizeOnce(WARM_UP.en, { type: 'headline', length: 'short' });
  summarizeOnce(WARM_UP.zh, { type: 'headline', length: 'short' });
  const runs = [];
  try {
    for (const a of articles) {
      for (const { type, length } of plan) {
        for (const direction of directions) {
          const outputLanguage = outputFor(a, direction);
          const options = { type, length, format: 'plain-text', ...(outputLanguage ? { outputLanguage } : {}), ...(QUALITY ? { quality: QUALITY } : {}) };
          llm.setDraft('0');
          const plain = summarizeOnce(a.text, options).result;
          const drafts = policies.map((policy) => {
            llm.setDraft(policy);
            return { draft: policy, result: summarizeOnce(a.text, options).result };
          });
          const d = drafts[0].result;
          log(`${a.id} ${type} ${direction}: decode ${plain.timing.decodeMs.toFixed(0)} → ${d.timing.decodeMs.toFixed(0)} ms, ` +
            `${d.tokens.draftAccepted}/${d.tokens.drafted} drafted tokens confirmed`);
          runs.push({ article: a.id, type, length, direction, plain, drafts });
        }
      }
    }
  } finally {
    llm.setDraft(undefined);
  }
  return { model, runs, userAgent: navigator.userAgent };
};

const handlers = { runSummarizeBench, runDraftBench };
if (IN_WORKER) {
  self.onmessage = async ({ data: { id, fn, args } }) => {
    try {
      self.postMessage({ id, result: await handlers[fn](...args) });
    } catch (e) {
      self.postMessage({ id, error: String(e?.stack || e) });
    }
  };
} else if (THREADS > 1) {
  const worker = new Worker(new URL(`summarize.js${location.search}`, import.meta.url), { type: 'module' });
  const waiting = new Map();
  let next = 0;
  worker.onmessage = ({ data }) => {
    if (data.log !== undefined) return log(data.log);
    const w = waiting.get(data.id);
    waiting.delete(data.id);
    if (data.error) w.reject(new Error(data.error)); else w.resolve(data.result);
  };
  for (const fn of Object.keys(handlers)) {
    window[fn] = (...args) => new Promise((resolve, reject) => {
      const id = next++;
      waiting.set(id, { resolve, reject });
      worker.postMessage({ id, fn, args });
    });
  }
  window.benchReady = true;
} else {
  Object.assign(window, handlers);
  window.benchReady = true;
}
