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

const ZH_DIGIT = { 〇: 0, 零: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };
const ZH_UNIT = { 十: 10, 百: 100, 千: 1000, 万: 1e4, 亿: 1e8 };

/** The value of a run of Chinese numerals (一千二百 → 1200, 十五 → 15, 3 → 3). */
function zhNumeral(run) {
  if (/^\d+$/.test(run)) return Number(run);
  let total = 0; let section = 0; let current = 0;
  for (const c of run) {
    if (c in ZH_DIGIT) current = ZH_DIGIT[c];
    else if (ZH_UNIT[c] >= 1e4) { total += Math.max(section + current, 1) * ZH_UNIT[c]; section = 0; current = 0; }
    else { section += Math.max(current, 1) * ZH_UNIT[c]; current = 0; }
  }
  return total + section + current;
}

/** Quantities a Chinese text states without digits, as the product's translation check reads them
 *  (crate/src/summarize/translate.rs, number_values): numeral runs (三 → 3), tenths (四成 → 40),
 *  fractions (四分之一 → 25 and its numerals, 三分之二 → 2 and 3), decades (九十年代 → 1990),
 *  doublings (翻了一番 → 100 and 2). A summary that writes these in digits invents nothing. */
export function chineseValues(text) {
  const out = [];
  for (const m of text.matchAll(/[〇零一二两三四五六七八九十百千万亿]+/g)) {
    const v = zhNumeral(m[0]);
    out.push(v);
    if (text[m.index + m[0].length] === '成') out.push(v * 10);
  }
  for (const m of text.matchAll(/([〇零一二两三四五六七八九十百千万\d]+)分之([〇零一二两三四五六七八九十百千万\d]+)/g)) {
    const [den, num] = [zhNumeral(m[1]), zhNumeral(m[2])];
    if (den > 0) out.push((100 * num) / den);
  }
  for (const m of text.matchAll(/(?<![一二三四五六七八九十])([一二三四五六七八九])十年代/g)) {
    const d = ZH_DIGIT[m[1]];
    out.push(1900 + 10 * d);
    if (d <= 2) out.push(2000 + 10 * d);
  }
  for (const [words, rise] of [['翻了一番', 100], ['翻一番', 100], ['翻了两番', 300], ['翻两番', 300]]) {
    if (text.includes(words)) out.push(rise, rise / 100 + 1);
  }
  return out;
}

/** Numbers of `summary` that `source` has neither as written nor as the same quantity (invented facts). */
export function inventedNumbers(summary, source) {
  const flat = source.replace(/,(?=\d{3}\b)/g, '');
  const values = [...quantitiesIn(source).map((q) => q.value), ...chineseValues(source)];
  const same = (a, b) => Math.abs(a - b) <= 1e-6 * Math.max(Math.abs(a), Math.abs(b), 1);
  return quantitiesIn(summary)
    .filter((q) => !flat.includes(q.raw) && !values.some((v) => same(v, q.value)))
    .map((q) => q.raw);
}
