// The chain end to end: the wasm module (SIMD128) loads in Chromium and tract-onnx
// classifies a real photo with EfficientNet-Lite0 inside it.
import { test, expect } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { photoBase64, repoRoot } from './testdata.js';

const WASM = path.join(repoRoot, 'www/pkg/qingyu_bg.wasm');

test('the wasm module contains SIMD128 instructions', () => {
  // binaryen counts instructions by kind; SIMD ones are named Simd*/SIMD*.
  const metrics = execFileSync(path.join(repoRoot, 'node_modules/.bin/wasm-opt'), ['-all', '--metrics', WASM],
    { encoding: 'utf8', maxBuffer: 64 << 20 });
  const simd = [...metrics.matchAll(/^\s*(SIMD\w*|Simd\w*)\s*:\s*(\d+)/gim)]
    .reduce((sum, m) => sum + Number(m[2]), 0);
  expect(simd).toBeGreaterThan(1000);
});

test('page loads without console errors and the module reports its build', async ({ page }) => {
  const errors = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto('/index.html');
  const info = await page.evaluate(async () => {
    const qy = await import('/pkg/qingyu.js');
    await qy.default();
    return { version: qy.version(), build: qy.buildInfo() };
  });
  expect(info.version).toMatch(/^\d+\.\d+\.\d+$/);
  expect(info.build.target_arch).toBe('wasm32');
  expect(info.build.simd128).toBe(true);
  // tract must have registered its wasm SIMD kernels, not only the generic fallback.
  expect(info.build.matmul_kernels.some((k) => k.startsWith('wasm_'))).toBe(true);
  expect(errors).toEqual([]);
});

test('tract-onnx in wasm classifies coffee.png as espresso', async ({ page }) => {
  await page.goto('/index.html');
  const result = await page.evaluate(async (b64) => {
    const qy = await import('/pkg/qingyu.js');
    await qy.default();
    const [onnx, labels] = await Promise.all(
      ['/models/efficientnet-lite0.onnx', '/models/imagenet-labels.json']
        .map((u) => fetch(u).then((r) => r.arrayBuffer()).then((b) => new Uint8Array(b))));
    const classifier = new qy.Classifier(onnx, labels);
    const photo = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const t0 = performance.now();
    const top5 = classifier.classify(photo, 5);
    const ms = performance.now() - t0;
    let badInput = null;
    try { classifier.classify(new TextEncoder().encode('not an image'), 5); } catch (e) { badInput = e.message; }
    classifier.free();
    return { top5, ms, badInput };
  }, photoBase64('coffee.png'));
  console.log('coffee.png top-5 in wasm:', result.top5.map((l) => `${l.name} ${l.score.toFixed(3)}`).join(', '),
    `(${result.ms.toFixed(0)} ms)`);
  expect(result.top5).toHaveLength(5);
  expect(result.top5.map((l) => l.name)).toContain('espresso');
  expect(result.badInput).toMatch(/^InvalidInput: /);
});

test('LLM kernels: SIMD128 matches the scalar reference inside the shipped module', async ({ page }) => {
  await page.goto('/index.html');
  const path = await page.evaluate(async () => {
    const qy = await import('/pkg/qingyu.js');
    await qy.default();
    return qy.kernelSelfTest(20261121, 300);
  });
  expect(path).toBe('wasm-simd128');
});

test('Captioner in wasm: options and results are plain objects; ImageData gives the caption the encoded file gives', async ({ page }) => {
  await page.goto('/index.html');
  const r = await page.evaluate(async (b64) => {
    const qy = await import('/pkg/qingyu.js');
    await qy.default();
    const [onnx, labels] = await Promise.all(
      ['/models/efficientnet-lite0.onnx', '/models/imagenet-labels.json']
        .map((u) => fetch(u).then((res) => res.arrayBuffer()).then((b) => new Uint8Array(b))));
    const captioner = new qy.Captioner();
    captioner.loadClassifier(onnx, labels);
    const photo = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const bitmap = await createImageBitmap(new Blob([photo], { type: 'image/png' }), { colorSpaceConversion: 'none' });
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const ctx = canvas.getContext('2d');
    ctx.drawImage(bitmap, 0, 0);
    const imageData = ctx.getImageData(0, 0, bitmap.width, bitmap.height);
    const err = (f) => { try { f(); return null; } catch (e) { return e.message; } };
    const out = {
      loaded: captioner.loaded(),
      fromFile: captioner.caption(photo, { language: 'en' }),
      fromImageData: captioner.captionImageData(imageData, { language: 'en' }),
      defaults: captioner.caption(photo, undefined).language,
      wrongType: err(() => captioner.caption(photo, { language: 7 })),
      notObject: err(() => captioner.caption(photo, 'en')),
      notImageData: err(() => captioner.captionImageData({ width: 1, height: 1, data: [0, 0, 0, 0] }, {})),
    };
    captioner.free();
    return out;
  }, photoBase64('coffee.png'));
  expect(r.loaded).toEqual({ classifier: true, detector: false, ocr: false });
  expect(typeof r.fromFile.text).toBe('string');
  expect(r.fromFile.labels[0].name).toBe(r.fromImageData.labels[0].name);
  expect(r.fromImageData.text).toBe(r.fromFile.text);
  expect(r.defaults).toBe('zh');
  expect(r.wrongType).toMatch(/^InvalidInput: caption options: language: invalid type/);
  expect(r.notObject).toMatch(/^InvalidInput: caption options must be an object/);
  expect(r.notImageData).toMatch(/^InvalidInput: captionImageData needs an ImageData/);
});
