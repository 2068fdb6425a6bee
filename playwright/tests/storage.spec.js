// Storage faults around the model cache (issue 15, item 3): the quota runs out while caching,
// the cache is deleted while the page is open (also in the middle of a download), a new model
// version replaces the old files, and two tabs download at once. Each time the user gets a clear
// event or typed error, the page keeps working, and the Cache API holds only whole files that
// hash to index.json (checked by reading the cache back, see cacheutil.js).
//
// The classifier group (EfficientNet-Lite0, 18.5 MB in two cache parts, and its labels) stands
// for every model: the same code stores the 347 MB LLM.
import { test, expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { auditCache } from './cacheutil.js';
import { modelFile, watchErrors } from './webutil.js';

const COFFEE = readFileSync(new URL('../../www/samples/coffee.png', import.meta.url)).toString('base64');
const BLANK = '<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>storage</title></head><body><p>storage faults</p></body></html>';
const CLASSIFIER = ['efficientnet-lite0.onnx', 'imagenet-labels.json'];

async function blank(page) {
  await page.route('**/blank.html', (route) => route.fulfill({ contentType: 'text/html', body: BLANK }));
  await page.goto('/blank.html');
}

/** Counts requests for model files (not index.json) by name. */
function countModelRequests(page) {
  const n = {};
  page.on('request', (r) => {
    const m = /\/models\/([^/?]+)$/.exec(r.url());
    if (m && m[1] !== 'index.json') n[m[1]] = (n[m[1]] ?? 0) + 1;
  });
  return n;
}

// In the page: load the classifier through the public API, classify the coffee photo.
const loadAndClassify = async ({ photo, base }) => {
  const { Qingyu } = await import('/lib/qingyu.js');
  const warnings = [];
  const qy = await Qingyu.create({ ...(base ? { modelBaseUrl: base } : {}), monitor(m) { m.addEventListener('cachewarning', (e) => warnings.push({ file: e.file, message: e.message })); } });
  try {
    await qy.load('classifier');
    const blob = new Blob([Uint8Array.from(atob(photo), (c) => c.charCodeAt(0))], { type: 'image/png' });
    const { labels } = await qy.classify(blob, { k: 3 });
    const available = await Qingyu.availability({ features: ['classifier'], ...(base ? { modelBaseUrl: base } : {}) });
    return { top: labels[0].name, warnings, available };
  } finally { qy.destroy(); }
};

test('quota exceeded while caching: a cachewarning, the model still works, nothing half-written is kept', async ({ page, baseURL }) => {
  const errors = watchErrors(page);
  await blank(page);
  const cdp = await page.context().newCDPSession(page);
  const origin = new URL(baseURL).origin;
  // 17 MiB: the first 16 MiB part of EfficientNet fits, the second does not.
  await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: 17 * 1024 * 1024 });
  const t0 = Date.now();
  const r = await page.evaluate(loadAndClassify, { photo: COFFEE });
  console.log(`quota: ${JSON.stringify(r.warnings)} (${Date.now() - t0} ms)`);
  expect(r.top).toMatch(/espresso|coffee|cup/i);
  expect(r.warnings.map((w) => w.file)).toEqual(['efficientnet-lite0.onnx']);
  expect(r.warnings[0].message).toMatch(/quota/i);
  expect(r.available).toBe('downloadable');
  const audit = await auditCache(page);
  expect(audit.problems).toEqual([]);
  expect(audit.files.map((f) => f.name)).toEqual(['imagenet-labels.json']);
  expect(audit.keys.filter((k) => k.includes('efficientnet'))).toEqual([]);

  // What the user of the demo sees: a toast, and the caption all the same.
  await page.goto('/index.html#photo');
  await expect(page.locator('#engine-line')).toContainText('就绪', { timeout: 30_000 });
  await page.locator('.photo-sample[data-id="coffee"]').click();
  await expect(page.locator('#toast')).toContainText('模型无法保存到浏览器（空间不足？），下次需要重新下载。', { timeout: 60_000 });
  await expect(page.locator('#caption-text')).toContainText(/咖啡/, { timeout: 90_000 });
  await expect(page.locator('#photo-error')).toBeHidden();
  expect((await auditCache(page)).problems).toEqual([]);
  // Quota back to normal: the next load caches the file.
  await cdp.send('Storage.overrideQuotaForOrigin', { origin });
  await blank(page);
  const r2 = await page.evaluate(loadAndClassify, { photo: COFFEE });
  expect(r2.warnings).toEqual([]);
  expect(r2.available).toBe('available');
  const audit2 = await auditCache(page);
  expect(audit2.problems).toEqual([]);
  // (with the vision files that fitted under the small quota while the demo ran)
  expect(audit2.files.map((f) => f.name)).toEqual(expect.arrayContaining(CLASSIFIER));
  expect(errors).toEqual([]);
});

