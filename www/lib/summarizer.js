// `Summarizer` (W3C WebML CG "Writing Assistance APIs") backed by Qingyu, for browsers without a
// built-in one. The algorithms follow the spec's: "create an AI model object", "compute AI model
// availability", "get an aggregated / a streaming AI model result", "measure AI model input
// usage", DestroyableModel. What is implementation-defined here:
//   - key points need no download (extractive); tldr/teaser/headline, and key points written in
//     another language than the input's, need the LLM (347 MB, kept in the Cache API);
//   - languages: reads en, zh (simplified and traditional), writes en and simplified zh;
//   - input usage is counted in characters (code points) of input + context; the quota is the
//     library's 100,000-character limit; sharedContext + context may hold 1,000 characters.
// All Summarizers of a page share one Qingyu engine (one worker, the LLM loaded once).
import { Qingyu, MAX_TEXT_CHARS } from './qingyu.js';
import {
  canonicalizeLanguages, convertCreateOptions, convertSummarizeOptions, languageAvailability, qingyuLanguage, toDOMString,
} from './summarizer-options.js';

/** crate/src/summarize/options.rs MAX_CONTEXT_CHARS: sharedContext and context together. */
const MAX_CONTEXT_CHARS = 1_000;
const TOKEN = Symbol('Summarizer internal');
const config = { modelBaseUrl: undefined, wasmUrl: undefined };

/** Where the engine finds the models and the wasm (defaults: ../models/ and ../pkg/ next to lib/). */
export function configure({ modelBaseUrl, wasmUrl } = {}) {
  if (modelBaseUrl !== undefined) config.modelBaseUrl = modelBaseUrl;
  if (wasmUrl !== undefined) config.wasmUrl = wasmUrl;
}

const dom = (name, message) => new DOMException(message, name);

// A Window whose document lost its browsing context (a removed iframe) is not fully active.
function checkFullyActive() {
  if (!globalThis.document?.defaultView) throw dom('InvalidStateError', 'The document is not fully active (its iframe was removed?)');
}

/**
 * The "summarizer" policy-controlled feature (default allowlist 'self': a cross-origin iframe
 * needs allow="summarizer"). Only a browser that knows the feature can answer; elsewhere allowed.
 */
function allowedToUse() {
  const policy = globalThis.document?.permissionsPolicy ?? globalThis.document?.featurePolicy;
  if (typeof policy?.allowsFeature !== 'function') return true;
  if (typeof policy.features === 'function' && !policy.features().includes('summarizer')) return true;
  return policy.allowsFeature('summarizer');
}

// ---- the shared engine ------------------------------------------------------------------------
let engine = null;
let users = 0; // Summarizers alive + create() calls in flight

function acquire() {
  users++;
  if (!engine) {
    const p = Qingyu.create({ modelBaseUrl: config.modelBaseUrl, wasmUrl: config.wasmUrl });
    p.catch(() => { if (engine === p) engine = null; });
    engine = p;
  }
  return engine;
}

// The last user gone: stop the worker and free the models (the spec's "release any resources").
function release() {
  if (--users > 0 || !engine) return;
  const p = engine;
  engine = null;
  p.then((qy) => qy.destroy(), () => {});
}

