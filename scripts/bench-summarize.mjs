#!/usr/bin/env node
// `./qy bench summarize`: summaries of the evaluation articles (eval/articles/*.json), by
//   native   target/release/qingyu bench-summarize (one JSON line per article × type)
//   wasm     www/bench/summarize.html in headless Debian Chromium (same step API as the worker)
//   wasm-threads   the same page with the threaded text module on --threads N kernel threads
//            (a cross-origin isolated page: scripts/serve.py), in a worker
// then ONE table per engine and type: key-fact recall (zh / en), faithfulness violations found
// by the guard and left after it, length-rule compliance, latency split into extract / prefill /
// decode (medians), plus the end-to-end latency of the 1,505-character Chinese article zh-04
// (`tldr` short, model loaded). Every number also goes to target/bench/summarize.json.
//
// Each article is summarized in its own language ("same": zh→zh, en→en) and in the other
// ("cross": zh→en, en→zh); the table has one row per split (tune / check, from the article's
// `split`), type and direction, with the requested-language rate, the support rate (shown
// sentences the labelled set in eval/support/labels.jsonl calls supported) and invented
// numbers beside recall and latency. "mixed script": summaries with a word of the other script
// that is no name of the source (an English word inside a Chinese summary, "批准 Pedestrian").
//
// Options: --types key-points:medium,tldr:medium,teaser:short,headline:short
//          --directions same,cross   --split tune,check
//          --engines native,wasm,wasm-threads   --threads N (wasm-threads; default the cores, ≤ 8)
//          --only zh-01,en-01   --native-bin PATH   --json-out PATH
//          --simd simd128|relaxed   (relaxed: the relaxed-SIMD text modules, what the library picks
//            where the browser has relaxed SIMD; the engines are then named wasm-relaxed, …)
//          --quality fast|best   (best: three candidates per LLM summary, the best-covering one shown)
//          --from-json A.json[,B.json]   tabulate earlier runs (e.g. a tune and a check run) without running
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { withBenchPage } from './bench-page.mjs';
import { inventedNumbers as invented } from './quantities.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const LATENCY_RUN = { id: 'zh-04', type: 'tldr', length: 'short' };

function parseArgs(argv) {
  const o = {
    types: 'key-points:medium,tldr:medium,teaser:short,headline:short', engines: ['native', 'wasm'], only: null,
    directions: ['same', 'cross'], splits: ['tune', 'check'],
    nativeBin: path.join(ROOT, 'target/release/qingyu'), jsonOut: path.join(ROOT, 'target/bench/summarize.json'),
    threads: Math.max(2, Math.min(8, os.cpus().length)),
  };
  for (let i = 0; i < argv.length; i++) {
    const v = () => argv[++i];
    switch (argv[i]) {
      case '--types': o.types = v(); break;
      case '--engines': o.engines = v().split(','); break;
      case '--only': o.only = v().split(','); break;
      case '--quality': o.quality = v(); if (!['fast', 'best'].includes(o.quality)) throw new Error('--quality: fast or best'); break;
      case '--simd': o.simd = v(); if (!['simd128', 'relaxed'].includes(o.simd)) throw new Error('--simd: simd128 or relaxed'); break;
      case '--directions': o.directions = v().split(','); break;
      case '--split': o.splits = v().split(','); break;
      case '--from-json': o.fromJson = v().split(',').map((p) => path.resolve(p)); break;
      case '--native-bin': o.nativeBin = path.resolve(v()); break;
      case '--json-out': o.jsonOut = path.resolve(v()); break;
      case '--threads': o.threads = Number(v()); if (!(Number.isInteger(o.threads) && o.threads >= 2)) throw new Error('--threads: 2 or more'); break;
      default: throw new Error(`unknown option ${argv[i]}`);
    }
  }
  o.plan = o.types.split(',').map((t) => { const [type, length = 'medium'] = t.split(':'); return { type, length }; });
  return o;
}

