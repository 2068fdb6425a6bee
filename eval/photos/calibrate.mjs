#!/usr/bin/env node
// Reliability tables for the caption models, fitted on one half of the eval photos (tune by default;
// never fit on check). Runs `qingyu caption PHOTOS --lang en --json --raw` once (cached in
// target/calib/<split>.json; --reuse reads the cache) and prints, per score bin, how often the concept
// is right, i.e. one of its English names (class name, concept key, concept name) matches
// `accept` ∪ `present` the way scripts/bench-caption.mjs counts false mentions:
//   * classifier top-1: the top label's probability → its concept right?
//   * classifier concepts: every concept of the top-20 labels (probabilities of labels sharing a
//     concept summed), non-scene and scene apart → right?
//   * detector: every concept the detector found (its best box score, all boxes ≥ 0.2) → right?,
//     also apart: concepts the classifier does not back (its sum < 0.05) although it has a class
//     for them ("unbacked"), and concepts it has no class for (person: "no classifier class");
//   * agreement: concepts both models name (classifier sum ≥ 0.05 and a box ≥ 0.2), by box score;
//   * OCR: confident lines and the share of the image their boxes cover, documents/screenshots vs
//     the rest (for the page/screen rule);
//   * wording (when the captions carry tags with `level`): claimed level vs how often it is right.
// Each table also has a monotone (pool-adjacent-violators) fit and, per bin, the Wilson lower bound
// (z = 1) of its share right, which is what tags.rs states as a tag's confidence; the JSON goes to
// eval/photos/calibration.json (--out PATH), which the constants in crate/src/vision/caption/tags.rs
// were copied from.
//
// node eval/photos/calibrate.mjs --native-bin target/release/qingyu [--split tune] [--reuse] [--out PATH]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadGroups, tagRight } from './match.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const opt = (k, d) => { const i = args.indexOf(k); return i >= 0 ? args[i + 1] : d; };
const split = opt('--split', 'tune');
const bin = path.resolve(ROOT, opt('--native-bin', 'target/release/qingyu'));
const out = path.resolve(ROOT, opt('--out', split === 'tune' ? 'eval/photos/calibration.json' : `target/calib/calibration-${split}.json`));
const cache = path.join(ROOT, `target/calib/${split}.json`);

const man = JSON.parse(fs.readFileSync(path.join(ROOT, 'eval/photos/manifest.json'), 'utf8'));
const photos = man.photos.filter((p) => (p.split || 'tune') === split);

