// The demo page: a zh-CN iPhone-style assistant on top of www/lib/qingyu.js.
import { Qingyu, MAX_TEXT_CHARS } from '../lib/qingyu.js';
import { GROUPS, formatBytes } from '../lib/models.js';
import { STRINGS } from './i18n.js';

const $ = (sel) => document.querySelector(sel);
const params = new URLSearchParams(location.search);
const modelBaseUrl = params.get('models') || new URL('models/', location.href).href;

const state = {
  lang: params.get('lang') || localStorage.getItem('qy-lang') || 'zh',
  view: 'home',
  qy: null,
  engineStarting: null, // startEngine()'s promise: a tap before the engine is up waits for it
  info: null,
  index: null,
  articles: [],
  articleId: null,
  summaryAbort: null,
  photoAbort: null,
  altText: '',
  lastPhoto: null,
  activeProgress: null, // the progress element of the running flow
};
const t = (key, ...args) => {
  const v = key.split('.').reduce((o, k) => o?.[k], STRINGS[state.lang]);
  return typeof v === 'function' ? v(...args) : (v ?? key);
};
const fmtBytes = (n) => formatBytes(n, state.lang);

// ------------------------------------------------------------------------------------------
// language
// ------------------------------------------------------------------------------------------
function applyLanguage() {
  document.documentElement.lang = state.lang === 'zh' ? 'zh-CN' : 'en';
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of document.querySelectorAll('[data-i18n-label]')) el.setAttribute('aria-label', t(el.dataset.i18nLabel));
  for (const el of document.querySelectorAll('[data-i18n-placeholder]')) el.placeholder = t(el.dataset.i18nPlaceholder);
  const lang = $('#lang');
  lang.textContent = state.lang === 'zh' ? 'EN' : '中';
  lang.lang = state.lang === 'zh' ? 'en' : 'zh-CN';
  lang.setAttribute('aria-label', state.lang === 'zh' ? 'Switch to English' : '切换到中文');
  document.title = state.lang === 'zh' ? '轻语 · 本地智能助手' : 'Qingyu · on-device assistant';
  setTitle();
  updateCounter();
  updateTypeNote();
  renderPhotoSamples();
  if (state.info) engineLine();
  if ($('#settings').open) renderSettings();
}

function setTitle() {
  $('#title').textContent = t({ home: 'appTitle', summary: 'titleSummary', photo: 'titlePhoto' }[state.view]);
}

// ------------------------------------------------------------------------------------------
// navigation
// ------------------------------------------------------------------------------------------
function go(view, { focus = true } = {}) {
  state.view = view;
  for (const v of ['home', 'summary', 'photo']) $(`#view-${v}`).hidden = v !== view;
  $('#back').hidden = view === 'home';
  setTitle();
  $('#main').scrollTop = 0;
  if (view !== 'home' && location.hash !== `#${view}`) history.pushState({ view }, '', `#${view}`);
  if (view === 'home' && location.hash) history.pushState({ view }, '', location.pathname + location.search);
  if (focus) $('#title').focus();
}
window.addEventListener('popstate', () => go(location.hash.slice(1) || 'home'));

// ------------------------------------------------------------------------------------------
// engine + progress
// ------------------------------------------------------------------------------------------
function engineLine() {
  const el = $('#engine-line');
  if (state.info) {
    el.classList.remove('bad');
    el.textContent = t('engineReady', state.info.version, state.info.build.simd128);
  }
}

function setOrb(s, pct = 0) {
  const orb = $('#orb');
  orb.dataset.state = s;
  orb.style.setProperty('--p', String(pct));
}

function onProgress(e) {
  const el = state.activeProgress;
  const pct = e.total ? Math.floor((e.loaded / e.total) * 100) : 100;
  setOrb(e.loaded < e.total ? 'download' : 'busy', pct);
  if (!el) return;
  el.hidden = false;
  el.querySelector('.progress-fill').style.width = `${pct}%`;
  const track = el.querySelector('.progress-track');
  track.setAttribute('role', 'progressbar');
  track.setAttribute('aria-valuemin', '0');
  track.setAttribute('aria-valuemax', '100');
  track.setAttribute('aria-valuenow', String(pct));
  el.dataset.loaded = String(e.loaded);
  el.dataset.total = String(e.total);
  el.querySelector('.progress-text').textContent = e.loaded < e.total
    ? t('downloading', fmtBytes(e.loaded), fmtBytes(e.total), pct)
    : t('compiling');
}