test('cache deleted while the page is open: loaded models keep working, the next load downloads again, mid-download deletion leaves nothing partial', async ({ page }) => {
  const errors = watchErrors(page);
  const requests = countModelRequests(page);
  await blank(page);
  const r = await page.evaluate(async (photo) => {
    const { Qingyu } = await import('/lib/qingyu.js');
    const blob = new Blob([Uint8Array.from(atob(photo), (c) => c.charCodeAt(0))], { type: 'image/png' });
    const qy = await Qingyu.create();
    await qy.load('classifier');
    const before = await Qingyu.availability({ features: ['classifier'] });
    // The browser (storage pressure) or the user (clear site data) drops the cache.
    const deleted = await caches.delete('qingyu-models-v1');
    const after = await Qingyu.availability({ features: ['classifier'] });
    const inMemory = (await qy.classify(blob, { k: 1 })).labels[0].name; // still loaded
    qy.destroy();
    // A new instance (a reload, another widget) needs the files again: downloaded and cached again.
    const qy2 = await Qingyu.create();
    await qy2.load('classifier');
    const reloaded = (await qy2.classify(blob, { k: 1 })).labels[0].name;
    const again = await Qingyu.availability({ features: ['classifier'] });
    qy2.destroy();
    return { before, deleted, after, inMemory, reloaded, again };
  }, COFFEE);
  expect(r).toMatchObject({ before: 'available', deleted: true, after: 'downloadable', again: 'available' });
  expect(r.inMemory).toMatch(/espresso|coffee|cup/i);
  expect(r.reloaded).toBe(r.inMemory);
  expect(requests['efficientnet-lite0.onnx']).toBe(2);
  let audit = await auditCache(page);
  expect(audit.problems).toEqual([]);
  expect(audit.files.map((f) => f.name).sort()).toEqual(CLASSIFIER);

  // Deleted in the middle of a download (slowed down so the deletion lands inside it).
  await page.route('**/models/efficientnet-lite0.onnx', async (route) => {
    await new Promise((res) => setTimeout(res, 300));
    await route.continue();
  });
  const r2 = await page.evaluate(async (photo) => {
    const { Qingyu } = await import('/lib/qingyu.js');
    await caches.delete('qingyu-models-v1');
    let deletedAt = null;
    const qy = await Qingyu.create({
      monitor(m) {
        m.addEventListener('downloadprogress', (e) => {
          if (deletedAt === null && e.file === 'efficientnet-lite0.onnx' && e.loaded > 0 && e.loaded < e.total) {
            deletedAt = e.loaded;
            caches.delete('qingyu-models-v1');
          }
        });
      },
    });
    await qy.load('classifier');
    const blob = new Blob([Uint8Array.from(atob(photo), (c) => c.charCodeAt(0))], { type: 'image/png' });
    const top = (await qy.classify(blob, { k: 1 })).labels[0].name;
    qy.destroy();
    return { deletedAt, top };
  }, COFFEE);
  expect(r2.deletedAt).not.toBeNull();
  expect(r2.top).toMatch(/espresso|coffee|cup/i);
  audit = await auditCache(page);
  console.log(`deleted mid-download at ${r2.deletedAt} bytes; cache afterwards: ${JSON.stringify(audit.files.map((f) => f.name))}`);
  expect(audit.problems).toEqual([]);
  await page.unroute('**/models/efficientnet-lite0.onnx');
  // Whatever the deletion left, the next load ends with the whole group cached.
  const r3 = await page.evaluate(loadAndClassify, { photo: COFFEE });
  expect(r3.available).toBe('available');
  expect((await auditCache(page)).problems).toEqual([]);
  expect(errors).toEqual([]);
});

