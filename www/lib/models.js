// Model delivery for Qingyu: fetch model files by URL with one overall progress figure,
// check each file's size + sha256 (SubtleCrypto) against `index.json` next to the files,
// keep verified files in the Cache API (reload and offline need no network), retry failed
// downloads (resuming with an HTTP Range request when the server advertises
// `Accept-Ranges: bytes`, else a full retry), and never cache or keep a corrupt file.
//
// Used by the worker (downloads) and by the main thread (availability, cache state, clearing).

export const CACHE_NAME = 'qingyu-models-v1';
/** Cache entries are at most this big (see ModelStore._store). */
const PART_BYTES = 16 * 1024 * 1024;

/** Which files each feature needs (names as in models/manifest.json → models/dist/). */
export const GROUPS = Object.freeze({
  llm: ['qwen2.5-coder-0.5b-instruct-q5_0-tied.gguf'],
  classifier: ['efficientnet-lite0.onnx', 'imagenet-labels.json'],
  vision: ['efficientnet-lite0.onnx', 'imagenet-labels.json', 'detector.onnx', 'coco-labels.json',
    'ppocrv4-det.onnx', 'ppocrv4-rec.onnx', 'ppocr-cls.onnx', 'ppocr-keys.txt'],
});

/** An Error whose `name` is one of the API's kinds (InvalidInput, ModelLoad, Aborted, Unsupported, AbortError). */
export function typedError(name, message) {
  const e = new Error(message);
  e.name = name;
  return e;
}

export function abortError(reason) {
  if (reason && reason.name === 'AbortError') return reason;
  return typedError('AbortError', reason?.message ? `Aborted: ${reason.message}` : 'Aborted: the operation was cancelled');
}

const sleep = (ms, signal) => new Promise((resolve, reject) => {
  const t = setTimeout(resolve, ms);
  signal?.addEventListener('abort', () => { clearTimeout(t); reject(abortError(signal.reason)); }, { once: true });
});

export function hex(buffer) {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');
}

export function formatBytes(n, lang = 'en') {
  if (!Number.isFinite(n)) return '–';
  const unit = n >= 1e9 ? ['GB', 1e9] : n >= 1e6 ? ['MB', 1e6] : n >= 1e3 ? ['KB', 1e3] : ['B', 1];
  const v = n / unit[1];
  return `${v.toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-US', { maximumFractionDigits: v < 10 && unit[1] > 1 ? 1 : 0 })} ${unit[0]}`;
}

/** Whether this context can store + verify models (Cache API and SubtleCrypto need a secure context). */
export function storageSupport() {
  if (typeof caches === 'undefined') return 'the Cache API is missing (open the page over https or on localhost)';
  if (!globalThis.crypto?.subtle) return 'SubtleCrypto is missing (open the page over https or on localhost)';
  return null;
}

