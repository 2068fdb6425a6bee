// Qingyu widget: on-device summaries and alt text as custom elements.
//
//   <script type="module" src="https://your.site/qingyu/qingyu-widget.js"></script>
//   <qingyu-summary for="#article" type="key-points" length="short"></qingyu-summary>
//   <qingyu-alt-text for="#hero-photo" apply></qingyu-alt-text>
//
// Attributes (both elements): for (CSS selector of the source element; default: the previous
// sibling), lang ("zh" | "en"; default: the page's language), model-base-url (folder with the
// model files + index.json; default: models/ next to this script), auto (run on load).
// <qingyu-summary>: type, length, format (as Qingyu.summarize). <qingyu-alt-text>: apply (write
// the result into the image's alt attribute when it has none).
// Events (bubble, composed): "qingyu-result" {detail: result}, "qingyu-error" {detail: {name, message}}.
//
// Everything renders in Shadow DOM with `:host { all: initial }`: no page style gets in and
// none gets out. The module defines no globals; instances share one worker per model URL.
import { Qingyu } from './lib/qingyu.js';

// Not `new URL('./models/', import.meta.url)`: bundlers would try to copy that as an asset. A
// bundled app sets model-base-url.
const HERE = import.meta.url;
const DEFAULT_BASE = new URL('./models/', HERE).href;
const shared = new Map(); // modelBaseUrl → Promise<Qingyu>
function qingyuFor(base) {
  if (!shared.has(base)) {
    const monitor = new EventTarget();
    const p = Qingyu.create({ modelBaseUrl: base, monitor(m) { m.addEventListener('downloadprogress', (e) => monitor.dispatchEvent(new CustomEvent('progress', { detail: e }))); } })
      .then((qy) => Object.assign(qy, { widgetMonitor: monitor }));
    p.catch(() => shared.delete(base));
    shared.set(base, p);
  }
  return shared.get(base);
}

const TEXT = {
  zh: {
    summary: '本地摘要', altText: '替代文本', run: '生成要点', runOther: '生成摘要', runAlt: '生成描述', stop: '停止', again: '重新生成',
    ready: '在你的设备上运行，内容不会上传', languageFallback: '无法生成所要求语言的可靠译文，以下是原文语言的要点',
    working: '正在生成…', describing: '正在看图…', stopped: '已停止',
    downloading: (p, t) => `正在下载模型 ${p}%（${t}）`, noSource: '找不到要处理的内容', applied: '已写入图片的 alt 属性', apply: '写入 alt', copy: '复制', copied: '已复制',
    errors: { InvalidInput: '输入有误', ModelLoad: '模型加载失败', Unsupported: '暂不支持', AbortError: '已取消', Internal: '出错了' },
    notYet: '这个功能还没有加入当前的引擎版本。',
  },
  en: {
    summary: 'On-device summary', altText: 'Alt text', run: 'Key points', runOther: 'Summarize', runAlt: 'Describe', stop: 'Stop', again: 'Again',
    ready: 'Runs on your device; nothing is uploaded',
    languageFallback: 'No translation in the requested language passed the checks; these are the key sentences in the article’s language',
    working: 'Working…', describing: 'Looking at the image…', stopped: 'Stopped',
    downloading: (p, t) => `Downloading models ${p}% (${t})`, noSource: 'Nothing to process was found', applied: 'Written to the image’s alt attribute', apply: 'Use as alt', copy: 'Copy', copied: 'Copied',
    errors: { InvalidInput: 'Invalid input', ModelLoad: 'Could not load the model', Unsupported: 'Not supported', AbortError: 'Cancelled', Internal: 'Something went wrong' },
    notYet: 'This feature is not in the current engine build yet.',
  },
};

const STYLE = `
:host { all: initial; display: block; contain: content; font-family: -apple-system, BlinkMacSystemFont, "PingFang SC", "Noto Sans CJK SC", system-ui, sans-serif;
  font-size: 15px; line-height: 1.55; color: #17181c; --qy-accent: #5b4cf0; --qy-bg: #f6f6fb; --qy-line: #e4e4ee; }
:host([hidden]) { display: none; }
@media (prefers-color-scheme: dark) { :host { color: #eef0f5; --qy-bg: #1b1c22; --qy-line: #30323c; --qy-accent: #8a7dff; } }
.box { background: var(--qy-bg); border: 1px solid var(--qy-line); border-radius: 14px; padding: 12px 14px; }
.head { display: flex; align-items: center; gap: 8px; }
.dot { width: 12px; height: 12px; border-radius: 50%; flex: none; background: radial-gradient(circle at 30% 30%, #fff9, transparent 50%), linear-gradient(135deg, var(--qy-accent), #2bb3c0); }
.title { font-weight: 650; font-size: 14px; flex: 1; }
button { font: inherit; font-size: 14px; font-weight: 600; border: 0; border-radius: 10px; padding: 6px 12px; cursor: pointer; background: var(--qy-accent); color: #fff; min-height: 32px; }
button.ghost { background: transparent; color: var(--qy-accent); padding: 6px 6px; }
button:focus-visible { outline: 3px solid color-mix(in srgb, var(--qy-accent) 55%, transparent); outline-offset: 2px; }
button[hidden] { display: none; }
.out { margin-top: 8px; min-height: 0; }
.out:empty { display: none; }
.out ul { margin: 0; padding-left: 1.2em; }
.out li { margin: 3px 0; }
.out p { margin: 3px 0; }
.status { margin: 6px 0 0; font-size: 12.5px; color: color-mix(in srgb, currentColor 60%, transparent); }
.status.error { color: #c8362d; }
.bar { height: 4px; border-radius: 2px; background: var(--qy-line); margin-top: 8px; overflow: hidden; }
.bar[hidden] { display: none; }
.bar > div { height: 100%; width: 0; background: var(--qy-accent); transition: width .2s; }
.actions { display: flex; gap: 4px; margin-top: 6px; }
.actions:empty { display: none; }
`;

