// The Summarizer polyfill (www/lib/polyfill.js) against the Writing Assistance APIs spec
// (webmachinelearning.github.io/writing-assistance-apis, § The summarizer API and § Shared
// infrastructure), in headless Chromium with the real engine. Each title names the section or
// algorithm it checks. Key points need no model download, so most tests use them; one test
// downloads the LLM (a fresh browser context has an empty Cache API) and writes a real tldr.
import { test, expect } from '@playwright/test';
import { articles, bullets } from './webutil.js';

const PAGE = '/polyfill-test.html';

/** Loads the test page; `err(e)` in the page describes an error for the assertions. */
async function open(page, { install = true } = {}) {
  await page.addInitScript(() => {
    window.err = (e) => ({
      name: e?.name, message: e?.message, isDOMException: e instanceof DOMException,
      ctor: e?.constructor?.name, requested: e?.requested, quota: e?.quota,
    });
    // settle(p): the outcome of a promise, as data.
    window.settle = (p) => Promise.resolve(p).then((value) => ({ ok: true, value }), (e) => ({ ok: false, ...window.err(e), same: e === window.lastReason }));
  });
  await page.goto(PAGE);
  if (install) await page.evaluate(async () => { window.polyfill = await import('/lib/polyfill.js'); });
}

const zhArticle = () => articles().find((a) => a.id === 'zh-02');
const enArticle = () => articles().find((a) => a.id === 'en-01');

test('§ install: Summarizer and CreateMonitor are installed where the browser has none; Web IDL interface shape', async ({ page }) => {
  await open(page);
  const r = await page.evaluate(async () => {
    const d = (o, k) => Object.getOwnPropertyDescriptor(o, k);
    let illegal = null;
    try { new Summarizer(); } catch (e) { illegal = err(e); }
    let monitorIllegal = null;
    try { new CreateMonitor(); } catch (e) { monitorIllegal = err(e); }
    const attrs = ['type', 'format', 'length', 'sharedContext', 'expectedInputLanguages', 'expectedContextLanguages', 'outputLanguage', 'inputQuota'];
    return {
      servedBy: polyfill.servedBy(),
      // Chromium may ship a built-in Summarizer that has no model here: it answers 'unavailable'.
      native: polyfill.nativeSummarizer() && await polyfill.nativeSummarizer().availability().catch((e) => `threw ${e.name}`),
      global: { ...d(globalThis, 'Summarizer'), value: undefined },
      installAgain: await polyfill.install(),
      illegal, monitorIllegal,
      staticCreate: typeof Summarizer.create, staticAvailability: typeof Summarizer.availability,
      length: Summarizer.length, createLength: Summarizer.create.length,
      readonly: attrs.every((a) => typeof d(Summarizer.prototype, a)?.get === 'function' && d(Summarizer.prototype, a).set === undefined),
      methods: ['summarize', 'summarizeStreaming', 'measureInputUsage', 'destroy'].map((m) => [m, typeof Summarizer.prototype[m], Summarizer.prototype[m].length]),
      tag: Object.prototype.toString.call(Object.create(Summarizer.prototype)),
    };
  });
  expect(r.servedBy).toBe('polyfill');
  console.log(`built-in Summarizer: ${r.native === null ? 'none' : `availability() → ${r.native}`}`);
  expect([null, 'unavailable', 'threw NotAllowedError', 'threw NotSupportedError', 'threw UnknownError']).toContain(r.native);
  expect(r.global).toMatchObject({ writable: true, configurable: true, enumerable: false });
  expect(r.installAgain).toBe('polyfill');
  expect(r.illegal).toMatchObject({ name: 'TypeError' });
  expect(r.monitorIllegal).toMatchObject({ name: 'TypeError' });
  expect([r.staticCreate, r.staticAvailability, r.length, r.createLength]).toEqual(['function', 'function', 0, 0]);
  expect(r.readonly).toBe(true);
  expect(r.methods).toEqual([['summarize', 'function', 1], ['summarizeStreaming', 'function', 1], ['measureInputUsage', 'function', 1], ['destroy', 'function', 0]]);
  expect(r.tag).toBe('[object Summarizer]');
});

