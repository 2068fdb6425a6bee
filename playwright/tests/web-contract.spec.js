// The demo page against the wasm API contract that other parts of the project are adding
// (summarizeExtractive, Llm.summarizeStart/Step/Result, Captioner): while www/pkg lacks them,
// this test serves a TEST DOUBLE of www/pkg/qingyu.js that re-exports the real module and adds
// those functions with the documented JSON shapes (the Llm ones drive the real model through
// start/step; the others return fixed, obviously-marked values). It checks the page's side of
// the contract — rendering, consent, streaming, Stop, tags, boxes, OCR, alt text — not model
// quality. Once the real exports exist, the real tests in web.spec.js cover all of this.
import { test, expect } from '@playwright/test';
import { shot, wasmFeatures } from './webutil.js';

const F = wasmFeatures();

const DOUBLE = `
import init, * as real from '/pkg/qingyu.js?real';
export default init;
export const { version, buildInfo, kernelSelfTest, Classifier } = real;
const sentences = (t) => t.split(/(?<=[。！？.!?])\\s*/).map((s) => s.trim()).filter(Boolean);
const lang = (t) => (/[\\u4e00-\\u9fff]/.test(t) ? 'zh' : 'en');
export function summarizeExtractive(text, optionsJson) {
  const o = JSON.parse(optionsJson || '{}');
  const n = { short: 3, medium: 5, long: 7 }[o.length || 'medium'];
  const points = sentences(text).slice(0, n);
  const body = o.format === 'plain-text' ? points.join('\\n') : points.map((p) => '- ' + p).join('\\n');
  return JSON.stringify({ text: body, points, language: lang(text), type: 'key-points', timing: { extractMs: 1 } });
}
export class Llm extends real.Llm {
  summarizeStart(text, optionsJson) {
    this._t = text; this._out = '';
    const prompt = '<|im_start|>system\\nYou are a helpful assistant.<|im_end|>\\n<|im_start|>user\\n用一句话概括：\\n' + text + '<|im_end|>\\n<|im_start|>assistant\\n';
    const n = this.start(prompt, JSON.stringify({ maxTokens: 48 }));
    return JSON.stringify({ language: lang(text), outputLanguage: lang(text), inputTokens: n, promptTokens: n, extractMs: 0 });
  }
  summarizeStep() { const p = this.step(); if (p !== undefined) this._out += p; return p; }
  summarizeResult() {
    return JSON.stringify({ text: this._out, type: 'tldr', language: lang(this._t), outputLanguage: lang(this._t),
      violations: { found: 0, repaired: 0, remaining: 0 }, fallback: false, timing: { extractMs: 0, prefillMs: 0, decodeMs: 0 },
      tokens: { prompt: 0, generated: this.generatedTokens().length } });
  }
}
export class Captioner {
  loadClassifier(onnx, labels) { this.c = new real.Classifier(onnx, labels); }
  loadDetector() {} loadOcr() {}
  caption(bytes, optionsJson) {
    const o = JSON.parse(optionsJson);
    const top = JSON.parse(this.c.classify(bytes, 3));
    return JSON.stringify({
      text: o.language === 'zh' ? '测试替身：' + top[0].name : 'Test double: ' + top[0].name,
      alt: 'ALT ' + top[0].name,
      labels: top.map((l) => ({ name: l.name, zh: '标签' + l.id, score: l.score })),
      objects: [{ name: 'cup', zh: '杯子', score: 0.9, box: [0.2, 0.2, 0.5, 0.5] }],
      ocr: [{ text: 'OCR-LINE', score: 0.9, box: [0, 0, 10, 10] }], timing: { totalMs: 1 } });
  }
  captionRgba() { throw new Error('Unsupported: not in the test double'); }
}
`;

