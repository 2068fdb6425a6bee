// Qingyu (轻语) in the browser: on-device summaries and photo captions.
//
//   import { Qingyu } from './lib/qingyu.js';
//   const qy = await Qingyu.create({ modelBaseUrl: '/models/', monitor(m) {
//     m.addEventListener('downloadprogress', (e) => console.log(e.loaded, e.total)); } });
//   await qy.summarize(text, { type: 'key-points', length: 'short' });
//   for await (const chunk of qy.summarizeStreaming(text, { type: 'tldr' })) …
//   await qy.caption(file, { language: 'zh' });
//   qy.destroy();
//
// Everything heavy runs in a Web Worker (./worker.js). Models are fetched only when a feature
// needs them (key points need none; tldr/teaser/headline need the 347 MB LLM; captions need the
// vision models), checked against sha256 and kept in the Cache API. Every call takes an
// AbortSignal; errors are Error objects whose `name` is InvalidInput, ModelLoad, Unsupported,
// AbortError (cancelled) or Internal.
import { CACHE_NAME, GROUPS, ModelStore, abortError, storageSupport, typedError } from './models.js';

export const MAX_TEXT_CHARS = 100_000;
export const MAX_IMAGE_BYTES = 25 * 1024 * 1024;
/** The engine's decoder limits (crate/src/vision/image_input.rs): larger headers are refused here, before any model loads. */
export const MAX_IMAGE_SIDE = 20_000;
export const MAX_IMAGE_PIXELS = 50_000_000;
// A file announcing more than BOMB_FREE_PIXELS at over MAX_PIXELS_PER_BYTE is refused (as the engine does).
const BOMB_FREE_PIXELS = 4_000_000;
const MAX_PIXELS_PER_BYTE = 2_000;
const IMAGE_FORMATS = 'a JPEG, PNG, GIF or WebP photo';
const SUMMARY_TYPES = ['key-points', 'tldr', 'teaser', 'headline'];
const LENGTHS = ['short', 'medium', 'long'];
const FORMATS = ['plain-text', 'markdown'];
const LANGS = ['zh', 'en'];
const QUALITIES = ['fast', 'best'];
/** How long a cancelled job may keep the worker busy before the worker is replaced. */
const CANCEL_GRACE_MS = 900;

// This module's URL. Paths that are not files to bundle are resolved against HERE rather than
// written as `new URL('…', import.meta.url)`: bundlers (Vite, webpack 5) rewrite that pattern and
// copy the file as an asset. webpack replaces a bare import.meta.url with the build-time file: URL.
const HERE = import.meta.url;
// The default model folder, ../models/ next to lib/ (the static site's layout); a bundled app
// passes `modelBaseUrl`.
const defaultBase = () => new URL('../models/', HERE).href;
const downloading = new Set(); // groups being downloaded by any instance in this page

/** The `downloadprogress` event: `loaded` and `total` in bytes over every file being fetched. */
export class DownloadProgressEvent extends Event {
  constructor(loaded, total, detail = {}) {
    super('downloadprogress');
    this.loaded = loaded;
    this.total = total;
    this.progress = total ? loaded / total : 1;
    this.group = detail.group ?? null;
    this.file = detail.file ?? null;
  }
}

let simdOk = null;
function wasmSimdSupported() {
  if (simdOk !== null) return simdOk;
  try {
    // (module (func (result v128) i32.const 0 i8x16.splat i8x16.popcnt))
    simdOk = typeof WebAssembly === 'object' && WebAssembly.validate(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3,
      2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]));
  } catch { simdOk = false; }
  return simdOk;
}

/**
 * The LLM's weight layout. 'packed' keeps Q5_0/Q4_K blocks as they are in the file (~380 MiB;
 * the page peaks near 650 MiB with a long summary done: `./qy bench memory`) and unpacks them in
 * registers, as fast as 'expanded', which holds
 * one byte per weight (~540 MiB). 'auto' (default) is packed: ~185 MiB less wasm memory for the
 * same speed (README "Packed or expanded weights"; iOS tabs are killed near 1.5 GB).
 */
function resolveWeights(choice = 'auto') {
  if (choice === null || choice === 'auto') return 'packed';
  if (choice === 'packed' || choice === 'expanded') return choice;
  const what = typeof choice === 'string' ? JSON.stringify(choice.slice(0, 40)) : describeValue(choice);
  throw typedError('InvalidInput', `InvalidInput: weights must be 'auto', 'packed' or 'expanded', not ${what}`);
}

/**
 * Kernel threads for the LLM. 'auto' (default): one per logical core, at most 8 (beyond that
 * the products wait on memory, not arithmetic). Threads need a cross-origin isolated page
 * (COOP + COEP headers): elsewhere the LLM runs on one thread whatever is asked, and
 * `info.threads.reason` says why.
 */
