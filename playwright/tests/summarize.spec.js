// Summaries inside wasm in Chromium: extractive key points without the model (zh + en), typed
// errors for bad input and options, and an LLM tl;dr on the real GGUF through the step API
// (streamed pieces add up, nothing left by the guard, cancel mid-prefill).
import { test, expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './testdata.js';

const GGUF = '/models/qwen2.5-coder-0.5b-instruct-q5_0-tied.gguf';
const article = (id) => JSON.parse(readFileSync(path.join(repoRoot, `eval/articles/${id}.json`), 'utf8'));

test.describe.configure({ mode: 'serial', timeout: 300_000 });

test('extractive key points: zh and en, bullet counts, typed errors, options as plain objects', async ({ page }) => {
  await page.goto('/index.html');
  const zh = article('zh-03').text;
  const en = article('en-02').text;
  const r = await page.evaluate(async ({ zh, en }) => {
    const qy = await import('/pkg/qingyu.js');
    await qy.default();
    const run = (text, o) => qy.summarizeExtractive(text, o);
    const err = (text, o) => { try { qy.summarizeExtractive(text, o); return null; } catch (e) { return e.message; } };
    const t0 = performance.now();
    const zhLong = run(zh, { type: 'key-points', length: 'long' });
    const ms = performance.now() - t0;
    return {
      ms,
      zhLong,
      zhShort: run(zh, { type: 'key-points', length: 'short', format: 'plain-text' }),
      en: run(en, { type: 'key-points', length: 'medium' }),
      empty: err('   ', {}),
      huge: err('好'.repeat(100_001), {}),
      binary: err('\u0001\u0002\u0003\u0004\uFFFD'.repeat(100), {}),
      badType: err(zh, { type: 'poem' }),
      badQuality: err(zh, { quality: 'max' }),
      needsLlm: err(zh, { type: 'tldr' }),
      // Options cross the boundary as objects (serde-wasm-bindgen): a wrong type names its field.
      defaults: run(zh, undefined).units.length,
      nullOptions: run(zh, null).units.length,
      wrongFieldType: err(zh, { type: 5 }),
      wrongContextType: err(zh, { context: ['a'] }),
      notAnObject: err(zh, 'tldr'),
      anArray: err(zh, []),
    };
  }, { zh, en });
  console.log(`extractive key points (zh, long) in ${r.ms.toFixed(1)} ms (first call, includes jieba's dictionary)`);
  expect(r.zhLong.units.length).toBe(7);
  expect(r.zhLong.language).toBe('zh');
  expect(r.zhLong.text.split('\n').every((l) => l.startsWith('- '))).toBe(true);
  expect(r.zhShort.units.length).toBe(3);
  expect(r.zhShort.text.startsWith('• ')).toBe(true);
  for (const u of r.zhLong.units) expect(zh).toContain(u);
  expect(r.en.language).toBe('en');
  expect(r.en.units.length).toBe(5);
  expect(r.empty).toMatch(/^InvalidInput: .*empty/);
  expect(r.huge).toMatch(/^InvalidInput: .*100001 characters; the limit is 100000/);
  expect(r.binary).toMatch(/^InvalidInput: .*does not look like text/);
  expect(r.badType).toMatch(/^Unsupported: type "poem".*key-points, tldr, teaser, headline/);
  expect(r.badQuality).toMatch(/^Unsupported: quality "max".*fast, best/);
  expect(r.needsLlm).toMatch(/^Unsupported: .*language model/);
  expect(r.defaults).toBe(r.nullOptions);
  expect(r.wrongFieldType).toMatch(/^InvalidInput: summary options: type: invalid type/);
  expect(r.wrongContextType).toMatch(/^InvalidInput: summary options: context: invalid type/);
  expect(r.notAnObject).toMatch(/^InvalidInput: summary options must be an object/);
  expect(r.anArray).toMatch(/^InvalidInput: summary options must be an object/);
});

test('LLM tl;dr in wasm: streamed, guarded, cancellable; quality best chooses among three generations', async ({ page }) => {
  await page.goto('/index.html');
  const zh = article('zh-01').text;
  const r = await page.evaluate(async ({ url, zh }) => {
    const qy = await import('/pkg/qingyu.js');
    await qy.default();
    const llm = new qy.Llm(new Uint8Array(await (await fetch(url)).arrayBuffer()), 2048);
    const t0 = performance.now();
    const started = llm.summarizeStart(zh, { type: 'tldr', length: 'short' });
    let streamed = '';
    for (let p = llm.summarizeStep(); p !== undefined; p = llm.summarizeStep()) streamed += p;
    const ms = performance.now() - t0;
    const result = llm.summarizeResult();
    // Cancel after two prefill steps: the next step is refused.
    llm.summarizeStart(zh, { type: 'teaser' });
    llm.summarizeStep();
    llm.summarizeStep();
    llm.cancel();
    let afterCancel = null;
    try { llm.summarizeStep(); } catch (e) { afterCancel = e.message; }
    // quality 'best': three generations; the chosen one's text arrives once all are done.
    llm.summarizeStart(zh, { type: 'headline', length: 'short', quality: 'best' });
    let bestStreamed = '';
    for (let p = llm.summarizeStep(); p !== undefined; p = llm.summarizeStep()) bestStreamed += p;
    const best = llm.summarizeResult();
    llm.free();
    // The library checks the option before anything loads.
    const { Qingyu } = await import('/lib/qingyu.js');
    const lib = await Qingyu.create();
    let libError = null;
    try { await lib.summarize(zh, { type: 'tldr', quality: 'max' }); } catch (e) { libError = `${e.name}: ${e.message}`; }
    lib.destroy();
    return { started, streamed, result, ms, afterCancel, best, bestStreamed, libError };
  }, { url: GGUF, zh });
  console.log(`wasm tldr in ${r.ms.toFixed(0)} ms (prefill ${r.result.timing.prefillMs.toFixed(0)} ms, ` +
    `decode ${r.result.timing.decodeMs.toFixed(0)} ms): ${r.result.text}`);
  expect(r.started.language).toBe('zh');
  expect(r.streamed).toBe(r.result.text);
  expect(r.result.text).toMatch(/[\u4e00-\u9fff]/);
  expect(r.result.units.length).toBe(1);
  expect(r.result.violations.remaining).toBe(0);
  expect(r.afterCancel).toMatch(/^InvalidInput: no summary started/);
  console.log(`quality best headline: ${r.best.text} ${JSON.stringify(r.best.candidates)}`);
  expect(r.best.candidates.scores.length).toBe(3);
  expect(r.best.candidates.chosen).toBeGreaterThanOrEqual(0);
  expect(r.best.candidates.chosen).toBeLessThan(3);
  expect(r.bestStreamed).toBe(r.best.text);
  expect(r.best.text.length).toBeGreaterThan(0);
  expect(r.libError).toMatch(/^Unsupported: Unsupported: quality "max".*fast, best/);
});
