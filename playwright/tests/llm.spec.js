// The Qwen2 engine inside wasm (SIMD128) in Chromium: load the real GGUF, stream a greedy
// answer token by token, cancel, and reject bad options with typed errors.
import { test, expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './testdata.js';

const GGUF = '/models/qwen2.5-coder-0.5b-instruct-q5_0-tied.gguf';
const fixture = JSON.parse(readFileSync(path.join(repoRoot, 'crate/tests/fixtures/llm_llamacpp.json'), 'utf8'));

test.describe.configure({ mode: 'serial', timeout: 300_000 });

test('wasm engine: greedy tokens equal llama.cpp on a Chinese prompt, streaming and cancel work', async ({ page }) => {
  await page.goto('/index.html');
  const zh = fixture.cases.find((c) => c.name === 'zh-short');
  const result = await page.evaluate(async ({ url, promptIds, want }) => {
    const qy = await import('/pkg/qingyu.js');
    await qy.default();
    const bytes = new Uint8Array(await (await fetch(url)).arrayBuffer());
    const t0 = performance.now();
    const llm = new qy.Llm(bytes, 1024);
    const loadMs = performance.now() - t0;
    const info = llm.info();
    const prompt = llm.detokenize(Uint32Array.from(promptIds));
    const roundTrip = Array.from(llm.tokenize(prompt));

    // Greedy generation, one step per token (as the worker does).
    const n = Math.min(16, want.length);
    llm.start(prompt, { maxTokens: n });
    const pieces = [];
    const t1 = performance.now();
    for (let piece = llm.step(); piece !== undefined; piece = llm.step()) pieces.push(piece);
    const genMs = performance.now() - t1;
    const tokens = Array.from(llm.generatedTokens());
    const reason = llm.finishReason();

    // Cancel after 3 tokens: the next step is refused, nothing else runs.
    llm.start(prompt, { maxTokens: 64, temperature: 0.7, seed: 7 });
    for (let i = 0; i < 3; i++) llm.step();
    llm.cancel();
    let afterCancel = null;
    try { llm.step(); } catch (e) { afterCancel = e.message; }

    let badOptions = null;
    try { llm.start(prompt, { temperature: -1 }); } catch (e) { badOptions = e.message; }
    let unknownOption = null;
    try { llm.start(prompt, { flavour: 'spicy' }); } catch (e) { unknownOption = e.message; }
    let wrongType = null;
    try { llm.start(prompt, { maxTokens: 'ten' }); } catch (e) { wrongType = e.message; }
    llm.free();
    let corrupt = null;
    try { new qy.Llm(bytes.subarray(0, 1_000_000), 256); } catch (e) { corrupt = e.message; }
    return { loadMs, info, roundTrip, pieces, tokens, reason, genMs, afterCancel, badOptions, unknownOption, wrongType, corrupt, n };
  }, { url: GGUF, promptIds: zh.prompt_ids, want: zh.generated_ids });

  console.log(`wasm LLM: load ${result.loadMs.toFixed(0)} ms, ${result.info.kernels}, ` +
    `${result.n} tokens in ${result.genMs.toFixed(0)} ms: ${result.pieces.join('')}`);
  expect(result.info.kernels).toBe('wasm-simd128');
  expect(result.roundTrip).toEqual(zh.prompt_ids);
  expect(result.tokens).toEqual(zh.generated_ids.slice(0, result.n));
  expect(result.pieces.join('')).toMatch(/[\u4e00-\u9fff]/);
  expect(result.reason).toBe('max-tokens');
  expect(result.afterCancel).toMatch(/^InvalidInput: no generation started/);
  expect(result.badOptions).toMatch(/^Unsupported: /);
  expect(result.unknownOption).toMatch(/^InvalidInput: generation options: .*flavour/);
  expect(result.wrongType).toMatch(/^InvalidInput: generation options: maxTokens: invalid type/);
  expect(result.corrupt).toMatch(/^ModelLoad: GGUF is truncated/);
});

test('wasm engine: prompt-lookup drafts give the same tokens as one-token decoding', async ({ page }) => {
  await page.goto('/index.html');
  const result = await page.evaluate(async ({ url }) => {
    const qy = await import('/pkg/qingyu.js');
    await qy.default();
    const llm = new qy.Llm(new Uint8Array(await (await fetch(url)).arrayBuffer()), 1024);
    // An answer that copies runs of its input, as summaries and translations do.
    const article = 'The Harlow Creek Town Council approved a pedestrian footbridge over the Mill River on Tuesday. '
      + 'The 48-metre bridge will cost $2.3 million and link the east-side neighborhoods to the library and the market.';
    const prompt = `<|im_start|>system\nYou are a news editor.<|im_end|>\n<|im_start|>user\nSummarize in two sentences, using the article's words:\n${article}<|im_end|>\n<|im_start|>assistant\n`;
    const run = (draftTokens) => {
      llm.start(prompt, { maxTokens: 48, repetitionPenalty: 1.05, draftTokens });
      while (!llm.prefill(64)); // time the decoding only (the second run reuses the cached prompt)
      const t0 = performance.now();
      let text = '';
      for (let piece = llm.step(); piece !== undefined; piece = llm.step()) text += piece;
      return { tokens: Array.from(llm.generatedTokens()), text, stats: Array.from(llm.draftStats()), ms: performance.now() - t0 };
    };
    const plain = run(0);
    const drafted = run(3);
    let tooLong = null;
    try { llm.start(prompt, { draftTokens: 99 }); } catch (e) { tooLong = e.message; }
    llm.free();
    return { plain, drafted, tooLong };
  }, { url: GGUF });
  const [drafted, confirmed, passes] = result.drafted.stats;
  console.log(`wasm drafts: ${confirmed}/${drafted} confirmed in ${passes} passes; ${result.drafted.tokens.length} tokens in ` +
    `${result.drafted.ms.toFixed(0)} ms vs ${result.plain.ms.toFixed(0)} ms one at a time: ${result.drafted.text}`);
  expect(result.drafted.tokens).toEqual(result.plain.tokens);
  expect(result.drafted.text).toBe(result.plain.text);
  expect(result.plain.stats).toEqual([0, 0, 0]);
  expect(confirmed).toBeGreaterThan(0);
  expect(result.tooLong).toMatch(/^Unsupported: .*draftTokens/);
});

test('wasm engine: LlmLoader takes the GGUF piece by piece (what the library streams from its cache) and checks the size', async ({ page }) => {
  await page.goto('/index.html');
  const r = await page.evaluate(async () => {
    const qy = await import('/pkg/qingyu.js');
    await qy.default();
    const err = (f) => { try { f(); return null; } catch (e) { return e.message; } };
    const tooMuch = err(() => { const l = new qy.LlmLoader(10); l.write(new Uint8Array(6)); l.write(new Uint8Array(5)); });
    const short = err(() => { const l = new qy.LlmLoader(10); l.write(new Uint8Array(5)); l.finish(256); });
    const huge = err(() => new qy.LlmLoader(3_500_000_000));
    const layout = err(() => new qy.LlmLoader(10, 'zipped'));
    // A complete file that is not a GGUF fails like `new Llm` does.
    const junk = err(() => { const l = new qy.LlmLoader(8); l.write(new TextEncoder().encode('notagguf')); l.finish(256); });
    return { tooMuch, short, huge, layout, junk };
  });
  expect(r.tooMuch).toMatch(/^ModelLoad: the model is longer than the 10 bytes announced/);
  expect(r.short).toMatch(/^ModelLoad: the model stopped after 5 of 10 bytes/);
  expect(r.huge).toMatch(/^ModelLoad: not enough memory for the 3500000000-byte model/);
  expect(r.layout).toMatch(/^InvalidInput: weights: "zipped"/);
  expect(r.junk).toMatch(/^ModelLoad: /);
});

test('wasm engine: packed and expanded weights give the same tokens (the same integer sums in the same order), packed in less memory', async ({ page }) => {
  await page.goto('/index.html');
  const zh = fixture.cases.find((c) => c.name === 'zh-short');
  const r = await page.evaluate(async ({ url, promptIds }) => {
    const qy = await import('/pkg/qingyu.js');
    await qy.default();
    const run = async (weights) => {
      const resp = await fetch(url);
      const loader = new qy.LlmLoader(Number(resp.headers.get('content-length')), weights);
      const reader = resp.body.getReader();
      for (let c = await reader.read(); !c.done; c = await reader.read()) loader.write(c.value);
      const llm = loader.finish(256);
      const info = llm.info();
      // Prefill (a 4-token tile and a tail) and decode (single tokens) both go through the kernels.
      llm.start(llm.detokenize(Uint32Array.from(promptIds)), { maxTokens: 6 });
      while (llm.step() !== undefined);
      const out = { weights: info.weights, weightBytes: info.weight_bytes, tokens: Array.from(llm.generatedTokens()) };
      llm.free();
      return out;
    };
    return { expanded: await run('expanded'), packed: await run('packed') };
  }, { url: GGUF, promptIds: zh.prompt_ids });
  console.log(`weights: expanded ${(r.expanded.weightBytes / 2 ** 20).toFixed(0)} MiB, packed ${(r.packed.weightBytes / 2 ** 20).toFixed(0)} MiB`);
  expect(r.expanded.weights).toBe('expanded');
  expect(r.packed.weights).toBe('packed');
  expect(r.packed.tokens).toEqual(r.expanded.tokens);
  expect(r.packed.tokens).toEqual(zh.generated_ids.slice(0, r.packed.tokens.length));
  expect(r.packed.weightBytes).toBeLessThan(0.75 * r.expanded.weightBytes);
});