test('§ install: a built-in Summarizer is kept unless it reports "unavailable" (or install({force}))', async ({ browser }) => {
  const run = async (nativeAnswer, force) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.addInitScript((answer) => {
      window.Summarizer = class NativeSummarizer { static async availability() { return answer; } };
    }, nativeAnswer);
    await open(page);
    const r = await page.evaluate(async (f) => {
      if (f) await polyfill.install({ force: true });
      return { servedBy: polyfill.servedBy(), isNative: Summarizer.name === 'NativeSummarizer', keptNative: polyfill.nativeSummarizer()?.name ?? null };
    }, force);
    await context.close();
    return r;
  };
  expect(await run('available', false)).toEqual({ servedBy: 'native', isNative: true, keptNative: 'NativeSummarizer' });
  expect(await run('unavailable', false)).toEqual({ servedBy: 'polyfill', isNative: false, keptNative: 'NativeSummarizer' });
  expect(await run('available', true)).toEqual({ servedBy: 'polyfill', isNative: false, keptNative: 'NativeSummarizer' });
});

test('§ availability(): Cache API state, option validation (TypeError enums, RangeError tags), language best fit', async ({ page }) => {
  await open(page);
  const r = await page.evaluate(async () => {
    const a = (o) => settle(Summarizer.availability(o));
    return {
      none: await a(),
      keyPoints: await a({ type: 'key-points', format: 'plain-text', length: 'long' }),
      tldr: await a({ type: 'tldr' }),
      teaser: await a({ type: 'teaser' }),
      headline: await a({ type: 'headline' }),
      // key points in a chosen language may need translating by the LLM, unless the input is that language
      keyPointsZhOut: await a({ outputLanguage: 'zh' }),
      keyPointsSameLang: await a({ expectedInputLanguages: ['zh-CN'], outputLanguage: 'zh-Hans-CN' }),
      oldTypeName: await a({ type: 'tl;dr' }),
      badFormat: await a({ format: 'html' }),
      badLength: await a({ length: 'tiny' }),
      notObject: await a(5),
      notSequence: await a({ expectedInputLanguages: 'en' }),
      malformedInput: await a({ expectedInputLanguages: ['en-abc-invalid'] }),
      malformedContext: await a({ expectedContextLanguages: ['en', ''] }),
      malformedOutput: await a({ outputLanguage: 'e' }),
      enUS: await a({ expectedInputLanguages: ['en-US', 'en-GB'], expectedContextLanguages: ['en'] }),
      zhTWInput: await a({ expectedInputLanguages: ['zh-TW'] }),
      zhTWOutput: await a({ type: 'key-points', expectedInputLanguages: ['zh-TW'], outputLanguage: 'zh-TW' }),
      french: await a({ expectedInputLanguages: ['fr'] }),
      frenchOut: await a({ outputLanguage: 'fr' }),
      japaneseContext: await a({ expectedContextLanguages: ['ja'] }),
    };
  });
  expect(r.none).toEqual({ ok: true, value: 'available' });
  expect(r.keyPoints.value).toBe('available');
  expect(r.tldr.value).toBe('downloadable'); // a fresh browser context: nothing in the Cache API
  expect(r.teaser.value).toBe('downloadable');
  expect(r.headline.value).toBe('downloadable');
  expect(r.keyPointsZhOut.value).toBe('downloadable');
  expect(r.keyPointsSameLang.value).toBe('available');
  for (const k of ['oldTypeName', 'badFormat', 'badLength', 'notObject', 'notSequence']) expect(r[k], k).toMatchObject({ ok: false, name: 'TypeError' });
  for (const k of ['malformedInput', 'malformedContext', 'malformedOutput']) expect(r[k], k).toMatchObject({ ok: false, name: 'RangeError' });
  expect(r.enUS.value).toBe('available');
  expect(r.zhTWInput.value).toBe('available'); // Qingyu reads traditional Chinese …
  expect(r.zhTWOutput.value).toBe('unavailable'); // … but writes only simplified
  for (const k of ['french', 'frenchOut', 'japaneseContext']) expect(r[k].value, k).toBe('unavailable');
});