function showProgress(el, text) {
  state.activeProgress = el;
  el.hidden = false;
  el.querySelector('.progress-fill').style.width = '0%';
  el.querySelector('.progress-text').textContent = text;
}
function hideProgress(el) {
  el.hidden = true;
  if (state.activeProgress === el) state.activeProgress = null;
}

async function startEngine() {
  try {
    state.qy = await Qingyu.create({
      modelBaseUrl,
      monitor(m) {
        m.addEventListener('downloadprogress', onProgress);
        m.addEventListener('cachewarning', () => toast(t('cacheWarn')));
      },
    });
    state.info = state.qy.info;
    engineLine();
    updateTypeNote();
    state.qy.store.index().then((idx) => { state.index = idx; updateTypeNote(); }).catch(() => {});
  } catch (e) {
    const el = $('#engine-line');
    el.classList.add('bad');
    el.textContent = t('engineFailed', e.message);
    setOrb('error');
  }
}

function sizeOf(group) {
  if (!state.index) return '…';
  return fmtBytes(GROUPS[group].reduce((s, n) => s + (state.index[n]?.size ?? 0), 0));
}

/** A localized, specific message for an error from the library. */
function describeError(e) {
  const E = (k, ...a) => t(`errors.${k}`, ...a);
  const msg = String(e?.message ?? e);
  const corrupt = /ModelLoad: (\S+) is corrupt/.exec(msg) || /ModelLoad: (\S+) is \d+ bytes on the server/.exec(msg);
  if (corrupt) return { title: E('ModelLoad'), text: E('corrupt', corrupt[1]), detail: msg };
  if (/cannot read the model index|Failed to fetch|NetworkError|failed after \d+ attempts/.test(msg) && !navigator.onLine) {
    return { title: E('ModelLoad'), text: E('offline'), detail: msg };
  }
  if (e?.name === 'InvalidInput' && /text is empty/.test(msg)) return { title: E('InvalidInput'), text: E('empty') };
  if (e?.name === 'InvalidInput' && /more than [\d,]+ characters|limit is/.test(msg)) {
    return { title: E('InvalidInput'), text: E('tooLong', [...$('#article').value].length, MAX_TEXT_CHARS) };
  }
  if (e?.name === 'InvalidInput' && /an SVG drawing/.test(msg)) return { title: E('InvalidInput'), text: E('svg'), detail: msg };
  const big = e?.name === 'InvalidInput' && /too large \((\d+)×(\d+)\)/.exec(msg);
  if (big) return { title: E('InvalidInput'), text: E('tooBig', big[1], big[2]), detail: msg };
  if (e?.name === 'InvalidInput' && /is not an image|not a JPEG, PNG, GIF or WebP image|could not be decoded|unsupported image|not a (supported )?image|decode/i.test(msg)) {
    return { title: E('InvalidInput'), text: E('notImage', /\(([^)]+)\)/.exec(msg)?.[1] ?? ''), detail: msg };
  }
  if (e?.name === 'Unsupported' && /does not have yet/.test(msg)) return { title: E('Unsupported'), text: E('notYet'), detail: msg };
  return { title: E(e?.name in STRINGS.zh.errors ? e.name : 'Internal'), text: msg.replace(/^\w+: /, '') };
}

function showError(el, e) {
  const d = describeError(e);
  el.replaceChildren();
  const strong = document.createElement('strong');
  strong.textContent = `${d.title}：`.replace('：', state.lang === 'zh' ? '：' : ': ');
  el.append(strong, document.createTextNode(d.text));
  if (d.detail && d.detail !== d.text) {
    const small = document.createElement('small');
    small.textContent = d.detail;
    el.append(small);
  }
  el.dataset.kind = e?.name ?? 'Internal';
  el.hidden = false;
}