function resolveThreads(choice = 'auto') {
  if (choice === null || choice === 'auto') {
    const cores = Number(globalThis.navigator?.hardwareConcurrency) || 1;
    return Math.max(1, Math.min(8, Math.floor(cores)));
  }
  if (Number.isInteger(choice) && choice >= 1 && choice <= 64) return choice;
  const what = typeof choice === 'string' ? JSON.stringify(choice.slice(0, 40)) : describeValue(choice);
  throw typedError('InvalidInput', `InvalidInput: threads must be 'auto' or a whole number from 1 to 64, not ${what}`);
}

/**
 * The SIMD of the LLM's kernels and the photos'. 'auto' (default): relaxed SIMD where the browser
 * has it (the LLM's dot product does a 32-weight block in two instructions, with SIMD128's integer
 * sums; the photos' matrix products fuse multiply and add), else SIMD128. 'simd128' keeps SIMD128
 * everywhere. `info.simd` says what the LLM runs on, `stats().visionLoad.simd` the photos.
 */
function resolveSimd(choice = 'auto') {
  if (choice === null || choice === 'auto') return 'auto';
  if (choice === 'simd128') return choice;
  const what = typeof choice === 'string' ? JSON.stringify(choice.slice(0, 40)) : describeValue(choice);
  throw typedError('InvalidInput', `InvalidInput: simd must be 'auto' or 'simd128', not ${what}`);
}

function unsupportedReason() {
  if (typeof WebAssembly !== 'object') return 'WebAssembly is not available';
  if (!wasmSimdSupported()) return 'this browser lacks WebAssembly SIMD128 (Chrome/Edge ≥ 91, Firefox ≥ 89, Safari ≥ 16.4)';
  if (typeof Worker === 'undefined') return 'Web Workers are not available';
  return storageSupport();
}

/** An options argument: undefined and null mean none (as Web IDL dictionaries); anything but an object is an error. */
function optionsObject(o, what) {
  if (o === undefined || o === null) return {};
  if (typeof o !== 'object' || Array.isArray(o)) {
    throw typedError('InvalidInput', `InvalidInput: the ${what} options must be an object, not ${describeValue(o)}`);
  }
  if (o.signal !== undefined && o.signal !== null && !isAbortSignal(o.signal)) {
    throw typedError('InvalidInput', `InvalidInput: options.signal must be an AbortSignal, not ${describeValue(o.signal)}`);
  }
  return o;
}

function describeValue(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  const what = typeof v === 'object' ? (v.constructor?.name || 'object') : typeof v;
  return `${/^[aeiou]/i.test(what) ? 'an' : 'a'} ${what}`;
}

const abortedGetter = typeof AbortSignal === 'undefined' ? null : Object.getOwnPropertyDescriptor(AbortSignal.prototype, 'aborted').get;
/** A brand check that also accepts an AbortSignal from another realm (an iframe). */
function isAbortSignal(v) {
  try { abortedGetter.call(v); return true; } catch { return false; }
}

function checkText(text) {
  if (typeof text !== 'string') throw typedError('InvalidInput', `InvalidInput: the text must be a string, not ${describeValue(text)}`);
  if (!text.trim()) throw typedError('InvalidInput', 'InvalidInput: the text is empty');
  // Code points never outnumber UTF-16 units: only a long string needs counting.
  const chars = text.length > MAX_TEXT_CHARS ? codePoints(text) : text.length;
  if (chars > MAX_TEXT_CHARS) {
    throw typedError('InvalidInput', `InvalidInput: the text has more than ${MAX_TEXT_CHARS.toLocaleString('en-US')} characters (${chars.toLocaleString('en-US')}); summarize a shorter part`);
  }
}

/** [...s].length without the array (a lone surrogate counts as one, as there). */
function codePoints(s) {
  let n = s.length;
  for (let i = 0; i < s.length - 1; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) { n--; i++; }
    }
  }
  return n;
}

/** A value for a message: short strings quoted, anything else by its type (never throws). */
const show = (v) => (typeof v === 'string' ? JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v) : describeValue(v));

function checkSummaryOptions(o) {
  const bad = (what, got, ok) => typedError('Unsupported', `Unsupported: ${what} ${show(got)} is not supported; use one of ${ok.join(', ')}`);
  if (o.type !== undefined && !SUMMARY_TYPES.includes(o.type)) throw bad('type', o.type, SUMMARY_TYPES);
  if (o.length !== undefined && !LENGTHS.includes(o.length)) throw bad('length', o.length, LENGTHS);
  if (o.format !== undefined && !FORMATS.includes(o.format)) throw bad('format', o.format, FORMATS);
  if (o.outputLanguage !== undefined && !LANGS.includes(o.outputLanguage)) throw bad('outputLanguage', o.outputLanguage, LANGS);
  if (o.quality !== undefined && !QUALITIES.includes(o.quality)) throw bad('quality', o.quality, QUALITIES);
  if (o.context !== undefined && o.context !== null && !['string', 'number', 'boolean'].includes(typeof o.context)) {
    throw typedError('InvalidInput', `InvalidInput: context must be a string, not ${describeValue(o.context)}`);
  }
  for (const k of ['onMeta', 'onChunk']) {
    if (o[k] !== undefined && typeof o[k] !== 'function') throw typedError('InvalidInput', `InvalidInput: ${k} must be a function, not ${describeValue(o[k])}`);
  }
}