test.describe('demo page against the wasm contract (test double)', () => {
  test.skip(F.extractive && F.llmSummary && F.captioner, 'the real exports exist: web.spec.js tests them');
  test.describe.configure({ timeout: 300_000 });
  test.beforeEach(async ({ page }) => {
    await page.route('**/pkg/qingyu.js', (route) => route.fulfill({ body: DOUBLE, contentType: 'text/javascript' }));
  });

  test('key points render as a list; photo shows caption, tags, boxes, OCR; alt text copies', async ({ page, context }, testInfo) => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await page.goto('/index.html#summary');
    await expect(page.locator('#engine-line')).toContainText('就绪', { timeout: 30_000 });
    await page.locator('#length-chips label', { hasText: '中' }).click();
    await page.locator('#summarize').click();
    await expect(page.locator('#summary-output li')).toHaveCount(5); // medium: the double's first 5 sentences
    await expect(page.locator('#summary-meta')).toContainText('抽取式要点');
    await shot(page, testInfo, 'contract-key-points');

    await page.getByRole('button', { name: '返回' }).click();
    await page.getByRole('button', { name: /描述这张照片/ }).click();
    await page.locator('.photo-sample[data-id="coffee"]').click();
    await expect(page.locator('#caption-text')).toHaveText('测试替身：espresso', { timeout: 60_000 });
    await expect(page.locator('#tags .tag')).toHaveCount(4);
    await expect(page.locator('#tags')).toContainText('杯子');
    await expect(page.locator('#boxes div')).toHaveCount(1);
    await expect(page.locator('#ocr-text')).toHaveText('OCR-LINE');
    await expect(page.locator('#photo-preview')).toHaveAttribute('alt', 'ALT espresso');
    await page.locator('#copy-alt').click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('ALT espresso');
    await shot(page, testInfo, 'contract-caption');
  });

  test('tldr: consent for the 347 MB download, progress, streaming, Stop within a second', async ({ page }, testInfo) => {
    await page.goto('/index.html#summary');
    await expect(page.locator('#engine-line')).toContainText('就绪', { timeout: 30_000 });
    await page.locator('#type-chips label', { hasText: '一句话' }).click();
    await expect(page.locator('#type-note')).toContainText('347 MB');
    await page.locator('#summarize').click();
    await expect(page.locator('#llm-consent')).toBeVisible();
    await expect(page.locator('#consent-text')).toContainText('347 MB');
    await shot(page, testInfo, 'contract-consent');
    await page.locator('#consent-ok').click();
    await expect(page.locator('#summary-progress .progress-text')).toContainText('正在下载模型', { timeout: 30_000 });
    await shot(page, testInfo, 'contract-downloading');
    await expect(page.locator('#summary-output')).not.toBeEmpty({ timeout: 180_000 });
    await shot(page, testInfo, 'contract-streaming');
    const t0 = Date.now();
    await page.locator('#stop').click();
    await expect(page.locator('#summary-meta')).toHaveText('已停止。', { timeout: 1000 });
    expect(Date.now() - t0).toBeLessThan(1000);
    await expect(page.locator('#summarize')).toBeVisible();
    // Run it to the end this time: the meta line reports speed.
    await page.locator('#summarize').click();
    await expect(page.locator('#summary-meta')).toContainText('词元/秒', { timeout: 120_000 });
    await shot(page, testInfo, 'contract-tldr-done');
    // Settings shows the measured speed and the cached model.
    await page.getByRole('button', { name: '设置' }).click();
    await expect(page.locator('#perf')).toContainText('词元/秒');
    await expect(page.locator('#model-list')).toContainText('✓ 已缓存');
    await shot(page, testInfo, 'contract-settings');
    // Clear cache (after a confirm): everything shows as not downloaded.
    page.once('dialog', (d) => d.accept());
    await page.locator('#clear-cache').click();
    await expect(page.locator('#model-list')).not.toContainText('✓');
    await expect(page.locator('#cache-total')).toContainText('已缓存 0 B');
  });
});