function toast(text) {
  const el = $('#toast');
  el.textContent = text;
  el.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { el.hidden = true; }, 2200);
}

async function copyText(text, done) {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    const ta = Object.assign(document.createElement('textarea'), { value: text });
    document.body.append(ta);
    ta.select();
    document.execCommand('copy');
    ta.remove();
  }
  toast(done);
}

// ------------------------------------------------------------------------------------------
// summary flow
// ------------------------------------------------------------------------------------------
async function loadArticles() {
  try {
    const res = await fetch('samples/articles.json');
    if (!res.ok) throw new Error(String(res.status));
    state.articles = await res.json();
  } catch {
    state.articles = [];
  }
  const box = $('#article-samples');
  box.replaceChildren();
  for (const a of state.articles) {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'sample';
    b.dataset.id = a.id;
    b.setAttribute('aria-pressed', 'false');
    b.lang = a.language === 'zh' ? 'zh-CN' : 'en';
    const small = document.createElement('small');
    small.textContent = a.language === 'zh' ? '中文' : 'English';
    const span = document.createElement('span');
    span.textContent = a.title;
    b.append(small, span);
    b.addEventListener('click', () => pickArticle(a.id));
    box.append(b);
  }
  if (state.articles.length) pickArticle(state.articles[0].id, false);
}

function pickArticle(id, focus = true) {
  const a = state.articles.find((x) => x.id === id);
  state.articleId = id;
  for (const b of document.querySelectorAll('#article-samples .sample')) b.setAttribute('aria-pressed', String(b.dataset.id === id));
  $('#article').value = a ? a.text : '';
  updateCounter();
  if (focus) $('#summarize').focus();
}

function updateCounter() {
  const n = [...$('#article').value].length;
  const el = $('#counter');
  el.textContent = n > MAX_TEXT_CHARS ? t('tooLong', n, MAX_TEXT_CHARS) : t('chars', n);
  el.classList.toggle('bad', n > MAX_TEXT_CHARS);
}

const selected = (name) => document.querySelector(`input[name="${name}"]:checked`).value;

function updateTypeNote() {
  const type = selected('type');
  $('#type-note').textContent = type === 'key-points' ? t('noteKeyPoints') : t('noteLlm', sizeOf('llm'));
}

/** Renders plain text or a markdown list as DOM (never innerHTML: model output is text). */
function renderSummary(el, text) {
  el.replaceChildren();
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  let list = null;
  for (const line of lines) {
    const m = /^(?:[-*•·]|\d+[.)、])\s*(.*)$/.exec(line);
    if (m) {
      list ??= el.appendChild(document.createElement('ul'));
      const li = document.createElement('li');
      li.textContent = m[1].replace(/\*\*(.+?)\*\*/g, '$1');
      list.append(li);
    } else {
      list = null;
      const p = document.createElement('p');
      p.textContent = line.replace(/^#+\s*/, '').replace(/\*\*(.+?)\*\*/g, '$1');
      el.append(p);
    }
  }
}

function waitForConsent() {
  const box = $('#llm-consent');
  $('#consent-text').textContent = t('consentText', sizeOf('llm'));
  box.hidden = false;
  box.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  $('#consent-ok').focus({ preventScroll: true });
  return new Promise((resolve) => {
    const done = (ok) => {
      box.hidden = true;
      $('#consent-ok').removeEventListener('click', yes);
      $('#consent-cancel').removeEventListener('click', no);
      resolve(ok);
    };
    const yes = () => done(true);
    const no = () => done(false);
    $('#consent-ok').addEventListener('click', yes);
    $('#consent-cancel').addEventListener('click', no);
  });
}

/** 'zh' when Han characters dominate the text (each counts like a 3-letter word), else 'en'. */
function scriptOf(text) {
  const han = (text.match(/\p{Script=Han}/gu) || []).length;
  const latin = (text.match(/[A-Za-z]/g) || []).length;
  return han * 3 >= latin ? 'zh' : 'en';
}