test('§ create a summarizer object: defaults, canonicalized and best-fit language tags as frozen arrays, read-only attributes', async ({ page }) => {
  await open(page);
  const r = await page.evaluate(async () => {
    const s = await Summarizer.create();
    const t = await Summarizer.create({
      type: 'key-points', format: 'plain-text', length: 'long', sharedContext: 'For a busy reader',
      expectedInputLanguages: ['en-US', 'EN-us', 'zh-CN'], expectedContextLanguages: ['zh-TW', 'zh-HK'],
    });
    // expectedInputLanguages has zh: key points in English may need the LLM; keep this one LLM-free
    const u = await Summarizer.create({ expectedInputLanguages: ['en-US'], outputLanguage: 'en-US' });
    let assign = null;
    try { (function strict() { 'use strict'; t.type = 'tldr'; }()); } catch (e) { assign = err(e); }
    const attrs = (x) => ({
      type: x.type, format: x.format, length: x.length, sharedContext: x.sharedContext,
      expectedInputLanguages: x.expectedInputLanguages, expectedContextLanguages: x.expectedContextLanguages,
      outputLanguage: x.outputLanguage, inputQuota: x.inputQuota,
    });
    return {
      s: attrs(s), t: attrs(t), u: attrs(u), frozen: Object.isFrozen(u.expectedInputLanguages), same: u.expectedInputLanguages === u.expectedInputLanguages,
      assign, typeAfterAssign: t.type,
    };
  }).catch((e) => ({ error: String(e) }));
  expect(r.error).toBeUndefined();
  expect(r.s).toEqual({
    type: 'key-points', format: 'markdown', length: 'short', sharedContext: '',
    expectedInputLanguages: null, expectedContextLanguages: null, outputLanguage: null, inputQuota: 100_000,
  });
  // canonicalized, de-duplicated, then replaced by the best fit: zh-TW and zh-HK → zh-Hant
  expect(r.t).toEqual({
    type: 'key-points', format: 'plain-text', length: 'long', sharedContext: 'For a busy reader',
    expectedInputLanguages: ['en', 'zh'], expectedContextLanguages: ['zh-Hant'], outputLanguage: null, inputQuota: 100_000,
  });
  expect(r.u).toMatchObject({ expectedInputLanguages: ['en'], outputLanguage: 'en' });
  expect(r.frozen).toBe(true);
  expect(r.same).toBe(true);
  expect(r.assign).toMatchObject({ name: 'TypeError' }); // a getter without a setter: read-only
  expect(r.typeAfterAssign).toBe('key-points');
});

test('§ create(): rejections — TypeError for options, RangeError for malformed tags, NotSupportedError for languages, monitor exceptions', async ({ page }) => {
  await open(page);
  const r = await page.evaluate(async () => {
    const c = (o) => settle(Summarizer.create(o));
    const boom = new Error('boom');
    window.lastReason = boom;
    return {
      badType: await c({ type: 'summary' }),
      badSignal: await c({ signal: {} }),
      badMonitor: await c({ monitor: 'yes' }),
      malformed: await c({ expectedInputLanguages: ['en-abc-invalid'] }),
      malformedOut: await c({ outputLanguage: '12' }),
      french: await c({ expectedInputLanguages: ['fr-FR'] }),
      hant: await c({ outputLanguage: 'zh-Hant' }),
      monitorThrows: await c({ monitor() { throw boom; } }),
    };
  });
  for (const k of ['badType', 'badSignal', 'badMonitor']) expect(r[k], k).toMatchObject({ ok: false, name: 'TypeError' });
  for (const k of ['malformed', 'malformedOut']) expect(r[k], k).toMatchObject({ ok: false, name: 'RangeError' });
  for (const k of ['french', 'hant']) expect(r[k], k).toMatchObject({ ok: false, name: 'NotSupportedError', isDOMException: true });
  expect(r.monitorThrows).toMatchObject({ ok: false, same: true });
});

