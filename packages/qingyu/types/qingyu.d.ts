// Types for `qingyu` (lib/qingyu.js): on-device summaries and photo captions in a Web Worker.
// Hand-written; the runtime is plain JavaScript + the wasm in pkg/.

/** The longest text, in characters (code points), that summarize() accepts: 100,000. */
export declare const MAX_TEXT_CHARS: number;
/** The largest image file caption()/classify() accept: 25 MiB. */
export declare const MAX_IMAGE_BYTES: number;
/** The largest image side the engine decodes: 20,000 px (a larger header is InvalidInput at once). */
export declare const MAX_IMAGE_SIDE: number;
/** The most pixels the engine decodes: 50,000,000. */
export declare const MAX_IMAGE_PIXELS: number;
/**
 * The format and size an encoded image's header claims (sizes null where the bytes end before
 * them), or null for bytes that are not PNG, JPEG, GIF or WebP.
 */
export declare function sniffImage(bytes: Uint8Array): { format: 'PNG' | 'JPEG' | 'GIF' | 'WebP'; width: number | null; height: number | null } | null;

/** A group of models: 'llm' (347 MB), 'vision' (captions, ~30 MB), 'classifier' (ImageNet, 18.5 MB). */
export type Feature = 'llm' | 'vision' | 'classifier';
export type Availability = 'unavailable' | 'downloadable' | 'downloading' | 'available';
export type SummaryType = 'key-points' | 'tldr' | 'teaser' | 'headline';
export type SummaryLength = 'short' | 'medium' | 'long';
export type SummaryFormat = 'plain-text' | 'markdown';
/** Output languages (inputs may be English, Chinese or a mix). */
export type Language = 'zh' | 'en';
/** The language detected in a text. */
export type DetectedLanguage = 'zh' | 'en' | 'mixed';

/**
 * Every error the library rejects with is an `Error` whose `name` is one of these
 * (`message` starts with the same word, except for AbortError which starts with "Aborted").
 */
export type QingyuErrorName = 'InvalidInput' | 'ModelLoad' | 'Unsupported' | 'AbortError' | 'Internal';
export interface QingyuError extends Error {
  name: QingyuErrorName;
}

/** The `downloadprogress` event on the monitor: bytes over every file being fetched. */
export declare class DownloadProgressEvent extends Event {
  constructor(loaded: number, total: number, detail?: { group?: Feature | null; file?: string | null });
  readonly type: 'downloadprogress';
  /** Bytes received so far (all groups downloading together). */
  loaded: number;
  /** Bytes to fetch in all. */
  total: number;
  /** loaded / total (1 when total is 0). */
  progress: number;
  /** The model group this update came from. */
  group: Feature | null;
  /** The file being fetched. */
  file: string | null;
}

/** Fired when a model works for this session but could not be stored in the Cache API. */
export interface CacheWarningEvent extends Event {
  readonly type: 'cachewarning';
  file: string;
  message: string;
}