async function runSummary() {
  const errEl = $('#summary-error');
  errEl.hidden = true;
  const text = $('#article').value;
  const type = selected('type');
  const length = selected('length');
  const output = selected('output');
  // A summary in the other language is translated by the LLM, key points included.
  const needsLlm = Qingyu.needsLlm({ type }) || (output !== 'auto' && scriptOf(text) !== output);
  const card = $('#summary-card');
  const out = $('#summary-output');
  const meta = $('#summary-meta');
  if (!state.qy) await state.engineStarting;
  if (!state.qy) { showError(errEl, Object.assign(new Error($('#engine-line').textContent), { name: 'Internal' })); return; }
  const chars = [...text].length;
  if (!text.trim() || chars > MAX_TEXT_CHARS) {
    showError(errEl, Object.assign(new Error(!text.trim() ? 'InvalidInput: the text is empty' : `InvalidInput: the text has more than ${MAX_TEXT_CHARS} characters`), { name: 'InvalidInput' }));
    return;
  }
  if (needsLlm) {
    const loaded = (await state.qy.stats().catch(() => ({ loaded: {} }))).loaded?.llm;
    if (!loaded && (await Qingyu.availability({ modelBaseUrl, features: ['llm'] })) !== 'available') {
      if (!(await waitForConsent())) return;
    }
  }
  const ctrl = new AbortController();
  state.summaryAbort = ctrl;
  $('#summarize').hidden = true;
  $('#stop').hidden = false;
  $('#stop').focus();
  card.hidden = false;
  out.replaceChildren();
  out.classList.add('streaming');
  requestAnimationFrame(() => card.scrollIntoView({ block: 'nearest', behavior: 'smooth' }));
  out.setAttribute('aria-busy', 'true');
  meta.textContent = needsLlm ? t('preparing') : t('summarizing');
  setOrb('busy');
  const progress = $('#summary-progress');
  if (needsLlm) showProgress(progress, t('preparing'));
  let acc = '';
  const t0 = performance.now();
  try {
    const stream = state.qy.summarizeStreaming(text, {
      type, length, format: 'markdown', signal: ctrl.signal,
      ...(output !== 'auto' ? { outputLanguage: output } : {}),
      onMeta: () => { hideProgress(progress); meta.textContent = t('summarizing'); },
    });
    const reader = stream.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      hideProgress(progress);
      acc += value;
      renderSummary(out, acc);
      if (!acc.length || acc.length === value.length) card.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
    }
    const result = stream.result ?? {};
    if (result.text && result.text !== acc) renderSummary(out, result.text);
    const s = result.stats ?? {};
    const secs = (v) => (v / 1000).toFixed(1);
    meta.textContent = type === 'key-points' && !s.tokensPerSecond
      ? t('metaExtractive', Math.max(1, Math.round(s.totalMs ?? performance.now() - t0)))
      : t('metaLlm', secs(s.totalMs ?? performance.now() - t0), secs(s.firstTokenMs ?? 0), (s.tokensPerSecond ?? 0).toFixed(1));
    if (result.fallbackReason) meta.textContent = `${t('languageFallbackNote')} ${meta.textContent}`;
    else if (result.fallback) meta.textContent = `${t('fallbackNote')} ${meta.textContent}`;
    card.dataset.language = result.language ?? '';
  } catch (e) {
    if (e.name === 'AbortError') {
      meta.textContent = t('stopped');
    } else {
      showError(errEl, e);
      if (!acc) card.hidden = true;
      setOrb('error');
    }
  } finally {
    hideProgress(progress);
    out.classList.remove('streaming');
    out.setAttribute('aria-busy', 'false');
    $('#summarize').hidden = false;
    $('#stop').hidden = true;
    if (document.activeElement === document.body || document.activeElement === $('#stop')) $('#summarize').focus();
    state.summaryAbort = null;
    if ($('#orb').dataset.state !== 'error') setOrb('idle');
  }
}

