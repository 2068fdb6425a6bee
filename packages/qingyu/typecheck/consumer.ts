// A consumer of every public type (not shipped): playwright/tests/npm.spec.js compiles it with
// `tsc --noEmit --strict` against the packed tarball. The @ts-expect-error lines at the end must fail.
import { Qingyu, DownloadProgressEvent, MAX_TEXT_CHARS, type CaptionResult, type SummaryResult, type QingyuError } from 'qingyu';
import DefaultQingyu from 'qingyu';
import { install, servedBy, nativeSummarizer, Summarizer as QySummarizer } from 'qingyu/polyfill';
import { QingyuSummary, QingyuAltText } from 'qingyu/widget';
import pkg from 'qingyu/package.json' with { type: 'json' };

export async function main(file: File, img: HTMLImageElement): Promise<void> {
  const ctrl = new AbortController();
  console.log(await Qingyu.availability({ modelBaseUrl: '/models/', features: ['vision'] }), Qingyu.unsupportedReason(), MAX_TEXT_CHARS);
  const qy = await DefaultQingyu.create({
    modelBaseUrl: '/models/', type: 'key-points', length: 'short', signal: ctrl.signal, preload: ['vision'],
    monitor(m) {
      m.addEventListener('downloadprogress', (e) => { const p: number = e.progress; console.log(e.loaded, e.total, e.group, e.file, p); });
      m.addEventListener('cachewarning', (e) => console.warn(e.file, e.message));
      m.addEventListener('simdwarning', (e) => console.warn(e.module === 'vision' ? 'photos' : 'LLM', e.message));
    },
  });
  const text: string = await qy.summarize('一段文字。', { type: 'key-points', length: 'short', format: 'plain-text' });
  const details: SummaryResult = await qy.summarize('text', { details: true, outputLanguage: 'en' });
  console.log(text, details.units.join('\n'), details.fallbackReason ?? '', details.tokens.generated, details.violations.remaining);
  const stream = qy.summarizeStreaming('text', { type: 'tldr', signal: ctrl.signal });
  for await (const piece of stream) console.log(piece.toUpperCase());
  console.log(stream.result?.text);
  const cap: CaptionResult = await qy.caption(file, { language: 'en' });
  const cap2 = await qy.caption(img, { detail: 'full', onChunk: (s) => console.log(s) });
  console.log(cap.alt, cap.labels[0]?.score, cap.objects.map((o) => o.box[2]), cap.ocr[0]?.box[3][1], cap.tags[0]?.position, cap2.brief, cap2.description?.text);
  const cls = await qy.classify(file, { k: 3 });
  console.log(cls.labels[0].name);
  const pr = await qy.prompt('hi', { maxTokens: 16 });
  console.log(pr.finishReason, pr.stats.tokensPerSecond);
  for await (const p of qy.promptStreaming('hi')) console.log(p);
  const st = await qy.stats();
  const photosSimd: 'relaxed' | 'simd128' | undefined = st.visionLoad?.simd.kernels;
  console.log(st.loaded.vision, photosSimd, (await qy.cacheStatus()).filter((r) => !r.cached).map((r) => r.name), await qy.clearCache(), (await qy.features()).captioner, qy.info?.version);
  await qy.load('llm');
  const mem = await qy.memoryStats();
  console.log((mem.wasmMemoryBytes ?? 0) / 2 ** 20, mem.pending, mem.workerRestarts === qy.workerRestarts);
  qy.destroy();
  try { await qy.summarize(''); } catch (e) {
    const err = e as QingyuError;
    if (err.name === 'InvalidInput' || err.name === 'AbortError') console.log(err.message);
  }
  const ev = new DownloadProgressEvent(1, 2, { group: 'llm' });
  console.log(ev.progress, Qingyu.needsLlm({ type: 'tldr' }));

  // polyfill
  console.log(await install({ modelBaseUrl: '/models/' }), servedBy(), nativeSummarizer());
  if (await Summarizer.availability({ type: 'key-points' }) !== 'unavailable') {
    const s = await Summarizer.create({ type: 'key-points', outputLanguage: 'en', monitor(m) { m.addEventListener('downloadprogress', (e) => console.log(e.loaded)); } });
    const out: string = await s.summarize('text', { context: 'news' });
    console.log(out, s.inputQuota, await s.measureInputUsage('x'), s.expectedInputLanguages?.[0]);
    const reader = s.summarizeStreaming('text').getReader();
    console.log((await reader.read()).value);
    s.destroy();
  }
  console.log(QySummarizer === globalThis.Summarizer);

  // widget
  const el = document.createElement('qingyu-summary');
  const el2: QingyuAltText = document.createElement('qingyu-alt-text');
  el.addEventListener('qingyu-result', (e) => console.log(e.detail));
  el.addEventListener('qingyu-error', (e) => console.log(e.detail.name));
  await el.run();
  console.log(el instanceof QingyuSummary, el2.modelBaseUrl, el.source(), pkg.version);
}

// errors the types must catch
// @ts-expect-error unknown summary type
await Qingyu.create({ type: 'bullet' });
// @ts-expect-error wrong language
export const bad = (qy: Qingyu, f: File) => qy.caption(f, { language: 'fr' });