let runs;
if (args.includes('--reuse') && fs.existsSync(cache)) runs = JSON.parse(fs.readFileSync(cache, 'utf8'));
else {
  const files = photos.map((p) => path.join(ROOT, 'eval/photos/.cache', p.file));
  const r = spawnSync(bin, ['caption', ...files, '--lang', 'en', '--json', '--raw'], { cwd: ROOT, maxBuffer: 1 << 28, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${bin}: exit ${r.status}: ${r.stderr}`);
  runs = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
  fs.mkdirSync(path.dirname(cache), { recursive: true });
  fs.writeFileSync(cache, JSON.stringify(runs));
}
if (runs.length !== photos.length) throw new Error(`${runs.length} captions for ${photos.length} photos`);

// --- the bench's rule for "this name is right" (eval/photos/match.mjs, shared with scripts/bench-caption.mjs) ---
const GROUPS = loadGroups(path.join(ROOT, 'crate/src/vision/labels'));
const right = (names, p, concept = null) => tagRight(names, concept, p, GROUPS);
const groupOf = new Map();
for (const l of fs.readFileSync(path.join(ROOT, 'crate/src/vision/labels/groups.tsv'), 'utf8').split('\n').slice(1).filter(Boolean)) {
  const [g, members] = l.split('\t');
  for (const m of members.split(' ')) groupOf.set(m, g);
}
// Groups of natural things (kind animal, plant or food): a family guess does not back off to
// them (tags.rs FAMILY_BLOCKS_GROUP).
const NATURAL_KINDS = new Set(['animal', 'plant', 'food']);
const groupKeys = new Set(groupOf.values());
const naturalGroup = new Set(fs.readFileSync(path.join(ROOT, 'crate/src/vision/labels/concepts.tsv'), 'utf8').split('\n').slice(1)
  .map((l) => l.split('\t')).filter(([key, , , , , kind]) => groupKeys.has(key) && NATURAL_KINDS.has(kind)).map(([key]) => key));

// --- bins and the monotone fit ---
function table(samples, edges) {
  const bins = edges.slice(0, -1).map((lo, i) => ({ lo, hi: edges[i + 1], n: 0, right: 0 }));
  for (const s of samples) {
    const b = bins.find((x) => s.score >= x.lo && (s.score < x.hi || (x.hi >= 1 && s.score <= 1)));
    if (b) { b.n++; b.right += s.right ? 1 : 0; }
  }
  // pool adjacent violators over non-empty bins (weights = counts)
  const blocks = bins.filter((b) => b.n).map((b) => ({ bins: [b], n: b.n, r: b.right }));
  for (let i = 0; i < blocks.length - 1;) {
    if (blocks[i].r / blocks[i].n > blocks[i + 1].r / blocks[i + 1].n) {
      const m = { bins: [...blocks[i].bins, ...blocks[i + 1].bins], n: blocks[i].n + blocks[i + 1].n, r: blocks[i].r + blocks[i + 1].r };
      blocks.splice(i, 2, m);
      if (i > 0) i--;
    } else i++;
  }
  for (const bl of blocks) for (const b of bl.bins) b.fit = +(bl.r / bl.n).toFixed(3);
  for (const b of bins) b.rate = b.n ? +(b.right / b.n).toFixed(3) : null;
  // what tags.rs states: the Wilson lower bound (z = 1) of the bin's share right (tags::lower_bound)
  for (const b of bins) b.bound = +wilson(b.right, b.n).toFixed(3);
  return bins;
}
function wilson(right, n, z = 1) {
  if (!n) return 0;
  const p = right / n; const z2 = z * z;
  return Math.max(0, (p + z2 / (2 * n) - z * Math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))) / (1 + z2 / n));
}
const CLS_EDGES = [0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0001];
const DET_EDGES = [0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 1.0001];

const inetConcepts = new Set(fs.readFileSync(path.join(ROOT, 'crate/src/vision/labels/imagenet.tsv'), 'utf8')
  .split('\n').slice(1).filter(Boolean).map((l) => l.split('\t')[3]));
const detUnbacked = []; const detNoClass = [];
const groupSamples = [];
const top1 = []; const clsObj = []; const clsScene = []; const det = []; const both = []; const ocr = []; const wording = [];
runs.forEach((r, i) => {
  const p = photos[i];
  const labels = r.raw.labels;
  if (labels.length) top1.push({ score: labels[0].score, right: right([labels[0].name, labels[0].concept, labels[0].conceptEn], p), file: p.file });
  const agg = new Map();
  for (const l of labels) {
    const a = agg.get(l.concept) || { score: 0, names: [l.concept, l.conceptEn], kind: l.kind };
    a.score += l.score; a.names.push(l.name); agg.set(l.concept, a);
  }
  const dets = new Map();
  for (const d of r.raw.detections) {
    const a = dets.get(d.concept) || { score: 0, names: [d.concept, d.conceptEn, d.name], kind: d.kind, n: 0 };
    a.score = Math.max(a.score, d.score); a.n++; dets.set(d.concept, a);
  }
  for (const [k, a] of agg) {
    if (a.score < 0.02) continue;
    const s = { score: Math.min(1, a.score), right: right(a.names, p), file: p.file, concept: k };
    (a.kind === 'scene' ? clsScene : clsObj).push(s);
    if (dets.has(k) && a.score >= 0.05) both.push({ ...s, score: dets.get(k).score, cls: a.score });
  }
  // Groups (tags.rs back_off_to_groups): the labels summed by group, where no member is sure
  // (classifier ≥ 0.7), boxed (≥ 0.35; not an animal box below 0.7 the classifier does not back
  // while it gives ≥ 0.3 to other animals: tags.rs drops those) or, for a group of natural
  // things, a family guess (its best member spread over ≥ 4 labels below 0.7), and no other
  // concept outscores the group.
  const otherAnimals = (k) => [...agg].filter(([c, a]) => c !== k && a.kind === 'animal').reduce((x, [, a]) => x + a.score, 0);
  const boxed = (k) => {
    const d = dets.get(k);
    if (!d || d.score < 0.35) return false;
    return d.kind !== 'animal' || d.score >= 0.7 || (agg.get(k)?.score || 0) >= 0.05 || otherAnimals(k) < 0.3;
  };
  const gsum = new Map();
  for (const l of labels) { const g = groupOf.get(l.concept); if (g) gsum.set(g, (gsum.get(g) || 0) + l.score); }
  for (const [g, score] of gsum) {
    if (score < 0.2) continue;
    const members = [...agg].filter(([k, a]) => groupOf.get(k) === g && a.kind !== 'scene');
    if (members.some(([k, a]) => a.score >= 0.7) || [...dets.keys()].some((k) => groupOf.get(k) === g && boxed(k))) continue;
    if ([...agg].some(([k, a]) => groupOf.get(k) !== g && a.kind !== 'scene' && a.score > score)) continue;
    const best = members.sort((x, y) => y[1].score - x[1].score)[0];
    if (naturalGroup.has(g) && best && labels.filter((l) => l.concept === best[0]).length >= 4 && best[1].score < 0.7) continue;
    groupSamples.push({ score: Math.min(1, score), right: right([g], p, g), file: p.file, concept: g });
  }
  for (const [k, a] of dets) {
    const s = { score: a.score, right: right(a.names, p), file: p.file, concept: k, n: a.n };
    det.push(s);
    if (!inetConcepts.has(k)) detNoClass.push(s);
    else if ((agg.get(k)?.score || 0) < 0.05) detUnbacked.push(s);
  }
  const W = r.raw.width * r.raw.height;
  const conf = (r.ocr || []).filter((l) => l.score >= 0.8 && (l.text.match(/[\p{L}\p{N}]/gu) || []).length >= 2);
  const area = conf.reduce((a, l) => {
    const xs = l.box.map((c) => c[0]); const ys = l.box.map((c) => c[1]);
    return a + (Math.max(...xs) - Math.min(...xs)) * (Math.max(...ys) - Math.min(...ys));
  }, 0);
  const chars = conf.reduce((a, l) => a + [...l.text].length, 0);
  ocr.push({ file: p.file, category: p.category, lines: conf.length, chars, area: +(area / W).toFixed(4),
    doc: ['document', 'screenshot'].includes(p.category) });
  // claimed wording vs right (captions whose tags carry `level`)
  const named = (r.tags || []).filter((t) => t.level && t.level !== 'none');
  if (named.length) {
    const lead = named[0].level;
    const group = named.filter((t) => t.level === lead);
    const ok = group.map((t) => right([t.name, t.concept, ...(t.related || [])], p, t.concept));
    // sure / likely: every tag stated at that level is right; possible: one of the candidates is
    wording.push({ file: p.file, level: lead, right: lead === 'possible' ? ok.some(Boolean) : ok.every(Boolean), text: r.text,
      claimed: Math.min(...group.map((t) => t.confidence ?? 0)) });
  }
});

const fmtBins = (name, bins) => {
  console.log(`\n${name}`);
  console.log('  bin            n  right  rate   monotone fit  lower bound');
  for (const b of bins) if (b.n) console.log(`  ${b.lo.toFixed(2)}–${Math.min(1, b.hi).toFixed(2)}  ${String(b.n).padStart(5)}  ${String(b.right).padStart(5)}  ${b.rate.toFixed(2)}   ${b.fit.toFixed(2)}          ${b.bound.toFixed(2)}`);
};
const result = {
  comment: `Reliability of the caption models on the ${split} half of eval/photos (${photos.length} photos): per score bin, how often `
    + 'the concept is in accept ∪ present. Command: node eval/photos/calibrate.mjs --native-bin target/release/qingyu '
    + `--split ${split}. Fitted on tune only; the counts (n, right) of the coarse tables are the bins of crate/src/vision/caption/tags.rs, which states each bin's lower bound (bound).`,
  split, photos: photos.length,
  classifier_top1: table(top1, CLS_EDGES),
  classifier_concepts: table(clsObj, CLS_EDGES),
  classifier_scenes: table(clsScene, CLS_EDGES),
  detector: table(det, DET_EDGES),
  detector_unbacked: table(detUnbacked, DET_EDGES),
  detector_no_classifier_class: table(detNoClass, DET_EDGES),
  // every group tags.rs would weigh naming, with its summed score and whether it is right
  group_candidates: groupSamples.map(({ file, concept, score, right: ok }) => ({ file, group: concept, score: +score.toFixed(3), right: ok })),
  // the coarse bins tags.rs uses (edges chosen from the tables above)
  coarse: {
    classifier_concepts: table(clsObj, [0, 0.1, 0.15, 0.6, 0.7, 1.0001]),
    classifier_scenes: table(clsScene, [0, 0.05, 0.5, 1.0001]),
    groups: table(groupSamples, [0.2, 0.5, 1.0001]),
    agreement: table(both, [0.2, 0.35, 1.0001]),
    detector_unbacked: table(detUnbacked, [0.2, 0.35, 0.45, 0.7, 1.0001]),
    detector_no_classifier_class: table(detNoClass, [0.2, 0.35, 0.45, 0.7, 1.0001]),
  },
  agreement: table(both, DET_EDGES),
};
fmtBins('classifier top-1 label probability → its concept right', result.classifier_top1);
fmtBins('classifier concept (summed top-20 probabilities; non-scene) → right', result.classifier_concepts);
fmtBins('classifier scene concept → right', result.classifier_scenes);
fmtBins('detector concept (best box score) → right', result.detector);
fmtBins('detector concept the classifier has a class for but does not back (sum < 0.05) → right', result.detector_unbacked);
fmtBins('detector concept the classifier has no class for (person) → right', result.detector_no_classifier_class);
for (const [k, t] of Object.entries(result.coarse)) fmtBins(`coarse (tags.rs): ${k}`, t);
fmtBins('both models name the concept (by best box score) → right', result.agreement);
if (args.includes('--verbose')) {
  for (const [n, xs] of [['det', det], ['cls', clsObj], ['scene', clsScene]]) {
    console.log(`\n${n} samples ≥ 0.2:`);
    for (const s of xs.filter((x) => x.score >= 0.2).sort((a, b) => b.score - a.score)) console.log(`  ${s.score.toFixed(2)} ${s.right ? 'Y' : '.'} ${s.concept} ${s.file}`);
  }
}
console.log('\nOCR (confident lines: score ≥ 0.8, ≥ 2 letters/digits) — documents/screenshots vs the rest');
for (const o of ocr.sort((a, b) => b.area - a.area)) {
  if (o.lines || o.doc) console.log(`  ${o.doc ? 'DOC' : '   '} ${o.file.padEnd(34)} lines ${String(o.lines).padStart(3)}  chars ${String(o.chars).padStart(5)}  area ${(100 * o.area).toFixed(1)}%`);
}
result.ocr = ocr;
if (wording.length) {
  console.log('\nwording: claimed (lowest calibrated confidence among the lead tags) vs right');
  result.wording = {};
  for (const lv of ['sure', 'likely', 'possible']) {
    const w = wording.filter((x) => x.level === lv);
    if (!w.length) continue;
    const claimed = w.reduce((a, x) => a + x.claimed, 0) / w.length;
    const ok = w.filter((x) => x.right).length;
    result.wording[lv] = { n: w.length, right: ok, rate: +(ok / w.length).toFixed(3), claimed: +claimed.toFixed(3) };
    console.log(`  ${lv.padEnd(8)} n ${String(w.length).padStart(3)}  right ${String(ok).padStart(3)}  actual ${(100 * ok / w.length).toFixed(0)}%  claimed ${(100 * claimed).toFixed(0)}%`);
    if (args.includes('--verbose')) for (const x of w) console.log(`      ${x.right ? 'Y' : '.'} ${x.file}: ${x.text}`);
  }
}
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, `${JSON.stringify(result, (k, v) => (k === 'ocr' ? undefined : v), 1)}\n`);
console.log(`\n→ ${path.relative(ROOT, out)}`);