const log = (msg) => console.error(`[bench summarize] ${msg}`);

function loadArticles(only) {
  const dir = path.join(ROOT, 'eval/articles');
  return fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()
    .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')))
    .filter((a) => !only || only.includes(a.id))
    .map((a) => ({ split: 'tune', ...a }));
}

/** eval/support/labels.jsonl: sentence → 'supported' | 'unsupported' (per article). */
function loadLabels() {
  const file = path.join(ROOT, 'eval/support/labels.jsonl');
  const labels = new Map();
  if (!fs.existsSync(file)) return labels;
  for (const line of fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim())) {
    const l = JSON.parse(line);
    labels.set(`${l.article}\u0000${l.sentence}`, l.label);
  }
  return labels;
}

// ---------------------------------------------------------------------------------------------
// scoring (independent of the engine's own post-processing)
// ---------------------------------------------------------------------------------------------
const han = (s) => (s.match(/\p{Script=Han}/gu) || []).length;

/** A fact is recalled when the summary contains any of its must_mention strings (in the
 *  other language: must_mention_cross, case-insensitive). */
function recall(article, text, cross) {
  const lower = text.toLowerCase();
  const hit = article.key_facts.filter((f) => (cross ? (f.must_mention_cross || []) : f.must_mention)
    .some((m) => (cross ? lower.includes(m.toLowerCase()) : text.includes(m)))).length;
  return hit / article.key_facts.length;
}

/** A source spelling in parentheses after a rendered name: "(青溪镇)", and for a product name
 *  with its model number "(衡芯S2)", "(小鹭3.0)". */
const SOURCE_SPELLING = /\((?=[^()]*\p{Script=Han})[\p{Script=Han}A-Za-z0-9.]+\)/gu;

/** The summary is in the requested language: ≥ 95 % of its letters in that script, names
 *  aside (Latin words the source has, and source spellings in parentheses after a name). */
