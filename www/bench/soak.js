// Soak page: N summaries and N captions, interleaved, through the public library only
// (Qingyu.create / summarizeStreaming / caption / memoryStats), a few calls in flight at once.
// Every result is checked against its own request:
//   summaries: the output language; the content words (en: 6-letter stems, zh: Han bigrams) of
//     the text — for cross-language summaries, of the source-language units it was translated
//     from — must match its own article better than any other article; the streamed pieces must
//     add up to the final text;
//   captions: the caption language; every caption of the same (image, language) is identical
//     (text, alt, labels, objects, OCR, tags), and a corrupt file always gives the same typed error;
//   cancels (~10 % of summaries, midway: at the first streamed piece or after a random delay)
//     reject with AbortError (or finished first: then checked like the others).
// Anything else — an unexpected error, a call aborted without being cancelled, a result that does not
// belong to its request — is a lost or mixed result. Every `every` completed operations the page
// calls window.soakSample({ops, wasm: qy.memoryStats()}) (the driver adds JS heap and renderer RSS).
import { Qingyu } from '../lib/qingyu.js';

const logEl = document.getElementById('log');
const log = (msg) => { console.log(`[bench] ${msg}`); logEl.textContent += `${msg}\n`; };

const TYPES = ['tldr', 'key-points', 'teaser', 'headline'];
const LENGTHS = ['short', 'medium', 'long'];
const SIZES = [0, 800, 320, 96]; // longest side in px; 0 = as is (capped at 2048)
const FORMATS = ['png', 'jpeg', 'webp', 'gif'];
const CORRUPT = ['truncated', 'header', 'noise'];

