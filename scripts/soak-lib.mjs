// The soak test's driver side, shared by `./qy soak` (scripts/soak.mjs) and the short CI version
// (playwright/tests/soak.spec.js): serves the photos to www/bench/soak.html, samples memory when
// the page asks (JS heap after a forced GC through CDP Performance.getMetrics; the renderer's RSS
// from /proc/<pid>/status of the pids CDP SystemInfo.getProcessInfo lists — the library's worker
// and its wasm live in that process), counts console errors, then judges the run and writes the
// report (JSON, Markdown, a PNG plot rendered in the same Chromium).
import { readFileSync, readdirSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PHOTO_CACHE = path.join(ROOT, 'eval/photos/.cache');

export function loadArticles() {
  const dir = path.join(ROOT, 'eval/articles');
  return readdirSync(dir).filter((f) => /^(zh|en)-\d+\.json$/.test(f)).sort().map((f) => {
    const a = JSON.parse(readFileSync(path.join(dir, f), 'utf8'));
    return { id: a.id, language: a.language, text: a.text };
  });
}

/** The photos: the demo's samples, plus every 12th photo of eval/photos/.cache when it was fetched. */
export function photoUrls({ extra = 10 } = {}) {
  const urls = readdirSync(path.join(ROOT, 'www/samples')).filter((f) => /\.(png|jpe?g)$/i.test(f)).sort().map((f) => `/samples/${f}`);
  if (existsSync(PHOTO_CACHE)) {
    const files = readdirSync(PHOTO_CACHE).filter((f) => /\.(png|jpe?g)$/i.test(f)).sort();
    for (let i = 0; i < files.length && urls.length < 3 + extra; i += 12) urls.push(`/soak-photos/${files[i]}`);
  }
  return urls;
}

/** Routes, console counting and the sampling binding; call before the page opens. */
export async function setupSoakPage(page, browser, state = {}) {
  state.samples = [];
  state.consoleErrors = [];
  state.warnings = [];
  await page.route('**/soak-photos/*', (route) => {
    const name = decodeURIComponent(new URL(route.request().url()).pathname.split('/').pop());
    const file = path.join(PHOTO_CACHE, path.basename(name));
    if (!existsSync(file)) return route.fulfill({ status: 404, body: 'not found' });
    return route.fulfill({ status: 200, body: readFileSync(file), contentType: /\.png$/i.test(file) ? 'image/png' : 'image/jpeg' });
  });
  page.on('console', (m) => {
    if (m.type() === 'error') state.consoleErrors.push(m.text());
    else if (m.type() === 'warning') state.warnings.push(m.text());
  });
  page.on('pageerror', (e) => state.consoleErrors.push(`pageerror: ${e.message}`));
  page.on('crash', () => state.consoleErrors.push('the page crashed'));
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const bcdp = await browser.newBrowserCDPSession();
  await page.exposeFunction('soakSample', async (s) => {
    await cdp.send('HeapProfiler.collectGarbage').catch(() => {});
    const { metrics } = await cdp.send('Performance.getMetrics');
    const { processInfo } = await bcdp.send('SystemInfo.getProcessInfo');
    // The page's renderer is the largest one (it holds the worker's wasm memory); the others
    // (spare renderers) are summed into rssAllBytes.
    // The page renderer's VmHWM is its true peak, including moments between two samples (a
    // model loading).
    let rss = 0;
    let hwm = 0;
    let rssAll = 0;
    let renderers = 0;
    for (const p of processInfo.filter((x) => x.type === 'renderer')) {
      try {
        const status = readFileSync(`/proc/${p.id}/status`, 'utf8');
        const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
        if (kb && kb * 1024 > rss) { rss = kb * 1024; hwm = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1]) * 1024 || 0; }
        if (kb) { rssAll += kb * 1024; renderers++; }
      } catch { /* gone */ }
    }
    const row = {
      ops: s.ops, t: s.t, wasmBytes: s.wasmMemoryBytes, jsHeapBytes: metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? null,
      rssBytes: rss || null, hwmBytes: hwm || null, rssAllBytes: rssAll || null, renderers, restarts: s.workerRestarts, pending: s.pending,
    };
    state.samples.push(row);
    state.onSample?.(row);
    return true;
  });
  return state;
}

export async function runSoakPage(page, state, cfg) {
  const run = await page.evaluate((c) => window.runSoak(c), { articles: loadArticles(), photoUrls: photoUrls(), ...cfg });
  return { ...run, samples: state.samples, consoleErrors: state.consoleErrors, warnings: state.warnings };
}

