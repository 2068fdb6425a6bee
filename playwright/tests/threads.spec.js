// Wasm threads: the threaded text module (kernels on a pool of Web Workers sharing its memory)
// on a cross-origin isolated page, checked against the scalar kernels, llama.cpp's tokens and
// the single-thread module; the library's choice of module and what it says about it; and a
// plain static host (no COOP/COEP), where the LLM stays on one thread until the demo's service
// worker adds the headers.
import { test, expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './testdata.js';
import { textModuleWorker, runWorker } from './webutil.js';

const GGUF = '/models/qwen2.5-coder-0.5b-instruct-q5_0-tied.gguf';
const fixture = JSON.parse(readFileSync(path.join(repoRoot, 'crate/tests/fixtures/llm_llamacpp.json'), 'utf8'));
/** The same site served as a plain static host sends it (playwright.config.js, PORT + 1). */
const plainHost = (baseURL) => baseURL.replace(/:(\d+)$/, (_, p) => `:${Number(p) + 1}`);

test.describe.configure({ mode: 'serial', timeout: 300_000 });

test('threaded module: kernels match the scalar reference and one thread, tokens equal llama.cpp and the single-thread module', async ({ page, baseURL }) => {
  await page.goto('/index.html');
  const zh = fixture.cases.find((c) => c.name === 'zh-short');
  const source = textModuleWorker({
    moduleUrl: new URL('/pkg/threads/qingyu_text.js', baseURL).href, ggufUrl: new URL(GGUF, baseURL).href, promptIds: zh.prompt_ids, threads: 2,
  });
  const r = await page.evaluate(async ({ url, source, run }) => {
    const threaded = await eval(run)(source);
    // The same long prompt as the worker's (webutil.js textModuleWorker).
    const longIds = Array.from({ length: 300 }, (_, i) => (i * 7919 + 13) % 150000);
    // The single-thread full module on the page, same long prompt.
    const one = await import('/pkg/qingyu.js');
    await one.default();
    const llm = new one.Llm(new Uint8Array(await (await fetch(url)).arrayBuffer()), 1024);
    const first = llm.benchPrefill(Uint32Array.from(longIds));
    const single = [first, ...Array.from(llm.benchDecode(6))];
    llm.free();
    return { isolated: self.crossOriginIsolated, threaded, single, singleThreads: one.kernelThreads(), singleBuild: one.buildInfo() };
  }, { url: GGUF, source, run: String(runWorker) });

  const t = r.threaded;
  console.log(`threaded module: ${t.threads} threads, split check cut products into ${t.split?.parts} parts; ` +
    `long prompt tokens ${JSON.stringify(t.packed?.long)} (one thread: ${JSON.stringify(r.single)})`);
  expect(r.isolated).toBe(true);
  expect(t.error).toBeUndefined();
  expect(t.before).toBe(1);
  expect(t.threads).toBe(2);
  expect(t.build).toMatchObject({ modules: 'text', threads: true, simd128: true });
  expect(r.singleBuild).toMatchObject({ modules: 'full', threads: false });
  expect(r.singleThreads).toBe(1);
  expect(t.simd).toBe('wasm-simd128');
  expect(t.split).toEqual({ threads: 2, parts: expect.any(Number) });
  expect(t.split.parts).toBeGreaterThan(1);
  for (const layout of ['packed', 'expanded']) {
    expect(t[layout].info).toMatchObject({ weights: layout, threads: 2, kernels: 'wasm-simd128' });
    expect(t[layout].zh).toEqual(zh.generated_ids.slice(0, 12));
    expect(t[layout].long).toEqual(r.single);
  }
});

test('library on an isolated page: the LLM runs on the threaded module and answers as on one thread', async ({ page }) => {
  await page.goto('/index.html?nosw');
  const r = await page.evaluate(async () => {
    const { Qingyu } = await import('/lib/qingyu.js');
    const article = '青溪镇今年春天启用了一座新的步行桥。这座桥长48米，造价230万元，连接镇东的住宅区和图书馆。'
      + '镇长说，过去居民要绕行两公里才能到达图书馆，现在只需要步行五分钟。';
    const run = async (threads) => {
      const qy = await Qingyu.create({ threads, weights: 'packed' });
      try {
        const answer = await qy.prompt('用一句话说明：为什么天空是蓝色的？', { maxTokens: 20 });
        const summary = await qy.summarize(article, { type: 'headline', length: 'short' });
        const stats = await qy.stats();
        return { asked: qy.threads, info: qy.info.threads, load: stats.llmLoad?.threads, answer: answer.text, summary };
      } finally {
        qy.destroy();
      }
    };
    let bad = null;
    try { await Qingyu.create({ threads: 0 }); } catch (e) { bad = `${e.name}: ${e.message}`; }
    return { two: await run(2), one: await run(1), auto: (await (async () => { const q = await Qingyu.create(); const x = { asked: q.threads, info: q.info.threads }; q.destroy(); return x; })()), bad };
  });
  console.log(`library: 2 threads → ${JSON.stringify(r.two.info)}; answer "${r.two.answer}"; headline "${r.two.summary}"`);
  expect(r.two.info).toMatchObject({ requested: 2, threads: 2, code: 'isolated' });
  expect(r.two.load).toMatchObject({ threads: 2 });
  expect(r.one.info).toMatchObject({ requested: 1, threads: 1, code: 'requested' });
  expect(r.two.answer).toBe(r.one.answer);
  expect(r.two.summary).toBe(r.one.summary);
  expect(r.auto.asked).toBeGreaterThanOrEqual(1);
  expect(r.auto.asked).toBeLessThanOrEqual(8);
  expect(r.bad).toMatch(/^InvalidInput: InvalidInput: threads must be 'auto' or a whole number/);
});

test('plain static host: one thread and why; the demo\'s service worker then makes the page isolated and the LLM threaded', async ({ browser, baseURL }) => {
  const context = await browser.newContext({ serviceWorkers: 'allow' });
  const page = await context.newPage();
  try {
    const plain = plainHost(baseURL);
    await page.goto(`${plain}/index.html?nosw`);
    const before = await page.evaluate(async () => {
      const { Qingyu } = await import('/lib/qingyu.js');
      const qy = await Qingyu.create({ threads: 2 });
      const info = qy.info.threads;
      qy.destroy();
      return { isolated: self.crossOriginIsolated, info };
    });
    expect(before.isolated).toBe(false);
    expect(before.info).toMatchObject({ requested: 2, threads: 1, code: 'not-isolated' });

    // The demo registers sw.js; once it controls the page, a reload comes back isolated.
    await page.goto(`${plain}/index.html`);
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
      if (!navigator.serviceWorker.controller) {
        await new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }));
      }
    });
    await page.reload();
    const after = await page.evaluate(async () => {
      const { Qingyu } = await import('/lib/qingyu.js');
      const qy = await Qingyu.create({ threads: 2, weights: 'packed' });
      try {
        const answer = await qy.prompt('Say hello in three words.', { maxTokens: 6 });
        return { isolated: self.crossOriginIsolated, info: qy.info.threads, load: (await qy.stats()).llmLoad?.threads, answer: answer.text };
      } finally {
        qy.destroy();
      }
    });
    console.log(`service worker: isolated ${after.isolated}, ${JSON.stringify(after.info)}, answer "${after.answer}"`);
    expect(after.isolated).toBe(true);
    expect(after.info).toMatchObject({ threads: 2, code: 'isolated' });
    expect(after.load).toMatchObject({ threads: 2 });
    expect(after.answer.length).toBeGreaterThan(0);
  } finally {
    await context.close();
  }
});
