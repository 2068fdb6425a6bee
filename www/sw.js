// Service worker for the demo's app shell: after one visit the page, the engine and the sample
// content load without a network. Network first (always fresh when online), the cache when
// offline. Model files are not handled here: www/lib/models.js keeps them (sha256-checked) in
// its own Cache API store.
//
// It also makes the site cross-origin isolated on a static host that cannot send headers
// (GitHub Pages and the like): every response it serves gets COOP + COEP (+ CORP), which the
// LLM's threads need (SharedArrayBuffer). From the second load on (or after a reload), the
// page it controls is isolated; a host that sends the headers itself needs none of this.
const SHELL = 'qingyu-shell-v5';
const ISOLATION = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'cross-origin',
};
const PRECACHE = [
  './', 'index.html', 'css/app.css', 'js/app.js', 'js/i18n.js',
  'lib/qingyu.js', 'lib/models.js', 'lib/worker.js', 'lib/simd-probe.js', 'lib/polyfill.js', 'lib/summarizer.js', 'lib/summarizer-options.js',
  'pkg/qingyu.js',
  'qingyu-widget.js', 'sample-article.html', 'embed.html',
  'samples/articles.json', 'samples/coffee.png', 'samples/chelsea.png', 'samples/astronaut.png',
];
// The engine's wasm builds: only those this browser runs by default are kept for offline use
// (35 or 29 MB of the 64 MB of builds). The relaxed-SIMD ones where it validates the probe the
// library's worker uses, else the SIMD128 ones; both sets hold a one-thread text module for the
// first visit and a threaded one for the isolated reloads. A build the page falls back to or is
// told to use (`simd: 'simd128'`) is cached when it is first fetched (network first, below).
const MODULES = {
  relaxed: [
    'pkg/relaxed/qingyu_text.js', 'pkg/relaxed/qingyu_text_bg.wasm',
    'pkg/threads-relaxed/qingyu_text.js', 'pkg/threads-relaxed/qingyu_text_bg.wasm',
    'pkg/full-relaxed/qingyu.js', 'pkg/full-relaxed/qingyu_bg.wasm',
  ],
  simd128: ['pkg/qingyu_bg.wasm', 'pkg/threads/qingyu_text.js', 'pkg/threads/qingyu_text_bg.wasm'],
};

importScripts('lib/simd-probe.js');

function relaxedSimd() {
  try { return WebAssembly.validate(self.QINGYU_RELAXED_SIMD_PROBE); } catch { return false; }
}

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(SHELL);
    // One missing optional file must not block the rest.
    const files = [...PRECACHE, ...MODULES[relaxedSimd() ? 'relaxed' : 'simd128']];
    await Promise.all(files.map((u) => cache.add(new Request(u, { cache: 'no-cache' })).catch(() => {})));
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) if (key.startsWith('qingyu-shell-') && key !== SHELL) await caches.delete(key);
    await self.clients.claim();
  })());
});

/** `res` with the isolation headers added (when the host did not send them). */
function isolated(res) {
  if (res.type === 'opaque' || res.type === 'opaqueredirect' || res.status === 0) return res;
  if (res.headers.get('Cross-Origin-Embedder-Policy')) return res;
  const headers = new Headers(res.headers);
  for (const [k, v] of Object.entries(ISOLATION)) headers.set(k, v);
  return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
}

self.addEventListener('fetch', (event) => {
  const req = event.request;
  const url = new URL(req.url);
  if (req.method !== 'GET' || url.origin !== location.origin) return;
  // Models are large and cached by the library; bench pages and vendor files are not the app.
  // Same-origin files need no CORP under COEP, so passing them through is fine.
  if (url.pathname.includes('/models/') || url.pathname.includes('/bench/') || url.pathname.includes('/vendor/')) return;
  event.respondWith((async () => {
    const cache = await caches.open(SHELL);
    try {
      const res = await fetch(req);
      if (res.ok && res.status === 200) cache.put(req, res.clone()).catch(() => {});
      return isolated(res);
    } catch (e) {
      const hit = await cache.match(req, { ignoreSearch: req.mode === 'navigate' });
      if (hit) return isolated(hit);
      throw e;
    }
  })());
});
