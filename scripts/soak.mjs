// ./qy soak [--summaries N] [--captions N] [--every K] [--concurrency C] [--llm-share F] [--no-llm]
//           [--max-minutes M] [--cancel-share F] [--cancel-modes first-piece,timer] [--preload] [--seed S] [--out DIR] [--port P]
//           [--growth-limit P] [--warmup-share F]
// One Chromium tab runs N summaries and N captions, interleaved, through the public library
// (www/bench/soak.html), samples wasm memory / JS heap / renderer RSS every K operations and
// writes DIR/report.json, report.md and memory.png (default target/soak). Exits 1 when a target
// fails: memory growth after warm-up > 5 % (--growth-limit), a lost or mixed-up result, a console
// error, more worker restarts than cancels. The warm-up is the first 10 % of the operations
// (--warmup-share): a run of a few dozen operations is still filling its memory high-water marks
// (larger images, longer articles) after that, so short runs want a larger share or limit.
import path from 'node:path';
import { withBenchPage } from './bench-page.mjs';
import { ROOT, analyze, runSoakPage, setupSoakPage, summaryLines, writeReport } from './soak-lib.mjs';

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const cfg = {
  summaries: Number(opt('summaries', 300)),
  captions: Number(opt('captions', 300)),
  every: Number(opt('every', 10)),
  concurrency: Number(opt('concurrency', 3)),
  llmShare: Number(opt('llm-share', 1)),
  noLlm: args.includes('--no-llm'),
  cancelShare: Number(opt('cancel-share', 0.1)),
  seed: Number(opt('seed', 1)),
  cancelModes: opt('cancel-modes', 'first-piece,timer').split(','),
  preload: args.includes('--preload') ? (args.includes('--no-llm') ? ['vision'] : ['llm', 'vision']) : [],
  verbose: args.includes('--verbose'),
  maxMinutes: Number(opt('max-minutes', 0)) || undefined,
};
const out = path.resolve(ROOT, opt('out', 'target/soak'));
const port = Number(opt('port', process.env.QINGYU_PORT || 8381));
const t0 = Date.now();
const log = (m) => console.log(`[soak ${((Date.now() - t0) / 1000).toFixed(0).padStart(5)} s] ${m}`);
log(`config ${JSON.stringify(cfg)} → ${path.relative(ROOT, out)}`);

const state = {
  onSample: (s) => log(`sample @${s.ops}: wasm ${(s.wasmBytes / 2 ** 20).toFixed(1)} MB, JS heap ${(s.jsHeapBytes / 2 ** 20).toFixed(1)} MB, RSS ${(s.rssBytes / 2 ** 20).toFixed(1)} MB (${s.renderers} renderer), restarts ${s.restarts}`),
};
const result = await withBenchPage('bench/soak.html', log, async (page, browser) => {
  const run = await runSoakPage(page, state, cfg);
  const rep = analyze(run, cfg, {
    growthLimit: Number(opt('growth-limit', 5)),
    warmupShare: Number(opt('warmup-share', 0.1)),
  });
  const png = await writeReport(rep, out, browser);
  return { rep, png };
}, { port, setup: (page, browser) => setupSoakPage(page, browser, state) });

if (result.error) {
  console.error(`[soak] failed to run: ${result.error}`);
  process.exit(2);
}
console.log('');
for (const line of summaryLines(result.rep)) console.log(`[soak] ${line}`);
console.log(`[soak] report: ${path.relative(ROOT, out)}/report.md, plot: ${path.relative(ROOT, result.png)}`);
process.exit(result.rep.pass ? 0 : 1);
