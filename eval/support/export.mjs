#!/usr/bin/env node
// Collects the sentences the summarizer's model wrote (shown and dropped, every type and
// direction) from `qingyu bench-summarize` JSON lines into candidates for hand labelling:
//   node eval/support/export.mjs RUNS.jsonl... > candidates.jsonl
// Each line: {id, article, split, direction, type, sentence, sourceUnit?}. The checks'
// verdicts and reasons are left out on purpose: a label must not be influenced by them.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const article = (id) => JSON.parse(fs.readFileSync(path.join(ROOT, 'eval/articles', `${id}.json`), 'utf8'));
const seen = new Set();
const out = [];
for (const file of process.argv.slice(2)) {
  for (const line of fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.startsWith('{'))) {
    const run = JSON.parse(line);
    const r = run.result;
    if (!r.llm) continue;
    const a = article(run.article);
    const direction = `${a.language}→${r.outputLanguage === a.language && run.direction !== 'cross' ? a.language : (a.language === 'zh' ? 'en' : 'zh')}`;
    const push = (sentence, sourceUnit) => {
      const key = `${run.article}\u0000${sentence}`;
      // Extracted sentences are the article's own words: not generated, nothing to label.
      if (!sentence || seen.has(key) || (!sourceUnit && a.text.includes(sentence))) return;
      seen.add(key);
      out.push({ article: run.article, split: a.split, direction, type: run.type, sentence, ...(sourceUnit ? { sourceUnit } : {}) });
    };
    const translated = run.direction === 'cross' && !r.fallbackReason;
    // Source-language units (the model's summary before translation, or a same-language summary).
    for (const u of r.sourceUnits || []) push(u);
    for (const d of r.dropped || []) push(d.unit, d.source);
    if (!translated) for (const u of r.units || []) if (!r.fallback) push(u);
    if (translated) {
      // Shown translations: their source unit is the i-th translated one (names annotated).
      // Which source unit each shown translation came from: `translatedFrom`, or for runs made
      // before it existed, the source units in order minus those whose translation was dropped.
      const droppedSources = new Set((r.dropped || []).map((d) => d.source).filter(Boolean));
      const sources = r.translatedFrom || (r.sourceUnits || []).filter((u) => !droppedSources.has(u));
      (r.units || []).forEach((u, i) => push(u, sources[i]));
    }
  }
}
out.forEach((o, i) => console.log(JSON.stringify({ id: `s${String(i + 1).padStart(3, '0')}`, ...o })));