function inLanguage(article, text, language) {
  const t = text.replace(SOURCE_SPELLING, '');
  const sourceLatin = new Set((article.text.match(/[A-Za-z][A-Za-z0-9'-]*/g) || []).map((w) => w.toLowerCase()));
  const han = (t.match(/\p{Script=Han}/gu) || []).length;
  const latinWords = (t.match(/[A-Za-z][A-Za-z0-9'-]*/g) || []);
  const latin = latinWords.filter((w) => language === 'en' || !sourceLatin.has(w.toLowerCase())).join('').length;
  const latinAll = latinWords.join('').length;
  // A Han character weighs like a 3-letter word. A text with no letter of the requested script
  // at all is not in that language, whatever names it keeps.
  const [ours, other] = language === 'zh' ? [han * 3, latin] : [latin, han * 3];
  if ((language === 'zh' ? han : latinAll) === 0) return false;
  if (ours + other === 0) return true;
  return ours / (ours + other) >= 0.95;
}

const CALENDAR = new Set(['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october',
  'november', 'december', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday', 'i']);
/** Latin abbreviations a Chinese summary may use without the source having them (as translate.rs). */
const ZH_LATIN_OK = new Set(['km', 'kg', 'cm', 'mm', 'kwh', 'mw', 'gw', 'gb', 'tb', 'mb', 'ai', 'app', 'usb', 'gps', 'led', 'ceo', 'cfo',
  'cto', 'vr', 'ar', 'suv', 'ev']);

/** The Latin words an article uses as names (as written there): capitalized words inside prose
 *  sentences (not a sentence's first word unless a capitalized word follows; not months or
 *  days; title-case lines left out) and tokens with a digit or an inner capital ("T3", "iPhone"). */
function articleNames(text) {
  const names = new Set();
  const lowercase = new Set((text.match(/\b[a-z][A-Za-z0-9']*/g) || []).map((w) => w.slice(0, 6)));
  // Sentences as `compliant` cuts them: not after abbreviations and initials ("Feb. 3", "Dr. Osei").
  for (const sentence of text.split(/\n+|(?<!\b(?:Inc|Corp|Co|Ltd|Dr|Mr|Mrs|Ms|Prof|St|Jr|Sr|No|vs|etc|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|U\.S|U\.K|[A-Z])\.)(?<=[.!?])\s+/)) {
    const words = sentence.match(/[A-Za-z0-9][A-Za-z0-9'-]*/g) || [];
    for (const w of words) {
      if (/[A-Za-z]/.test(w) && /\d/.test(w)) w.split(/[-']/).forEach((p) => p && names.add(p)); // "Halcyon-3"
      w.split(/[-']/).filter((p) => /^.+[A-Z]/.test(p)).forEach((p) => names.add(p)); // "iPhone", "EV"
    }
    const latin = words.filter((w) => /[A-Za-z]/.test(w));
    // In a title-case line, only the words the article never writes in lowercase.
    const title = latin.length >= 3 && !latin.some((w) => w.length >= 4 && /^[a-z]/.test(w));
    words.forEach((w, i) => {
      const cap = /^[A-Z]/.test(w);
      if (!cap || w.length < 2 || CALENDAR.has(w.toLowerCase())) return;
      if (title && lowercase.has(w.toLowerCase().slice(0, 6))) return;
      if (i === 0 && !/^[A-Z]/.test(words[1] || '')) return;
      w.replace(/'s$/, '').split(/[-']/).filter((p) => /^[A-Z0-9]/.test(p)).forEach((p) => names.add(p)); // "Ridgeport-based" → Ridgeport
    });
  }
  return names;
}

/** Mixed script: the English words of a Chinese summary that are not names of the source
 *  (nor units), e.g. "批准 Pedestrian Footbridge", "measles病例"; an English summary's Han. */
function mixedScript(article, text, language) {
  if (language === 'en') return text.replace(SOURCE_SPELLING, '').match(/\p{Script=Han}+/gu) || [];
  // A Chinese source's own Latin words ("Mate 80", "app") are the source's; an English one's only its names.
  if (article.language === 'zh') {
    const own = new Set((article.text.match(/[A-Za-z][A-Za-z']*/g) || []).map((w) => w.toLowerCase()));
    return (text.match(/[A-Za-z][A-Za-z']*/g) || []).filter((w) => w.length > 1 && !own.has(w.toLowerCase()) && !ZH_LATIN_OK.has(w.toLowerCase()));
  }
  // A name is kept as written or capitalized: "Growers" of a name, but "樱桃 growers" is English.
  const names = articleNames(article.text);
  const lowerNames = new Set([...names].map((n) => n.toLowerCase()));
  const kept = (w) => names.has(w) || (/^[A-Z]/.test(w) && lowerNames.has(w.toLowerCase())) || ZH_LATIN_OK.has(w.toLowerCase());
  return (text.match(/[A-Za-z][A-Za-z']*/g) || []).filter((w) => w.length > 1 && !kept(w));
}

/** Chrome's length rules: bullets 3/5/7, sentences 1/3/5, headline words 12/17/22 (zh chars/2). */
function compliant(type, length, text) {
  const idx = { short: 0, medium: 1, long: 2 }[length];
  if (type === 'key-points') return text.split('\n').filter((l) => l.trim()).length <= [3, 5, 7][idx];
  if (type === 'headline') {
    const words = han(text) * 2 > text.length ? text.length / 2 : text.split(/\s+/).filter(Boolean).length;
    return words <= [12, 17, 22][idx] && !text.includes('\n');
  }
  // Not after abbreviations and initials ("Kestrel Home Inc. recalled…", "Dr. Marsh"), as the summarizer cuts.
  const sentences = text.split(/(?<=[。！？])|(?<!\b(?:Inc|Corp|Co|Ltd|Dr|Mr|Mrs|Ms|Prof|St|Jr|Sr|No|vs|etc|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|U\.S|U\.K|[A-Z])\.)(?<=[.!?])\s+/)
    .filter((s) => s.trim()).length;
  return sentences <= [1, 3, 5][idx];
}

/**
 * A headline a newsroom could print, judged here independently of the summarizer's own rule:
 * one sentence (no colon or semicolon splice, "2:11" being a time; no sentence end inside), 6–14 English words or 10–24
 * Chinese characters (a Latin word counts as two), in the language it is written in, paired marks closed (not "《2026城市") and not ending on a word that needs a
 * continuation ("…won the men's race in", "…的"). null for other types.
 */
const DANGLING_EN = new Set(['a', 'an', 'the', 'of', 'in', 'on', 'at', 'to', 'for', 'from', 'by', 'with', 'and', 'or', 'but', 'that', 'which', 'who', 'as', 'than', 'while', 'its', 'their']);
const DANGLING_ZH = new Set([...'的在和与及或从对把被将于《“（、，']);
function oneSentence(type, text, language) {
  if (type !== 'headline') return null;
  const t = text.trim().replace(/[。.]$/, '');
  if (!t || /[:：;；\n]/.test(t.replace(/(\d):(?=\d)/g, '$1'))) return false;
  // A sentence ending inside ("…in 2025. Firstly"); an abbreviation ("Inc.", "Dr.", "p.m.") is
  // capitalised or one letter.
  if (/[。！？]/.test(t.replace(/[。！？.!?]+$/, '')) || /(\b[a-z]{2,}|\b\d+)\. [A-Z]|[!?] [A-Z]/.test(t)) return false;
  const count = (c) => [...t].filter((x) => x === c).length;
  if ([['《', '》'], ['“', '”'], ['（', '）'], ['(', ')']].some(([a, b]) => count(a) !== count(b)) || count('"') % 2) return false;
  if (language === 'zh') {
    // Characters, a Latin word (a name: "Kestrel") counting as two.
    const n = [...t.replace(/[A-Za-z]+/g, 'ww').replace(/\s/g, '')].length;
    return n >= 10 && n <= 24 && !DANGLING_ZH.has([...t].pop());
  }
  const words = t.split(/\s+/).filter(Boolean);
  return words.length >= 6 && words.length <= 14 && !DANGLING_EN.has(words[words.length - 1].toLowerCase().replace(/[^a-z]/g, ''));
}

// ---------------------------------------------------------------------------------------------
// engines
// ---------------------------------------------------------------------------------------------
function runNative(o, articles) {
  return new Promise((resolve) => {
    if (!fs.existsSync(o.nativeBin)) { resolve({ error: `${o.nativeBin} not built` }); return; }
    const args = ['bench-summarize', '--types', [...o.plan.map((p) => `${p.type}:${p.length}`)].join(','),
      '--only', articles.map((a) => a.id).join(','), '--directions', o.directions.join(','), ...(o.quality ? ['--quality', o.quality] : [])];
    const child = spawn(o.nativeBin, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => {
      const lines = (err + d).split('\n');
      err = lines.pop();
      lines.filter(Boolean).forEach((l) => log(`native: ${l}`));
    });
    child.on('close', async (code) => {
      if (code !== 0) { resolve({ error: `exit ${code}` }); return; }
      const runs = out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
      // The latency run, separately, after the others (model loaded, prompts cached).
      const lat = await new Promise((res) => {
        const c = spawn(o.nativeBin, ['bench-summarize', '--types', `${LATENCY_RUN.type}:${LATENCY_RUN.length}`, '--only', LATENCY_RUN.id],
          { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
        let s = '';
        c.stdout.on('data', (d) => { s += d; });
        c.on('close', () => res(s.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l))));
      });
      lat.forEach((r) => { r.latencyRun = true; });
      resolve({ runs: [...runs, ...lat] });
    });
  });
}

function runWasm(o, articles, threads = 1) {
  const simd = o.simd === 'relaxed' ? '&simd=relaxed' : '';
  return withBenchPage(`bench/summarize.html?threads=${threads}${simd}${o.quality ? `&quality=${o.quality}` : ''}`, log, async (page) => {
    const plain = articles.map(({ id, text, language }) => ({ id, text, language }));
    return page.evaluate(async ([a, plan, lat, directions]) => {
      const runs = [];
      // One page run per length group keeps the model loaded once per group.
      const byLength = {};
      plan.forEach((p) => { (byLength[p.length] ||= []).push(p.type); });
      let first = null;
      for (const [length, types] of Object.entries(byLength)) {
        const r = await window.runSummarizeBench(a, types, length, [], directions);
        first ||= r;
        runs.push(...r.runs);
      }
      const l = await window.runSummarizeBench(a.filter((x) => x.id === lat.id), [], 'short', [lat]);
      runs.push(...l.runs);
      return { model: first.model, userAgent: first.userAgent, runs };
    }, [plain, o.plan, LATENCY_RUN, o.directions]);
  });
}

// ---------------------------------------------------------------------------------------------
// table
// ---------------------------------------------------------------------------------------------
const median = (xs) => { const s = xs.filter(Number.isFinite).sort((a, b) => a - b); return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN; };
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const f = (x, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');

const DIRECTIONS = { same: { zh: 'zh→zh', en: 'en→en' }, cross: { zh: 'zh→en', en: 'en→zh' } };

function summarizeRuns(articles, runs, plan, labels, o) {
  const byId = Object.fromEntries(articles.map((a) => [a.id, a]));
  const rows = [];
  for (const split of o.splits) {
    for (const { type, length } of plan) {
      for (const direction of o.directions) {
        for (const lang of ['zh', 'en']) {
          const rs = runs.filter((r) => r.type === type && r.length === length && !r.latencyRun && (r.direction || 'same') === direction
            && byId[r.article]?.split === split && byId[r.article].language === lang);
          if (!rs.length) continue;
          const cross = direction === 'cross';
          const want = cross ? (lang === 'zh' ? 'en' : 'zh') : lang;
          const t = (k) => median(rs.map((r) => r.result.timing[k]));
          const units = rs.flatMap((r) => (r.result.units || []).map((u) => labels.get(`${r.article}\u0000${u}`)));
          rows.push({
            split, type, length, direction: DIRECTIONS[direction][lang], n: rs.length,
            recall: mean(rs.map((r) => recall(byId[r.article], r.result.text, cross))),
            language: rs.filter((r) => inLanguage(byId[r.article], r.result.text, want)).length / rs.length,
            mixed: rs.filter((r) => mixedScript(byId[r.article], r.result.text, r.result.outputLanguage || want).length).length,
            labelled: units.filter(Boolean).length, shown: units.length,
            supported: units.filter((l) => l === 'supported').length / Math.max(1, units.filter(Boolean).length),
            invented: rs.reduce((s, r) => s + invented(r.result.text, byId[r.article].text).length, 0),
            remaining: rs.reduce((s, r) => s + r.result.violations.remaining, 0),
            fallbacks: rs.filter((r) => r.result.fallback).length,
            languageFallbacks: rs.filter((r) => r.result.fallbackReason).length,
            compliance: rs.filter((r) => compliant(type, length, r.result.text)).length / rs.length,
            oneSentence: type === 'headline' ? rs.filter((r) => oneSentence(type, r.result.text, r.result.outputLanguage || want)).length / rs.length : null,
            dropped: rs.reduce((s, r) => s + (r.result.dropped?.length || 0), 0),
            prefillMs: t('prefillMs'), decodeMs: t('decodeMs'),
            wallMs: median(rs.map((r) => r.wallMs)),
          });
        }
      }
    }
  }
  return rows;
}

function printTable(results) {
  const head = ['engine', 'split', 'type', 'length', 'direction', 'n', 'recall', 'in language', 'mixed script', 'supported (labelled/shown)',
    'invented numbers', 'names left', 'fallbacks (language)', 'dropped', 'length ok', 'one sentence', 'prefill ms', 'decode ms', 'total ms'];
  const rows = [];
  for (const [engine, r] of Object.entries(results)) {
    if (r.error) { rows.push([engine, `n/a: ${r.error}`]); continue; }
    for (const s of r.table) {
      rows.push([engine, s.split, s.type, s.length, s.direction, s.n, f(s.recall, 2), `${f(100 * s.language)}%`, s.mixed ?? 'n/a',
        s.labelled ? `${f(100 * s.supported)}% (${s.labelled}/${s.shown})` : `– (0/${s.shown})`, s.invented, s.remaining,
        `${s.fallbacks} (${s.languageFallbacks})`, s.dropped, `${f(100 * s.compliance)}%`,
        s.oneSentence == null ? '–' : `${f(100 * s.oneSentence)}%`, f(s.prefillMs), f(s.decodeMs), f(s.wallMs)]);
    }
  }
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i] ?? '').length)));
  const line = (r) => r.map((c, i) => String(c ?? '').padEnd(widths[i])).join('  ');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  rows.forEach((r) => console.log(line(r)));
  console.log();
  for (const [engine, r] of Object.entries(results)) {
    const l = r.runs?.find((x) => x.latencyRun);
    if (l) {
      const t = l.result.timing;
      console.log(`${engine}: ${LATENCY_RUN.id} (1,505 chars) ${LATENCY_RUN.type} ${LATENCY_RUN.length} end to end ${f(l.wallMs)} ms ` +
        `(extract ${f(t.extractMs)} + prefill ${f(t.prefillMs)} [${l.result.tokens.prompt} prompt tokens, ${l.result.tokens.reused} cached] ` +
        `+ decode ${f(t.decodeMs)} [${l.result.tokens.generated} tokens]): ${l.result.text}`);
    }
  }
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const articles = loadArticles(o.only).filter((a) => o.splits.includes(a.split));
  log(`${articles.length} articles; plan ${o.types}; engines ${o.engines.join(',')}`);
  const results = {};
  if (o.fromJson) {
    // Earlier runs, merged per engine (their runs carry article ids; the table regroups them).
    for (const file of o.fromJson) {
      for (const [engine, r] of Object.entries(JSON.parse(fs.readFileSync(file, 'utf8')))) {
        if (!r.runs) continue;
        results[engine] ||= { runs: [] };
        results[engine].runs.push(...r.runs.filter((x) => !x.latencyRun || !results[engine].runs.some((y) => y.latencyRun)));
      }
    }
  } else {
    if (o.engines.includes('native')) results.native = await runNative(o, articles);
    const relaxed = o.simd === 'relaxed' ? '-relaxed' : '';
    if (o.engines.includes('wasm')) results[`wasm${relaxed}`] = await runWasm(o, articles);
    if (o.engines.includes('wasm-threads')) results[`wasm-threads${relaxed}-${o.threads}`] = await runWasm(o, articles, o.threads);
  }
  // The runs are saved before anything else can fail.
  if (!o.fromJson) {
    fs.mkdirSync(path.dirname(o.jsonOut), { recursive: true });
    fs.writeFileSync(o.jsonOut, JSON.stringify(results, null, 1));
  }
  const labels = loadLabels();
  for (const r of Object.values(results)) if (r.runs) r.table = summarizeRuns(articles, r.runs, o.plan, labels, o);
  if (!o.fromJson) fs.writeFileSync(o.jsonOut, JSON.stringify(results, null, 1));
  printTable(results);
  console.log(`\n(all runs: ${path.relative(ROOT, o.jsonOut)})`);
}

main().catch((e) => { console.error(e); process.exit(1); });