// ------------------------------------------------------------------------------------------
// photo flow
// ------------------------------------------------------------------------------------------
const PHOTOS = ['coffee', 'chelsea', 'astronaut'];
function renderPhotoSamples() {
  const box = $('#photo-samples');
  if (!box.children.length) {
    for (const id of PHOTOS) {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'photo-sample';
      b.dataset.id = id;
      b.setAttribute('aria-pressed', 'false');
      const img = document.createElement('img');
      img.src = `samples/${id}.png`;
      img.loading = 'lazy';
      img.decoding = 'async';
      b.append(img);
      b.addEventListener('click', async () => {
        for (const x of box.children) x.setAttribute('aria-pressed', String(x === b));
        try {
          const res = await fetch(img.src);
          if (!res.ok) throw new Error(`HTTP ${res.status}`);
          await describePhoto(await res.blob());
        } catch (e) { showError($('#photo-error'), e); }
      });
      box.append(b);
    }
  }
  for (const b of box.children) {
    const alt = t('photoAlt')[b.dataset.id];
    b.setAttribute('aria-label', alt);
    b.firstChild.alt = '';
  }
}

function tagEl(text, score, cls = '') {
  const s = document.createElement('span');
  s.className = `tag ${cls}`.trim();
  s.setAttribute('role', 'listitem');
  s.textContent = text;
  if (score !== undefined) {
    const small = document.createElement('small');
    small.textContent = `${Math.round(score * 100)}%`;
    s.append(small);
  }
  return s;
}

/** Height of a box's label (app.css `.boxes div span`: 22 px above the box). */
const LABEL_HEIGHT_PX = 22;

function renderBoxes(objects, img) {
  const layer = $('#boxes');
  layer.replaceChildren();
  const w = img.naturalWidth;
  const h = img.naturalHeight;
  if (!w || !h || !objects?.length) return;
  // The image is letterboxed by object-fit: contain inside its box.
  const bw = img.clientWidth;
  const bh = img.clientHeight;
  const scale = Math.min(bw / w, bh / h);
  const ox = (bw - w * scale) / 2;
  const oy = (bh - h * scale) / 2;
  for (const o of objects) {
    const b = o.box;
    if (!b) continue;
    // The Captioner gives [x0, y0, x1, y1] in image pixels; also accept {x, y, w|width, h|height}, in pixels or 0..1.
    let [x, y, bw2, bh2] = Array.isArray(b) ? [b[0], b[1], b[2] - b[0], b[3] - b[1]] : [b.x, b.y, b.w ?? b.width, b.h ?? b.height];
    if ([x, y, bw2, bh2].every((v) => v <= 1.0001)) { x *= w; y *= h; bw2 *= w; bh2 *= h; }
    const d = document.createElement('div');
    Object.assign(d.style, { left: `${ox + x * scale}px`, top: `${oy + y * scale}px`, width: `${bw2 * scale}px`, height: `${bh2 * scale}px` });
    // A label above a box that touches the photo's top edge would be cut off: put it inside.
    if (oy + y * scale < LABEL_HEIGHT_PX) d.className = 'label-inside';
    const label = document.createElement('span');
    label.textContent = state.lang === 'zh' ? (o.zh || o.name) : o.name;
    d.append(label);
    layer.append(d);
  }
}