test('a new model version (changed index.json) replaces the old files and frees their space', async ({ page }) => {
  const errors = watchErrors(page);
  await blank(page);
  // Version 1: the classifier, plus the detector as a file cached by an earlier visit.
  const v1 = await page.evaluate(async (photo) => {
    const { Qingyu } = await import('/lib/qingyu.js');
    const qy = await Qingyu.create();
    await qy.load('classifier');
    await qy.store.load(['detector.onnx']);
    qy.destroy();
    return (await caches.open('qingyu-models-v1').then((c) => c.keys())).length;
  }, COFFEE);
  expect(v1).toBeGreaterThan(3);

  // Version 2: new labels (other bytes, same names) and a new detector; the page is reloaded.
  const index = JSON.parse(readFileSync(modelFile('index.json'), 'utf8'));
  const labels2 = Buffer.concat([readFileSync(modelFile('imagenet-labels.json')), Buffer.from('\n')]);
  const { createHash } = await import('node:crypto');
  const v2 = structuredClone(index);
  v2.files['imagenet-labels.json'] = { ...v2.files['imagenet-labels.json'], size: labels2.length, sha256: createHash('sha256').update(labels2).digest('hex') };
  v2.files['detector.onnx'] = { ...v2.files['detector.onnx'], sha256: 'f'.repeat(64) };
  await page.route('**/models/index.json', (route) => route.fulfill({ contentType: 'application/json', body: JSON.stringify(v2) }));
  await page.route('**/models/imagenet-labels.json', (route) => route.fulfill({ contentType: 'application/json', body: labels2 }));
  const requests = countModelRequests(page);
  await page.reload();
  const r = await page.evaluate(loadAndClassify, { photo: COFFEE });
  expect(r.top).toMatch(/espresso|coffee|cup/i);
  expect(r.available).toBe('available');
  // Only the changed file was downloaded; the unchanged EfficientNet came from the cache.
  expect(requests).toEqual({ 'imagenet-labels.json': 1 });
  const audit = await auditCache(page, { index: v2.files });
  expect(audit.problems).toEqual([]);
  // The new labels replaced the old ones; the old detector (not even used this time) is gone.
  expect(audit.files.map((f) => f.name).sort()).toEqual(CLASSIFIER);
  expect(audit.files.find((f) => f.name === 'imagenet-labels.json').size).toBe(labels2.length);
  expect(audit.keys.filter((k) => k.includes('detector'))).toEqual([]);
  expect(errors).toEqual([]);
});

test('a new model version published while the page is open: the stale index is read again, the new file loads', async ({ page }) => {
  const errors = watchErrors(page);
  await blank(page);
  await page.evaluate(async () => {
    const { Qingyu } = await import('/lib/qingyu.js');
    window.__qy = await Qingyu.create();
    await window.__qy.load('classifier'); // the worker has read index.json (version 1)
  });
  // Version 2 goes live: new COCO labels (the detector's), not cached yet in this tab.
  const index = JSON.parse(readFileSync(modelFile('index.json'), 'utf8'));
  const coco2 = Buffer.concat([readFileSync(modelFile('coco-labels.json')), Buffer.from('\n')]);
  const { createHash } = await import('node:crypto');
  const v2 = structuredClone(index);
  v2.files['coco-labels.json'] = { ...v2.files['coco-labels.json'], size: coco2.length, sha256: createHash('sha256').update(coco2).digest('hex') };
  await page.route('**/models/index.json', (route) => route.fulfill({ contentType: 'application/json', body: JSON.stringify(v2) }));
  await page.route('**/models/coco-labels.json', (route) => route.fulfill({ contentType: 'application/json', body: coco2 }));
  const r = await page.evaluate(async (photo) => {
    const qy = window.__qy;
    const events = [];
    qy.monitor.addEventListener('downloadprogress', (e) => events.push([e.loaded, e.total]));
    await qy.load('vision');
    const blob = new Blob([Uint8Array.from(atob(photo), (c) => c.charCodeAt(0))], { type: 'image/png' });
    const c = await qy.caption(blob, { language: 'en' });
    qy.destroy();
    return { text: c.text, last: events.at(-1) };
  }, COFFEE);
  expect(r.text).toMatch(/espresso|coffee|cup/i);
  expect(r.last[0]).toBe(r.last[1]); // the progress figure still ends at 100 %
  const audit = await auditCache(page, { index: v2.files });
  expect(audit.problems).toEqual([]);
  expect(audit.files.find((f) => f.name === 'coco-labels.json')?.size).toBe(coco2.length);
  expect(errors).toEqual([]);
});

test('two tabs download the same models at once: both work, one download per file, the cache is consistent', async ({ page, context }) => {
  const errors = watchErrors(page);
  const requests = countModelRequests(page);
  const tab2 = await context.newPage();
  const errors2 = watchErrors(tab2);
  const requests2 = countModelRequests(tab2);
  await blank(page);
  await blank(tab2);
  const [a, b] = await Promise.all([page.evaluate(loadAndClassify, { photo: COFFEE }), tab2.evaluate(loadAndClassify, { photo: COFFEE })]);
  expect(a.top).toMatch(/espresso|coffee|cup/i);
  expect(b.top).toBe(a.top);
  expect([a.available, b.available]).toEqual(['available', 'available']);
  expect([a.warnings, b.warnings]).toEqual([[], []]);
  // Web Locks: the second tab waited for the first one's download and read the cache.
  for (const n of CLASSIFIER) expect((requests[n] ?? 0) + (requests2[n] ?? 0)).toBe(1);
  const audit = await auditCache(page);
  expect(audit.problems).toEqual([]);
  expect(audit.files.map((f) => f.name).sort()).toEqual(CLASSIFIER);
  expect([...errors, ...errors2]).toEqual([]);
  await tab2.close();
});