function rngFrom(seed) { // mulberry32
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---- content check ------------------------------------------------------------------------
const HAN = /\p{Script=Han}/u;
const EN_STOP = new Set('about after again against because been before being between both could does doing during each further have having here into more most other over same should some such than that their theirs them then there these they this those through under until very were what when where which while whom will with would your from also said says year years people'.split(' '));

function contentTokens(text, lang) {
  const out = new Set();
  if (lang === 'zh') {
    for (const run of text.match(/\p{Script=Han}+/gu) ?? []) {
      const c = [...run];
      for (let i = 0; i + 1 < c.length; i++) out.add(c[i] + c[i + 1]);
    }
  } else {
    for (const w of text.toLowerCase().match(/[a-z]{4,}/g) ?? []) if (!EN_STOP.has(w)) out.add(w.slice(0, 6));
  }
  for (const n of text.replace(/(\d),(\d)/g, '$1$2').match(/\d+(\.\d+)?/g) ?? []) if (n.length > 1) out.add(`#${n}`);
  return out;
}

/** 'zh' | 'en' | 'none' by script counts. */
function scriptOf(text) {
  let han = 0;
  let latin = 0;
  for (const ch of text) {
    if (HAN.test(ch)) han++;
    else if (/[A-Za-z]/.test(ch)) latin++;
  }
  if (han + latin === 0) return 'none';
  // Latin letters in Chinese text (names kept in Latin) and a source spelling in parentheses in
  // English text are allowed: judge by the larger share, weighing a Han character as a word.
  return han * 3 >= latin ? 'zh' : 'en';
}

function bestArticle(text, lang, articles) {
  const toks = contentTokens(text, lang);
  if (toks.size < 2) return { ok: true, weak: true, score: null, own: null };
  let best = -1;
  const scores = articles.map((a) => {
    if (a.language !== lang) return -1;
    a.tokens ??= contentTokens(a.text, a.language);
    let hit = 0;
    for (const t of toks) if (a.tokens.has(t)) hit++;
    const s = hit / toks.size;
    best = Math.max(best, s);
    return s;
  });
  return { scores, best, tokens: toks.size };
}

function checkSummary(op, article, articles, result, streamed) {
  const problems = [];
  const text = String(result?.text ?? '');
  if (!text.trim()) problems.push('empty text');
  const expected = op.outputLanguage && result?.fallback && result?.fallbackReason ? article.language : (op.outputLanguage ?? article.language);
  const got = scriptOf(text);
  if (got !== expected) problems.push(`language ${got}, expected ${expected}`);
  const norm = (s) => s.replace(/\s+/g, '');
  if (norm(streamed) !== norm(text)) problems.push('streamed pieces differ from the final text');
  // Which text to match against the articles: the output, or what it was translated from.
  const cross = expected !== article.language;
  const units = cross ? (result?.sourceUnits ?? []).join('\n') : text;
  if (cross && !units.trim()) problems.push('cross-language result without sourceUnits');
  const m = bestArticle(units, article.language, articles);
  if (m.scores) {
    const own = m.scores[article.index];
    if (own < m.best) problems.push(`content matches another article better (${own.toFixed(2)} < ${m.best.toFixed(2)}: ${articles[m.scores.indexOf(m.best)].id})`);
    else if (own < 0.3) problems.push(`content words barely in its article (${own.toFixed(2)})`);
  }
  return { problems, language: got, matchScore: m.scores ? m.scores[article.index] : null, weak: !!m.weak, cross };
}

// ---- images -------------------------------------------------------------------------------
/** A GIF89a of the canvas pixels: 3-3-2 palette, LZW kept at 9-bit codes by a clear code every 250 pixels. */
function encodeGif(rgba, w, h) {
  const bytes = [];
  const push16 = (v) => bytes.push(v & 255, v >> 8);
  bytes.push(...[...'GIF89a'].map((c) => c.charCodeAt(0)));
  push16(w); push16(h);
  bytes.push(0xf7, 0, 0); // global colour table, 8 bits, 256 entries
  for (let i = 0; i < 256; i++) bytes.push(Math.round(((i >> 5) & 7) * 255 / 7), Math.round(((i >> 2) & 7) * 255 / 7), Math.round((i & 3) * 255 / 3));
  bytes.push(0x2c); push16(0); push16(0); push16(w); push16(h); bytes.push(0);
  bytes.push(8); // LZW minimum code size
  const data = [];
  let acc = 0;
  let nbits = 0;
  const code = (c) => { acc |= c << nbits; nbits += 9; while (nbits >= 8) { data.push(acc & 255); acc >>>= 8; nbits -= 8; } };
  code(256);
  for (let p = 0, k = 0; p < w * h; p++, k++) {
    if (k === 250) { code(256); k = 0; }
    const r = rgba[p * 4];
    const g = rgba[p * 4 + 1];
    const b = rgba[p * 4 + 2];
    code(((r >> 5) << 5) | ((g >> 5) << 2) | (b >> 6));
  }
  code(257);
  if (nbits > 0) data.push(acc & 255);
  for (let i = 0; i < data.length; i += 255) {
    const n = Math.min(255, data.length - i);
    bytes.push(n);
    for (let j = 0; j < n; j++) bytes.push(data[i + j]);
  }
  bytes.push(0, 0x3b);
  return new Uint8Array(bytes);
}

const sourceCache = new Map();
async function sourceBitmap(url) {
  if (!sourceCache.has(url)) sourceCache.set(url, fetch(url).then((r) => { if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`); return r.blob(); }).then((b) => createImageBitmap(b)));
  return sourceCache.get(url);
}

const variantCache = new Map();
/** The bytes of one test image: a photo at a size in a format, maybe corrupted (deterministically). */
function variantBytes(v) {
  const key = `${v.url}|${v.size}|${v.format}|${v.corrupt ?? ''}`;
  if (!variantCache.has(key)) {
    variantCache.set(key, (async () => {
      const bmp = await sourceBitmap(v.url);
      const longest = Math.max(bmp.width, bmp.height);
      const scale = Math.min(1, (v.size || 2048) / longest);
      const w = Math.max(1, Math.round(bmp.width * scale));
      const h = Math.max(1, Math.round(bmp.height * scale));
      const canvas = new OffscreenCanvas(w, h);
      const ctx = canvas.getContext('2d', { willReadFrequently: true });
      ctx.drawImage(bmp, 0, 0, w, h);
      let bytes;
      if (v.format === 'gif') bytes = encodeGif(ctx.getImageData(0, 0, w, h).data, w, h);
      else bytes = new Uint8Array(await (await canvas.convertToBlob({ type: `image/${v.format}`, quality: 0.85 })).arrayBuffer());
      if (v.corrupt) {
        const rnd = rngFrom(bytes.length);
        if (v.corrupt === 'truncated') bytes = bytes.slice(0, Math.floor(bytes.length * 0.4));
        else if (v.corrupt === 'header') { bytes = bytes.slice(); for (let i = 0; i < Math.min(48, bytes.length); i++) bytes[i] = Math.floor(rnd() * 256); }
        else { bytes = new Uint8Array(4096); for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(rnd() * 256); }
      }
      return { bytes, width: w, height: h };
    })());
  }
  return variantCache.get(key);
}

function captionFingerprint(r) {
  const strip = (list, keys) => (list ?? []).map((x) => keys.map((k) => JSON.stringify(x[k] ?? null)).join(':')).join('|');
  return JSON.stringify([r.text, r.alt, strip(r.labels, ['name', 'score']), strip(r.objects, ['name', 'score', 'box']),
    strip(r.ocr, ['text', 'score', 'box']), strip(r.tags, ['concept', 'count', 'score', 'position', 'area'])]);
}

// ---- the plan -----------------------------------------------------------------------------
function makePlan(cfg, articles, photoUrls) {
  const rnd = rngFrom(cfg.seed ?? 1);
  const summaries = [];
  const order = articles.map((_, i) => i).sort(() => rnd() - 0.5);
  for (let i = 0; i < cfg.summaries; i++) {
    const article = articles[order[i % order.length]];
    let type = TYPES[i % TYPES.length];
    const length = LENGTHS[Math.floor(i / TYPES.length) % LENGTHS.length];
    let direction = rnd() < 0.4 ? 'cross' : 'same';
    const llm = !cfg.noLlm && rnd() < (cfg.llmShare ?? 1);
    if (!llm) { type = 'key-points'; direction = 'same'; }
    const other = article.language === 'zh' ? 'en' : 'zh';
    const outputLanguage = direction === 'cross' ? other : (rnd() < 0.5 ? article.language : undefined);
    // Cancels go to LLM summaries (an extractive one takes a few ms: nothing to stop midway), as
    // many as cancelShare of all summaries; without the LLM, to extractive ones.
    const modes = cfg.cancelModes ?? ['first-piece', 'timer'];
    const share = cfg.noLlm ? (cfg.cancelShare ?? 0.1) : Math.min(1, (cfg.cancelShare ?? 0.1) / (cfg.llmShare ?? 1));
    const cancelRoll = rnd();
    const modeRoll = rnd();
    const cancel = (llm || cfg.noLlm) && cancelRoll < share ? modes[Math.floor(modeRoll * modes.length)] : null;
    summaries.push({
      kind: 'summary', article: article.index, id: article.id, type, length, format: rnd() < 0.5 ? 'markdown' : 'plain-text',
      outputLanguage: type === 'key-points' && outputLanguage === article.language && rnd() < 0.5 ? undefined : outputLanguage,
      direction, llm: type !== 'key-points' || direction === 'cross', cancel, cancelAfterMs: cancel === 'timer' ? Math.round(300 + rnd() * 4000) : null,
    });
  }
  // A pool of (image, language) requests, each asked several times: the answers must agree.
  const poolSize = Math.max(4, Math.min(cfg.captionPool ?? 60, Math.ceil(cfg.captions / 4)));
  const pool = [];
  for (let i = 0; i < poolSize; i++) {
    const corrupt = i % 8 === 5 ? CORRUPT[Math.floor(i / 8) % CORRUPT.length] : null;
    pool.push({
      url: photoUrls[i % photoUrls.length], size: SIZES[Math.floor(i / photoUrls.length) % SIZES.length],
      format: FORMATS[(i + Math.floor(i / FORMATS.length)) % FORMATS.length], corrupt, language: i % 2 ? 'en' : 'zh',
    });
  }
  const captions = [];
  for (let i = 0; i < cfg.captions; i++) {
    const p = i < poolSize ? i : Math.floor(rnd() * poolSize);
    captions.push({ kind: 'caption', pool: p, ...pool[p] });
  }
  // Interleave evenly by position.
  const plan = [...summaries.map((o, i) => ({ o, at: (i + 0.5) / summaries.length })), ...captions.map((o, i) => ({ o, at: (i + 0.25) / captions.length }))]
    .sort((a, b) => a.at - b.at).map((x, n) => ({ n, ...x.o }));
  return { plan, pool };
}

// ---- running ------------------------------------------------------------------------------
async function runSummary(qy, op, articles) {
  const article = articles[op.article];
  const ctrl = new AbortController();
  let timer = null;
  if (op.cancel === 'timer') timer = setTimeout(() => ctrl.abort(), op.cancelAfterMs);
  const options = { type: op.type, length: op.length, format: op.format, signal: ctrl.signal };
  if (op.outputLanguage) options.outputLanguage = op.outputLanguage;
  const t0 = performance.now();
  let firstMs = null;
  let streamed = '';
  const stream = qy.summarizeStreaming(article.text, options);
  try {
    for await (const piece of stream) {
      firstMs ??= performance.now() - t0;
      streamed += piece;
      if (op.cancel === 'first-piece' && !ctrl.signal.aborted) ctrl.abort();
    }
  } catch (e) {
    clearTimeout(timer);
    const ms = performance.now() - t0;
    if (e?.name === 'AbortError' && ctrl.signal.aborted) return { outcome: 'cancelled', ms, firstMs };
    return { outcome: 'error', ms, firstMs, error: `${e?.name}: ${e?.message}`, problems: [`${e?.name === 'AbortError' ? 'aborted without a cancel' : 'unexpected error'}: ${e?.name}: ${e?.message}`] };
  }
  clearTimeout(timer);
  const ms = performance.now() - t0;
  const result = stream.result;
  const check = checkSummary(op, article, articles, result, streamed);
  return {
    outcome: op.cancel ? 'finished-before-cancel' : 'ok', ms, firstMs, fallback: !!result?.fallback, problems: check.problems,
    language: check.language, matchScore: check.matchScore, weak: check.weak, chars: [...String(result?.text ?? '')].length,
  };
}

async function runCaption(qy, op, seen) {
  const v = await variantBytes(op);
  const mime = `image/${op.format}`;
  const blob = new Blob([v.bytes], { type: mime });
  const key = `${op.pool}`;
  const t0 = performance.now();
  let answer;
  let result = null;
  try {
    result = await qy.caption(blob, { language: op.language });
    answer = `ok ${captionFingerprint(result)}`;
  } catch (e) {
    answer = `error ${e?.name}`;
    if (e?.name === 'AbortError') {
      return { outcome: 'error', ms: performance.now() - t0, error: `${e.name}: ${e.message}`, problems: [`aborted without a cancel: ${e.message}`] };
    }
    if (e?.name !== 'InvalidInput') {
      return { outcome: 'error', ms: performance.now() - t0, error: `${e?.name}: ${e?.message}`, problems: [`untyped/unexpected error: ${e?.name}: ${e?.message}`] };
    }
  }
  const ms = performance.now() - t0;
  const problems = [];
  if (result) {
    const got = scriptOf(String(result.text ?? ''));
    if (got !== op.language && got !== 'none') problems.push(`caption language ${got}, expected ${op.language}`);
    if (!result.text) problems.push('caption without text');
  } else if (!op.corrupt) problems.push(`a valid ${op.format} ${v.width}×${v.height} failed: ${answer}`);
  if (seen.has(key)) {
    if (seen.get(key) !== answer) problems.push('different answer than for the same image and language before');
  } else seen.set(key, answer);
  return { outcome: result ? 'ok' : 'rejected', ms, problems, text: result?.text ?? null, bytes: v.bytes.length, width: v.width, height: v.height };
}

window.runSoak = async (cfg) => {
  const articles = cfg.articles.map((a, index) => ({ ...a, index }));
  const { plan, pool } = makePlan(cfg, articles, cfg.photoUrls);
  log(`plan: ${plan.filter((o) => o.kind === 'summary').length} summaries, ${plan.filter((o) => o.kind === 'caption').length} captions over ${pool.length} (image, language) pairs; ${cfg.concurrency} in flight; sample every ${cfg.every}`);
  const errors = [];
  const t0 = performance.now();
  // preload: load the models before the first operation (the short CI run), so that its warm-up is not the model load.
  const qy = await Qingyu.create({ preload: cfg.preload ?? [] });
  // Prepare every image first so that encoding does not count as the library's time or memory.
  for (const p of pool) await variantBytes(p);
  const seen = new Map();
  const records = [];
  let done = 0;
  let nextSample = 0;
  const sample = async () => {
    // memoryStats is a call like the others: a worker restart (after a cancel) rejects it too.
    let m = null;
    for (let tries = 0; !m && tries < 3; tries++) {
      try { m = await qy.memoryStats(); } catch (e) { log(`memoryStats failed (${e?.name}: ${e?.message}); asking again`); }
    }
    await window.soakSample({ ops: done, t: performance.now() - t0, ...(m ?? { workerRestarts: qy.workerRestarts }) });
  };
  await sample();
  nextSample = cfg.every;
  const inflight = new Set();
  let next = 0;
  const start = (op) => {
    const p = (op.kind === 'summary' ? runSummary(qy, op, articles) : runCaption(qy, op, seen))
      .catch((e) => ({ outcome: 'error', problems: [`harness: ${e?.message ?? e}`] }))
      .then((r) => {
        inflight.delete(p);
        done++;
        const rec = { ...op, ...r };
        records.push(rec);
        if (rec.problems?.length) { errors.push(rec); log(`#${op.n} ${op.kind} problem: ${rec.problems.join('; ')}`); }
        if (cfg.verbose || done % 25 === 0) log(`${done}/${plan.length} done (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
      });
    inflight.add(p);
  };
  while (next < plan.length || inflight.size) {
    // maxMinutes: stop starting operations after that long (the ones in flight finish), so a
    // long run still reports within a time box.
    if (cfg.maxMinutes && performance.now() - t0 > cfg.maxMinutes * 60_000 && next < plan.length) {
      log(`time box of ${cfg.maxMinutes} min reached: ${next} of ${plan.length} operations started`);
      plan.length = next;
    }
    while (next < plan.length && inflight.size < cfg.concurrency) start(plan[next++]);
    await Promise.race(inflight);
    if (done >= nextSample || (next >= plan.length && !inflight.size)) {
      await sample();
      nextSample = done + cfg.every;
    }
  }
  const restarts = qy.workerRestarts;
  const started = next;
  qy.destroy();
  return { records, restarts, started, wallMs: performance.now() - t0, pool: pool.length };
};

/** The checks themselves, on made-up results: each must catch what it is there to catch. */
window.soakSelfTest = (rawArticles) => {
  const articles = rawArticles.map((a, index) => ({ ...a, index }));
  const zh = articles.filter((a) => a.language === 'zh');
  const en = articles.filter((a) => a.language === 'en');
  const lead = (a) => a.text.split(/(?<=[。.!?！？])\s*/).slice(0, 2).join(' ');
  const res = (text, extra = {}) => ({ text, ...extra });
  const cases = {
    ownEn: checkSummary({}, en[0], articles, res(lead(en[0])), lead(en[0])).problems,
    ownZh: checkSummary({}, zh[0], articles, res(lead(zh[0])), lead(zh[0])).problems,
    otherEn: checkSummary({}, en[0], articles, res(lead(en[1])), lead(en[1])).problems,
    otherZh: checkSummary({}, zh[0], articles, res(lead(zh[1])), lead(zh[1])).problems,
    wrongLanguage: checkSummary({ outputLanguage: 'en' }, zh[0], articles, res(lead(zh[0]), { sourceUnits: [lead(zh[0])] }), lead(zh[0])).problems,
    crossOther: checkSummary({ outputLanguage: 'zh' }, en[0], articles, res(lead(zh[3]), { sourceUnits: [lead(en[2])] }), lead(zh[3])).problems,
    streamMismatch: checkSummary({}, en[0], articles, res(lead(en[0])), lead(en[1])).problems,
  };
  return cases;
};

window.benchReady = true;
