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
    const info = JSON.parse(llm.info());
    const prompt = llm.detokenize(Uint32Array.from(promptIds));
    const roundTrip = Array.from(llm.tokenize(prompt));

    // Greedy generation, one step per token (as the worker does).
    const n = Math.min(16, want.length);
    llm.start(prompt, JSON.stringify({ maxTokens: n }));
    const pieces = [];
    const t1 = performance.now();
    for (let piece = llm.step(); piece !== undefined; piece = llm.step()) pieces.push(piece);
    const genMs = performance.now() - t1;
    const tokens = Array.from(llm.generatedTokens());
    const reason = llm.finishReason();

    // Cancel after 3 tokens: the next step is refused, nothing else runs.
    llm.start(prompt, JSON.stringify({ maxTokens: 64, temperature: 0.7, seed: 7 }));
    for (let i = 0; i < 3; i++) llm.step();
    llm.cancel();
    let afterCancel = null;
    try { llm.step(); } catch (e) { afterCancel = e.message; }

    let badOptions = null;
    try { llm.start(prompt, JSON.stringify({ temperature: -1 })); } catch (e) { badOptions = e.message; }
    let unknownOption = null;
    try { llm.start(prompt, JSON.stringify({ flavour: 'spicy' })); } catch (e) { unknownOption = e.message; }
    llm.free();
    let corrupt = null;
    try { new qy.Llm(bytes.subarray(0, 1_000_000), 256); } catch (e) { corrupt = e.message; }
    return { loadMs, info, roundTrip, pieces, tokens, reason, genMs, afterCancel, badOptions, unknownOption, corrupt, n };
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
  expect(result.unknownOption).toMatch(/^Unsupported: .*flavour/);
  expect(result.corrupt).toMatch(/^ModelLoad: GGUF is truncated/);
});