/** The monitor passed to `create({monitor})`: an EventTarget with these events. */
export interface QingyuMonitor extends EventTarget {
  addEventListener(type: 'downloadprogress', listener: (this: QingyuMonitor, ev: DownloadProgressEvent) => any, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: 'cachewarning', listener: (this: QingyuMonitor, ev: CacheWarningEvent) => any, options?: boolean | AddEventListenerOptions): void;
  /** The threaded module did not start; the LLM runs on one thread (`message` says why). */
  addEventListener(type: 'threadswarning', listener: (this: QingyuMonitor, ev: Event & { message: string }) => any, options?: boolean | AddEventListenerOptions): void;
  /** A relaxed-SIMD module did not pass its start; the LLM's kernels (`module` 'llm') or the photos' ('vision') run on SIMD128 (`message` says why). */
  addEventListener(type: 'simdwarning', listener: (this: QingyuMonitor, ev: Event & { module: 'llm' | 'vision'; message: string }) => any, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
  removeEventListener(type: 'downloadprogress', listener: (this: QingyuMonitor, ev: DownloadProgressEvent) => any, options?: boolean | EventListenerOptions): void;
  removeEventListener(type: 'cachewarning', listener: (this: QingyuMonitor, ev: CacheWarningEvent) => any, options?: boolean | EventListenerOptions): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void;
}

/** One model file of `index.json` (the manifest in the model folder). */
export interface ModelFileInfo {
  name?: string;
  size: number;
  sha256: string;
  url?: string;
  [key: string]: unknown;
}

export interface AvailabilityOptions {
  /** The model folder (with index.json). Default: `../models/` next to lib/ — pass it in a bundled app. */
  modelBaseUrl?: string;
  /** Default ['llm', 'vision']. */
  features?: Feature | Feature[];
  /** A manifest to use instead of fetching `index.json`: file name → info. */
  files?: Record<string, ModelFileInfo> | null;
}

/** Default summary options, as Chrome's `Summarizer.create()` takes them. */
export interface SummaryDefaults {
  type?: SummaryType;
  length?: SummaryLength;
  format?: SummaryFormat;
  outputLanguage?: Language;
  sharedContext?: string;
  /** See `SummarizeOptions.quality`. */
  quality?: SummaryQuality;
}

/**
 * `'fast'` (default): one greedy generation, streamed unit by unit as each passes the checks.
 * `'best'`: three generations (the greedy one and two seeded samples); the one whose checked
 * units cover the article's key sentences best is shown once all are done, so a stream gets the
 * text at the end. About 2–3× the decoding time. Extracted key points ignore it.
 */
export type SummaryQuality = 'fast' | 'best';

/** See `CreateOptions.weights`. */
export type WeightLayout = 'packed' | 'expanded';

export interface CreateOptions extends SummaryDefaults {
  /**
   * The folder with the model files and `index.json` (a URL, relative to the page).
   * Default: `../models/` relative to lib/qingyu.js, which only exists when the library is served as
   * the static site (`www/`). A bundled app (Vite, webpack…) must pass it, e.g. `'/models/'`, and
   * serve there the files of `models/dist` (after `./qy build`).
   */
  modelBaseUrl?: string;
  /** Another wasm-bindgen module to load instead of the bundled `pkg/qingyu.js`. */
  wasmUrl?: string;
  /**
   * How the LLM holds its weights. `'packed'`: about 380 MiB (the page peaked at 737 MiB with
   * the LLM loaded and summaries done, in the soak), as fast as expanded. `'expanded'`: about
   * 540 MiB. `'auto'` (default): packed.
   */
  weights?: 'auto' | WeightLayout;
  /**
   * The LLM's kernel threads. `'auto'` (default): one per logical core, at most 8. More than one
   * needs a cross-origin isolated page (COOP `same-origin` + COEP `require-corp`, or a service
   * worker that adds them); elsewhere the LLM runs on one thread and `info.threads.reason` says
   * why. `1` keeps it on one thread everywhere.
   */
  threads?: 'auto' | number;
  /**
   * The SIMD of the LLM's kernels and the photos'. `'auto'` (default): WebAssembly relaxed SIMD
   * where the browser validates it and the module passes a quick kernel check at start
   * (Chrome/Edge ≥ 114), else SIMD128. `'simd128'` keeps SIMD128 everywhere. `info.simd` says
   * what the LLM runs on, `stats().visionLoad.simd` what the photos run on.
   */
  simd?: 'auto' | 'simd128';
  /** Receives the EventTarget that fires `downloadprogress` (and `cachewarning`) events. */
  monitor?: (monitor: QingyuMonitor) => void;
  signal?: AbortSignal;
  /** Features whose models to download and load right away. */
  preload?: Feature | Feature[];
  /** A manifest to use instead of fetching `index.json`: file name → info. */
  files?: Record<string, ModelFileInfo> | null;
}

export interface SummarizeOptions {
  type?: SummaryType;
  length?: SummaryLength;
  format?: SummaryFormat;
  /** Default: the input's language. Another language needs the LLM. */
  outputLanguage?: Language;
  /** Background for this call (with sharedContext at most 1,000 characters). */
  context?: string;
  /** Key points rephrased by the LLM instead of extracted sentences. */
  useModel?: boolean;
  quality?: SummaryQuality;
  signal?: AbortSignal;
  /** Resolve to the whole SummaryResult instead of its text. */
  details?: boolean;
}

export interface SummaryViolation {
  kind: 'number' | 'name';
  text: string;
}

export interface SummaryDropped {
  unit: string;
  reasons: string[];
  /** For a translation: the source-language sentence it translated. */
  source?: string;
}

/** What `summarize(text, {details: true})` resolves to. */
export interface SummaryResult {
  text: string;
  type: SummaryType;
  /** The article's language. */
  language: DetectedLanguage;
  outputLanguage: DetectedLanguage;
  /** The bullets / sentences / headline the text is made of. */
  units: string[];
  /** Whether the LLM wrote it (false: extracted sentences). */
  llm: boolean;
  /** True when the checks rejected the model's text and the extractive summary is the answer. */
  fallback: boolean;
  /** Why the answer is not what was asked for (e.g. not in the requested language). */
  fallbackReason?: string;
  /** Cross-language summaries: the source-language units that were translated. */
  sourceUnits?: string[];
  /** Cross-language summaries: the source-language sentence each unit translates. */
  translatedFrom?: string[];
  /** How many of the last units are the article's own key sentences (translated across
   * languages), added because the checks left the model's units short of the requested count. */
  filled: number;
  dropped: SummaryDropped[];
  violations: { found: number; repaired: number; remaining: number; details: SummaryViolation[] };
  timing: { extractMs: number; prefillMs: number; decodeMs: number };
  tokens: {
    input: number; prompt: number; reused: number; generated: number;
    drafted: number; draftAccepted: number; draftPasses: number;
  };
  /** `quality: 'best'`: each generation's score (0 = greedy) and the one shown. */
  candidates?: { scores: number[]; chosen: number };
  stats: LlmStats | { totalMs: number };
}

export interface LlmStats {
  kind: 'summarize' | 'prompt';
  firstTokenMs: number | null;
  totalMs: number;
  promptTokens: number;
  generatedTokens: number;
  prefillMs: number | null;
  decodeMs: number;
  tokensPerSecond: number | null;
  prefillTokensPerSecond?: number | null;
}

/** A ReadableStream of text pieces (deltas, not the text so far); async-iterable. */
export interface QingyuStream<R = unknown> extends ReadableStream<string> {
  [Symbol.asyncIterator](): AsyncIterableIterator<string>;
  /** The call's result object, set once the stream has closed. */
  result?: R;
}

export interface PromptOptions {
  signal?: AbortSignal;
  /** Default 256. */
  maxTokens?: number;
  /** Default 0 (greedy). */
  temperature?: number;
  system?: string;
  onChunk?: (piece: string) => void;
  /** Prefill chunk size in tokens (default: adaptive). */
  prefillChunk?: number;
}

export interface PromptResult {
  text: string;
  finishReason: string;
  stats: LlmStats;
}

/** Anything caption()/classify() take. */
export type ImageInput = Blob | ImageBitmap | ImageData | HTMLImageElement;

export interface CaptionOptions {
  /** Default 'zh'. */
  language?: Language;
  /** 'brief' (default): one sentence. 'full': 2–3 checked sentences by the LLM (347 MB download). */
  detail?: 'brief' | 'full';
  signal?: AbortSignal;
  /** detail 'full': receives the checked sentences as they are written. */
  onChunk?: (piece: string) => void;
}

export interface CaptionLabel { name: string; zh: string; score: number }
export interface CaptionObject {
  name: string; zh: string; score: number;
  /** [x0, y0, x1, y1] in pixels. */
  box: [number, number, number, number];
}
export interface CaptionOcrLine {
  text: string; score: number;
  /** Corners TL, TR, BR, BL in pixels. */
  box: [[number, number], [number, number], [number, number], [number, number]];
}
export interface CaptionTag {
  concept: string;
  name: string;
  zh: string;
  count: number;
  score: number;
  sure: boolean;
  level: 'sure' | 'likely' | 'possible' | string;
  confidence: number;
  kind: string;
  related: string[];
  position: string | null;
  area: number;
}
export interface CaptionTiming {
  decodeMs: number; classifyMs: number; detectMs: number; ocrMs: number; composeMs: number; totalMs: number;
}
export interface CaptionStats {
  totalMs: number;
  timing: CaptionTiming | null;
  describeMs?: number;
}
export interface CaptionDescription {
  text: string;
  sentences?: unknown[];
  fallback?: boolean;
  dropped?: unknown[];
  timing?: Record<string, number>;
  tokens?: Record<string, number>;
  [key: string]: unknown;
}

/** What caption() resolves to. */
export interface CaptionResult {
  /** The caption (detail 'full': the LLM's checked sentences). */
  text: string;
  /** Short alt text: the sentence plus every confident OCR line. */
  alt: string;
  language: DetectedLanguage;
  labels: CaptionLabel[];
  objects: CaptionObject[];
  ocr: CaptionOcrLine[];
  tags: CaptionTag[];
  timing: CaptionTiming;
  stats: CaptionStats;
  /** detail 'full' only: the one-line caption. */
  brief?: string;
  detail?: 'full';
  description?: CaptionDescription;
}

export interface ClassifyResult {
  labels: Array<{ id: number; name: string; score: number }>;
  stats: { totalMs: number };
}

export interface QingyuFeatures {
  summarizeExtractive: boolean;
  summarizeLlm: boolean;
  captioner: boolean;
  classifier: boolean;
  llm: boolean;
}

/** How many kernel threads the LLM gets on this page, and why. */
export interface ThreadPlan {
  /** `threads` resolved. */
  requested: number;
  /** What the LLM runs on: more than 1 means the threaded text module and its Web Worker pool. */
  threads: number;
  /** Why: 'isolated' (threads run), 'not-isolated', 'requested' (one asked for), 'failed' (the threaded module did not start). */
  code: 'isolated' | 'not-isolated' | 'requested' | 'failed';
  reason: string;
}

/** Which SIMD the LLM's kernels use on this page, and why. */
export interface SimdPlan {
  /** `simd` resolved. */
  requested: 'auto' | 'simd128';
  /** What the LLM's weight products run on. */
  kernels: 'relaxed' | 'simd128';
  /** Why: 'relaxed' (the browser has it), 'unsupported', 'requested' (SIMD128 asked for), 'failed' (the relaxed module did not pass its start). */
  code: 'relaxed' | 'unsupported' | 'requested' | 'failed';
  reason: string;
}

/** Which SIMD the photos' kernels use: as the LLM's, decided when the vision module starts. */
export interface VisionSimd {
  kernels: 'relaxed' | 'simd128';
  /** As SimdPlan's; 'failed' here: the relaxed-SIMD vision module did not pass its start. */
  code: 'relaxed' | 'unsupported' | 'requested' | 'failed';
  reason: string;
}

export interface QingyuInfo {
  version: string;
  /** The build of the module that runs the LLM and the summaries (a text module where one
   * starts; the full module, which also holds vision, only loads with the first photo):
   * `{version, target_arch, simd128, matmul_kernels, modules, threads, llm_kernels}`. */
  build: Record<string, unknown>;
  features: QingyuFeatures;
  threads: ThreadPlan;
  simd: SimdPlan;
}

export interface QingyuStats {
  llm: LlmStats | null;
  caption: CaptionStats | null;
  classify?: { totalMs: number };
  llmLoad?: { fetchMs: number; compileMs: number; threads: ThreadPlan; simd: SimdPlan };
  /** `simd`: the photos' kernels (tract's matrix products in the full module). */
  visionLoad?: { fetchMs: number; compileMs: number; simd: VisionSimd };
  classifierLoad?: { fetchMs: number; compileMs: number; simd: VisionSimd };
  loaded: { llm: boolean; vision: boolean; classifier: boolean };
}

export interface CacheStatusEntry {
  name: string;
  size: number;
  sha256: string;
  cached: boolean;
  group: Feature;
}

export declare class Qingyu {
  /** Whether the features' models can run here and are already cached. */
  static availability(options?: AvailabilityOptions): Promise<Availability>;
  /** Why this browser cannot run Qingyu, or null. */
  static unsupportedReason(): string | null;
  /** Starts the worker and the wasm; rejects with a QingyuError (Unsupported, ModelLoad…). */
  static create(options?: CreateOptions): Promise<Qingyu>;
  /** Does a summary with these options need the LLM (a 347 MB download on first use)? */
  static needsLlm(options?: Pick<SummarizeOptions, 'type' | 'useModel'>): boolean;

