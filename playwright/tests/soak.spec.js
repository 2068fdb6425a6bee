// The short soak (the long one is `./qy soak`, scripts/soak.mjs): 12 summaries and 24 captions,
// interleaved, three in flight, through the public library on www/bench/soak.html — every result
// must belong to its request (language, content words of its own article, identical captions for
// the same image, typed errors for corrupt files), no console errors, and memory within loose
// bounds (25 % after the warm-up; the models are preloaded so the warm-up is not their load).
// Cancels here stop midway through generation (at the first streamed piece), which the library
// answers without replacing the worker; the long run also cancels at random times (often inside a
// prefill, where the worker is restarted).
import { test, expect } from '@playwright/test';
import path from 'node:path';
import { analyze, loadArticles, runSoakPage, setupSoakPage, summaryLines, writeReport } from '../../scripts/soak-lib.mjs';

test('soak (short): 12 summaries + 24 captions interleaved, nothing lost or mixed, flat memory', async ({ page, browser }, info) => {
  test.setTimeout(240_000);
  const state = await setupSoakPage(page, browser);
  await page.goto('/bench/soak.html');
  await page.waitForFunction(() => window.benchReady === true);
  // The checks catch what they are for (a summary of another article, the wrong language, pieces that
  // do not add up) before they are trusted to find nothing.
  const self = await page.evaluate((a) => window.soakSelfTest(a), loadArticles());
  expect(self.ownEn).toEqual([]);
  expect(self.ownZh).toEqual([]);
  for (const k of ['otherEn', 'otherZh', 'wrongLanguage', 'crossOther', 'streamMismatch']) expect(self[k].length, k).toBeGreaterThan(0);
  const cfg = {
    summaries: 12, captions: 24, every: 4, concurrency: 3, llmShare: 0.25, cancelShare: 0.15,
    cancelModes: ['first-piece'], preload: ['llm', 'vision'], seed: 3,
  };
  const run = await runSoakPage(page, state, cfg);
  const rep = analyze(run, cfg, { growthLimit: 25, jsHeapSlackMB: 4 });
  await writeReport(rep, info.outputPath('soak'), browser);
  console.log(summaryLines(rep).map((l) => `[soak] ${l}`).join('\n'));
  expect(rep.counts.missing, 'operations that never finished').toBe(0);
  expect(rep.lost, 'lost results').toEqual([]);
  expect(rep.mixed, 'mixed-up results').toEqual([]);
  expect(rep.consoleErrors, 'console errors').toEqual([]);
  expect(rep.counts.summaries).toBe(12);
  expect(rep.counts.captions).toBe(24);
  expect(rep.counts.captionsRejected, 'corrupt files rejected with a typed error').toBeGreaterThan(0);
  expect(rep.restarts, 'worker restarts').toBeLessThanOrEqual(rep.counts.cancelsAsked);
  expect(rep.failures, path.basename(info.outputPath('soak'))).toEqual([]);
});
