// Service worker for the demo's app shell: after one visit the page, the engine and the sample
// content load without a network. Network first (always fresh when online), the cache when
// offline. Model files are not handled here: www/lib/models.js keeps them (sha256-checked) in
// its own Cache API store.
const SHELL = 'qingyu-shell-v1';
const PRECACHE = [
  './', 'index.html', 'css/app.css', 'js/app.js', 'js/i18n.js',
  'lib/qingyu.js', 'lib/models.js', 'lib/worker.js', 'lib/polyfill.js', 'lib/summarizer.js', 'lib/summarizer-options.js', 'pkg/qingyu.js', 'pkg/qingyu_bg.wasm',
  'qingyu-widget.js', 'sample-article.html', 'embed.html',
  'samples/articles.json', 'samples/coffee.png', 'samples/chelsea.png', 'samples/astronaut.png',
];

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(SHELL);
    // One missing optional file must not block the rest.
    await Promise.all(PRECACHE.map((u) => cache.add(new Request(u, { cache: 'no-cache' })).catch(() => {})));
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) if (key.startsWith('qingyu-shell-') && key !== SHELL) await caches.delete(key);
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  const url = new URL(req.url);
  if (req.method !== 'GET' || url.origin !== location.origin) return;
  if (url.pathname.includes('/models/') || url.pathname.includes('/bench/') || url.pathname.includes('/vendor/')) return;
  event.respondWith((async () => {
    const cache = await caches.open(SHELL);
    try {
      const res = await fetch(req);
      if (res.ok && res.status === 200) cache.put(req, res.clone()).catch(() => {});
      return res;
    } catch (e) {
      const hit = await cache.match(req, { ignoreSearch: req.mode === 'navigate' });
      if (hit) return hit;
      throw e;
    }
  })());
});