test('§ create an AI model object: downloadprogress ProgressEvents 0 and 1 for an available model, none after create() resolves', async ({ page }) => {
  await open(page);
  const r = await page.evaluate(async () => {
    const events = [];
    let created = false;
    let late = 0;
    let viaHandler = 0;
    const s = await Summarizer.create({
      monitor(m) {
        m.ondownloadprogress = () => { viaHandler++; };
        m.addEventListener('downloadprogress', (e) => {
          if (created) late++;
          events.push({ type: e.type, isProgressEvent: e instanceof ProgressEvent, loaded: e.loaded, total: e.total, lengthComputable: e.lengthComputable, target: Object.prototype.toString.call(e.target) });
        });
      },
    });
    created = true;
    await new Promise((r2) => setTimeout(r2, 200));
    return { events, late, viaHandler, type: s.type };
  });
  expect(r.events.map((e) => e.loaded)).toEqual([0, 1]);
  for (const e of r.events) expect(e).toMatchObject({ type: 'downloadprogress', isProgressEvent: true, total: 1, lengthComputable: true, target: '[object CreateMonitor]' });
  expect(r.viaHandler).toBe(2);
  expect(r.late).toBe(0);
});

test('§ create an AI model object / DestroyableModel: create() signal — aborted before rejects with its reason; aborted after destroys the summarizer', async ({ page }) => {
  await open(page);
  const r = await page.evaluate(async () => {
    const reason = new Error('custom reason');
    window.lastReason = reason;
    const pre = await settle(Summarizer.create({ signal: AbortSignal.abort(reason) }));
    const plain = await settle(Summarizer.create({ signal: AbortSignal.abort() }));
    // Aborted while create() is in flight: rejects with the reason, no summarizer.
    const c1 = new AbortController();
    const p = Summarizer.create({ signal: c1.signal });
    c1.abort(reason);
    const during = await settle(p);
    // Aborted after creation: destroys it; later calls reject with the signal's reason.
    const c2 = new AbortController();
    const s = await Summarizer.create({ signal: c2.signal });
    c2.abort(reason);
    const after = await settle(s.summarize('Hello there. This is a test.'));
    // Aborted from the monitor at loaded 0, then at 1: rejects with the reason, no event after.
    const atProgress = async (at) => {
      const c = new AbortController();
      const seen = [];
      const outcome = await settle(Summarizer.create({
        signal: c.signal,
        monitor(m) { m.addEventListener('downloadprogress', (e) => { seen.push(e.loaded); if (e.loaded === at) c.abort(reason); }); },
      }));
      return { ...outcome, seen };
    };
    return { pre, plain, during, after, at0: await atProgress(0), at1: await atProgress(1) };
  });
  expect(r.pre).toMatchObject({ ok: false, same: true });
  expect(r.plain).toMatchObject({ ok: false, name: 'AbortError', isDOMException: true });
  expect(r.during).toMatchObject({ ok: false, same: true });
  expect(r.after).toMatchObject({ ok: false, same: true });
  expect(r.at0).toMatchObject({ ok: false, same: true, seen: [0] });
  expect(r.at1).toMatchObject({ ok: false, same: true, seen: [0, 1] });
});