  private constructor(options: CreateOptions);

  readonly modelBaseUrl: string;
  /** null: the bundled pkg/qingyu.js. */
  readonly wasmUrl: string | null;
  /** The weight layout this instance loads the LLM with (`weights` resolved). */
  readonly weights: WeightLayout;
  /** Kernel threads asked for the LLM (`threads` resolved); `info.threads` says what it gets. */
  readonly threads: number;
  /** The SIMD asked for the LLM's kernels (`simd` resolved); `info.simd` says what runs. */
  readonly simd: 'auto' | 'simd128';
  readonly defaults: SummaryDefaults & { context?: string };
  /** The longest text (in characters) summarize() accepts. */
  readonly inputQuota: number;
  readonly monitor: QingyuMonitor;
  /** Set once the worker has started. */
  info: QingyuInfo | null;

  /** Downloads (or reads from the cache) and loads a feature's models. */
  load(feature: Feature, options?: { signal?: AbortSignal }): Promise<{ group: Feature; stats: { fetchMs: number; compileMs: number } | null }>;
  /** What this wasm build offers. */
  features(): Promise<QingyuFeatures>;

  summarize(text: string, options: SummarizeOptions & { details: true }): Promise<SummaryResult>;
  summarize(text: string, options?: SummarizeOptions & { details?: false }): Promise<string>;
  summarize(text: string, options?: SummarizeOptions): Promise<string | SummaryResult>;
  summarizeStreaming(text: string, options?: Omit<SummarizeOptions, 'details'>): QingyuStream<SummaryResult>;