function langOf(el) {
  const l = (el.getAttribute('lang') || el.closest('[lang]')?.getAttribute('lang') || document.documentElement.lang || 'zh').toLowerCase();
  return l.startsWith('en') ? 'en' : 'zh';
}

class QingyuBase extends HTMLElement {
  constructor() {
    super();
    this._root = this.attachShadow({ mode: 'open' });
    this._abort = null;
  }

  get t() { return TEXT[langOf(this)]; }
  get modelBaseUrl() { return new URL(this.getAttribute('model-base-url') || DEFAULT_BASE, document.baseURI).href; }

  source() {
    const sel = this.getAttribute('for');
    if (sel) {
      try { return this.getRootNode().querySelector(sel) ?? document.querySelector(sel); } catch { return null; }
    }
    return this.previousElementSibling;
  }

  render(title, runLabel) {
    this._root.innerHTML = `<style>${STYLE}</style>
      <div class="box" part="box">
        <div class="head"><span class="dot" aria-hidden="true"></span><span class="title" part="title"></span>
          <button type="button" class="run" part="button"></button><button type="button" class="stop ghost" hidden></button></div>
        <div class="bar" hidden><div></div></div>
        <div class="out" part="output" aria-live="polite"></div>
        <div class="actions"></div>
        <p class="status" role="status"></p>
      </div>`;
    const $ = (s) => this._root.querySelector(s);
    this.$ = $;
    $('.title').textContent = title;
    $('.run').textContent = runLabel;
    $('.stop').textContent = this.t.stop;
    $('.status').textContent = this.t.ready;
    $('.run').addEventListener('click', () => this.run());
    $('.stop').addEventListener('click', () => this._abort?.abort());
  }

  /** Nothing to work on: said in the widget, and as a typed "qingyu-error" for the host page. */
  noSource(why) {
    this.status(this.t.noSource, true);
    this.dispatchEvent(new CustomEvent('qingyu-error', { detail: { name: 'InvalidInput', message: `InvalidInput: ${why}` }, bubbles: true, composed: true }));
    return null;
  }

  status(text, error = false) {
    const s = this.$('.status');
    s.textContent = text;
    s.classList.toggle('error', error);
  }

  progress(e) {
    const bar = this.$('.bar');
    const pct = e.total ? Math.floor((e.loaded / e.total) * 100) : 100;
    bar.hidden = e.loaded >= e.total;
    bar.firstElementChild.style.width = `${pct}%`;
    if (e.loaded < e.total) this.status(this.t.downloading(pct, `${(e.total / 1e6).toFixed(0)} MB`));
  }

  async withQingyu(work) {
    this._abort?.abort();
    const ctrl = new AbortController();
    this._abort = ctrl;
    const run = this.$('.run');
    const stop = this.$('.stop');
    run.hidden = true;
    stop.hidden = false;
    const onProgress = (ev) => this.progress(ev.detail);
    let qy = null;
    try {
      qy = await qingyuFor(this.modelBaseUrl);
      qy.widgetMonitor.addEventListener('progress', onProgress);
      const result = await work(qy, ctrl.signal);
      this.dispatchEvent(new CustomEvent('qingyu-result', { detail: result, bubbles: true, composed: true }));
      return result;
    } catch (e) {
      if (e.name === 'AbortError') {
        this.status(this.t.stopped);
      } else {
        const kind = this.t.errors[e.name] ? e.name : 'Internal';
        const text = e.name === 'Unsupported' && /does not have yet/.test(e.message) ? this.t.notYet : e.message.replace(/^\w+: /, '');
        this.status(`${this.t.errors[kind]}: ${text}`, true);
        this.dispatchEvent(new CustomEvent('qingyu-error', { detail: { name: e.name, message: e.message }, bubbles: true, composed: true }));
      }
      return null;
    } finally {
      qy?.widgetMonitor.removeEventListener('progress', onProgress);
      this.$('.bar').hidden = true;
      run.hidden = false;
      stop.hidden = true;
      if (this._abort === ctrl) this._abort = null;
    }
  }