/**
 * The format and pixel size an encoded image's header claims: {format, width, height} (sizes
 * null where the bytes end before them), or null when the bytes are none of the formats the
 * engine decodes. Only the header is read: the engine's decoder does the real work.
 */
export function sniffImage(b) {
  const at = (i) => b[i] ?? 0;
  const be16 = (i) => (at(i) << 8) | at(i + 1);
  const be32 = (i) => ((at(i) << 24) | (at(i + 1) << 16) | (at(i + 2) << 8) | at(i + 3)) >>> 0;
  const le16 = (i) => at(i) | (at(i + 1) << 8);
  const le24 = (i) => at(i) | (at(i + 1) << 8) | (at(i + 2) << 16);
  const ascii = (i, n) => String.fromCharCode(...b.subarray(i, i + n));
  if (b.length >= 8 && be32(0) === 0x89504e47 && be32(4) === 0x0d0a1a0a) {
    return { format: 'PNG', width: b.length >= 24 ? be32(16) : null, height: b.length >= 24 ? be32(20) : null };
  }
  if (b.length >= 6 && /^GIF8[79]a$/.test(ascii(0, 6))) {
    return { format: 'GIF', width: b.length >= 10 ? le16(6) : null, height: b.length >= 10 ? le16(8) : null };
  }
  if (b.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 4) === 'WEBP') {
    const chunk = ascii(12, 4);
    if (chunk === 'VP8X' && b.length >= 30) return { format: 'WebP', width: le24(24) + 1, height: le24(27) + 1 };
    if (chunk === 'VP8 ' && b.length >= 30) return { format: 'WebP', width: le16(26) & 0x3fff, height: le16(28) & 0x3fff };
    if (chunk === 'VP8L' && b.length >= 25) {
      const v = (at(21) | (at(22) << 8) | (at(23) << 16) | (at(24) << 24)) >>> 0;
      return { format: 'WebP', width: (v & 0x3fff) + 1, height: ((v >>> 14) & 0x3fff) + 1 };
    }
    return { format: 'WebP', width: null, height: null };
  }
  if (b.length >= 3 && at(0) === 0xff && at(1) === 0xd8 && at(2) === 0xff) {
    // Walk the markers to the first SOFn (baseline, progressive, lossless…), which holds the size.
    for (let i = 2; i + 9 < b.length;) {
      if (at(i) !== 0xff) break;
      const marker = at(i + 1);
      if (marker === 0xff) { i++; continue; }
      if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) {
        return { format: 'JPEG', width: be16(i + 7), height: be16(i + 5) };
      }
      if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) { i += 2; continue; }
      i += 2 + be16(i + 2);
    }
    return { format: 'JPEG', width: null, height: null };
  }
  return null;
}

