// `./qy bench memory`: the page's memory with the LLM, against issue 11's target (peak renderer
// RSS ≤ 700 MiB with the LLM loaded and a long summary done). Two visits of the same origin in
// one browser profile, each in a new tab (its own renderer process): the first downloads the
// model (empty cache), the second loads it from the Cache API. Each loads the LLM through the
// public library with its defaults, summarizes the longest Chinese article, zh-21 (2,615
// characters; tl;dr medium in English, an LLM summary; then key points) and reports the load time, the
// worker's wasm memory and the renderer's VmHWM (its true peak, moments between samples
// included), with its RSS at the end.
// Options: --article eval/articles/zh-21.json  --json-out target/bench/memory.json
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { withBenchPage } from './bench-page.mjs';
import { ROOT } from './soak-lib.mjs';

const args = process.argv.slice(2);
const opt = (name, def) => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : def; };
const articlePath = path.resolve(ROOT, opt('article', 'eval/articles/zh-21.json'));
const jsonOut = path.resolve(ROOT, opt('json-out', 'target/bench/memory.json'));
const TARGET_MIB = 700;
const article = JSON.parse(readFileSync(articlePath, 'utf8'));
const MiB = (kb) => Math.round(kb / 1024);
const status = (pid) => {
  try {
    const st = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(st)?.[1] ?? 0);
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  } catch { return null; }
};

async function visit(page, browser, name, earlierPid = null) {
  const bcdp = await browser.newBrowserCDPSession();
  const result = await page.evaluate(async ({ text }) => {
    const { Qingyu } = await import('/lib/qingyu.js');
    const qy = await Qingyu.create(); // left open: the renderer is read with the worker alive
    {
      const t0 = performance.now();
      await qy.load('llm');
      const loadMs = performance.now() - t0;
      const tldr = await qy.summarize(text, { type: 'tldr', length: 'medium', outputLanguage: 'en', details: true });
      await qy.summarize(text, { type: 'key-points', length: 'medium' });
      const m = await qy.memoryStats();
      return { loadMs: Math.round(loadMs), wasmMiB: Math.round(m.wasmMemoryBytes / 2 ** 20), promptTokens: tldr.stats?.promptTokens ?? null, tldr: tldr.text };
    }
  }, { text: article.text });
  // The page's renderer: the largest one (it holds the worker's wasm memory).
  const renderers = (await bcdp.send('SystemInfo.getProcessInfo')).processInfo.filter((p) => p.type === 'renderer')
    .map((p) => ({ pid: p.id, ...status(p.id) })).filter((p) => p.rss);
  const r = renderers.sort((a, b) => b.rss - a.rss)[0];
  await bcdp.detach();
  return { visit: name, ...result, pid: r?.pid, freshProcess: r ? r.pid !== earlierPid : null, rssMiB: r ? MiB(r.rss) : null, peakMiB: r ? MiB(r.hwm) : null };
}

const rows = await withBenchPage('bench/soak.html', (m) => console.log(m), async (first, browser) => {
  const out = [await visit(first, browser, 'first (download)')];
  const url = first.url();
  const second = await first.context().newPage();
  await first.close();
  await second.goto(url);
  await second.waitForFunction(() => window.benchReady === true, null, { timeout: 60_000 });
  out.push(await visit(second, browser, 'second (cached)', out[0].pid));
  return out;
}, { ownContext: true });
if (rows.error) { console.error(`[bench memory] failed: ${rows.error}`); process.exit(2); }
console.log(`\narticle ${article.id} (${article.text.length} characters; the LLM's prompt ${rows[0].promptTokens ?? '?'} tokens): tl;dr medium in English, then key points; library defaults`);
console.log('| visit | load s | wasm MiB | renderer peak MiB (VmHWM) | RSS at end MiB | peak vs 700 MiB target |');
console.log('|---|---|---|---|---|---|');
for (const r of rows) {
  const note = r.freshProcess === false ? ' (renderer reused: its peak includes the earlier visit)' : '';
  console.log(`| ${r.visit} | ${(r.loadMs / 1000).toFixed(2)} | ${r.wasmMiB} | ${r.peakMiB}${note} | ${r.rssMiB} | ${r.peakMiB <= TARGET_MIB ? 'met' : 'not met'} (${(r.peakMiB / TARGET_MIB).toFixed(2)}×) |`);
}
mkdirSync(path.dirname(jsonOut), { recursive: true });
writeFileSync(jsonOut, JSON.stringify({ when: new Date().toISOString(), article: article.id, targetMiB: TARGET_MIB, rows }, null, 2));
console.log(`\n(${path.relative(ROOT, jsonOut)})`);
