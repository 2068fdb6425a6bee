// The Summarizer polyfill's argument handling: the Web IDL conversions Chrome applies to
// SummarizerCreateOptions / SummarizerSummarizeOptions, and the Writing Assistance APIs'
// language-tag rules ("validate and canonicalize language tags", "compute language
// availability"). Kept apart from summarizer.js so the algorithm there reads like the spec.

export const TYPES = Object.freeze(['tldr', 'teaser', 'key-points', 'headline']);
export const FORMATS = Object.freeze(['plain-text', 'markdown']);
export const LENGTHS = Object.freeze(['short', 'medium', 'long']);

// Languages Qingyu reads (input + context) and writes (output). It reads traditional Chinese but
// writes only simplified, so zh-Hant/zh-TW/zh-HK are input languages, not output languages.
// Each set meets the spec's completeness rules (every multi-subtag tag has its language alone).
export const INPUT_LANGUAGES = Object.freeze(['en', 'zh', 'zh-Hans', 'zh-Hant']);
export const OUTPUT_LANGUAGES = Object.freeze(['en', 'zh', 'zh-Hans']);

/** Web IDL DOMString: ToString, which throws a TypeError for a Symbol. */
export const toDOMString = (v) => `${v}`;

function dictionary(v, what) {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' && typeof v !== 'function') throw new TypeError(`${what}: the options argument is not an object`);
  return v;
}

function enumValue(v, values, what) {
  const s = toDOMString(v);
  if (!values.includes(s)) throw new TypeError(`${what}: '${s}' is not a valid enum value; use ${values.map((x) => `'${x}'`).join(', ')}`);
  return s;
}

function stringSequence(v, what) {
  if ((typeof v !== 'object' && typeof v !== 'function') || v === null || typeof v[Symbol.iterator] !== 'function') {
    throw new TypeError(`${what}: the value is not a sequence of strings`);
  }
  return Array.from(v, toDOMString);
}

const abortedGetter = Object.getOwnPropertyDescriptor(AbortSignal.prototype, 'aborted').get;
/** A brand check that also accepts an AbortSignal from another realm (an iframe). */
function isAbortSignal(v) {
  try { abortedGetter.call(v); return true; } catch { return false; }
}

function signalMember(v, what) {
  if (!isAbortSignal(v)) throw new TypeError(`${what}: 'signal' is not an AbortSignal`);
  return v;
}

/**
 * SummarizerCreateCoreOptions (+ SummarizerCreateOptions when `full`), members read in Web IDL
 * order: inherited dictionary first, each in lexicographic order, defaults filled in.
 */
export function convertCreateOptions(raw, what, full) {
  const o = dictionary(raw, what);
  const out = {};
  let v = o.expectedContextLanguages;
  if (v !== undefined) out.expectedContextLanguages = stringSequence(v, what);
  v = o.expectedInputLanguages;
  if (v !== undefined) out.expectedInputLanguages = stringSequence(v, what);
  v = o.format;
  out.format = v === undefined ? 'markdown' : enumValue(v, FORMATS, what);
  v = o.length;
  out.length = v === undefined ? 'short' : enumValue(v, LENGTHS, what);
  v = o.outputLanguage;
  if (v !== undefined) out.outputLanguage = toDOMString(v);
  v = o.type;
  out.type = v === undefined ? 'key-points' : enumValue(v, TYPES, what);
  if (!full) return out;
  v = o.monitor;
  if (v !== undefined) {
    if (typeof v !== 'function') throw new TypeError(`${what}: 'monitor' is not a function`);
    out.monitor = v;
  }
  v = o.sharedContext;
  if (v !== undefined) out.sharedContext = toDOMString(v);
  v = o.signal;
  if (v !== undefined) out.signal = signalMember(v, what);
  return out;
}

/** SummarizerSummarizeOptions: {context, signal}. */
export function convertSummarizeOptions(raw, what) {
  const o = dictionary(raw, what);
  const out = {};
  let v = o.context;
  if (v !== undefined) out.context = toDOMString(v);
  v = o.signal;
  if (v !== undefined) out.signal = signalMember(v, what);
  return out;
}

/**
 * "Validate and canonicalize summarizer options": each tag must be structurally valid (a
 * RangeError otherwise, as Intl.getCanonicalLocales throws) and is replaced by its canonical
 * form; lists lose duplicates. Mutates `o`.
 */
export function canonicalizeLanguages(o) {
  for (const key of ['expectedInputLanguages', 'expectedContextLanguages']) {
    o[key] = o[key] === undefined ? [] : [...new Set(o[key].map(canonicalTag))];
  }
  if (o.outputLanguage !== undefined) o.outputLanguage = canonicalTag(o.outputLanguage);
}

function canonicalTag(tag) {
  const [canonical] = Intl.getCanonicalLocales(tag); // RangeError for a malformed tag
  return canonical;
}

const likelyScript = (tag) => new Intl.Locale(tag).maximize().script;

/**
 * LookupMatchingLocaleByBestFit over `supported`: BCP 47 lookup (drop subtags from the right),
 * but only to a tag written in the same script, so zh-TW (Hant) never falls back to zh (Hans);
 * then any supported tag of the same language and script (zh-TW → zh-Hant). undefined: no fit.
 */
export function bestFit(supported, tag) {
  const want = new Intl.Locale(tag);
  const script = likelyScript(tag);
  const fits = (c) => new Intl.Locale(c).language === want.language && likelyScript(c) === script;
  for (let t = tag; t; t = t.includes('-') ? t.slice(0, t.lastIndexOf('-')) : '') {
    if (supported.includes(t) && fits(t)) return t;
  }
  return supported.find(fits);
}

/**
 * "Compute language availability" for our partitions, where every supported language is
 * "available" (languages need no extra download). Replaces each tag by its best fit; returns
 * 'available' or 'unavailable'. Mutates `o`.
 */
export function languageAvailability(o) {
  const match = (list, supported) => {
    for (let i = 0; i < list.length; i++) {
      const fit = bestFit(supported, list[i]);
      if (fit === undefined) return false;
      list[i] = fit;
    }
    return true;
  };
  const output = o.outputLanguage === undefined ? [] : [o.outputLanguage];
  const ok = match(o.expectedInputLanguages, INPUT_LANGUAGES)
    && match(o.expectedContextLanguages, INPUT_LANGUAGES)
    && match(output, OUTPUT_LANGUAGES);
  // Replacing inside an ordered set: zh-TW and zh-HK both become one zh-Hant.
  o.expectedInputLanguages = [...new Set(o.expectedInputLanguages)];
  o.expectedContextLanguages = [...new Set(o.expectedContextLanguages)];
  if (o.outputLanguage !== undefined) o.outputLanguage = output[0];
  return ok ? 'available' : 'unavailable';
}

/** Qingyu's own language code ('zh' | 'en') for a supported tag. */
export const qingyuLanguage = (tag) => new Intl.Locale(tag).language;