test('§ summarize (the algorithm): real key points in zh and en; length guidance; empty or whitespace input gives ""', async ({ page }) => {
  await open(page);
  const zh = zhArticle();
  const en = enArticle();
  const r = await page.evaluate(async ({ zhText, enText }) => {
    const short = await Summarizer.create({ type: 'key-points', length: 'short', format: 'markdown' });
    const long = await Summarizer.create({ type: 'key-points', length: 'long', format: 'plain-text', sharedContext: '给忙碌的读者' });
    return {
      zhShort: await short.summarize(zhText),
      enShort: await short.summarize(enText, { context: 'For a newsletter' }),
      zhLong: await long.summarize(zhText, { context: ' ' }),
      empty: await settle(short.summarize('')),
      blank: await settle(short.summarize(' \n\t ')),
      control: await settle(short.summarize('\u0000\u0001')),
      noArgs: await settle(short.summarize()),
      badOptions: await settle(short.summarize('x', 5)),
      number: await settle(short.summarize(12345)),
      concurrent: await Promise.all([short.summarize(zhText), short.summarize(zhText), long.summarize(enText)]),
    };
  }, { zhText: zh.text, enText: en.text });
  console.log(`key points zh (short):\n${r.zhShort}\nen (short):\n${r.enShort}`);
  expect(bullets(r.zhShort)).toBeGreaterThan(0);
  expect(bullets(r.zhShort)).toBeLessThanOrEqual(3); // "short" key points: no more than 3 bullets
  expect(r.zhShort).toMatch(/[\u4e00-\u9fff]/);
  expect(bullets(r.enShort)).toBeLessThanOrEqual(3);
  expect(r.enShort).toMatch(/[A-Za-z]{3}/);
  expect(r.zhLong.length).toBeGreaterThan(0);
  expect(r.empty).toEqual({ ok: true, value: '' });
  expect(r.blank).toEqual({ ok: true, value: '' });
  expect(r.control).toEqual({ ok: true, value: '' });
  expect(r.noArgs).toMatchObject({ ok: false, name: 'TypeError' });
  expect(r.badOptions).toMatchObject({ ok: false, name: 'TypeError' });
  expect(r.number.ok).toBe(true); // DOMString conversion: "12345"
  expect(r.concurrent[0]).toBe(r.zhShort); // calls in parallel all resolve, each with its own answer
  expect(r.concurrent[1]).toBe(r.zhShort);
  expect(r.concurrent[2]).toMatch(/Harlow Creek/);
});

test('§ get a streaming AI model result: summarizeStreaming() is a ReadableStream of string pieces; abort, cancel and empty input', async ({ page }) => {
  await open(page);
  const zh = zhArticle();
  const r = await page.evaluate(async (text) => {
    const s = await Summarizer.create({ length: 'medium' });
    const whole = await s.summarize(text);
    const stream = s.summarizeStreaming(text);
    const isStream = Object.prototype.toString.call(stream);
    const chunks = [];
    for await (const c of stream) chunks.push(c);
    // empty input: closes without a chunk
    const emptyRead = await s.summarizeStreaming('').getReader().read();
    // already-aborted signal: thrown synchronously (the method returns a stream, not a promise)
    const reason = new DOMException('stop', 'VersionError');
    window.lastReason = reason;
    let sync = null;
    try { s.summarizeStreaming(text, { signal: AbortSignal.abort(reason) }); } catch (e) { sync = { ...err(e), same: e === reason }; }
    // aborted after the call: the stream errors with the reason
    const c = new AbortController();
    const st = s.summarizeStreaming(text, { signal: c.signal });
    c.abort(reason);
    const piped = await settle(st.pipeTo(new WritableStream()));
    // a reader's cancel() is not an error, and the summarizer keeps working
    const st2 = s.summarizeStreaming(text);
    const cancelled = await settle(st2.cancel('not needed'));
    const afterCancel = await s.summarize(text);
    let noArgs = null;
    try { s.summarizeStreaming(); } catch (e) { noArgs = err(e); }
    return { whole, isStream, chunks, emptyRead, sync, piped, cancelled, afterCancel, noArgs };
  }, zh.text);
  expect(r.isStream).toBe('[object ReadableStream]');
  expect(r.chunks.length).toBeGreaterThan(0);
  expect(r.chunks.every((c) => typeof c === 'string')).toBe(true);
  expect(r.chunks.join('')).toBe(r.whole);
  expect(r.emptyRead.done).toBe(true);
  expect(r.sync).toMatchObject({ name: 'VersionError', same: true });
  expect(r.piped).toMatchObject({ ok: false, same: true });
  expect(r.cancelled.ok).toBe(true);
  expect(r.afterCancel).toBe(r.whole);
  expect(r.noArgs).toMatchObject({ name: 'TypeError' });
});