const pct = (a, b) => (a == null || b == null || !b ? null : ((a - b) / b) * 100);
function quantiles(xs) {
  const s = xs.filter((x) => x != null).sort((a, b) => a - b);
  if (!s.length) return null;
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { n: s.length, p50: q(0.5), p90: q(0.9), max: s[s.length - 1] };
}

/**
 * Judges a run. Growth after warm-up (the first `warmupShare` of the operations): the highest
 * sample of the last `windowShare` of the operations against the highest sample of the first
 * `windowShare` after the warm-up. Maxima, because the wasm memory only grows within one worker
 * and drops to nothing when a cancel restarts the worker (the models then load again): a leak shows
 * as rising peaks. Limits: wasm memory and renderer RSS ≤ growthLimit %; the page's JS heap is a
 * few MB, so it fails only when it grows by more than growthLimit % AND more than jsHeapSlackMB.
 */
export function analyze(run, cfg, { growthLimit = 5, jsHeapSlackMB = 2, warmupShare = 0.1, windowShare = 0.1 } = {}) {
  const recs = run.records;
  const planned = (cfg.summaries ?? 0) + (cfg.captions ?? 0);
  // With a time box (maxMinutes) the page may start fewer: judge what it started.
  const total = run.started ?? planned;
  const warmupOps = Math.ceil(total * warmupShare);
  const win = Math.max(1, Math.ceil(total * windowShare));
  const after = run.samples.filter((s) => s.ops >= warmupOps);
  let base = after.filter((s) => s.ops <= warmupOps + win);
  if (!base.length) base = after.slice(0, 1);
  let end = after.filter((s) => s.ops >= total - win && !base.includes(s));
  if (!end.length) end = after.slice(-1);
  const growth = {};
  for (const k of ['wasmBytes', 'jsHeapBytes', 'rssBytes']) {
    const top = (xs) => { const v = xs.map((s) => s[k]).filter((x) => x != null); return v.length ? Math.max(...v) : null; };
    const b = top(base);
    const e = top(end);
    const first = run.samples[0]?.[k] ?? null;
    const peak = top(after);
    growth[k] = { start: first, warm: b, end: e, peak, growthPct: pct(e, b), peakGrowthPct: pct(peak, b) };
  }
  const problems = recs.filter((r) => r.problems?.length);
  const lostRe = /^(aborted without a cancel|unexpected error|untyped|harness|a valid)/;
  const langRe = /^(caption )?language /;
  // A result whose only fault is its language (its content is its own article's) is not mixed up:
  // it is the engine answering in the wrong language, reported (and failed) on its own.
  const wrongLanguage = problems.filter((r) => r.problems.every((p) => langRe.test(p)));
  const mixed = problems.filter((r) => !wrongLanguage.includes(r) && r.problems.some((p) => !lostRe.test(p)));
  const lost = problems.filter((r) => !mixed.includes(r) && !wrongLanguage.includes(r));
  const collateral = lost.filter((r) => r.problems.some((p) => /worker was restarted/.test(p)));
  const missing = total - recs.length;
  const summaries = recs.filter((r) => r.kind === 'summary');
  const captions = recs.filter((r) => r.kind === 'caption');
  const cancelsAsked = summaries.filter((r) => r.cancel).length;
  const lat = {
    summaryLlm: quantiles(summaries.filter((r) => r.llm && r.outcome === 'ok').map((r) => r.ms)),
    summaryLlmFirstPiece: quantiles(summaries.filter((r) => r.llm && r.outcome === 'ok').map((r) => r.firstMs)),
    summaryExtractive: quantiles(summaries.filter((r) => !r.llm && r.outcome === 'ok').map((r) => r.ms)),
    cancel: quantiles(summaries.filter((r) => r.outcome === 'cancelled').map((r) => r.ms)),
    caption: quantiles(captions.filter((r) => r.outcome === 'ok').map((r) => r.ms)),
    captionRejected: quantiles(captions.filter((r) => r.outcome === 'rejected').map((r) => r.ms)),
  };
  const counts = {
    operations: recs.length, planned, started: total, missing,
    summaries: summaries.length, summariesLlm: summaries.filter((r) => r.llm).length,
    summariesCross: summaries.filter((r) => r.direction === 'cross').length,
    summariesZh: summaries.filter((r) => r.id?.startsWith('zh')).length,
    summaryFallbacks: summaries.filter((r) => r.fallback).length,
    summaryWeakContentCheck: summaries.filter((r) => r.weak).length,
    cancelsAsked, cancelled: summaries.filter((r) => r.outcome === 'cancelled').length,
    finishedBeforeCancel: summaries.filter((r) => r.outcome === 'finished-before-cancel').length,
    captions: captions.length, captionsOk: captions.filter((r) => r.outcome === 'ok').length,
    captionsRejected: captions.filter((r) => r.outcome === 'rejected').length,
    captionsCorrupt: captions.filter((r) => r.corrupt).length,
    captionFormats: Object.fromEntries(['png', 'jpeg', 'webp', 'gif'].map((f) => [f, captions.filter((r) => r.format === f).length])),
    captionPool: run.pool,
  };
  const failures = [];
  for (const k of ['wasmBytes', 'rssBytes']) {
    const g = growth[k].growthPct;
    if (g == null) failures.push(`${k}: no samples after warm-up`);
    else if (g > growthLimit) failures.push(`${k} grew ${g.toFixed(1)} % after warm-up (limit ${growthLimit} %)`);
  }
  const jh = growth.jsHeapBytes;
  if (jh.growthPct != null && jh.growthPct > growthLimit && jh.end - jh.warm > jsHeapSlackMB * 2 ** 20) {
    failures.push(`JS heap grew ${jh.growthPct.toFixed(1)} % (${((jh.end - jh.warm) / 2 ** 20).toFixed(1)} MB) after warm-up`);
  }
  if (missing) failures.push(`${missing} operations never finished`);
  if (lost.length) failures.push(`${lost.length} lost results (errors or aborts nobody asked for; ${collateral.length} of them aborted by a worker restart after another call's cancel)`);
  if (mixed.length) failures.push(`${mixed.length} mixed-up results`);
  if (wrongLanguage.length) failures.push(`${wrongLanguage.length} results in the wrong language (own content)`);
  if (run.consoleErrors.length) failures.push(`${run.consoleErrors.length} console errors`);
  if (run.restarts > cancelsAsked) failures.push(`${run.restarts} worker restarts for ${cancelsAsked} cancels`);
  return {
    config: cfg, wallS: run.wallMs / 1000, warmupOps, counts, latencyMs: lat, growth,
    rendererHighWaterBytes: Math.max(0, ...run.samples.map((s) => s.hwmBytes ?? 0)) || null,
    restarts: run.restarts, lostToRestarts: collateral.length, consoleErrors: run.consoleErrors, warnings: run.warnings.length,
    lost: lost.map(brief), mixed: mixed.map(brief), wrongLanguage: wrongLanguage.map(brief), failures, pass: failures.length === 0, samples: run.samples,
  };
}

