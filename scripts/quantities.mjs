// Numbers as quantities, for scoring summaries across languages: "3.2万" and "32,000", "$96.4
// million" and "9640万美元" are the same figure. Shared by the e2e tests and the summarize bench.

const SCALES = [['trillion', 1e12], ['billion', 1e9], ['million', 1e6], ['thousand', 1e3],
  ['万亿', 1e12], ['亿', 1e8], ['千万', 1e7], ['百万', 1e6], ['万', 1e4]];

/** Every digit number in `text` as {raw, value}: raw without thousands separators, value with its scale word applied. */
export function quantitiesIn(text) {
  return [...text.matchAll(/\d+(?:[.,]\d+)*/g)].map((m) => {
    const raw = m[0].replace(/,(?=\d{3}\b)/g, '');
    const after = text.slice(m.index + m[0].length).replace(/^[\s-]+/, '').toLowerCase();
    const scale = SCALES.find(([w]) => after.startsWith(w))?.[1] ?? 1;
    return { raw, value: Number(raw.replace(/,/g, '')) * scale };
  });
}

/** Numbers of `summary` that `source` has neither as written nor as the same quantity (invented facts). */
export function inventedNumbers(summary, source) {
  const flat = source.replace(/,(?=\d{3}\b)/g, '');
  const values = quantitiesIn(source).map((q) => q.value);
  const same = (a, b) => Math.abs(a - b) <= 1e-6 * Math.max(Math.abs(a), Math.abs(b), 1);
  return quantitiesIn(summary)
    .filter((q) => !flat.includes(q.raw) && !values.some((v) => same(v, q.value)))
    .map((q) => q.raw);
}
