#!/usr/bin/env node
// `./qy bench lookup`: prompt-lookup decoding on the evaluation articles. Each summary is made
// with one-token greedy decoding and then with each drafting policy (K draft tokens on n-gram
// matches of ≥ N tokens, verified in one batched pass), natively (target/release/qingyu
// bench-summarize --draft-compare) and in headless Chromium (www/bench/summarize.html). One
// table: same output (must be all), draft acceptance, tokens per decoding pass, decode tok/s
// one-at-a-time vs drafted and their ratio, per engine × split × summary type × policy.
//
// Options: --split tune,check (default: both)   --types tldr:medium,teaser:short
//          --directions same,cross   --draft 3:2[,3:2:b,…] (K:N[:b], N defaults to 2, b = back off after a miss)
//          --engines native,wasm,wasm-relaxed (wasm: the SIMD128 module; wasm-relaxed: the relaxed-SIMD text module)
//          --only zh-01,en-01   --native-bin PATH   --json-out PATH   --from-json PATH
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { withBenchPage } from './bench-page.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const log = (msg) => console.error(`[bench lookup] ${msg}`);

function parseArgs(argv) {
  const o = {
    splits: ['tune', 'check'], types: 'tldr:medium,teaser:short', directions: ['same'], drafts: ['3:2'],
    engines: ['native', 'wasm'], only: null,
    nativeBin: path.join(ROOT, 'target/release/qingyu'), jsonOut: path.join(ROOT, 'target/bench/lookup.json'),
  };
  for (let i = 0; i < argv.length; i++) {
    const v = () => argv[++i];
    switch (argv[i]) {
      case '--split': o.splits = v().split(','); break;
      case '--types': o.types = v(); break;
      case '--directions': o.directions = v().split(','); break;
      case '--draft': o.drafts = v().split(','); break;
      case '--engines': o.engines = v().split(','); break;
      case '--only': o.only = v().split(','); break;
      case '--native-bin': o.nativeBin = path.resolve(v()); break;
      case '--json-out': o.jsonOut = path.resolve(v()); break;
      case '--from-json': o.fromJson = path.resolve(v()); break;
      default: throw new Error(`unknown option ${argv[i]}`);
    }
  }
  o.plan = o.types.split(',').map((t) => { const [type, length = 'medium'] = t.split(':'); return { type, length }; });
  return o;
}

function loadArticles(o) {
  const dir = path.join(ROOT, 'eval/articles');
  return fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()
    .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')))
    .filter((a) => o.splits.includes(a.split) && (!o.only || o.only.includes(a.id)));
}

function runNative(o, articles) {
  return new Promise((resolve) => {
    if (!fs.existsSync(o.nativeBin)) { resolve({ error: `${o.nativeBin} not built` }); return; }
    const args = ['bench-summarize', '--types', o.types, '--directions', o.directions.join(','),
      '--only', articles.map((a) => a.id).join(','), '--draft-compare', o.drafts.join(',')];
    const child = spawn(o.nativeBin, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.on('close', (code) => {
      if (code !== 0) { resolve({ error: `exit ${code}` }); return; }
      resolve({ runs: out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)) });
    });
  });
}

function runWasm(o, articles, relaxed = false) {
  return withBenchPage(`bench/summarize.html${relaxed ? '?simd=relaxed' : ''}`, log, async (page) => {
    const input = articles.map(({ id, text, language }) => ({ id, text, language }));
    return page.evaluate(([a, plan, p, dirs]) => window.runDraftBench(a, plan, p, dirs), [input, o.plan, o.drafts, o.directions]);
  });
}

/** One row per engine × split × summary type × policy. */
function tabulate(results, articles) {
  const splitOf = Object.fromEntries(articles.map((a) => [a.id, a.split]));
  const rows = [];
  for (const [engine, res] of Object.entries(results)) {
    if (res.error) { rows.push({ engine, error: res.error }); continue; }
    const groups = {};
    for (const run of res.runs) {
      for (const d of run.drafts) {
        const type = `${run.type} ${run.length}${run.direction === 'cross' ? ' cross' : ''}`;
        const g = (groups[`${splitOf[run.article]}|${type}|${d.draft}`] ||= { engine, split: splitOf[run.article], type, draft: d.draft, n: 0, same: 0, generated: 0, drafted: 0, accepted: 0, plainMs: 0, draftMs: 0 });
        const p = run.plain;
        const r = d.result;
        g.n++;
        g.same += Number(r.text === p.text && r.tokens.generated === p.tokens.generated && JSON.stringify(r.units) === JSON.stringify(p.units));
        g.generated += r.tokens.generated;
        g.drafted += r.tokens.drafted;
        g.accepted += r.tokens.draftAccepted;
        g.plainMs += p.timing.decodeMs;
        g.draftMs += r.timing.decodeMs;
      }
    }
    rows.push(...Object.values(groups));
  }
  return rows;
}

function printTable(rows) {
  const head = ['engine', 'split', 'summary', 'draft K:N', 'summaries', 'same output', 'drafts confirmed', 'tokens/pass', 'decode tok/s one-at-a-time', 'drafted', 'ratio'];
  console.log(`| ${head.join(' | ')} |\n|${head.map(() => '---').join('|')}|`);
  for (const r of rows) {
    if (r.error) { console.log(`| ${r.engine} | error: ${r.error} |`); continue; }
    const passes = r.generated - r.accepted;
    const plainTps = r.generated / (r.plainMs / 1e3);
    const draftTps = r.generated / (r.draftMs / 1e3);
    console.log(`| ${r.engine} | ${r.split} | ${r.type} | ${r.draft} | ${r.n} | ${r.same}/${r.n} | ${(100 * r.accepted / Math.max(1, r.drafted)).toFixed(0)} % ` +
      `| ${(r.generated / Math.max(1, passes)).toFixed(2)} | ${plainTps.toFixed(1)} | ${draftTps.toFixed(1)} | ${(r.plainMs / r.draftMs).toFixed(2)}× |`);
  }
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const articles = loadArticles({ ...o, splits: o.fromJson ? ['tune', 'check'] : o.splits });
  let results;
  if (o.fromJson) {
    results = JSON.parse(fs.readFileSync(o.fromJson, 'utf8')).results;
  } else {
    results = {};
    if (o.engines.includes('native')) { log(`native: ${articles.length} articles`); results.native = await runNative(o, articles); }
    if (o.engines.includes('wasm')) { log(`wasm: ${articles.length} articles`); results.wasm = await runWasm(o, articles); }
    if (o.engines.includes('wasm-relaxed')) { log(`wasm-relaxed: ${articles.length} articles`); results['wasm-relaxed'] = await runWasm(o, articles, true); }
    fs.mkdirSync(path.dirname(o.jsonOut), { recursive: true });
    fs.writeFileSync(o.jsonOut, JSON.stringify({ date: new Date().toISOString(), options: o, results }, null, 1));
    log(`runs saved to ${path.relative(ROOT, o.jsonOut)}`);
  }
  printTable(tabulate(results, articles));
}

main().catch((e) => { console.error(e); process.exit(1); });