function brief(r) {
  const { n, kind, id, type, length, outputLanguage, cancel, format, size, corrupt, language, outcome, problems, ms } = r;
  return { n, kind, id, type, length, outputLanguage, cancel, format, size, corrupt, language, outcome, problems, ms: Math.round(ms ?? 0) };
}

const MB = (b) => (b == null ? '–' : `${(b / 2 ** 20).toFixed(1)} MB`);
const f1 = (x) => (x == null ? '–' : `${x.toFixed(1)} %`);
const ms = (q) => (q ? `${(q.p50 / 1000).toFixed(2)} / ${(q.p90 / 1000).toFixed(2)} / ${(q.max / 1000).toFixed(2)} s (n ${q.n})` : '–');

export function summaryLines(rep) {
  const c = rep.counts;
  const g = rep.growth;
  const row = (name, k) => `${name.padEnd(10)} start ${MB(g[k].start).padStart(9)}  after warm-up ${MB(g[k].warm).padStart(9)}  end ${MB(g[k].end).padStart(9)}  peak ${MB(g[k].peak).padStart(9)}  growth ${f1(g[k].growthPct)}`;
  return [
    `ops ${c.operations}/${c.planned}${c.started < c.planned ? ` (time box: ${c.started} started)` : ''} in ${(rep.wallS / 60).toFixed(1)} min (warm-up: first ${rep.warmupOps}); summaries ${c.summaries} (LLM ${c.summariesLlm}, cross-language ${c.summariesCross}, fallbacks ${c.summaryFallbacks}), captions ${c.captions} (ok ${c.captionsOk}, rejected ${c.captionsRejected}, corrupt inputs ${c.captionsCorrupt}; ${Object.entries(c.captionFormats).map(([k, v]) => `${k} ${v}`).join(', ')})`,
    row('wasm', 'wasmBytes'), row('JS heap', 'jsHeapBytes'), row('RSS', 'rssBytes'),
    `renderer high-water mark (VmHWM, the peak between samples too, model loading included): ${MB(rep.rendererHighWaterBytes)}`,
    `cancels asked ${c.cancelsAsked}: cancelled ${c.cancelled}, finished first ${c.finishedBeforeCancel}; worker restarts ${rep.restarts}`,
    `lost ${rep.lost.length} (${rep.lostToRestarts} aborted by a worker restart), mixed ${rep.mixed.length}, wrong language ${rep.wrongLanguage.length}, missing ${c.missing}, console errors ${rep.consoleErrors.length} (warnings ${rep.warnings})`,
    `latency p50 / p90 / max: LLM summary ${ms(rep.latencyMs.summaryLlm)}; first piece ${ms(rep.latencyMs.summaryLlmFirstPiece)}; extractive ${ms(rep.latencyMs.summaryExtractive)}; caption ${ms(rep.latencyMs.caption)}; corrupt rejected ${ms(rep.latencyMs.captionRejected)}; cancel ${ms(rep.latencyMs.cancel)}`,
    rep.pass ? 'PASS' : `FAIL: ${rep.failures.join('; ')}`,
  ];
}