async function describePhoto(blob) {
  const errEl = $('#photo-error');
  errEl.hidden = true;
  delete errEl.dataset.kind;
  if (!state.qy) await state.engineStarting;
  if (!state.qy) { showError(errEl, Object.assign(new Error($('#engine-line').textContent), { name: 'Internal' })); return; }
  state.photoAbort?.abort();
  const ctrl = new AbortController();
  state.photoAbort = ctrl;
  const card = $('#photo-card');
  const img = $('#photo-preview');
  const isImage = !blob.type || blob.type.startsWith('image/');
  if (isImage) {
    if (state.lastPhoto) URL.revokeObjectURL(state.lastPhoto);
    state.lastPhoto = URL.createObjectURL(blob);
    img.src = state.lastPhoto;
    img.alt = '';
    card.hidden = false;
    requestAnimationFrame(() => card.scrollIntoView({ block: 'start', behavior: 'smooth' }));
  }
  $('#caption-text').textContent = t('describing');
  $('#caption-full').hidden = true;
  $('#describe-full').disabled = true;
  state.photoBlob = isImage ? blob : null;
  $('#caption-notice').hidden = true;
  $('#tags').replaceChildren();
  $('#boxes').replaceChildren();
  $('#ocr').hidden = true;
  $('#caption-meta').textContent = '';
  $('#copy-alt').disabled = true;
  $('#caption-block').setAttribute('aria-busy', 'true');
  state.altText = '';
  setOrb('busy');
  showProgress($('#photo-progress'), t('describing'));
  const t0 = performance.now();
  try {
    let result;
    try {
      result = await state.qy.caption(blob, { language: state.lang, detail: 'brief', signal: ctrl.signal });
    } catch (e) {
      if (e.name !== 'Unsupported' || !/Captioner/.test(e.message) || !state.info.features.classifier) throw e;
      // This build has no Captioner yet: show what the classifier sees, clearly marked.
      const c = await state.qy.classify(blob, { k: 5, signal: ctrl.signal });
      result = { text: '', alt: '', labels: c.labels.filter((l) => l.score >= 0.05), objects: [], ocr: [], partial: true, stats: c.stats };
    }
    if (ctrl.signal.aborted) return;
    hideProgress($('#photo-progress'));
    const lang = state.lang;
    $('#caption-text').textContent = result.text || '';
    $('#caption-text').hidden = !result.text;
    if (result.partial) {
      $('#caption-notice').textContent = t('classifierOnly');
      $('#caption-notice').hidden = false;
    }
    const tags = $('#tags');
    for (const l of result.labels ?? []) tags.append(tagEl(lang === 'zh' ? (l.zh || l.name) : l.name, l.score));
    for (const o of result.objects ?? []) tags.append(tagEl(lang === 'zh' ? (o.zh || o.name) : o.name, o.score, 'object'));
    const ocr = (result.ocr ?? []).filter((o) => o.score >= 0.8).map((o) => o.text).filter(Boolean); // as the caption quotes
    $('#ocr').hidden = !ocr.length;
    $('#ocr-text').textContent = ocr.join('\n');
    if (img.complete) renderBoxes(result.objects, img); else img.onload = () => renderBoxes(result.objects, img);
    state.altText = result.alt || result.text || '';
    img.alt = state.altText;
    $('#copy-alt').disabled = !state.altText;
    $('#copy-alt').hidden = !!result.partial;
    $('#describe-full').disabled = !!result.partial || !state.photoBlob;
    $('#describe-full').hidden = !!result.partial;
    const ms = Math.round(result.stats?.totalMs ?? performance.now() - t0);
    $('#caption-meta').textContent = t('captionMeta', ms);
    setOrb('idle');
  } catch (e) {
    if (e.name === 'AbortError') return;
    hideProgress($('#photo-progress'));
    $('#caption-text').textContent = '';
    if (!isImage) card.hidden = true;
    showError(errEl, e);
    setOrb('error');
  } finally {
    $('#caption-block').setAttribute('aria-busy', 'false');
    if (state.photoAbort === ctrl) state.photoAbort = null;
  }
}

/** detail 'full': the LLM's checked 2–3 sentences about the current photo, streamed in. */
async function describeFull() {
  if (!state.photoBlob) return;
  $('#photo-error').hidden = true;
  state.photoAbort?.abort();
  const ctrl = new AbortController();
  state.photoAbort = ctrl;
  const out = $('#caption-full');
  out.textContent = '';
  out.hidden = false;
  $('#describe-full').disabled = true;
  $('#caption-block').setAttribute('aria-busy', 'true');
  setOrb('busy');
  showProgress($('#photo-progress'), t('writingFull'));
  try {
    const result = await state.qy.caption(state.photoBlob, {
      language: state.lang, detail: 'full', signal: ctrl.signal,
      onChunk: (text) => { hideProgress($('#photo-progress')); out.textContent += text; },
    });
    if (ctrl.signal.aborted) return;
    out.textContent = result.text;
    $('#caption-meta').textContent = t('captionMeta', Math.round(result.stats?.totalMs ?? 0));
    setOrb('idle');
  } catch (e) {
    if (e.name === 'AbortError') return;
    out.hidden = true;
    showError($('#photo-error'), e);
    setOrb('error');
  } finally {
    hideProgress($('#photo-progress'));
    $('#describe-full').disabled = !state.photoBlob;
    $('#caption-block').setAttribute('aria-busy', 'false');
    if (state.photoAbort === ctrl) state.photoAbort = null;
  }
}

