// Helpers shared by the web library, demo page and widget tests.
import { readFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './testdata.js';

/** What the built wasm module offers (the page feature-detects the same way). */
export function wasmFeatures() {
  const glue = readFileSync(path.join(repoRoot, 'www/pkg/qingyu.js'), 'utf8');
  return {
    extractive: /export function summarizeExtractive\b/.test(glue),
    llmSummary: /\bsummarizeStart\s*\(/.test(glue) && /\bsummarizeStep\s*\(/.test(glue),
    captioner: /export class Captioner\b/.test(glue),
  };
}

/** Collects console errors and page errors (a failed resource load counts too). */
export function watchErrors(page) {
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  return errors;
}

/** A screenshot attached to the report and kept under playwright/test-results/screens/. */
export async function shot(page, testInfo, name) {
  const dir = path.join(repoRoot, 'playwright/test-results/screens');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.png`);
  await page.screenshot({ path: file });
  await testInfo.attach(name, { path: file, contentType: 'image/png' });
}

/** Every number in a text (digits with . , separators), normalized. */
export function numbersIn(text) {
  return [...text.matchAll(/\d+(?:[.,]\d+)*/g)].map((m) => m[0].replace(/,(?=\d{3}\b)/g, ''));
}

/** Numbers of `summary` that do not occur in `source`, as written or as the same quantity
 *  ("32,000" for "3.2万"): a defect, invented facts. */
export { inventedNumbers } from '../../scripts/quantities.mjs';

export const cjkShare = (s) => {
  const letters = [...s].filter((c) => /[\p{L}]/u.test(c));
  return letters.length ? letters.filter((c) => /\p{Script=Han}/u.test(c)).length / letters.length : 0;
};

export const bullets = (s) => s.split('\n').filter((l) => /^\s*(?:[-*•·]|\d+[.)、])\s+\S/.test(l)).length;

export const articles = () => JSON.parse(readFileSync(path.join(repoRoot, 'www/samples/articles.json'), 'utf8'));
export const modelFile = (name) => path.join(repoRoot, 'models/dist', name);

/**
 * Source of a module worker that loads a text module (`moduleUrl`) on `threads` kernel threads,
 * runs its kernel checks, then streams the GGUF at `ggufUrl` into an `LlmLoader` in both weight
 * layouts and runs the fixture prompt (`promptIds`, 12 tokens) and a 300-token prefill plus 6
 * decode steps. It posts `{before, threads, build, simd, split?, packed, expanded}`, or
 * `{error}`. URLs are absolute (a blob worker has no base URL); run it with `runWorker`.
 */
export function textModuleWorker({ moduleUrl, ggufUrl, promptIds, threads }) {
  const longIds = Array.from({ length: 300 }, (_, i) => (i * 7919 + 13) % 150000);
  return `
    const qy = await import(${JSON.stringify(moduleUrl)});
    await qy.default();
    const before = qy.kernelThreads();
    if (${threads} > 1) await qy.startThreads(${threads});
    const out = { before, threads: qy.kernelThreads(), build: qy.buildInfo() };
    out.simd = qy.kernelSelfTest(20261203, 200);
    if (${threads} > 1) out.split = qy.kernelSplitTest(7);
    const run = async (weights) => {
      const resp = await fetch(${JSON.stringify(ggufUrl)});
      const loader = new qy.LlmLoader(Number(resp.headers.get('content-length')), weights);
      const reader = resp.body.getReader();
      for (let c = await reader.read(); !c.done; c = await reader.read()) loader.write(c.value);
      const llm = loader.finish(1024);
      const info = llm.info();
      llm.start(llm.detokenize(Uint32Array.from(${JSON.stringify(promptIds)})), { maxTokens: 12 });
      while (llm.step() !== undefined);
      const zh = Array.from(llm.generatedTokens());
      // A long prompt: prefill runs several-token products, decode one-token products.
      const first = llm.benchPrefill(Uint32Array.from(${JSON.stringify(longIds)}));
      const long = [first, ...Array.from(llm.benchDecode(6))];
      llm.free();
      return { info, zh, long };
    };
    out.packed = await run('packed');
    out.expanded = await run('expanded');
    postMessage(out);
  `;
}

/** In the page: runs a worker source (a threaded module must run in a worker: its pool blocks
 *  the calling thread) and resolves with what it posts, or `{error}`. Pass to `page.evaluate`
 *  as a string: `(${runWorker})(source)`. */
export const runWorker = (source) => new Promise((resolve) => {
  const w = new Worker(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })), { type: 'module' });
  w.onmessage = (e) => { resolve(e.data); w.terminate(); };
  w.onerror = (e) => { resolve({ error: e.message }); w.terminate(); };
});