  disconnectedCallback() { this._abort?.abort(); }
}

function renderText(el, text) {
  el.replaceChildren();
  let list = null;
  for (const line of text.split('\n').map((l) => l.trim()).filter(Boolean)) {
    const m = /^(?:[-*•·]|\d+[.)、])\s*(.*)$/.exec(line);
    if (m) {
      list ??= el.appendChild(document.createElement('ul'));
      list.appendChild(document.createElement('li')).textContent = m[1].replace(/\*\*(.+?)\*\*/g, '$1');
    } else {
      list = null;
      el.appendChild(document.createElement('p')).textContent = line.replace(/^#+\s*/, '').replace(/\*\*(.+?)\*\*/g, '$1');
    }
  }
}

class QingyuSummary extends QingyuBase {
  static get observedAttributes() { return ['lang', 'type']; }

  connectedCallback() {
    const type = this.getAttribute('type') || 'key-points';
    this.render(this.t.summary, type === 'key-points' ? this.t.run : this.t.runOther);
    if (this.hasAttribute('auto')) queueMicrotask(() => this.run());
  }

  attributeChangedCallback() { if (this.$ && !this._abort) this.connectedCallback(); }

  async run() {
    const src = this.source();
    const text = src ? (src.value ?? src.innerText ?? src.textContent ?? '') : '';
    if (!text.trim()) return this.noSource('the text is empty');
    const out = this.$('.out');
    out.replaceChildren();
    this.status(this.t.working);
    return this.withQingyu(async (qy, signal) => {
      let acc = '';
      const stream = qy.summarizeStreaming(text, {
        type: this.getAttribute('type') || 'key-points',
        length: this.getAttribute('length') || 'short',
        format: this.getAttribute('format') || 'markdown',
        ...(this.getAttribute('output-language') ? { outputLanguage: this.getAttribute('output-language') } : {}),
        signal,
      });
      const reader = stream.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        acc += value;
        renderText(out, acc);
        this.status(this.t.working);
      }
      const result = stream.result ?? { text: acc };
      if (result.text && result.text !== acc) renderText(out, result.text);
      this.status(result.fallbackReason ? this.t.languageFallback : this.t.ready);
      return result;
    });
  }
}

class QingyuAltText extends QingyuBase {
  connectedCallback() {
    this.render(this.t.altText, this.t.runAlt);
    if (this.hasAttribute('auto')) queueMicrotask(() => this.run());
  }

  image() {
    const src = this.source() ?? this.querySelector('img');
    if (src instanceof HTMLImageElement) return src;
    return src?.querySelector?.('img') ?? null;
  }

  async run() {
    const img = this.image();
    if (!img) return this.noSource('no <img> was found');
    const out = this.$('.out');
    const actions = this.$('.actions');
    out.replaceChildren();
    actions.replaceChildren();
    this.status(this.t.describing);
    return this.withQingyu(async (qy, signal) => {
      // Same-origin images and those marked crossorigin (their server sends CORS): fetch the
      // file (exact bytes). Others: read the pixels (a fetch would only fail, with a CORS error
      // in the host page's console; without CORS the library says the pixels cannot be read).
      let input = img;
      const src = img.currentSrc || img.src;
      let url = null;
      try { url = new URL(src, document.baseURI); } catch { /* no usable src */ }
      if (url && (url.origin === location.origin || ['data:', 'blob:'].includes(url.protocol) || img.crossOrigin !== null)) {
        try {
          const res = await fetch(url.href, { signal });
          if (res.ok) input = await res.blob();
        } catch (e) { if (e.name === 'AbortError') throw e; }
      }
      const result = await qy.caption(input, { language: langOf(this), signal });
      const alt = result.alt || result.text || '';
      out.appendChild(document.createElement('p')).textContent = alt;
      const copy = actions.appendChild(document.createElement('button'));
      copy.className = 'ghost';
      copy.type = 'button';
      copy.textContent = this.t.copy;
      copy.addEventListener('click', async () => { await navigator.clipboard?.writeText(alt).catch(() => {}); this.status(this.t.copied); });
      const write = () => { img.alt = alt; this.status(this.t.applied); };
      if (this.hasAttribute('apply') && !img.getAttribute('alt')) {
        write();
      } else {
        const b = actions.appendChild(document.createElement('button'));
        b.className = 'ghost';
        b.type = 'button';
        b.textContent = this.t.apply;
        b.addEventListener('click', write);
        this.status(this.t.ready);
      }
      return result;
    });
  }
}

if (!customElements.get('qingyu-summary')) customElements.define('qingyu-summary', QingyuSummary);
if (!customElements.get('qingyu-alt-text')) customElements.define('qingyu-alt-text', QingyuAltText);

export { QingyuSummary, QingyuAltText };