function setupPhotoInputs() {
  for (const id of ['#file-input', '#camera-input']) {
    $(id).addEventListener('change', (ev) => {
      const f = ev.target.files?.[0];
      if (f) {
        for (const x of $('#photo-samples').children) x.setAttribute('aria-pressed', 'false');
        describePhoto(f);
      }
      ev.target.value = '';
    });
  }
  const dz = $('#dropzone');
  for (const type of ['dragenter', 'dragover']) dz.addEventListener(type, (e) => { e.preventDefault(); dz.classList.add('over'); });
  for (const type of ['dragleave', 'drop']) dz.addEventListener(type, () => dz.classList.remove('over'));
  dz.addEventListener('drop', (e) => {
    e.preventDefault();
    const f = e.dataTransfer?.files?.[0];
    if (f) describePhoto(f);
  });
  // Pasting an image anywhere on the photo screen works too.
  document.addEventListener('paste', (e) => {
    if (state.view !== 'photo') return;
    const f = [...(e.clipboardData?.files ?? [])][0];
    if (f) describePhoto(f);
  });
}

// ------------------------------------------------------------------------------------------
// settings sheet
// ------------------------------------------------------------------------------------------
async function renderSettings() {
  const list = $('#model-list');
  const perf = $('#perf');
  const eng = $('#engine-info');
  if (!state.qy) return;
  let rows = [];
  try { rows = await state.qy.cacheStatus(); } catch { rows = []; }
  list.replaceChildren();
  let cached = 0;
  let total = 0;
  for (const group of ['llm', 'vision']) {
    const head = document.createElement('li');
    head.className = 'group';
    head.textContent = t(group === 'llm' ? 'groupLlm' : 'groupVision');
    list.append(head);
    for (const r of rows.filter((x) => x.group === group)) {
      total += r.size;
      if (r.cached) cached += r.size;
      const li = document.createElement('li');
      const name = document.createElement('span');
      name.textContent = r.name;
      name.style.wordBreak = 'break-all';
      const size = document.createElement('span');
      size.className = 'size';
      size.textContent = fmtBytes(r.size);
      const st = document.createElement('span');
      st.className = `state${r.cached ? ' cached' : ''}`;
      st.textContent = r.cached ? `✓ ${t('cached')}` : t('notCached');
      li.append(name, size, st);
      list.append(li);
    }
  }
  $('#cache-total').textContent = t('cacheTotal', fmtBytes(cached), fmtBytes(total));

  const s = await state.qy.stats().catch(() => ({}));
  const dl = (el, pairs) => {
    el.replaceChildren();
    for (const [k, v] of pairs) {
      const dt = document.createElement('dt');
      dt.textContent = k;
      const dd = document.createElement('dd');
      dd.textContent = v;
      el.append(dt, dd);
    }
  };
  const none = t('perfNone');
  const llm = s.llm;
  dl(perf, [
    [t('perfTps'), llm?.tokensPerSecond ? t('unitTps', llm.tokensPerSecond.toFixed(1)) : none],
    [t('perfFirst'), llm?.firstTokenMs ? t('unitS', (llm.firstTokenMs / 1000).toFixed(2)) : none],
    [t('perfPrefill'), llm?.promptTokens && llm?.prefillMs ? t('unitTps', (llm.promptTokens / (llm.prefillMs / 1000)).toFixed(1)) : none],
    [t('perfLlmLoad'), s.llmLoad ? t('unitS', ((s.llmLoad.fetchMs + s.llmLoad.compileMs) / 1000).toFixed(1)) : none],
    [t('perfCaption'), (s.caption ?? s.classify) ? t('unitMs', Math.round((s.caption ?? s.classify).totalMs)) : none],
  ]);
  const f = state.info.features;
  const on = (x) => (x ? t('featOn') : t('featOff'));
  // Who serves pages that call the standard Summarizer API: the browser, or our polyfill.
  const served = await import('../lib/polyfill.js').then((m) => m.servedBy(), () => 'none');
  const api = { native: 'apiNative', polyfill: 'apiPolyfill' }[served] ?? 'apiNone';
  dl(eng, [
    [t('engVersion'), state.info.version],
    // SIMD128 always; the LLM's kernels use relaxed SIMD where the browser has it, and so do the
    // photos' unless their relaxed module did not start.
    [t('engSimd'), !state.info.build.simd128 ? t('no') : state.info.simd?.kernels === 'relaxed'
      ? t('simdRelaxed', s.visionLoad?.simd?.kernels !== 'simd128') : t('simdPlain', t(`simdWhy_${state.info.simd?.code}`))],
    // The build that runs the LLM: its weight-product kernels (and tract's, where that is the full module).
    [t('engKernels'), [state.info.build.llm_kernels, ...(state.info.build.matmul_kernels ?? []).slice(0, 2)].filter(Boolean).join(', ') || '–'],
    // The LLM's threads: more than one only on a cross-origin isolated page (the reason says why not).
    [t('engThreads'), state.info.threads?.threads > 1 ? t('threadsOn', state.info.threads.threads) : t('threadsOff', t(`threadsWhy_${state.info.threads?.code}`))],
    [t('featExtractive'), on(f.summarizeExtractive)],
    [t('featLlm'), on(f.summarizeLlm)],
    [t('featCaption'), on(f.captioner)],
    [t('engSummarizerApi'), t(api)],
  ]);
}

