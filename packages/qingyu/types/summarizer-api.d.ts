// The Writing Assistance APIs' Summarizer (webmachinelearning.github.io/writing-assistance-apis),
// as the polyfill implements it. TypeScript's lib.dom does not declare these (Chromium-only so far),
// so `qingyu/polyfill` declares them on the global scope.

export type SummarizerType = 'tldr' | 'teaser' | 'key-points' | 'headline';
export type SummarizerFormat = 'plain-text' | 'markdown';
export type SummarizerLength = 'short' | 'medium' | 'long';
export type AIAvailability = 'unavailable' | 'downloadable' | 'downloading' | 'available';

export interface CreateMonitorEventMap {
  downloadprogress: ProgressEvent;
}

/** Receives `downloadprogress` ProgressEvents: `loaded` 0 → 1, `total` 1. */
export interface CreateMonitor extends EventTarget {
  ondownloadprogress: ((this: CreateMonitor, ev: ProgressEvent) => any) | null;
  addEventListener<K extends keyof CreateMonitorEventMap>(type: K, listener: (this: CreateMonitor, ev: CreateMonitorEventMap[K]) => any, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof CreateMonitorEventMap>(type: K, listener: (this: CreateMonitor, ev: CreateMonitorEventMap[K]) => any, options?: boolean | EventListenerOptions): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | EventListenerOptions): void;
}
export type CreateMonitorCallback = (monitor: CreateMonitor) => void;

export interface SummarizerCreateCoreOptions {
  type?: SummarizerType;
  format?: SummarizerFormat;
  length?: SummarizerLength;
  expectedInputLanguages?: string[];
  expectedContextLanguages?: string[];
  outputLanguage?: string;
}
export interface SummarizerCreateOptions extends SummarizerCreateCoreOptions {
  signal?: AbortSignal;
  monitor?: CreateMonitorCallback;
  sharedContext?: string;
}
export interface SummarizerSummarizeOptions {
  signal?: AbortSignal;
  context?: string;
}

/** A summarizer made by `Summarizer.create()`. */
export interface Summarizer {
  summarize(input: string, options?: SummarizerSummarizeOptions): Promise<string>;
  /** A stream of new pieces (not the text so far). */
  summarizeStreaming(input: string, options?: SummarizerSummarizeOptions): ReadableStream<string>;
  readonly sharedContext: string;
  readonly type: SummarizerType;
  readonly format: SummarizerFormat;
  readonly length: SummarizerLength;
  readonly expectedInputLanguages: ReadonlyArray<string> | null;
  readonly expectedContextLanguages: ReadonlyArray<string> | null;
  readonly outputLanguage: string | null;
  /** Rejects with a QuotaExceededError-named DOMException past the quota. */
  measureInputUsage(input: string, options?: SummarizerSummarizeOptions): Promise<number>;
  readonly inputQuota: number;
  destroy(): void;
}

export interface SummarizerConstructor {
  readonly prototype: Summarizer;
  /** Not constructible: use create(). */
  new (token: never): Summarizer;
  create(options?: SummarizerCreateOptions): Promise<Summarizer>;
  availability(options?: SummarizerCreateCoreOptions): Promise<AIAvailability>;
}

export interface CreateMonitorConstructor {
  readonly prototype: CreateMonitor;
  new (token: never): CreateMonitor;
}