function markdown(rep, plotName) {
  const g = rep.growth;
  const c = rep.counts;
  const L = rep.latencyMs;
  const lines = [
    '# Soak report', '', `${new Date().toISOString()} · ${rep.pass ? '**PASS**' : `**FAIL**: ${rep.failures.join('; ')}`}`, '',
    `Config: ${JSON.stringify(rep.config)}`, '',
    `![memory over operations](${plotName})`, '',
    `Growth: highest sample of the last ${Math.ceil(((rep.config.summaries ?? 0) + (rep.config.captions ?? 0)) * 0.1)} operations against the highest of the ${Math.ceil(((rep.config.summaries ?? 0) + (rep.config.captions ?? 0)) * 0.1)} after the warm-up (the first ${rep.warmupOps}).`, '',
    '| memory | start | after warm-up | end | peak | growth after warm-up |', '|---|---|---|---|---|---|',
    ...[['wasm linear memory', 'wasmBytes'], ['JS heap (page, after GC)', 'jsHeapBytes'], ['renderer RSS', 'rssBytes']]
      .map(([n, k]) => `| ${n} | ${MB(g[k].start)} | ${MB(g[k].warm)} | ${MB(g[k].end)} | ${MB(g[k].peak)} | ${f1(g[k].growthPct)} |`),
    '', `Renderer high-water mark (VmHWM: the peak between samples too, model loading included): ${MB(rep.rendererHighWaterBytes)}.`,
    '', '| count | value |', '|---|---|',
    ...Object.entries(c).map(([k, v]) => `| ${k} | ${typeof v === 'object' ? JSON.stringify(v) : v} |`),
    `| worker restarts | ${rep.restarts} |`, `| console errors | ${rep.consoleErrors.length} |`, `| lost / mixed | ${rep.lost.length} / ${rep.mixed.length} |`,
    '', '| latency (p50 / p90 / max) | |', '|---|---|',
    `| LLM summary | ${ms(L.summaryLlm)} |`, `| LLM summary, first piece | ${ms(L.summaryLlmFirstPiece)} |`, `| extractive key points | ${ms(L.summaryExtractive)} |`,
    `| caption | ${ms(L.caption)} |`, `| corrupt image, typed error | ${ms(L.captionRejected)} |`, `| cancelled summary | ${ms(L.cancel)} |`, '',
  ];
  if (rep.lost.length || rep.mixed.length || rep.wrongLanguage.length) {
    lines.push('## Lost / mixed / wrong-language results', '');
    for (const r of [...rep.lost, ...rep.mixed, ...rep.wrongLanguage].slice(0, 50)) lines.push(`- #${r.n} ${r.kind} ${JSON.stringify({ ...r, problems: undefined, n: undefined, kind: undefined })}: ${r.problems.join('; ')}`);
    lines.push('');
  }
  if (rep.consoleErrors.length) lines.push('## Console errors', '', ...rep.consoleErrors.slice(0, 30).map((e) => `- ${e}`), '');
  return lines.join('\n');
}

