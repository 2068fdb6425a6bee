// A model streamed into its consumer while it downloads (www/lib/models.js streamSink): the
// worker hands the 347 MB GGUF to the engine's loader part by part, hashing it on the way with
// the engine's incremental SHA-256, so the page never holds the whole file in JS. Here the
// store is driven directly with EfficientNet-Lite0 (18.5 MB, two 16 MiB cache parts) and a
// writer that collects what it is given, to check what the LLM's loader gets in each case:
// the exact file; a corrupt file refused and nothing cached; a cut connection on a server
// without Range support restarting the writer; a failing writer not retried; a full quota
// leaving the model usable and the cache clean. Every LLM test covers the real GGUF on this path.
import { test, expect } from '@playwright/test';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { auditCache } from './cacheutil.js';
import { modelFile, watchErrors } from './webutil.js';

const FILE = 'efficientnet-lite0.onnx';
const BYTES = readFileSync(modelFile(FILE));
const SHA = createHash('sha256').update(BYTES).digest('hex');
const BLANK = '<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>stream</title></head><body><p>stream</p></body></html>';

async function blank(page) {
  await page.route('**/blank.html', (route) => route.fulfill({ contentType: 'text/html', body: BLANK }));
  await page.goto('/blank.html');
}

// In the page: load FILE through a ModelStore with a collecting writer and the engine's
// incremental hasher. `failAt`: the writer throws on that call. Returns what the writer saw.
const streamLoad = async ({ name, base, files, failAt = 0 }) => {
  const { ModelStore } = await import('/lib/models.js');
  const wasm = await import('/pkg/qingyu.js');
  await wasm.default();
  const store = new ModelStore({ baseUrl: base ?? new URL('/models/', location.href).href, files });
  const writers = [];
  const cacheErrors = [];
  let calls = 0;
  const into = (n, size) => {
    if (n !== name) return null;
    const w = { size, copies: [] };
    writers.push(w);
    return (chunk) => {
      if (++calls === failAt) throw new Error('ModelLoad: the consumer refused the bytes');
      w.copies.push(chunk.slice()); // the store reuses its buffers: keep a copy, as the engine does
    };
  };
  let error = null;
  let map = null;
  try {
    map = await store.load([name], { into, hasher: () => new wasm.Sha256(), onCacheError: (file, e) => cacheErrors.push({ file, message: e.message }) });
  } catch (e) {
    error = { name: e.name, message: e.message };
  }
  const hex = (b) => Array.from(new Uint8Array(b), (x) => x.toString(16).padStart(2, '0')).join('');
  const last = writers.at(-1);
  const sha = last ? hex(await crypto.subtle.digest('SHA-256', await new Blob(last.copies).arrayBuffer())) : null;
  const chunks = last?.copies.map((c) => c.length) ?? [];
  return {
    error, cacheErrors, entry: map ? map.get(name) : undefined, writers: writers.length,
    chunks, bytes: chunks.reduce((a, b) => a + b, 0), sha,
  };
};

test('a download streams into the writer part by part, verified and cached; the cached copy streams back', async ({ page }) => {
  const errors = watchErrors(page);
  await blank(page);
  const first = await page.evaluate(streamLoad, { name: FILE });
  expect(first.error).toBeNull();
  expect(first.entry).toBeNull(); // the bytes went to the writer, not into the map
  expect(first.writers).toBe(1);
  expect(first.chunks).toEqual([16 * 1024 * 1024, BYTES.length - 16 * 1024 * 1024]);
  expect(first.sha).toBe(SHA);
  const audit = await auditCache(page);
  expect(audit.problems).toEqual([]);
  expect(audit.files.map((f) => [f.name, f.parts])).toEqual([[FILE, 2]]);
  // From the cache: the same bytes (read with the default reader: BYOB reads of Cache API
  // bodies sometimes never resolved in Chromium 156, see models.js).
  const again = await page.evaluate(streamLoad, { name: FILE });
  expect(again.error).toBeNull();
  expect(again.sha).toBe(SHA);
  expect(errors).toEqual([]);
});

