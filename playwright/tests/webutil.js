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
