// Types for `qingyu/polyfill` (lib/polyfill.js). Importing the module installs `Summarizer` (and
// `CreateMonitor`) on the global object where the browser has none or its own is 'unavailable'.
import type {
  CreateMonitor as CreateMonitorInterface, CreateMonitorConstructor, Summarizer as SummarizerInterface, SummarizerConstructor,
} from './summarizer-api.js';

export type {
  AIAvailability, CreateMonitorCallback, SummarizerCreateCoreOptions, SummarizerCreateOptions, SummarizerFormat,
  SummarizerLength, SummarizerSummarizeOptions, SummarizerType,
} from './summarizer-api.js';

declare global {
  /** The Writing Assistance APIs' Summarizer: the browser's own, or Qingyu's polyfill. */
  interface Summarizer extends SummarizerInterface {}
  var Summarizer: SummarizerConstructor;
  interface CreateMonitor extends CreateMonitorInterface {}
  var CreateMonitor: CreateMonitorConstructor;
}

/** Which Summarizer the page gets: 'native', 'polyfill', or 'none' (not a Window). */
export type ServedBy = 'native' | 'polyfill' | 'none';

export interface InstallOptions {
  /** Replace even a working built-in Summarizer. */
  force?: boolean;
  /**
   * The model folder (needed for tldr/teaser/headline and cross-language summaries, which use the
   * 347 MB LLM; key points need no model). Default: `../models/` next to lib/ — a bundled app passes it.
   */
  modelBaseUrl?: string;
  /** Another wasm-bindgen module instead of the bundled pkg/qingyu.js. */
  wasmUrl?: string;
}

/**
 * Installs the polyfill where needed (the import already ran it once with the defaults); also sets
 * modelBaseUrl / wasmUrl for Summarizers created afterwards. Resolves to servedBy().
 */
export declare function install(options?: InstallOptions): Promise<ServedBy>;
/** Which Summarizer pages get. */
export declare function servedBy(): ServedBy;
/** The browser's own Summarizer, or null (also after the polyfill replaced it). */
export declare function nativeSummarizer(): SummarizerConstructor | null;
/** Qingyu's Summarizer class (also when the browser's own is the one installed). */
export declare const Summarizer: SummarizerConstructor;