test('a corrupt download is refused with ModelLoad and leaves nothing in the cache', async ({ page }) => {
  await blank(page);
  const bad = Buffer.from(BYTES);
  bad[bad.length - 1000] ^= 0xff; // in the second part: the first was already written and cached
  await page.route(`**/models/${FILE}`, (route) => route.fulfill({ body: bad, contentType: 'application/octet-stream' }));
  const r = await page.evaluate(streamLoad, { name: FILE });
  expect(r.error?.name).toBe('ModelLoad');
  expect(r.error?.message).toMatch(/efficientnet-lite0\.onnx is corrupt: sha256/);
  expect(r.bytes).toBe(BYTES.length); // the writer got it all; the caller throws its work away
  const audit = await auditCache(page);
  expect(audit.problems).toEqual([]);
  expect(audit.keys.filter((k) => k.includes('efficientnet'))).toEqual([]);
});

test('a connection cut mid-file on a server without Range support restarts the writer', async ({ page }) => {
  const log = [];
  let cut = false;
  const server = http.createServer((req, res) => {
    const name = decodeURIComponent(new URL(req.url, 'http://x').pathname.slice(1));
    log.push({ name, range: req.headers.range ?? null });
    const cors = { 'access-control-allow-origin': '*', 'access-control-expose-headers': 'content-length' };
    if (req.method === 'OPTIONS') { res.writeHead(204, { ...cors, 'access-control-allow-headers': 'range' }); res.end(); return; }
    if (name !== FILE) { res.writeHead(404, cors); res.end(); return; }
    res.writeHead(200, { ...cors, 'content-length': BYTES.length, 'content-type': 'application/octet-stream' });
    if (!cut) {
      cut = true; // past the first 16 MiB part, so one part was already written and cached
      res.write(BYTES.subarray(0, 17 * 1024 * 1024), () => setTimeout(() => res.socket.destroy(), 200));
      return;
    }
    res.end(BYTES);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  try {
    await page.goto('/bench/soak.html'); // a page the test server serves (a cross-origin fetch from a routed one fails)
    const base = `http://127.0.0.1:${server.address().port}/`;
    // index.json is not on this server: the store is given the file's size and hash.
    const got = await page.evaluate(streamLoad, { name: FILE, base, files: { [FILE]: { size: BYTES.length, sha256: SHA } } });
    expect(got.error).toBeNull();
    expect(got.writers).toBe(2); // the first writer had taken a part when the download started over
    expect(got.sha).toBe(SHA);
    expect(log.map((l) => l.range)).toEqual([null, null]);
  } finally {
    server.close();
  }
});

test('a writer that fails is not retried, and nothing is cached', async ({ page }) => {
  await blank(page);
  let requests = 0;
  page.on('request', (req) => { if (req.url().endsWith(FILE)) requests++; });
  const r = await page.evaluate(streamLoad, { name: FILE, failAt: 2 });
  expect(r.error?.message).toBe('ModelLoad: the consumer refused the bytes');
  expect(requests).toBe(1);
  const audit = await auditCache(page);
  expect(audit.problems).toEqual([]);
  expect(audit.keys.filter((k) => k.includes('efficientnet'))).toEqual([]);
});

test('quota exceeded while streaming: the writer still gets the whole file, one cache error, nothing half-written kept', async ({ page, baseURL }) => {
  await blank(page);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(baseURL).origin, quotaSize: 17 * 1024 * 1024 });
  const r = await page.evaluate(streamLoad, { name: FILE });
  expect(r.error).toBeNull();
  expect(r.sha).toBe(SHA);
  expect(r.cacheErrors.map((e) => e.file)).toEqual([FILE]);
  expect(r.cacheErrors[0].message).toMatch(/quota/i);
  const audit = await auditCache(page);
  expect(audit.problems).toEqual([]);
  expect(audit.keys.filter((k) => k.includes('efficientnet'))).toEqual([]);
  await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(baseURL).origin });
});