function setupSettings() {
  const dlg = $('#settings');
  $('#open-settings').addEventListener('click', () => { dlg.showModal(); renderSettings(); });
  $('#close-settings').addEventListener('click', () => dlg.close());
  dlg.addEventListener('click', (e) => { if (e.target === dlg) dlg.close(); });
  dlg.addEventListener('close', () => $('#open-settings').focus());
  $('#clear-cache').addEventListener('click', async () => {
    if (!confirm(t('confirmClear'))) return;
    await state.qy?.clearCache();
    toast(t('cacheCleared'));
    renderSettings();
  });
}

// ------------------------------------------------------------------------------------------
// wiring
// ------------------------------------------------------------------------------------------
function clock() {
  const d = new Date();
  $('#sb-time').textContent = `${d.getHours()}:${String(d.getMinutes()).padStart(2, '0')}`;
}

function init() {
  applyLanguage();
  clock();
  setInterval(clock, 15_000);
  for (const b of document.querySelectorAll('[data-go]')) b.addEventListener('click', () => go(b.dataset.go));
  $('#back').addEventListener('click', () => go('home'));
  $('#lang').addEventListener('click', () => {
    state.lang = state.lang === 'zh' ? 'en' : 'zh';
    localStorage.setItem('qy-lang', state.lang);
    applyLanguage();
  });
  $('#article').addEventListener('input', () => {
    updateCounter();
    for (const b of document.querySelectorAll('#article-samples .sample')) b.setAttribute('aria-pressed', 'false');
  });
  $('#clear-text').addEventListener('click', () => {
    $('#article').value = '';
    for (const b of document.querySelectorAll('#article-samples .sample')) b.setAttribute('aria-pressed', 'false');
    updateCounter();
    $('#article').focus();
  });
  for (const r of document.querySelectorAll('input[name="type"]')) r.addEventListener('change', updateTypeNote);
  $('#summarize').addEventListener('click', runSummary);
  $('#stop').addEventListener('click', () => state.summaryAbort?.abort());
  $('#copy-summary').addEventListener('click', () => copyText($('#summary-output').innerText, t('copied')));
  $('#copy-alt').addEventListener('click', () => state.altText && copyText(state.altText, t('altCopied')));
  $('#describe-full').addEventListener('click', describeFull);
  setupPhotoInputs();
  setupSettings();
  loadArticles();
  const start = location.hash.slice(1);
  go(['summary', 'photo'].includes(start) ? start : 'home', { focus: false });
  state.engineStarting = startEngine();
  // The app shell works offline after one visit (models are cached by the library itself).
  if ('serviceWorker' in navigator && !params.has('nosw')) {
    navigator.serviceWorker.register('sw.js').catch((e) => console.warn('[qingyu] no offline shell:', e.message));
  }
}

init();