/** What a file that the engine cannot decode looks like, for the message. */
function guessKind(b, type) {
  const head = new TextDecoder().decode(b.subarray(0, 512)).replace(/^\uFEFF/, '').trimStart().toLowerCase();
  if (type === 'image/svg+xml' || /^(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*(<!doctype svg[^>]*>\s*)?<svg[\s>]/.test(head)) return 'an SVG drawing';
  if (b[0] === 0x42 && b[1] === 0x4d) return 'a BMP file';
  if (String.fromCharCode(...b.subarray(4, 12)).match(/^ftyp(avif|heic|heix|mif1)/)) return 'an AVIF/HEIC file';
  return type ? `${type} data that is not a JPEG, PNG, GIF or WebP image` : 'not a JPEG, PNG, GIF or WebP image';
}

/** Turns any supported image into {bytes} (encoded file) or {rgba, width, height}. */
async function imagePayload(image) {
  if (typeof Blob !== 'undefined' && image instanceof Blob) {
    const name = image.name ? `"${image.name}"` : 'the file';
    if (image.type && !image.type.startsWith('image/')) {
      throw typedError('InvalidInput', `InvalidInput: ${name} is not an image (${image.type}); choose ${IMAGE_FORMATS}`);
    }
    if (image.size === 0) throw typedError('InvalidInput', `InvalidInput: ${name} is empty (0 bytes)`);
    if (image.size > MAX_IMAGE_BYTES) {
      throw typedError('InvalidInput', `InvalidInput: ${name} is ${(image.size / 1e6).toFixed(1)} MB; the limit is ${MAX_IMAGE_BYTES / 1024 / 1024} MB`);
    }
    let bytes;
    try { bytes = new Uint8Array(await image.arrayBuffer()); } catch (e) {
      throw typedError('InvalidInput', `InvalidInput: ${name} could not be read (${e.name}: ${e.message})`);
    }
    // Checked here, before any model is downloaded or loaded: the format and the size the header claims.
    const head = sniffImage(bytes);
    if (!head) {
      throw typedError('InvalidInput', `InvalidInput: ${name} is ${guessKind(bytes, image.type)}, which cannot be described; choose ${IMAGE_FORMATS}`);
    }
    checkImageSize(head.width, head.height, `${name} (${head.format})`);
    // As the engine's image_input::decode: a tiny file announcing a huge image is a bomb.
    const pixels = head.width * head.height;
    if (pixels > BOMB_FREE_PIXELS && pixels > bytes.length * MAX_PIXELS_PER_BYTE) {
      throw typedError('InvalidInput', `InvalidInput: ${name} (${head.format}) claims ${head.width}×${head.height} pixels from only ${bytes.length} bytes; refused as a decompression bomb`);
    }
    return { bytes };
  }
  if (typeof ImageData !== 'undefined' && image instanceof ImageData) {
    checkImageSize(image.width, image.height, 'the ImageData');
    return { rgba: new Uint8Array(image.data.buffer.slice(0)), width: image.width, height: image.height };
  }
  let source = image;
  if (typeof HTMLImageElement !== 'undefined' && image instanceof HTMLImageElement) {
    if (!image.complete || !image.naturalWidth) {
      try { await image.decode(); } catch {
        throw typedError('InvalidInput', 'InvalidInput: the <img> could not be decoded (not an image, or it failed to load)');
      }
    }
  } else if (!(typeof ImageBitmap !== 'undefined' && image instanceof ImageBitmap)) {
    throw typedError('InvalidInput', 'InvalidInput: pass a Blob/File, ImageBitmap, ImageData or HTMLImageElement');
  }
  const width = source.naturalWidth || source.width;
  const height = source.naturalHeight || source.height;
  if (!width || !height) throw typedError('InvalidInput', 'InvalidInput: the image has no pixels');
  checkImageSize(width, height, 'the image');
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  ctx.drawImage(source, 0, 0);
  let data;
  try { data = ctx.getImageData(0, 0, width, height); } catch {
    throw typedError('InvalidInput', 'InvalidInput: the image comes from another origin without CORS, so its pixels cannot be read');
  }
  return { rgba: new Uint8Array(data.data.buffer), width, height };
}

function checkImageSize(width, height, what) {
  if (width === null || height === null) return; // a truncated header: the decoder's error says so
  if (!width || !height) throw typedError('InvalidInput', `InvalidInput: ${what} has no pixels (${width}×${height})`);
  if (width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE || width * height > MAX_IMAGE_PIXELS) {
    throw typedError('InvalidInput', `InvalidInput: ${what} is too large (${width}×${height}); at most ${MAX_IMAGE_PIXELS / 1e6} megapixels and ${MAX_IMAGE_SIDE.toLocaleString('en-US')} px a side are accepted`);
  }
}

export class Qingyu {
  /**
   * 'unavailable' | 'downloadable' | 'downloading' | 'available' for the given features
   * ('llm', 'vision', 'classifier'; default both 'llm' and 'vision').
   */
  static async availability(options) {
    const { modelBaseUrl = defaultBase(), features = ['llm', 'vision'], files } = optionsObject(options, 'availability');
    const groups = [].concat(features);
    const unknown = groups.find((g) => typeof g !== 'string' || !Object.hasOwn(GROUPS, g));
    if (unknown !== undefined) throw typedError('Unsupported', `Unsupported: unknown feature ${show(unknown)}; use llm, vision or classifier`);
    if (unsupportedReason()) return 'unavailable';
    if (groups.some((g) => downloading.has(g))) return 'downloading';
    try {
      const store = new ModelStore({ baseUrl: modelBaseUrl, files });
      const names = [...new Set(groups.flatMap((g) => GROUPS[g] ?? []))];
      const status = await store.status(names);
      return status.every((s) => s.cached) ? 'available' : 'downloadable';
    } catch {
      return 'unavailable';
    }
  }

  /** Why this browser cannot run Qingyu, or null. */
  static unsupportedReason() { return unsupportedReason(); }

  /**
   * @param {object} [o]
   * @param {string} [o.modelBaseUrl]  folder with the model files + index.json (default: ../models/ next to this file)
   * @param {string} [o.wasmUrl]       another wasm-bindgen module (default: ../pkg/qingyu.js, which the worker imports)
   * @param {(m: EventTarget) => void} [o.monitor]  receives `downloadprogress` events
   * @param {AbortSignal} [o.signal]
   * @param {string[]} [o.preload]  features to download right away ('llm', 'vision', 'classifier')
   * @param {'auto'|'packed'|'expanded'} [o.weights]  how the LLM holds its weights (see `resolveWeights`)
   * @param {'auto'|number} [o.threads]  the LLM's kernel threads (see `resolveThreads`)
   * @param {'auto'|'simd128'} [o.simd]  the SIMD of the LLM's and the photos' kernels (see `resolveSimd`)
   */
  static async create(o = {}) {
    const reason = unsupportedReason();
    if (reason) throw typedError('Unsupported', `Unsupported: ${reason}`);
    o = optionsObject(o, 'create');
    const preload = o.preload === undefined || o.preload === null ? [] : [].concat(o.preload);
    const qy = new Qingyu(o);
    try {
      await qy._start(o.signal);
      if (preload.length) await Promise.all(preload.map((g) => qy.load(g, { signal: o.signal })));
    } catch (e) {
      qy.destroy();
      throw e;
    }
    return qy;
  }

  constructor(o) {
    o = optionsObject(o, 'Qingyu');
    for (const k of ['modelBaseUrl', 'wasmUrl']) {
      if (o[k] !== undefined && o[k] !== null && typeof o[k] !== 'string' && !(o[k] instanceof URL)) {
        throw typedError('InvalidInput', `InvalidInput: ${k} must be a URL string, not ${describeValue(o[k])}`);
      }
    }
    if (o.files !== undefined && o.files !== null && typeof o.files !== 'object') {
      throw typedError('InvalidInput', `InvalidInput: files must be an object (name → {size, sha256}), not ${describeValue(o.files)}`);
    }
    this.modelBaseUrl = new URL(o.modelBaseUrl ?? defaultBase(), globalThis.location?.href).href.replace(/\/?$/, '/');
    // null: the worker's own static import of ../pkg/qingyu.js (one a bundler can follow).
    this.wasmUrl = o.wasmUrl ? new URL(o.wasmUrl, globalThis.location?.href).href : null;
    this.files = o.files ?? null;
    /** 'packed' or 'expanded': how the LLM will hold its weights. */
    this.weights = resolveWeights(o.weights);
    /** Kernel threads asked for the LLM; `info.threads` says how many it gets on this page. */
    this.threads = resolveThreads(o.threads);
    /** 'auto' or 'simd128': the SIMD asked for the LLM's kernels; `info.simd` says what runs. */
    this.simd = resolveSimd(o.simd);
    // Summary defaults, as Chrome's Summarizer.create({type, length, format, outputLanguage, sharedContext}).
    this.defaults = {};
    for (const k of ['type', 'length', 'format', 'outputLanguage', 'quality']) if (o[k] !== undefined) this.defaults[k] = o[k];
    if (o.sharedContext !== undefined) {
      if (typeof o.sharedContext === 'symbol' || (typeof o.sharedContext === 'object' && o.sharedContext !== null)) {
        throw typedError('InvalidInput', `InvalidInput: sharedContext must be a string, not ${describeValue(o.sharedContext)}`);
      }
      this.defaults.context = String(o.sharedContext);
    }
    checkSummaryOptions(this.defaults);
    /** The longest text (in characters) summarize() accepts. */
    this.inputQuota = MAX_TEXT_CHARS;
    this.monitor = new EventTarget();
    this.info = null;
    this._seq = 0;
    this._pending = new Map();
    this._stopping = new Map();
    this._progress = new Map(); // group → {loaded, total}
    this._worker = null;
    this._ready = null;
    this._destroyed = false;
    /** How often a cancelled job did not stop in time and the worker was replaced. */
    this.workerRestarts = 0;
    /** Calls sent again to a new worker after a restart they did not cause (see _restartAfterCancel). */
    this.callsRetried = 0;
    this.store = new ModelStore({ baseUrl: this.modelBaseUrl, files: this.files });
    if (typeof o.monitor === 'function') o.monitor(this.monitor);
  }

  // ---- worker plumbing ----------------------------------------------------------------------
  _start(signal) {
    if (this._destroyed) return Promise.reject(typedError('AbortError', 'Aborted: this Qingyu instance was destroyed'));
    if (this._ready) return this._ready;
    let worker;
    // (A file: HERE means a bundler fixed it at build time: the bundle's worker is same-origin.)
    if (globalThis.location && /^https?:/.test(HERE) && new URL(HERE).origin !== location.origin) {
      // Workers must be same-origin: when the library comes from a CDN, start a blob: module
      // that imports it (the files need CORS; CSP needs worker-src blob:).
      const workerUrl = new URL('./worker.js', HERE);
      const shim = URL.createObjectURL(new Blob([`import ${JSON.stringify(workerUrl.href)};`], { type: 'text/javascript' }));
      worker = new Worker(shim, { type: 'module', name: 'qingyu' });
      setTimeout(() => URL.revokeObjectURL(shim), 10_000);
    } else {
      // Written out in full, `new Worker(new URL('./worker.js', import.meta.url), {type: 'module'})`
      // is the pattern Vite and webpack 5 recognise: they bundle the worker (and the wasm it imports).
      worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module', name: 'qingyu' });
    }
    this._worker = worker;
    worker.onmessage = (ev) => this._onMessage(ev.data);
    worker.onerror = (ev) => {
      ev.preventDefault?.();
      this._failAll(typedError('Internal', `Internal: the Qingyu worker failed: ${ev.message || 'could not start (check the script URL and CSP)'}`));
    };
    this._ready = this._send(worker, 'init', {
      wasmUrl: this.wasmUrl,
      // A module given by URL has the other modules next to it, as in pkg/.
      moduleUrls: this.wasmUrl ? {
        ...Object.fromEntries(['threads', 'relaxed', 'threads-relaxed'].map((d) => [d, new URL(`${d}/qingyu_text.js`, this.wasmUrl).href])),
        'full-relaxed': new URL('full-relaxed/qingyu.js', this.wasmUrl).href,
      } : null,
      modelBaseUrl: this.modelBaseUrl, files: this.files, weights: this.weights, threads: this.threads, simd: this.simd,
    }, { signal })
      .then((info) => { this.info = info; return info; });
    this._ready.catch(() => { if (this._worker === worker) this._restart(); });
    return this._ready;
  }

  _restart() {
    this._worker?.terminate();
    this._worker = null;
    this._ready = null;
    for (const g of this._progress.keys()) downloading.delete(g);
    this._progress.clear();
  }

  /**
   * Replaces a worker stuck in a cancelled job. The other calls it had were not cancelled by
   * anyone: those that have not streamed anything yet run again, once, on the new worker; those
   * that already delivered pieces cannot be resumed and reject with AbortError.
   */
  _restartAfterCancel() {
    const pending = [...this._pending.values()];
    this._pending.clear();
    this._restart();
    for (const p of pending) {
      if (p.heard || !p.args) {
        p.reject(typedError('AbortError', 'Aborted: the worker was restarted to stop a cancelled job, and this call had already started streaming'));
        continue;
      }
      this.callsRetried++;
      this._call(p.op, p.args, { ...p.opts, retried: true }).then(p.resolve, p.reject);
    }
  }

  _failAll(err) {
    const pending = [...this._pending.values()];
    this._pending.clear();
    this._restart();
    for (const p of pending) p.reject(err);
  }

  _send(worker, op, args, opts = {}) {
    const { signal, onChunk, onMeta, transfer = [], retried = false } = opts;
    if (signal?.aborted) return Promise.reject(abortError(signal.reason));
    const id = ++this._seq;
    // A call that may have to be sent again (see _restartAfterCancel) keeps its buffers: they are
    // copied to the worker instead of transferred.
    const keep = !retried;
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        if (!this._pending.has(id)) return;
        this._pending.delete(id);
        reject(abortError(signal.reason));
        this._cancel(worker, id);
      };
      this._pending.set(id, {
        onChunk, onMeta, op, args: keep ? args : null, opts, heard: false,
        resolve: (v) => { signal?.removeEventListener('abort', onAbort); resolve(v); },
        reject: (e) => { signal?.removeEventListener('abort', onAbort); reject(e); },
      });
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        worker.postMessage({ id, op, args }, keep ? [] : transfer);
      } catch (e) {
        // A function, a DOM node or a Symbol among the arguments (DataCloneError).
        this._pending.delete(id);
        signal?.removeEventListener('abort', onAbort);
        reject(typedError('InvalidInput', `InvalidInput: the ${op} arguments cannot be sent to the worker (${e.name}: ${e.message})`));
      }
    });
  }

  /** Ask the worker to stop job `id`; if it is stuck inside one long wasm call, replace the worker. */
  _cancel(worker, id) {
    worker.postMessage({ op: 'cancel', target: id });
    this._stopping.set(id, setTimeout(() => {
      this._stopping.delete(id);
      if (this._worker !== worker) return;
      this.workerRestarts++;
      console.warn('[qingyu] a cancelled job did not stop in time; restarting the worker (models reload from the cache)');
      this._restartAfterCancel();
    }, CANCEL_GRACE_MS));
  }

  _onMessage(m) {
    if (m.type === 'progress') { this._onProgress(m); return; }
    if (m.type === 'progress-end') {
      downloading.delete(m.group);
      const p = this._progress.get(m.group);
      if (p && p.loaded < p.total) this._progress.delete(m.group); // failed: drop it from the overall figure
      if ([...this._progress.values()].every((v) => v.loaded >= v.total)) this._progress.clear();
      return;
    }
    if (m.type === 'threadswarning') {
      // The threaded module did not start: the LLM runs on one thread; say so where it shows.
      if (this.info?.threads) this.info.threads = { ...this.info.threads, threads: 1, code: 'failed', reason: m.message };
      this.monitor.dispatchEvent(Object.assign(new Event('threadswarning'), { message: m.message }));
      return;
    }
    if (m.type === 'simdwarning') {
      // A relaxed-SIMD module did not pass its start: the LLM's kernels (module 'llm') or the
      // photos' (module 'vision', said in stats().visionLoad.simd) run on SIMD128.
      if (m.module === 'llm' && this.info?.simd) this.info.simd = { ...this.info.simd, kernels: 'simd128', code: 'failed', reason: m.message };
      this.monitor.dispatchEvent(Object.assign(new Event('simdwarning'), { module: m.module, message: m.message }));
      return;
    }
    if (m.type === 'cachewarning') {
      // The model works for this session but will download again next time.
      this.monitor.dispatchEvent(Object.assign(new Event('cachewarning'), { file: m.file, message: m.message }));
      return;
    }
    if (m.type === 'done' || m.type === 'error') {
      const t = this._stopping.get(m.id);
      if (t) { clearTimeout(t); this._stopping.delete(m.id); }
    }
    const p = this._pending.get(m.id);
    if (!p) return;
    if (m.type === 'chunk') { p.heard = true; p.onChunk?.(m.data); }
    else if (m.type === 'meta') p.onMeta?.(m.data); // may come again if the call is retried
    else if (m.type === 'done') { this._pending.delete(m.id); p.resolve(m.data); }
    else if (m.type === 'error') { this._pending.delete(m.id); p.reject(typedError(m.error.name, m.error.message)); }
  }

  _onProgress({ group, loaded, total, file }) {
    this._progress.set(group, { loaded, total });
    if (loaded < total) downloading.add(group);
    let sumLoaded = 0;
    let sumTotal = 0;
    for (const v of this._progress.values()) { sumLoaded += v.loaded; sumTotal += v.total; }
    this.monitor.dispatchEvent(new DownloadProgressEvent(sumLoaded, sumTotal, { group, file }));
    if (loaded >= total) {
      downloading.delete(group);
      // Start the next download's figure from zero once everything finished.
      if ([...this._progress.values()].every((v) => v.loaded >= v.total)) this._progress.clear();
    }
  }

  async _call(op, args, opts = {}) {
    await this._start(opts.signal);
    return this._send(this._worker, op, args, opts);
  }

  // ---- public API ---------------------------------------------------------------------------
  /** Downloads (or reads from the cache) and loads a feature's models: 'llm' | 'vision' | 'classifier'. */
  load(feature, options) {
    let signal;
    try { ({ signal } = optionsObject(options, 'load')); } catch (e) { return Promise.reject(e); }
    if (typeof feature !== 'string' || !Object.hasOwn(GROUPS, feature)) return Promise.reject(typedError('Unsupported', `Unsupported: unknown feature ${show(feature)}; use llm, vision or classifier`));
    return this._call('load', { group: feature }, { signal });
  }

  /** The features this wasm build offers: {summarizeExtractive, summarizeLlm, captioner, classifier, llm}. */
  async features() { return (await this._start()).features; }

  /** Does a summary with these options need the LLM (and so a 347 MB download on first use)? */
  static needsLlm(options = {}) {
    return (options.type ?? 'key-points') !== 'key-points' || !!options.useModel;
  }

  async summarize(text, options) {
    options = optionsObject(options, 'summarize');
    let out = '';
    const result = await this._summarize(text, options, (c) => { out += c; });
    return options.details ? { ...result, text: result.text ?? out } : (result.text ?? out);
  }

  _summarize(text, options, onChunk) {
    try {
      options = optionsObject(options, 'summarize');
      checkText(text);
      checkSummaryOptions(options);
    } catch (e) { return Promise.reject(e); }
    const { signal, details, onMeta, ...rest } = options;
    const wasmOptions = { type: 'key-points', length: 'medium', format: 'markdown', ...this.defaults, ...rest };
    if (options.context !== undefined) wasmOptions.context = String(options.context);
    return this._call('summarize', { text, options: wasmOptions }, { signal, onChunk, onMeta });
  }

  /** A ReadableStream of text pieces (deltas); the stream errors with the call's typed error. */
  summarizeStreaming(text, options) {
    try { options = optionsObject(options, 'summarizeStreaming'); } catch (e) { return this._stream(() => Promise.reject(e)); }
    return this._stream((onChunk, signal) => this._summarize(text, { ...options, signal }, onChunk), options.signal);
  }

  _stream(run, outerSignal) {
    const ctrl = new AbortController();
    const onOuter = () => ctrl.abort(outerSignal.reason);
    if (outerSignal?.aborted) ctrl.abort(outerSignal.reason);
    else outerSignal?.addEventListener('abort', onOuter, { once: true });
    let finished = false;
    const stream = new ReadableStream({
      start(controller) {
        run((chunk) => { if (!finished) controller.enqueue(chunk); }, ctrl.signal).then(
          (result) => { finished = true; stream.result = result; controller.close(); },
          (e) => { finished = true; controller.error(e); },
        ).finally(() => outerSignal?.removeEventListener('abort', onOuter));
      },
      cancel(reason) { finished = true; ctrl.abort(reason); },
    });
    if (!stream[Symbol.asyncIterator]) {
      stream[Symbol.asyncIterator] = async function* iterate() {
        const reader = stream.getReader();
        try {
          for (;;) { const { done, value } = await reader.read(); if (done) return; yield value; }
        } finally { reader.releaseLock(); }
      };
    }
    return stream;
  }

  /** Chat with the LLM directly: resolves to {text, finishReason, stats}. */
  prompt(text, options) {
    let o;
    try { o = optionsObject(options, 'prompt'); checkText(text); } catch (e) { return Promise.reject(e); }
    const { signal, maxTokens = 256, temperature = 0, system, onChunk, prefillChunk } = o;
    const gen = { maxTokens, temperature, ...(system ? { system } : {}), ...(prefillChunk ? { prefillChunk } : {}) };
    return this._call('generate', { prompt: text, options: gen }, { signal, onChunk });
  }

  promptStreaming(text, options) {
    try { options = optionsObject(options, 'promptStreaming'); } catch (e) { return this._stream(() => Promise.reject(e)); }
    return this._stream((onChunk, signal) => this.prompt(text, { ...options, signal, onChunk }), options.signal);
  }

  /**
   * Describe a photo: {text, alt, labels:[{name, zh, score}], objects:[{name, zh, score, box}], ocr:[{text, score, box}],
   * tags:[{concept, name, zh, count, score, sure, kind, position, area}], timing}.
   * detail 'full' (needs the LLM, a 347 MB download on first use): `text` is 2–3 sentences the LLM wrote from the tags,
   * each checked to add no object, count, colour, position or text the models did not find; `brief` is the one-line
   * caption, `alt` stays the short alt text, `description` has {sentences, fallback, dropped, timing, tokens}.
   * `onChunk(text)` receives the checked sentences as they are written.
   * @param {Blob|ImageBitmap|ImageData|HTMLImageElement} image
   */
  async caption(image, options) {
    const { language = 'zh', detail = 'brief', signal, onChunk } = optionsObject(options, 'caption');
    if (onChunk !== undefined && typeof onChunk !== 'function') throw typedError('InvalidInput', 'InvalidInput: onChunk must be a function');
    if (!LANGS.includes(language)) throw typedError('Unsupported', `Unsupported: language ${show(language)}; use zh or en`);
    if (!['brief', 'full'].includes(detail)) throw typedError('Unsupported', `Unsupported: detail ${show(detail)}; use brief or full`);
    const payload = await imagePayload(image);
    const buffer = (payload.bytes ?? payload.rgba).buffer;
    return this._call('caption', { image: payload, options: { language, detail } }, { signal, onChunk, transfer: [buffer] });
  }

  /** ImageNet top-k classes only (EfficientNet-Lite0; 18.5 MB of models): {labels:[{id, name, score}]}. */
  async classify(image, options) {
    const { k = 5, signal } = optionsObject(options, 'classify');
    if (!Number.isInteger(k) || k < 1 || k > 1000) throw typedError('InvalidInput', `InvalidInput: k must be an integer from 1 to 1000, not ${String(k).slice(0, 20)}`);
    const payload = await imagePayload(image);
    const buffer = (payload.bytes ?? payload.rgba).buffer;
    return this._call('classify', { image: payload, k }, { signal, transfer: [buffer] });
  }

  /** Timings of the last operations: {llm: {firstTokenMs, tokensPerSecond, …}, caption, llmLoad, visionLoad, loaded}. */
  stats() { return this._call('stats', {}); }

  /**
   * Memory and health figures for long-running pages (soak tests, dashboards):
   * {wasmMemoryBytes, workerJobs, pending, workerRestarts, callsRetried}. `wasmMemoryBytes` is the worker's wasm
   * linear memory (it never shrinks; a restarted worker starts a new one); `workerJobs` the jobs the
   * worker holds, `pending` the calls this instance awaits; `workerRestarts` counts workers replaced
   * because a cancelled job did not stop within the grace period, `callsRetried` the other calls
   * sent again to the new worker then. Answered between two steps of a
   * running job, so it can wait for a long wasm call (an LLM prefill) to end.
   */
  async memoryStats({ signal } = {}) {
    const pending = this._pending.size;
    const m = await this._call('memory', {}, { signal });
    return { wasmMemoryBytes: m.wasmMemoryBytes, workerJobs: m.jobs, pending, workerRestarts: this.workerRestarts, callsRetried: this.callsRetried };
  }

  /** [{name, size, sha256, cached, group}] for every model file. */
  async cacheStatus() {
    const groups = Object.entries(GROUPS).filter(([g]) => g !== 'classifier');
    const rows = [];
    for (const [group, names] of groups) {
      for (const s of await this.store.status(names)) rows.push({ ...s, group });
    }
    return rows;
  }

  /** Deletes every cached model file (models already in memory keep working until reload). */
  async clearCache() { return caches.delete(CACHE_NAME); }

  destroy() {
    if (this._destroyed) return;
    this._destroyed = true;
    this._failAll(typedError('AbortError', 'Aborted: this Qingyu instance was destroyed'));
    for (const t of this._stopping.values()) clearTimeout(t);
    this._stopping.clear();
  }
}

export default Qingyu;