export class ModelStore {
  /**
   * @param {object} o
   * @param {string} o.baseUrl  folder URL holding the model files and index.json
   * @param {string} [o.cacheName]
   * @param {number} [o.retries]  attempts per file (network errors, truncated bodies, HTTP 5xx)
   * @param {object} [o.files]  name → {size, sha256}: use instead of fetching index.json
   */
  constructor({ baseUrl, cacheName = CACHE_NAME, retries = 3, files = null }) {
    this.baseUrl = new URL(baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`, globalThis.location?.href).href;
    this.cacheName = cacheName;
    this.retries = retries;
    this._files = files;
    this._index = null;
  }

  url(name) { return new URL(name, this.baseUrl).href; }

  /** name → {size, sha256}: index.json from the network, else the cached copy (offline). */
  async index() {
    if (this._files) return this._files;
    if (this._index) return this._index;
    const url = this.url('index.json');
    const cache = await caches.open(this.cacheName);
    let res = null;
    try {
      res = await fetch(url, { cache: 'no-cache' });
      if (res.ok) {
        await cache.put(url, res.clone());
      } else {
        res = null;
      }
    } catch { res = null; }
    res ??= await cache.match(url);
    if (!res) {
      throw typedError('ModelLoad', `ModelLoad: cannot read the model index ${url} (offline, or the models were not built: run ./qy build)`);
    }
    const json = await res.json();
    this._index = json.files || json;
    return this._index;
  }

  async meta(name) {
    const m = (await this.index())[name];
    if (!m || !Number.isFinite(m.size) || !/^[0-9a-f]{64}$/.test(m.sha256 || '')) {
      throw typedError('ModelLoad', `ModelLoad: ${name} is not listed (with size + sha256) in ${this.url('index.json')}`);
    }
    return m;
  }

  /** [{name, size, sha256, cached}] for the given files. */
  async status(names) {
    const cache = await caches.open(this.cacheName);
    return Promise.all(names.map(async (name) => {
      const m = await this.meta(name);
      const res = await cache.match(this.url(name));
      const cached = !!res && res.headers.get('x-qingyu-sha256') === m.sha256;
      return { name, size: m.size, sha256: m.sha256, cached };
    }));
  }

  async evict(name) {
    const cache = await caches.open(this.cacheName);
    const url = this.url(name);
    const res = await cache.match(url);
    const parts = Number(res?.headers.get('x-qingyu-parts') || 0);
    const deleted = await cache.delete(url);
    for (const req of await cache.keys()) {
      if (req.url.startsWith(`${url}?qy-part=`)) await cache.delete(req);
    }
    return deleted || parts > 0;
  }

  async clear() { return caches.delete(this.cacheName); }

  /**
   * Frees the space of model versions the index no longer lists: every cached entry under this
   * folder (files and their parts) whose name is not in index.json, or whose sha256 differs from
   * the index's (an older version of a file). Runs after each load; a no-op with `files` (a
   * caller-given list may name only some of the folder's files).
   * @returns {Promise<string[]>} the URLs deleted
   */
  async prune() {
    if (this._files) return [];
    const index = await this.index();
    const cache = await caches.open(this.cacheName);
    const dir = new URL(this.baseUrl).pathname;
    const deleted = [];
    for (const req of await cache.keys()) {
      const u = new URL(req.url);
      if (!req.url.startsWith(this.baseUrl) || !u.pathname.startsWith(dir)) continue;
      const name = decodeURIComponent(u.pathname.slice(dir.length));
      if (name === 'index.json' && !u.search) continue;
      const res = await cache.match(req);
      const sha = res?.headers.get('x-qingyu-sha256');
      if (res && index[name]?.sha256 === sha && (!u.search || /^\?qy-part=\d+$/.test(u.search))) continue;
      if (await cache.delete(req)) deleted.push(req.url);
    }
    if (deleted.length) console.info(`[qingyu] freed ${deleted.length} cache entries of model files the index no longer lists`);
    return deleted;
  }

  /**
   * Bytes of every file in `names`, from the cache or the network.
   * onProgress({loaded, total, file}) covers all files together (cached files count as loaded).
   * into(name, size): a writer `(chunk) => void` to receive that file piece by piece instead
   * (its map entry is then `null`), or null for the bytes as usual. It is asked again whenever
   * the bytes start over (a damaged cached copy gives way to a download, a server without Range
   * support restarts one): the writer must then start over.
   * hasher(): an incremental SHA-256 `{update(bytes), hex()}`. With it, a download for a writer
   * is streamed (each part hashed, written and cached as it arrives, the file verified at the
   * end) instead of being held whole in memory until its hash is checked.
   * @returns {Promise<Map<string, Uint8Array|null>>}
   */
  async load(names, { onProgress = () => {}, onCacheError = () => {}, signal, into = () => null, hasher = null } = {}) {
    const metas = await Promise.all(names.map((n) => this.meta(n)));
    let total = metas.reduce((s, m) => s + m.size, 0);
    let loaded = 0;
    let lastEmit = 0;
    const emit = (file, force = false) => {
      const now = Date.now();
      if (force || now - lastEmit > 80) {
        lastEmit = now;
        onProgress({ loaded: Math.min(loaded, total), total, file });
      }
    };
    emit(null, true);
    const cache = await caches.open(this.cacheName);
    const out = new Map();
    // One file at a time: the overall figure grows steadily and memory peaks once.
    for (let i = 0; i < names.length; i++) {
      if (signal?.aborted) throw abortError(signal.reason);
      const name = names[i];
      let meta = metas[i];
      const fetchOne = async () => {
        let bytes = await this._fromCache(cache, name, meta, into);
        if (bytes !== undefined) {
          loaded += meta.size;
          emit(name, true);
          return bytes;
        }
        let got = 0;
        const onBytes = (delta) => { got += delta; loaded += delta; emit(name); };
        const cacheFailed = (e) => {
          onCacheError(name, e);
          console.warn(`[qingyu] could not cache ${name}: ${e.message}`);
        };
        const download = async () => {
          const write = hasher ? into(name, meta.size) : null;
          if (!write) {
            const whole = await this._download(name, meta, onBytes, signal, wholeFileSink(meta));
            await this._verify(name, meta, whole);
            return whole;
          }
          const sink = streamSink(this, cache, name, meta, write, () => into(name, meta.size), hasher, cacheFailed);
          try {
            return await this._download(name, meta, onBytes, signal, sink);
          } catch (e) {
            await this.evict(name).catch(() => {}); // the parts cached so far are not a whole file
            throw e;
          }
        };
        try {
          bytes = await download();
        } catch (e) {
          // A new version may have been published since this page read index.json: read it
          // again, and if it lists this file differently, fetch the new file once.
          const fresh = e?.name === 'ModelLoad' && !signal?.aborted ? await this._refreshMeta(name, meta) : null;
          if (!fresh) throw e;
          console.info(`[qingyu] ${name}: index.json changed while the page was open; fetching the new version`);
          loaded -= got;
          got = 0;
          total += fresh.size - meta.size;
          meta = fresh;
          bytes = await download();
        }
        if (bytes === null) { // streamed: written, verified and cached part by part
          emit(name, true);
          return null;
        }
        try {
          await this._store(cache, name, meta, bytes);
        } catch (e) {
          // Quota exceeded or storage unavailable: the file still works for this session, and
          // what was written of it is removed (a file is cached whole or not at all).
          await this.evict(name).catch(() => {});
          cacheFailed(e);
        }
        emit(name, true);
        const write = into(name, meta.size);
        if (write) {
          for (let at = 0; at < bytes.length; at += PART_BYTES) write(bytes.subarray(at, at + PART_BYTES));
          return null;
        }
        return bytes;
      };
      // One download per file across tabs and workers of this origin: a second tab waits for
      // the first one's download, then reads the file from the cache.
      const bytes = globalThis.navigator?.locks
        ? await navigator.locks.request(`qingyu-model ${this.url(name)}`, signal ? { signal } : {}, fetchOne).catch((e) => {
          throw signal?.aborted ? abortError(signal.reason) : e;
        })
        : await fetchOne();
      out.set(name, bytes);
    }
    emit(null, true);
    // A new index may have replaced files that are still cached: free their space.
    await this.prune().catch((e) => console.warn(`[qingyu] could not prune the model cache: ${e.message}`));
    return out;
  }

  /**
   * Big files go into the cache as parts of PART_BYTES (one huge in-memory body fails in some
   * browsers, e.g. Chromium off the record), then a small entry under the file's own URL that
   * names the part count: written last, so a half-written file never looks cached.
   */
  async _store(cache, name, meta, bytes) {
    const url = this.url(name);
    if (bytes.length <= PART_BYTES) {
      await cache.put(url, new Response(bytes, { headers: cacheHeaders(meta) }));
      return;
    }
    const parts = Math.ceil(bytes.length / PART_BYTES);
    for (let i = 0; i < parts; i++) {
      await this._storePart(cache, name, meta, i, bytes.subarray(i * PART_BYTES, (i + 1) * PART_BYTES));
    }
    await this._storePartCount(cache, name, meta, parts);
  }

  _storePart(cache, name, meta, i, bytes) {
    return cache.put(`${this.url(name)}?qy-part=${i}`, new Response(bytes, { headers: cacheHeaders(meta) }));
  }

  /** The entry under the file's own URL: written last, it marks the file as cached whole. */
  _storePartCount(cache, name, meta, parts) {
    return cache.put(this.url(name), new Response('', { headers: { ...cacheHeaders(meta), 'x-qingyu-parts': String(parts) } }));
  }

  /**
   * The cached file: its bytes, or null when it went to `into`'s writer part by part (no
   * whole-file buffer in JS); undefined when it is not cached, or damaged (then evicted).
   */
  async _fromCache(cache, name, meta, into = () => null) {
    const url = this.url(name);
    const res = await cache.match(url);
    if (!res) return undefined;
    if (res.headers.get('x-qingyu-sha256') !== meta.sha256) {
      await this.evict(name); // an older version of the model
      return undefined;
    }
    const parts = Number(res.headers.get('x-qingyu-parts') || 0);
    const write = into(name, meta.size);
    const bytes = write ? null : new Uint8Array(meta.size);
    let at = 0;
    const take = (chunk) => { if (write) write(chunk); else bytes.set(chunk, at); at += chunk.length; };
    // Streamed part by part, not `arrayBuffer()` per part (16 MiB of garbage each). With the
    // default reader: a BYOB read of a Cache API body sometimes never resolved in Chromium 156
    // (an offline reload's caption hung in 6 of 8 runs; 0 of 3 with the default reader).
    const readAll = async (body) => {
      for await (const chunk of bodyChunks(body, undefined, { byob: false })) {
        if (at < 0 || at + chunk.length > meta.size) { at = -1; break; }
        take(chunk);
      }
    };
    if (!parts) {
      await readAll(res.body);
    } else {
      for (let i = 0; i < parts && at >= 0; i++) {
        const part = await cache.match(`${url}?qy-part=${i}`);
        if (!part) { at = -1; break; }
        await readAll(part.body);
      }
    }
    if (at !== meta.size) {
      await this.evict(name); // damaged storage
      return undefined;
    }
    return bytes; // verified before it was stored; hashing 347 MB on every start costs seconds
  }

  /** The index's entry for `name` read again from the network, if it changed; else null. */
  async _refreshMeta(name, old) {
    if (this._files) return null;
    const before = this._index;
    this._index = null;
    try {
      const m = (await this.index())[name];
      if (m && Number.isFinite(m.size) && /^[0-9a-f]{64}$/.test(m.sha256 || '') && m.sha256 !== old.sha256) return m;
    } catch { this._index = before; }
    return null;
  }

  async _verify(name, meta, bytes) {
    await this._checkDigest(name, meta, hex(await crypto.subtle.digest('SHA-256', bytes)));
  }

  async _checkDigest(name, meta, got) {
    if (got !== meta.sha256) {
      await this.evict(name);
      throw typedError('ModelLoad', `ModelLoad: ${name} is corrupt: sha256 ${got.slice(0, 12)}… ≠ expected ${meta.sha256.slice(0, 12)}… ` +
        '(the file on the server is damaged or a different version; it was not cached)');
    }
  }

  /**
   * Fetches the file into `sink` ({take(chunk), restart(), finish()}; see wholeFileSink and
   * streamSink), retrying and resuming; returns what `finish` returns.
   */
  async _download(name, meta, onBytes, signal, sink) {
    const url = this.url(name);
    let got = 0;
    let rangeOk = false;
    for (let attempt = 1; ; attempt++) {
      try {
        const headers = {};
        if (got > 0 && rangeOk) headers.Range = `bytes=${got}-`;
        const res = await fetch(url, { headers, signal, cache: 'no-store' });
        if (res.status === 206 && got > 0) {
          const start = Number(/bytes (\d+)-/.exec(res.headers.get('content-range') || '')?.[1]);
          if (start !== got) throw new Error(`the server resumed at byte ${start}, not ${got}`);
        } else if (res.ok) {
          if (got > 0) { onBytes(-got); got = 0; sink.restart(); } // no resume: start over
        } else {
          const e = typedError('ModelLoad', `ModelLoad: ${name}: HTTP ${res.status} from ${url}`);
          e.retry = res.status >= 500 || res.status === 408 || res.status === 429;
          throw e;
        }
        rangeOk = (res.headers.get('accept-ranges') || '').includes('bytes');
        const len = Number(res.headers.get('content-length'));
        if (res.status === 200 && len && len !== meta.size && !res.headers.get('content-encoding')) {
          await res.body?.cancel();
          throw typedError('ModelLoad', `ModelLoad: ${name} is ${len} bytes on the server, the index says ${meta.size} (a different or damaged file)`);
        }
        for await (const value of bodyChunks(res.body)) {
          if (got + value.length > meta.size) {
            throw typedError('ModelLoad', `ModelLoad: ${name} is larger than the ${meta.size} bytes the index lists`);
          }
          await sink.take(value);
          got += value.length;
          onBytes(value.length);
        }
        if (got !== meta.size) throw new Error(`connection closed after ${got} of ${meta.size} bytes`);
        return await sink.finish();
      } catch (e) {
        if (signal?.aborted) throw abortError(signal.reason);
        const retryable = !e.fromWriter && (e.name !== 'ModelLoad' || e.retry);
        if (!retryable) throw e;
        if (attempt >= this.retries) {
          throw typedError('ModelLoad', `ModelLoad: downloading ${name} failed after ${attempt} attempts: ${e.message.replace(/^ModelLoad: /, '')}`);
        }
        console.warn(`[qingyu] ${name}: ${e.message}; retrying (${attempt}/${this.retries - 1})${rangeOk && got ? ` from byte ${got}` : ''}`);
        await sleep(400 * attempt * attempt, signal);
      }
    }
  }
}

/**
 * A body's bytes as views into one reused buffer (a BYOB reader), each valid until the next one
 * is asked for: reading 347 MB leaves no garbage behind. Falls back to the default reader where
 * the body is not a byte stream, or with `{byob: false}` (Cache API bodies: see `_fromCache`).
 * Leaving the loop early cancels the body.
 */
export async function* bodyChunks(body, size = 1 << 20, { byob: useByob = true } = {}) {
  if (!body) return;
  let byob = null;
  if (useByob) {
    try { byob = body.getReader({ mode: 'byob' }); } catch { /* not a byte stream */ }
  }
  const reader = byob ?? body.getReader();
  let buffer = byob ? new ArrayBuffer(size) : null; // the default reader brings its own chunks
  let finished = false;
  try {
    for (;;) {
      const { done, value } = byob ? await byob.read(new Uint8Array(buffer)) : await reader.read();
      if (byob && value) buffer = value.buffer; // the read transferred it
      if (done) { finished = true; return; }
      yield value;
    }
  } finally {
    if (!finished) await reader.cancel().catch(() => {});
  }
}

function cacheHeaders(meta) {
  return { 'content-type': 'application/octet-stream', 'x-qingyu-sha256': meta.sha256 };
}

/** A download held whole (small files, or no incremental hasher): verified by the caller. */
function wholeFileSink(meta) {
  const buf = new Uint8Array(meta.size);
  let at = 0;
  return {
    take(chunk) { buf.set(chunk, at); at += chunk.length; },
    restart() { at = 0; },
    finish() { return buf; },
  };
}

/**
 * A download that is never held whole: each PART_BYTES piece is hashed, handed to the writer and
 * cached as soon as it is complete, and the entry that marks the file as cached is written only
 * once the whole file hashes to the index. A corrupt file is evicted and fails with ModelLoad
 * (the writer has then taken bytes it must throw away: the caller frees it). When caching fails
 * (quota), the rest still streams to the writer and `cacheFailed` hears of it once at the end.
 * `finish` returns null: the bytes are in the writer.
 */
function streamSink(store, cache, name, meta, firstWrite, openWrite, hasher, cacheFailed) {
  let write = firstWrite;
  let hash = null;
  let part = null;
  let fill = 0;
  let index = 0;
  let cacheError = null;
  const begin = () => {
    hash?.free?.();
    hash = hasher();
    part = new Uint8Array(Math.min(PART_BYTES, meta.size));
    fill = 0;
    index = 0;
  };
  const flush = async () => {
    const bytes = part.subarray(0, fill);
    hash.update(bytes);
    try {
      write(bytes);
    } catch (e) {
      throw Object.assign(e, { fromWriter: true }); // the bytes were fine: downloading again would not help
    }
    // The Response copies the bytes, so the part buffer can be refilled at once.
    if (!cacheError) await store._storePart(cache, name, meta, index, bytes).catch((e) => { cacheError = e; });
    index++;
    fill = 0;
  };
  begin();
  return {
    async take(chunk) {
      while (chunk.length) {
        const n = Math.min(part.length - fill, chunk.length);
        part.set(chunk.subarray(0, n), fill);
        fill += n;
        chunk = chunk.subarray(n);
        if (fill === part.length) await flush();
      }
    },
    restart() {
      write = openWrite();
      begin();
    },
    async finish() {
      if (fill) await flush();
      const digest = hash.hex(); // frees the hasher
      hash = null;
      await store._checkDigest(name, meta, digest);
      if (!cacheError) await store._storePartCount(cache, name, meta, index).catch((e) => { cacheError = e; });
      if (cacheError) {
        await store.evict(name).catch(() => {});
        cacheFailed(cacheError);
      }
      return null;
    },
  };
}