/** An SVG of the three series over operations: warm-up shaded, the ±limit band around the post-warm-up level. */
function plotSvg(rep, limit = 5) {
  const W = 1000;
  const PH = 210;
  const pad = { l: 80, r: 20, t: 34, b: 34 };
  const series = [['wasm linear memory', 'wasmBytes', '#2a6fdb'], ['renderer RSS', 'rssBytes', '#d2572a'], ['JS heap (page, after GC)', 'jsHeapBytes', '#2a9d5a']];
  const maxOps = Math.max(1, ...rep.samples.map((s) => s.ops));
  let svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${PH * 3 + 50}" font-family="sans-serif" font-size="12">`;
  svg += `<rect width="100%" height="100%" fill="#fff"/><text x="${pad.l}" y="20" font-size="15" font-weight="bold">Qingyu soak: memory over ${rep.counts.operations} operations (${rep.counts.summaries} summaries, ${rep.counts.captions} captions) — ${rep.pass ? 'PASS' : 'FAIL'}</text>`;
  series.forEach(([name, k, color], i) => {
    const y0 = 30 + i * PH;
    const pts = rep.samples.filter((s) => s[k] != null);
    const g = rep.growth[k];
    const vals = pts.map((s) => s[k] / 2 ** 20);
    const lo = Math.min(...vals, g.warm ? g.warm / 2 ** 20 * (1 - limit / 100) : Infinity);
    const hi = Math.max(...vals, g.warm ? g.warm / 2 ** 20 * (1 + limit / 100) : -Infinity);
    const span = hi - lo || 1;
    const ylo = Math.max(0, lo - span * 0.08);
    const yhi = hi + span * 0.08;
    const X = (ops) => pad.l + (ops / maxOps) * (W - pad.l - pad.r);
    const Y = (v) => y0 + pad.t + (1 - (v - ylo) / (yhi - ylo)) * (PH - pad.t - pad.b);
    svg += `<rect x="${X(0)}" y="${Y(yhi)}" width="${X(rep.warmupOps) - X(0)}" height="${Y(ylo) - Y(yhi)}" fill="#0000000d"/>`;
    svg += `<text x="${X(0) + 4}" y="${Y(yhi) + 14}" fill="#666">warm-up</text>`;
    if (g.warm) {
      const b = g.warm / 2 ** 20;
      svg += `<rect x="${X(rep.warmupOps)}" y="${Y(b * (1 + limit / 100))}" width="${X(maxOps) - X(rep.warmupOps)}" height="${Y(b * (1 - limit / 100)) - Y(b * (1 + limit / 100))}" fill="${color}" fill-opacity="0.08"/>`;
    }
    svg += `<line x1="${X(0)}" y1="${Y(ylo)}" x2="${X(maxOps)}" y2="${Y(ylo)}" stroke="#999"/><line x1="${X(0)}" y1="${Y(ylo)}" x2="${X(0)}" y2="${Y(yhi)}" stroke="#999"/>`;
    for (let t = 0; t <= 4; t++) {
      const v = ylo + ((yhi - ylo) * t) / 4;
      svg += `<text x="${pad.l - 6}" y="${Y(v) + 4}" text-anchor="end" fill="#444">${v.toFixed(yhi - ylo < 2 ? 2 : yhi - ylo < 20 ? 1 : 0)} MB</text>`;
    }
    for (let t = 0; t <= 5; t++) {
      const o = Math.round((maxOps * t) / 5);
      svg += `<text x="${X(o)}" y="${Y(ylo) + 16}" text-anchor="middle" fill="#444">${o}</text>`;
    }
    for (let j = 1; j < rep.samples.length; j++) {
      if (rep.samples[j].restarts > rep.samples[j - 1].restarts) {
        const x = X(rep.samples[j].ops).toFixed(1);
        svg += `<line x1="${x}" y1="${Y(ylo)}" x2="${x}" y2="${Y(yhi)}" stroke="#a33" stroke-dasharray="3,3"/>`;
      }
    }
    svg += `<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts.map((s) => `${X(s.ops).toFixed(1)},${Y(s[k] / 2 ** 20).toFixed(1)}`).join(' ')}"/>`;
    for (const s of pts) svg += `<circle cx="${X(s.ops).toFixed(1)}" cy="${Y(s[k] / 2 ** 20).toFixed(1)}" r="2.5" fill="${color}"/>`;
    svg += `<text x="${pad.l + 8}" y="${y0 + 22}" font-weight="bold" fill="${color}">${name}: growth after warm-up ${f1(g.growthPct)} (band ±${limit} %; dashed: worker restarts)</text>`;
  });
  svg += `<text x="${W / 2}" y="${PH * 3 + 44}" text-anchor="middle" fill="#444">operations completed</text></svg>`;
  return svg;
}

/** report.json, report.md and memory.png (the SVG screenshotted in Chromium) under dir. */
export async function writeReport(rep, dir, browser) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'report.json'), `${JSON.stringify(rep, null, 1)}\n`);
  writeFileSync(path.join(dir, 'report.md'), markdown(rep, 'memory.png'));
  const svg = plotSvg(rep);
  writeFileSync(path.join(dir, 'memory.svg'), svg);
  const page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
  try {
    await page.setContent(`<!doctype html><body style="margin:0">${svg}</body>`);
    await page.locator('svg').screenshot({ path: path.join(dir, 'memory.png') });
  } finally { await page.close(); }
  return path.join(dir, 'memory.png');
}
