#!/usr/bin/env node
// Scores the summarizer's sentence checks against the hand labels in eval/support/labels.jsonl:
//   node eval/support/score.mjs [--bin target/release/qingyu] [--sweep]
// "Positive" = a sentence the labels call unsupported; the checks flag it or not. Prints, per
// split (tune / check — the article's split), precision and recall of the flag, and the share
// of unsupported sentences among those the checks let through (what a reader would see).
// --sweep: the same figures on the tuning half for a grid of window × minimum coverage and of
// the clause rule's novel-word share × minimum words (how the shipped thresholds in
// crate/src/summarize/support.rs were chosen; never on check).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const bin = args.includes('--bin') ? args[args.indexOf('--bin') + 1] : path.join(ROOT, 'target/release/qingyu');
const labelsFile = path.join(ROOT, 'eval/support/labels.jsonl');
const labels = fs.readFileSync(labelsFile, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));

// The zh–en lexicon of the word check (eval/support/lexicon.py fetches it); --no-lexicon: without.
const lexiconFile = path.join(ROOT, 'eval/support/.cache/cedict.txt');
const lexicon = !args.includes('--no-lexicon') && fs.existsSync(lexiconFile) ? ['--lexicon', lexiconFile] : [];
if (!lexicon.length) console.log('no lexicon (python3 eval/support/lexicon.py fetches it): the word check is off');

function verdicts(items, extra = []) {
  const tmp = path.join(os.tmpdir(), `qy-support-${process.pid}.jsonl`);
  fs.writeFileSync(tmp, items.map((i) => JSON.stringify(i)).join('\n'));
  const out = execFileSync(bin, ['check-support', tmp, ...lexicon, ...extra], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 26 });
  fs.unlinkSync(tmp);
  return new Map(out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)).map((v) => [v.id, v]));
}

function score(items, v) {
  let tp = 0; let fp = 0; let fn = 0; let tn = 0;
  for (const i of items) {
    const flagged = !v.get(i.id).supported;
    const bad = i.label === 'unsupported';
    if (flagged && bad) tp++; else if (flagged) fp++; else if (bad) fn++; else tn++;
  }
  return { n: items.length, unsupported: tp + fn, precision: tp / Math.max(1, tp + fp), recall: tp / Math.max(1, tp + fn),
    leftUnsupported: fn / Math.max(1, fn + tn), passed: fn + tn, tp, fp, fn, tn };
}

const pct = (x) => `${(100 * x).toFixed(0)}%`;
const row = (name, s) => console.log(`${name.padEnd(24)} n=${String(s.n).padStart(3)}  unsupported=${String(s.unsupported).padStart(3)}  ` +
  `precision ${s.precision.toFixed(2)}  recall ${s.recall.toFixed(2)}  unsupported among passed ${pct(s.leftUnsupported)} (${s.fn}/${s.passed})`);

const bySplit = (split) => labels.filter((l) => l.split === split);
if (args.includes('--sweep')) {
  const tune = bySplit('tune');
  console.log('sweep on the tuning half (window × minimum coverage):');
  for (const window of [1, 2, 3]) {
    for (const cov of [0.3, 0.4, 0.5, 0.6, 0.7]) {
      row(`window ${window}, cov ${cov}`, score(tune, verdicts(tune, ['--window', String(window), '--min-coverage', String(cov)])));
    }
  }
  console.log('sweep on the tuning half (clause: most novel share × minimum content words; shipped window and coverage):');
  for (const novel of [0.5, 0.6, 0.67, 0.75, 0.8, 1.0]) {
    for (const min of [2, 3, 4]) {
      row(`clause novel > ${novel}, ≥${min} words`, score(tune, verdicts(tune, ['--clause-max-novel', String(novel), '--clause-min-terms', String(min)])));
    }
  }
  if (lexicon.length) {
    // Into Chinese and into English separately; the other direction keeps its shipped thresholds.
    for (const lang of ['zh', 'en']) {
      console.log(`sweep on the tuning half (lexicon word check into ${lang}: nouns only or all × fewest unbacked × largest unbacked share × most entries a judged word's gloss may have):`);
      for (const nouns of [1, 0]) {
        for (const min of [1, 2, 3]) {
          for (const share of [0, 0.34]) {
            for (const entries of [0, 40]) {
              row(`${lang} ${nouns ? 'nouns' : 'all'} ≥${min} >${share} ≤${entries || '∞'}`, score(tune, verdicts(tune, [`--words-${lang}-nouns-only`, String(nouns),
                `--words-${lang}-min-unbacked`, String(min), `--words-${lang}-max-share`, String(share), `--words-${lang}-max-entries`, String(entries)])));
            }
          }
        }
      }
    }
  }
  console.log();
}
// --split tune: score (and list) only that half, so that work on the checker never sees check.
const splits = args.includes('--split') ? [args[args.indexOf('--split') + 1]] : ['tune', 'check'];
const scored = labels.filter((l) => splits.includes(l.split));
const all = verdicts(scored);
console.log(`${scored.length} labelled sentences (${labelsFile.replace(`${ROOT}/`, '')}), shipped thresholds:`);
for (const split of splits) row(split, score(bySplit(split), all));
// --misses: each false negative / false positive of the shown halves, with the checks' reasons.
if (args.includes('--misses')) {
  for (const l of scored) {
    const v = all.get(l.id);
    const bad = l.label === 'unsupported';
    if (v.supported !== bad) continue;
    console.log(`${bad ? 'FN' : 'FP'} ${l.id} ${l.article} ${l.direction} ${l.type}: ${l.sentence}`);
    if (l.sourceUnit) console.log(`   unit: ${l.sourceUnit}`);
    console.log(`   label: ${l.note}`);
    if (!v.supported) console.log(`   checks: ${v.reasons.join(' | ')}`);
  }
}
for (const split of splits) {
  for (const kind of ['same', 'translated']) {
    const items = bySplit(split).filter((l) => (kind === 'translated') === Boolean(l.sourceUnit));
    if (items.length) row(`  ${split}, ${kind}`, score(items, all));
  }
}