// ---- helpers ------------------------------------------------------------------------------------
/** `promise`, but rejected with the signal's reason the moment it aborts (never left hanging). */
function untilAborted(promise, signal) {
  if (!signal) return promise;
  if (signal.aborted) { promise.catch(() => {}); return Promise.reject(signal.reason); }
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

const ERROR_NAMES = {
  Unsupported: 'NotSupportedError', ModelLoad: 'OperationError', AbortError: 'AbortError', InvalidInput: 'UnknownError', Internal: 'UnknownError',
};
function toDOMException(e, fallback = 'UnknownError') {
  if (e instanceof DOMException) return e;
  return dom(ERROR_NAMES[e?.name] ?? fallback, String(e?.message ?? e));
}

function quotaExceeded(requested, quota, message) {
  if (typeof globalThis.QuotaExceededError === 'function') {
    try { return new globalThis.QuotaExceededError(message, { requested, quota }); } catch { /* older shape: below */ }
  }
  const e = dom('QuotaExceededError', message);
  Object.defineProperties(e, { requested: { value: requested, enumerable: true }, quota: { value: quota, enumerable: true } });
  return e;
}

const codePoints = (s) => { let n = 0; for (const _ of s) n++; return n; };
/** The spec's input usage: positive and proportional to what the model reads. */
const inputUsage = (input, context) => Math.max(1, codePoints(input) + codePoints(context ?? ''));
/** Only whitespace, control or format characters: the summary is the empty string. */
const summarizable = (s) => !/^[\s\p{Cc}\p{Cf}]*$/u.test(s);
/** What the wasm summarizer does with the two contexts: trimmed, joined by a newline. */
const joinContext = (...parts) => parts.filter((p) => p != null).map((p) => p.trim()).filter(Boolean).join('\n');
/** models.js messages for a download that failed (HTTP, retries, size, sha256, the index). */
const downloadFailure = /HTTP \d|failed after \d+ attempts|is corrupt|bytes on the server|larger than the|model index/;
/** Qingyu's InvalidInput for input with nothing to summarize (the spec wants ''). */
const noContent = (e) => e?.name === 'InvalidInput' && /text is empty|has no sentences|does not look like text/.test(e.message);

function progressEvent(loaded) {
  const ev = new ProgressEvent('downloadprogress', { loaded, total: 1, lengthComputable: true });
  // ProgressEvent.loaded was an integer before XHR made it a double: keep the fraction.
  if (ev.loaded !== loaded) Object.defineProperty(ev, 'loaded', { value: loaded });
  return ev;
}

/** Tldr/teaser/headline are LLM summaries; so are key points in a language other than the input's. */
function needsLlm(o) {
  if (o.type !== 'key-points') return true;
  if (o.outputLanguage === undefined) return false;
  const out = qingyuLanguage(o.outputLanguage);
  return !(o.expectedInputLanguages.length && o.expectedInputLanguages.every((l) => qingyuLanguage(l) === out));
}

/** "Compute summarizer options availability" (language tags already canonicalized; mutates o). */
async function computeAvailability(o) {
  const languages = languageAvailability(o);
  if (languages === 'unavailable' || Qingyu.unsupportedReason()) return 'unavailable';
  if (!needsLlm(o)) return 'available';
  // Cached → 'available'; being fetched in this page → 'downloading'; else 'downloadable'.
  return Qingyu.availability({ modelBaseUrl: config.modelBaseUrl, features: ['llm'] });
}

function unsupportedMessage(o) {
  const why = Qingyu.unsupportedReason();
  if (why) return `The summarizer cannot run here: ${why}`;
  return 'These options are not supported: Qingyu reads en and zh (zh-Hans, zh-Hant) and writes en and zh-Hans ' +
    `(expectedInputLanguages ${JSON.stringify(o.expectedInputLanguages)}, expectedContextLanguages ${JSON.stringify(o.expectedContextLanguages)}, ` +
    `outputLanguage ${JSON.stringify(o.outputLanguage ?? null)})`;
}

// ---- CreateMonitor ------------------------------------------------------------------------------
export class CreateMonitor extends EventTarget {
  #handler = null;

  constructor(token) {
    if (token !== TOKEN) throw new TypeError('Illegal constructor');
    super();
  }

  get ondownloadprogress() { return this.#handler; }

  set ondownloadprogress(fn) {
    if (this.#handler) this.removeEventListener('downloadprogress', this.#handler);
    this.#handler = typeof fn === 'function' ? fn : null;
    if (this.#handler) this.addEventListener('downloadprogress', this.#handler);
  }
}
Object.defineProperty(CreateMonitor.prototype, Symbol.toStringTag, { value: 'CreateMonitor', configurable: true });

// ---- Summarizer.availability() / create() -------------------------------------------------------
async function availability(raw) {
  checkFullyActive();
  const o = convertCreateOptions(raw, "Failed to execute 'availability' on 'Summarizer'", false);
  canonicalizeLanguages(o);
  if (!allowedToUse()) return 'unavailable';
  return computeAvailability(o);
}

let destroyModel; // (summarizer, reason) → void, set in the class's static block

async function create(raw) {
  checkFullyActive();
  const o = convertCreateOptions(raw, "Failed to execute 'create' on 'Summarizer'", true);
  canonicalizeLanguages(o);
  const { signal } = o;
  if (signal?.aborted) throw signal.reason;
  if (!allowedToUse()) throw dom('NotAllowedError', "The 'summarizer' permissions policy does not allow this document to use the Summarizer API");
  let monitor = null;
  if (o.monitor) {
    monitor = new CreateMonitor(TOKEN);
    o.monitor.call(undefined, monitor); // an exception rejects create()
  }
  // No progress event once the signal has aborted.
  const fire = (loaded) => { if (monitor && !signal?.aborted) monitor.dispatchEvent(progressEvent(loaded)); };

  const avail = await untilAborted(computeAvailability(o), signal);
  if (avail === 'unavailable') throw dom('NotSupportedError', unsupportedMessage(o));
  // A download needs a user activation (sticky: any earlier click or key press on the page).
  if (avail !== 'available' && !navigator.userActivation?.hasBeenActive) {
    throw dom('NotAllowedError', 'Summarizer.create() must follow a user activation (a click or key press) while the model still has to be downloaded');
  }

  const qy = await untilAborted(acquire(), signal).catch((e) => { release(); throw signal?.aborted ? e : toDOMException(e, 'OperationError'); });
  try {
    const llm = needsLlm(o);
    if (avail === 'available') {
      fire(0);
      fire(1);
      // Initialize: the LLM from the Cache API into memory (no network).
      if (llm) await untilAborted(qy.load('llm').catch((e) => { throw toDOMException(e, 'OperationError'); }), signal);
    } else {
      // The load is not handed the signal: the download goes on in the background (another
      // create() reuses it), and a cancelled load would make Qingyu restart the shared worker.
      let last = 0;
      let base = null; // bytes already there when we started: the spec counts only what is left
      fire(0);
      const onProgress = (e) => {
        if (e.group !== 'llm') return;
        base ??= e.loaded;
        const left = e.total - base;
        const fraction = Math.floor((left > 0 ? (e.loaded - base) / left : 1) * 65536) / 65536;
        if (fraction > last) { last = fraction; fire(fraction); }
      };
      qy.monitor.addEventListener('downloadprogress', onProgress);
      try {
        await untilAborted(qy.load('llm').catch((e) => {
          // A failed or corrupt download (models.js) is a NetworkError; the model failing to start, an OperationError.
          const message = String(e?.message ?? e);
          throw dom(last < 1 || downloadFailure.test(message) ? 'NetworkError' : 'OperationError', message);
        }), signal);
      } finally {
        qy.monitor.removeEventListener('downloadprogress', onProgress);
      }
      if (last < 1) fire(1);
    }
    // Initialize: the shared context has to fit what the model reads as context.
    if (o.sharedContext !== undefined) {
      const n = codePoints(joinContext(o.sharedContext));
      if (n > MAX_CONTEXT_CHARS) {
        throw quotaExceeded(n, MAX_CONTEXT_CHARS, `The sharedContext is ${n} characters; the limit is ${MAX_CONTEXT_CHARS}`);
      }
    }
    if (signal?.aborted) throw signal.reason;
  } catch (e) {
    release();
    throw e;
  }
  const summarizer = new Summarizer(TOKEN, qy, o);
  signal?.addEventListener('abort', () => destroyModel(summarizer, signal.reason), { once: true });
  return summarizer;
}

// ---- the Summarizer interface -------------------------------------------------------------------
export class Summarizer {
  #qy;
  #o;
  #inputLanguages;
  #contextLanguages;
  #destruction = new AbortController();
  #released = false;
  #quota = MAX_TEXT_CHARS;

  static {
    destroyModel = (s, reason) => s.#destroyWith(reason);
  }

  constructor(token, qy, o) {
    if (token !== TOKEN) throw new TypeError('Illegal constructor');
    this.#qy = qy;
    this.#o = o;
    this.#inputLanguages = o.expectedInputLanguages.length ? Object.freeze([...o.expectedInputLanguages]) : null;
    this.#contextLanguages = o.expectedContextLanguages.length ? Object.freeze([...o.expectedContextLanguages]) : null;
  }

  static create(options = undefined) { return create(options); }

  static availability(options = undefined) { return availability(options); }

  get sharedContext() { return this.#o.sharedContext ?? ''; }

  get type() { return this.#o.type; }

  get format() { return this.#o.format; }

  get length() { return this.#o.length; }

  get expectedInputLanguages() { return this.#inputLanguages; }

  get expectedContextLanguages() { return this.#contextLanguages; }

  get outputLanguage() { return this.#o.outputLanguage ?? null; }

  get inputQuota() { return this.#quota; }

  summarize(input, options = undefined) {
    const argc = arguments.length;
    return (async () => {
      const { text, context, signal } = Summarizer.#begin(this, argc, input, options, 'summarize');
      let result = '';
      await untilAborted(this.#produce(text, context, signal, (chunk) => { result += chunk; }), signal);
      return result;
    })();
  }

  /** A ReadableStream of the summary's pieces as they are written (each a new piece, not the text so far). */
  summarizeStreaming(input, options = undefined) {
    const { text, context, signal } = Summarizer.#begin(this, arguments.length, input, options, 'summarizeStreaming');
    const cancelled = new AbortController();
    const inner = AbortSignal.any([signal, cancelled.signal]);
    let finished = false;
    return new ReadableStream({
      start: (controller) => {
        const fail = (e) => { if (!finished) { finished = true; controller.error(e); } };
        const onAbort = () => fail(signal.reason);
        signal.addEventListener('abort', onAbort, { once: true });
        this.#produce(text, context, inner, (chunk) => { if (!finished) controller.enqueue(chunk); })
          .then(() => { if (!finished) { finished = true; controller.close(); } }, fail)
          .finally(() => signal.removeEventListener('abort', onAbort));
      },
      // A cancel by the reader is not an error: just stop producing.
      cancel: (reason) => { finished = true; cancelled.abort(reason); },
    });
  }

  measureInputUsage(input, options = undefined) {
    const argc = arguments.length;
    return (async () => {
      const { text, context, signal } = Summarizer.#begin(this, argc, input, options, 'measureInputUsage');
      // Settled a task later, as the spec's in-parallel measurement: a destroy() or abort in between wins.
      return untilAborted(Promise.resolve(inputUsage(text, context)), signal);
    })();
  }

  destroy() {
    this.#destroyWith(dom('AbortError', 'The summarizer was destroyed'));
  }

  #destroyWith(reason) {
    if (!this.#destruction.signal.aborted) this.#destruction.abort(reason);
    if (!this.#released) { this.#released = true; release(); }
  }

  /** Argument conversion, then the checks every call starts with; the composite signal. */
  static #begin(self, argc, input, options, method) {
    if (!(#qy in self)) throw new TypeError('Illegal invocation');
    const what = `Failed to execute '${method}' on 'Summarizer'`;
    if (argc < 1) throw new TypeError(`${what}: 1 argument required, but only 0 present.`);
    const text = toDOMString(input);
    const o = convertSummarizeOptions(options, what);
    checkFullyActive();
    const signal = AbortSignal.any(o.signal ? [self.#destruction.signal, o.signal] : [self.#destruction.signal]);
    if (signal.aborted) throw signal.reason;
    return { text, context: o.context ?? null, signal };
  }

  /** The spec's "summarize": quota check, then the pieces from the engine. */
  async #produce(text, context, signal, onChunk) {
    const requested = inputUsage(text, context);
    const quota = this.#quota;
    if (requested > quota) {
      throw quotaExceeded(requested, quota, `The input and context are ${requested} characters; this summarizer takes at most ${quota}`);
    }
    if (!summarizable(text)) return;
    const joined = joinContext(this.#o.sharedContext, context);
    const contextChars = codePoints(joined);
    if (contextChars > MAX_CONTEXT_CHARS) {
      throw quotaExceeded(contextChars, MAX_CONTEXT_CHARS, `sharedContext and context are ${contextChars} characters together; the limit is ${MAX_CONTEXT_CHARS}`);
    }
    const { type, length, format, outputLanguage } = this.#o;
    const options = { type, length, format, signal };
    if (outputLanguage !== undefined) options.outputLanguage = qingyuLanguage(outputLanguage);
    if (joined) options.context = joined;
    const reader = this.#qy.summarizeStreaming(text, options).getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        if (value) onChunk(value);
      }
    } catch (e) {
      if (signal.aborted) throw signal.reason;
      if (noContent(e)) return;
      throw toDOMException(e);
    }
  }
}
Object.defineProperty(Summarizer, 'length', { value: 0 });
Object.defineProperty(Summarizer.prototype, Symbol.toStringTag, { value: 'Summarizer', configurable: true });