test('§ measure summarizer input usage / inputQuota: positive usage proportional to the input; over-quota input rejects QuotaExceededError', async ({ page }) => {
  await open(page);
  const r = await page.evaluate(async () => {
    const s = await Summarizer.create();
    const big = '今天天气很好。'.repeat(15_000); // 105,000 characters
    return {
      quota: s.inputQuota,
      short: await s.measureInputUsage('Hello world.'),
      withContext: await s.measureInputUsage('Hello world.', { context: 'abc' }),
      empty: await s.measureInputUsage(''),
      han: await s.measureInputUsage('今天天气很好。'),
      big: await s.measureInputUsage(big),
      over: await settle(s.summarize(big)),
      overStream: await settle(s.summarizeStreaming(big).getReader().read()),
      contextOver: await settle(s.summarize('Hello world. A second sentence.', { context: 'x'.repeat(1001) })),
      sharedOver: await settle(Summarizer.create({ sharedContext: 'y'.repeat(1001) })),
      hasClass: typeof QuotaExceededError === 'function',
    };
  });
  expect(r.quota).toBe(100_000);
  expect(r.short).toBe(12);
  expect(r.withContext).toBe(15);
  expect(r.empty).toBeGreaterThan(0);
  expect(r.han).toBe(7);
  expect(r.big).toBe(105_000);
  for (const k of ['over', 'overStream']) {
    expect(r[k], k).toMatchObject({ ok: false, name: 'QuotaExceededError', isDOMException: true, requested: 105_000, quota: 100_000 });
    if (r.hasClass) expect(r[k].ctor, k).toBe('QuotaExceededError');
  }
  expect(r.contextOver).toMatchObject({ ok: false, name: 'QuotaExceededError', requested: 1001, quota: 1000 });
  expect(r.sharedOver).toMatchObject({ ok: false, name: 'QuotaExceededError', requested: 1001, quota: 1000 });
});

test('§ DestroyableModel: destroy() rejects pending calls with an AbortError; later calls reject (or throw) with it too', async ({ page }) => {
  await open(page);
  const zh = zhArticle();
  const r = await page.evaluate(async (text) => {
    const s = await Summarizer.create();
    const other = await Summarizer.create();
    const pending = s.summarize(text);
    const pendingMeasure = s.measureInputUsage(text);
    s.destroy();
    s.destroy(); // twice is fine
    let streaming = null;
    try { s.summarizeStreaming(text); } catch (e) { streaming = err(e); }
    return {
      pending: await settle(pending),
      pendingMeasure: await settle(pendingMeasure),
      later: await settle(s.summarize(text)),
      laterMeasure: await settle(s.measureInputUsage(text)),
      streaming,
      otherStillWorks: (await other.summarize(text)).length > 0,
    };
  }, zh.text);
  for (const k of ['pending', 'pendingMeasure', 'later', 'laterMeasure']) expect(r[k], k).toMatchObject({ ok: false, name: 'AbortError', isDOMException: true });
  expect(r.streaming).toMatchObject({ name: 'AbortError' });
  expect(r.otherStillWorks).toBe(true);
});

test('§ get an aggregated AI model result: AbortSignal on summarize()/measureInputUsage() — already aborted and aborted during the call reject with the reason', async ({ page }) => {
  await open(page);
  const zh = zhArticle();
  const r = await page.evaluate(async (text) => {
    const s = await Summarizer.create();
    const reason = new Error('my reason');
    window.lastReason = reason;
    const pre = await settle(s.summarize(text, { signal: AbortSignal.abort(reason) }));
    const preDefault = await settle(s.summarize(text, { signal: AbortSignal.abort() }));
    const c = new AbortController();
    const p = s.summarize(text, { signal: c.signal });
    c.abort(reason);
    const during = await settle(p);
    const measure = await settle(s.measureInputUsage(text, { signal: AbortSignal.abort(reason) }));
    const badSignal = await settle(s.summarize(text, { signal: 'nope' }));
    const stillWorks = (await s.summarize(text)).length > 0;
    return { pre, preDefault, during, measure, badSignal, stillWorks };
  }, zh.text);
  expect(r.pre).toMatchObject({ ok: false, same: true });
  expect(r.preDefault).toMatchObject({ ok: false, name: 'AbortError', isDOMException: true });
  expect(r.during).toMatchObject({ ok: false, same: true });
  expect(r.measure).toMatchObject({ ok: false, same: true });
  expect(r.badSignal).toMatchObject({ ok: false, name: 'TypeError' });
  expect(r.stillWorks).toBe(true);
});

