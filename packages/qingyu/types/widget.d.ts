// Types for `qingyu/widget` (qingyu-widget.js). Importing it defines two custom elements:
//   <qingyu-summary for="#article" type="key-points" length="short" model-base-url="/models/">
//   <qingyu-alt-text for="#photo" apply model-base-url="/models/">
// Attributes (both): for (CSS selector of the source; default: the previous sibling), lang ('zh' | 'en'),
// model-base-url (default: models/ next to the script — set it in a bundled app), auto (run on load).
// <qingyu-summary>: type, length, format. <qingyu-alt-text>: apply (write the result into the
// image's alt attribute when it has none).
import type { CaptionResult, QingyuErrorName, SummaryResult } from './qingyu.js';

/** `qingyu-result`: bubbles, composed. */
export interface QingyuResultEvent<R = SummaryResult | CaptionResult> extends CustomEvent<R> {
  readonly type: 'qingyu-result';
}
/** `qingyu-error`: bubbles, composed. */
export interface QingyuErrorEvent extends CustomEvent<{ name: QingyuErrorName | string; message: string }> {
  readonly type: 'qingyu-error';
}

declare class QingyuBase extends HTMLElement {
  /** The resolved model folder (attribute model-base-url). */
  readonly modelBaseUrl: string;
  /** The element it works on: `for`, or the previous sibling. */
  source(): Element | null;
  /** Runs the summary / caption now (as the button does). */
  run(): Promise<void>;
}

export declare class QingyuSummary extends QingyuBase {
  static readonly observedAttributes: string[];
}
export declare class QingyuAltText extends QingyuBase {}

declare global {
  interface HTMLElementTagNameMap {
    'qingyu-summary': QingyuSummary;
    'qingyu-alt-text': QingyuAltText;
  }
  interface HTMLElementEventMap {
    'qingyu-result': QingyuResultEvent;
    'qingyu-error': QingyuErrorEvent;
  }
}