  /** Chat with the LLM directly. */
  prompt(text: string, options?: PromptOptions): Promise<PromptResult>;
  promptStreaming(text: string, options?: Omit<PromptOptions, 'onChunk'>): QingyuStream<PromptResult>;

  /** Describe a photo (needs the vision models, ~30 MB on first use). */
  caption(image: ImageInput, options?: CaptionOptions): Promise<CaptionResult>;
  /** ImageNet top-k classes only. */
  classify(image: ImageInput, options?: { k?: number; signal?: AbortSignal }): Promise<ClassifyResult>;

  /** Timings of the last operations. */
  stats(): Promise<QingyuStats>;
  /** Workers replaced because a cancelled job did not stop in time. */
  readonly workerRestarts: number;
  /** Calls sent again to the new worker after such a restart (they had not streamed anything yet). */
  readonly callsRetried: number;
  /** The worker's wasm memory and job counts (for soak tests and dashboards). */
  memoryStats(options?: { signal?: AbortSignal }): Promise<QingyuMemoryStats>;
  /** Every model file and whether it is in the Cache API. */
  cacheStatus(): Promise<CacheStatusEntry[]>;
  /** Deletes every cached model file. */
  clearCache(): Promise<boolean>;
  /** Stops the worker; pending calls reject with AbortError. */
  destroy(): void;
}

/** qy.memoryStats(): the wasm linear memory only grows; a restarted worker starts a new one. */
export interface QingyuMemoryStats {
  wasmMemoryBytes: number | null;
  workerJobs: number;
  pending: number;
  workerRestarts: number;
  callsRetried: number;
}

export default Qingyu;
