// Relaxed SIMD: the text modules built with `+relaxed-simd` (one thread, and threaded in a
// worker) checked against the scalar kernels and llama.cpp's tokens; the threaded one gives the
// one-thread one's bits; the library picks them where the browser has relaxed SIMD, says so,
// and keeps SIMD128 when asked; and the photos run on the relaxed full module, with SIMD128's
// captions, falling back to SIMD128 when it does not start.
import { test, expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './testdata.js';
import { textModuleWorker, runWorker } from './webutil.js';

const GGUF = '/models/qwen2.5-coder-0.5b-instruct-q5_0-tied.gguf';
const fixture = JSON.parse(readFileSync(path.join(repoRoot, 'crate/tests/fixtures/llm_llamacpp.json'), 'utf8'));

test.describe.configure({ mode: 'serial', timeout: 300_000 });

test('relaxed-SIMD modules: kernels match the scalar reference, tokens equal llama.cpp, threads give one thread\'s tokens', async ({ page, baseURL }) => {
  await page.goto('/index.html?nosw');
  const zh = fixture.cases.find((c) => c.name === 'zh-short');
  const worker = (moduleUrl, threads) => textModuleWorker({
    moduleUrl: new URL(moduleUrl, baseURL).href, ggufUrl: new URL(GGUF, baseURL).href, promptIds: zh.prompt_ids, threads,
  });
  const r = await page.evaluate(async ({ single, threaded, run }) => {
    const runWorker = eval(run);
    return { isolated: self.crossOriginIsolated, single: await runWorker(single), threaded: await runWorker(threaded) };
  }, { single: worker('/pkg/relaxed/qingyu_text.js', 1), threaded: worker('/pkg/threads-relaxed/qingyu_text.js', 2), run: String(runWorker) });

  console.log(`relaxed modules: kernels ${r.single.simd} / ${r.threaded.simd}; long prompt ${JSON.stringify(r.single.packed?.long)}`);
  expect(r.isolated).toBe(true);
  for (const m of [r.single, r.threaded]) {
    expect(m.error).toBeUndefined();
    expect(m.simd).toBe('wasm-relaxed-simd');
    for (const layout of ['packed', 'expanded']) {
      expect(m[layout].info).toMatchObject({ weights: layout, kernels: 'wasm-relaxed-simd' });
      expect(m[layout].zh).toEqual(zh.generated_ids.slice(0, 12));
    }
  }
  expect(r.single.build).toMatchObject({ modules: 'text', threads: false });
  expect(r.threaded.build).toMatchObject({ modules: 'text', threads: true });
  expect(r.threaded.threads).toBe(2);
  expect(r.threaded.split.parts).toBeGreaterThan(1);
  // Same kernels, rows split across threads: the same bits, so the same tokens.
  expect(r.threaded.packed.long).toEqual(r.single.packed.long);
  expect(r.threaded.expanded.long).toEqual(r.single.expanded.long);
});

test('library: relaxed SIMD where the browser has it, SIMD128 when asked, and it says which', async ({ page }) => {
  await page.goto('/index.html?nosw');
  const r = await page.evaluate(async () => {
    const { Qingyu } = await import('/lib/qingyu.js');
    const run = async (o) => {
      const qy = await Qingyu.create({ weights: 'packed', ...o });
      try {
        const answer = await qy.prompt('用一句话说明：为什么天空是蓝色的？', { maxTokens: 16 });
        const stats = await qy.stats();
        return { asked: qy.simd, info: qy.info.simd, load: stats.llmLoad?.simd, threads: qy.info.threads.threads, answer: answer.text };
      } finally {
        qy.destroy();
      }
    };
    const errors = [];
    for (const simd of ['relaxed', 42]) {
      try { await Qingyu.create({ simd }); errors.push('no error'); } catch (e) { errors.push(`${e.name}: ${e.message}`); }
    }
    return { relaxed1: await run({ threads: 1 }), relaxed2: await run({ threads: 2 }), simd128: await run({ threads: 1, simd: 'simd128' }), errors };
  });
  console.log(`library: ${JSON.stringify(r.relaxed2.info)}; answers "${r.relaxed1.answer}" / "${r.simd128.answer}"`);
  for (const x of [r.relaxed1, r.relaxed2]) {
    expect(x.asked).toBe('auto');
    expect(x.info).toMatchObject({ requested: 'auto', kernels: 'relaxed', code: 'relaxed' });
    expect(x.load).toMatchObject({ kernels: 'relaxed' });
  }
  expect(r.relaxed2.threads).toBe(2);
  expect(r.relaxed2.answer).toBe(r.relaxed1.answer);
  expect(r.simd128.info).toMatchObject({ requested: 'simd128', kernels: 'simd128', code: 'requested' });
  expect(r.simd128.answer.length).toBeGreaterThan(0);
  for (const e of r.errors) expect(e).toMatch(/^InvalidInput: InvalidInput: simd must be 'auto' or 'simd128'/);
});

test('photos: the relaxed-SIMD full module where the LLM\'s started, the same captions as SIMD128, and SIMD128 when it does not start', async ({ page }) => {
  await page.goto('/index.html?nosw');
  // The module itself: the full build, relaxed kernels for the LLM, and tract's wasm kernels
  // registered (not only its generic fallback).
  const build = await page.evaluate(async () => {
    const m = await import('/pkg/full-relaxed/qingyu.js');
    await m.default();
    return m.buildInfo();
  });
  expect(build).toMatchObject({ modules: 'full', simd128: true, threads: false, llm_kernels: 'wasm-relaxed-simd' });
  expect(build.matmul_kernels.some((k) => k.startsWith('wasm_'))).toBe(true);

  const captionAll = async () => page.evaluate(async () => {
    const { Qingyu } = await import('/lib/qingyu.js');
    const run = async (o) => {
      const warnings = [];
      const monitor = (m) => m.addEventListener('simdwarning', (e) => warnings.push({ module: e.module, message: e.message }));
      const qy = await Qingyu.create({ threads: 1, monitor, ...o });
      try {
        const captions = [];
        for (const name of ['coffee.png', 'chelsea.png', 'astronaut.png']) {
          const blob = await (await fetch(`/samples/${name}`)).blob();
          const c = await qy.caption(blob, { language: 'en' });
          captions.push({ text: c.text, labels: c.labels.slice(0, 3).map((l) => [l.name, l.score]) });
        }
        const stats = await qy.stats();
        return { llm: qy.info.simd.kernels, vision: stats.visionLoad?.simd, captions, warnings };
      } finally {
        qy.destroy();
      }
    };
    return { relaxed: await run({}), simd128: await run({ simd: 'simd128' }) };
  });
  const r = await captionAll();
  console.log(`photos: ${JSON.stringify(r.relaxed.vision)}; ${r.relaxed.captions.map((c) => `"${c.text}"`).join(' ')}`);
  expect(r.relaxed.llm).toBe('relaxed');
  expect(r.relaxed.vision).toMatchObject({ kernels: 'relaxed', code: 'relaxed' });
  expect(r.relaxed.warnings).toEqual([]);
  expect(r.simd128.vision).toMatchObject({ kernels: 'simd128', code: 'requested' });
  // Fused multiply-adds round differently, not differently enough to change a caption.
  r.relaxed.captions.forEach((c, i) => {
    const plain = r.simd128.captions[i];
    expect(c.text).toBe(plain.text);
    expect(c.labels.map(([n]) => n)).toEqual(plain.labels.map(([n]) => n));
    c.labels.forEach(([, score], j) => expect(Math.abs(score - plain.labels[j][1])).toBeLessThan(1e-3));
  });

  // The relaxed vision module cannot be fetched: photos run on SIMD128, with a warning that
  // names the vision module; the LLM's relaxed module is not affected.
  await page.route('**/pkg/full-relaxed/**', (route) => route.fulfill({ status: 404, body: 'gone' }));
  const broken = await captionAll();
  expect(broken.relaxed.llm).toBe('relaxed');
  expect(broken.relaxed.vision).toMatchObject({ kernels: 'simd128', code: 'failed' });
  expect(broken.relaxed.warnings).toHaveLength(1);
  expect(broken.relaxed.warnings[0]).toMatchObject({ module: 'vision' });
  expect(broken.relaxed.warnings[0].message).toMatch(/relaxed-SIMD vision module did not pass its start/);
  expect(broken.relaxed.captions.map((c) => c.text)).toEqual(r.simd128.captions.map((c) => c.text));
});