test('§ fully active documents: in a removed iframe availability()/create()/summarize() reject and summarizeStreaming() throws InvalidStateError', async ({ page }) => {
  await open(page, { install: false });
  const r = await page.evaluate(async () => {
    const frame = document.createElement('iframe');
    frame.srcdoc = `<script type="module">import '/lib/polyfill.js'; parent.postMessage('polyfill-ready', '*');<\/script>`;
    const ready = new Promise((resolve) => { window.addEventListener('message', (e) => { if (e.data === 'polyfill-ready') resolve(); }); });
    document.body.append(frame);
    await ready;
    const w = frame.contentWindow;
    const FrameDOMException = w.DOMException;
    const FrameSummarizer = w.Summarizer;
    const s = await FrameSummarizer.create();
    const live = await s.summarize('The first sentence is here. The second sentence follows it.');
    frame.remove();
    const d = (e) => ({ name: e?.name, frameRealm: e instanceof FrameDOMException });
    const out = { live: live.length > 0 };
    out.create = await FrameSummarizer.create().then(() => 'resolved', d);
    out.availability = await FrameSummarizer.availability().then(() => 'resolved', d);
    out.summarize = await s.summarize('A sentence. Another one.').then(() => 'resolved', d);
    out.measure = await s.measureInputUsage('A sentence.').then(() => 'resolved', d);
    try { s.summarizeStreaming('A sentence.'); out.streaming = 'returned'; } catch (e) { out.streaming = d(e); }
    return out;
  });
  expect(r.live).toBe(true);
  for (const k of ['create', 'availability', 'summarize', 'measure', 'streaming']) expect(r[k], k).toEqual({ name: 'InvalidStateError', frameRealm: true });
});

test('§ create an AI model object with the LLM: user activation, downloadprogress 0→1 while "downloading", then a real tldr (aggregated and streamed deltas)', async ({ page }) => {
  test.setTimeout(300_000);
  // page.evaluate() runs with a user gesture: the page checks itself first (see the test page).
  await open(page, { install: false });
  const reported = page.waitForEvent('console', (m) => m.text().startsWith('before-activation '));
  await page.goto(`${PAGE}?before-activation`);
  const before = JSON.parse((await reported).text().slice('before-activation '.length));
  expect(before.hasBeenActive).toBe(false);
  expect(before.tldrAvailability).toBe('downloadable');
  expect(before.tldrCreate).toEqual({ name: 'NotAllowedError', isDOMException: true });
  expect(before.keyPointsCreate).toBe('resolved'); // nothing to download: no activation needed

  await page.click('#activate'); // a real user activation (sticky from now on)
  const en = enArticle();
  const r = await page.evaluate(async (text) => {
    if (!navigator.userActivation.hasBeenActive) throw new Error('no user activation after the click');
    const events = [];
    let during = null;
    let created = false;
    let late = 0;
    const t0 = performance.now();
    const s = await Summarizer.create({
      type: 'tldr', length: 'medium', format: 'plain-text', expectedInputLanguages: ['en'], outputLanguage: 'en',
      monitor(m) {
        m.addEventListener('downloadprogress', (e) => {
          if (created) late++;
          events.push({ loaded: e.loaded, total: e.total, lengthComputable: e.lengthComputable });
          // Synchronously inside the event: the download is in progress in this page.
          if (during === null && e.loaded > 0 && e.loaded < 1) during = Summarizer.availability({ type: 'tldr' });
        });
      },
    });
    created = true;
    const createMs = performance.now() - t0;
    const after = await Summarizer.availability({ type: 'headline' });
    const t1 = performance.now();
    const summary = await s.summarize(text);
    const summarizeMs = performance.now() - t1;
    const chunks = [];
    for await (const c of s.summarizeStreaming(text)) chunks.push(c);
    s.destroy();
    return { events, during: await during, after, createMs, summary, summarizeMs, chunks, late };
  }, en.text);
  console.log(`LLM create ${(r.createMs / 1000).toFixed(1)} s (${r.events.length} progress events), tldr ${(r.summarizeMs / 1000).toFixed(1)} s: ${r.summary}`);
  const loaded = r.events.map((e) => e.loaded);
  expect(loaded[0]).toBe(0);
  expect(loaded.at(-1)).toBe(1);
  expect(loaded.length).toBeGreaterThan(2);
  for (let i = 1; i < loaded.length; i++) expect(loaded[i]).toBeGreaterThan(loaded[i - 1]); // strictly increasing
  for (const e of r.events) {
    expect(e.total).toBe(1);
    expect(e.lengthComputable).toBe(true);
    expect((e.loaded * 65536) % 1).toBe(0); // a multiple of 1/65536
  }
  expect(r.late).toBe(0);
  expect(r.during).toBe('downloading');
  expect(r.after).toBe('available'); // the LLM is in the Cache API now
  expect(r.summary.trim().length).toBeGreaterThan(10);
  expect(r.summary).toMatch(/[A-Za-z]{3}/);
  expect(r.summary).not.toMatch(/[\u4e00-\u9fff]/);
  // Streaming gives new pieces (deltas: each checked sentence once written), which add up to the
  // same greedy summary; a cumulative stream would repeat the first sentence.
  expect(r.chunks.join('')).toBe(r.summary);
  const sentences = (r.summary.match(/[.!?](?=\s|$)/g) ?? []).length;
  if (sentences > 1) expect(r.chunks.length).toBeGreaterThan(1);
  console.log(`streamed ${r.chunks.length} pieces for ${sentences} sentences`);
});

