// Chrome's built-in `Summarizer` API where the browser has none, backed by Qingyu.
//
//   import './lib/polyfill.js';              // installs globalThis.Summarizer if needed
//   const s = await Summarizer.create({ type: 'key-points', outputLanguage: 'zh' });
//
// Installed when `Summarizer` is missing, or when the browser's own reports 'unavailable' (no
// model for this device), or with install({force: true}). servedBy() says which one pages get.
import { CreateMonitor, Summarizer, configure } from './summarizer.js';

/** How long to wait for a built-in Summarizer.availability() before keeping the built-in one. */
const NATIVE_CHECK_MS = 3000;

const state = { source: 'none', native: null };

/** The browser's own Summarizer, or null (also after the polyfill replaced it). */
export const nativeSummarizer = () => state.native;

/** 'native' | 'polyfill' | 'none' (not a Window: the API is exposed to windows only). */
export const servedBy = () => state.source;

async function nativeUnavailable(native) {
  let timer;
  const timeout = new Promise((resolve) => { timer = setTimeout(resolve, NATIVE_CHECK_MS, 'timeout'); });
  try {
    return (await Promise.race([native.availability(), timeout])) === 'unavailable';
  } catch {
    return true; // a built-in API that cannot even answer is no use
  } finally {
    clearTimeout(timer);
  }
}

// Interface objects are writable, configurable and not enumerable on the global.
const defineGlobal = (name, value) => Object.defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: false });

/**
 * Installs the polyfill where it is needed; resolves to servedBy().
 * @param {object} [o]
 * @param {boolean} [o.force]  replace even a working built-in Summarizer
 * @param {string} [o.modelBaseUrl]  the model folder (default ../models/ next to lib/)
 * @param {string} [o.wasmUrl]  the wasm-bindgen glue (default ../pkg/qingyu.js)
 */
export async function install({ force = false, modelBaseUrl, wasmUrl } = {}) {
  configure({ modelBaseUrl, wasmUrl });
  if (typeof globalThis.document === 'undefined') return state.source; // [Exposed=Window]
  const current = globalThis.Summarizer;
  if (current === Summarizer) return state.source;
  if (current && !force && !(await nativeUnavailable(current))) {
    state.native = current;
    state.source = 'native';
    return state.source;
  }
  state.native = current ?? null;
  defineGlobal('Summarizer', Summarizer);
  if (!globalThis.CreateMonitor) defineGlobal('CreateMonitor', CreateMonitor);
  state.source = 'polyfill';
  return state.source;
}

export { Summarizer };

await install();
