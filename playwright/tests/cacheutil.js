// Reads the model cache the way www/lib/models.js writes it and checks every entry: each file
// is whole (its parts add up to the size index.json gives), hashes to the index's sha256 and
// carries that sha256; no part is left without its file; nothing else is there.

/** Runs in the page: [{name, size, ok, why}] for every cached model file, plus orphans. */
export async function auditCache(page, { index = null, base = '/models/' } = {}) {
  return page.evaluate(async ({ index, base }) => {
    const baseUrl = new URL(base, location.href).href;
    const idx = index ?? (await (await fetch(`${baseUrl}index.json`, { cache: 'no-store' })).json()).files;
    const hex = (b) => Array.from(new Uint8Array(b), (x) => x.toString(16).padStart(2, '0')).join('');
    if (!(await caches.has('qingyu-models-v1'))) return { files: [], problems: [], keys: [] };
    const cache = await caches.open('qingyu-models-v1');
    const keys = (await cache.keys()).map((r) => r.url);
    const files = [];
    const problems = [];
    const partsSeen = new Set();
    for (const url of keys) {
      if (!url.startsWith(baseUrl)) { problems.push(`foreign entry ${url}`); continue; }
      const rel = url.slice(baseUrl.length);
      if (rel === 'index.json' || rel.includes('?qy-part=')) continue;
      const name = decodeURIComponent(rel);
      const res = await cache.match(url);
      const meta = idx[name];
      if (!meta) { problems.push(`${name}: not in the index`); continue; }
      const parts = Number(res.headers.get('x-qingyu-parts') || 0);
      let bytes;
      if (!parts) bytes = new Uint8Array(await res.arrayBuffer());
      else {
        const chunks = [];
        for (let i = 0; i < parts; i++) {
          const pu = `${url}?qy-part=${i}`;
          partsSeen.add(pu);
          const p = await cache.match(pu);
          if (!p) { problems.push(`${name}: part ${i} missing`); break; }
          chunks.push(new Uint8Array(await p.arrayBuffer()));
        }
        bytes = new Uint8Array(await new Blob(chunks).arrayBuffer());
      }
      const sha = hex(await crypto.subtle.digest('SHA-256', bytes));
      const header = res.headers.get('x-qingyu-sha256');
      const ok = bytes.length === meta.size && sha === meta.sha256 && header === meta.sha256;
      if (!ok) problems.push(`${name}: ${bytes.length} bytes, sha ${sha.slice(0, 12)}, header ${String(header).slice(0, 12)}; index ${meta.size} ${meta.sha256.slice(0, 12)}`);
      files.push({ name, size: bytes.length, sha256: sha, ok, parts });
    }
    for (const url of keys) if (url.includes('?qy-part=') && !partsSeen.has(url)) problems.push(`orphan part ${url}`);
    return { files, problems, keys };
  }, { index, base });
}