test('demo: the settings sheet says whether the browser or the polyfill serves the Summarizer API', async ({ page }) => {
  await page.goto('/index.html?lang=en');
  await expect(page.locator('#engine-line')).toContainText('ready', { timeout: 30_000 });
  await page.getByRole('button', { name: 'Settings' }).click();
  // Chromium here has a built-in Summarizer without a model ('unavailable'), so the polyfill serves.
  await expect(page.locator('#engine-info')).toContainText('Summarizer APIQingyu polyfill');
});

test('§ permissions policy integration: a cross-origin iframe needs allow="summarizer" (availability "unavailable", create() NotAllowedError)', async ({ page, baseURL }) => {
  await open(page, { install: false });
  const other = baseURL.replace('127.0.0.1', 'localhost'); // same server, another origin
  const r = {};
  for (const allow of [null, 'summarizer']) {
    const frame = await page.evaluate(async ({ src, allow: a }) => {
      const f = document.createElement('iframe');
      if (a) f.allow = a;
      f.src = src;
      const loaded = new Promise((resolve) => { f.onload = resolve; });
      document.body.append(f);
      await loaded;
      return f.src;
    }, { src: `${other}${PAGE}?frame=${allow ?? 'none'}`, allow });
    const child = page.frames().find((f) => f.url() === frame);
    r[allow ?? 'none'] = await child.evaluate(async () => {
      await import('/lib/polyfill.js');
      const availability = await Summarizer.availability();
      const created = await Summarizer.create().then(() => 'resolved', (e) => ({ name: e.name, isDOMException: e instanceof DOMException }));
      return { availability, created, origin: location.origin };
    });
  }
  expect(r.none.origin).not.toBe(new URL(baseURL).origin);
  expect(r.none).toMatchObject({ availability: 'unavailable', created: { name: 'NotAllowedError', isDOMException: true } });
  expect(r.summarizer).toMatchObject({ availability: 'available', created: 'resolved' });
});

test('§ create an AI model object: a download that fails rejects with a NetworkError; availability stays "downloadable"', async ({ page }) => {
  await page.route('**/models/*.gguf', (route) => route.fulfill({ status: 404, body: 'gone' }));
  await open(page); // page.evaluate() runs with a user gesture: the download may start
  const r = await page.evaluate(async () => {
    const loaded = [];
    const created = await settle(Summarizer.create({
      type: 'headline', monitor(m) { m.addEventListener('downloadprogress', (e) => loaded.push(e.loaded)); },
    }));
    return { created, loaded, after: await Summarizer.availability({ type: 'headline' }) };
  });
  expect(r.created).toMatchObject({ ok: false, name: 'NetworkError', isDOMException: true });
  expect(r.created.message).toMatch(/HTTP 404/);
  expect(r.loaded).toEqual([0]);
  expect(r.after).toBe('downloadable');
});
