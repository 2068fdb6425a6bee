// The npm package, used as a user would: scripts/pack-npm.mjs packs it, a fresh Vite project in a
// temp folder installs the tarball from disk, `vite build` bundles it (worker + wasm found through
// `new URL(…, import.meta.url)`), and Chromium runs the built app from a plain static server that
// maps /models/ to models/dist. Also: the hand-written .d.ts compile under `tsc --strict`, and the
// polyfill works under a strict CSP (no unsafe-eval, no inline script).
// Needs the npm registry (vite, typescript); skips with a message when it is unreachable.
import { test, expect } from '@playwright/test';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, createReadStream, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { repoRoot, photoPath } from './testdata.js';
import { watchErrors } from './webutil.js';

const VITE = '8.4.0';
const TYPESCRIPT = '7.0.2';
// Five wasm modules (the full one, SIMD128 and relaxed SIMD, and three text modules: threads,
// relaxed SIMD, both); a page loads one full module and at most one text module. 19.6 MB packed
// when the relaxed text modules came in, 28.0 MB with the relaxed full module.
const MAX_TARBALL_BYTES = 30e6;

const ARTICLE = [
  'The city library will open a new reading room on the third floor next month.',
  'The room has 120 seats and stays open until 10 p.m. on weekdays.',
  'Library director Anna Berg said the project cost 2.4 million euros, most of it paid by a regional grant.',
  "The old study hall on the ground floor will become a children's section.",
  'Visitors asked for longer opening hours in a survey last year, and 68 percent named evening hours as their top wish.',
  'The library also plans to lend laptops from January.',
  'Construction noise is expected to end by the 15th.',
].join(' ');

const MAIN_JS = `import { Qingyu } from 'qingyu';
const ARTICLE = ${JSON.stringify(ARTICLE)};
try {
  // A bundled app serves the model files itself and says where (the default, ../models/ next to
  // the library, only exists in the static site).
  const qy = await Qingyu.create({ modelBaseUrl: '/models/' });
  const summary = await qy.summarize(ARTICLE, { type: 'key-points', length: 'short', details: true });
  const photo = await (await fetch('/coffee.png')).blob();
  const caption = await qy.caption(photo, { language: 'en' });
  window.qingyuResult = { ok: true, summary, caption, info: qy.info };
  qy.destroy();
} catch (e) {
  window.qingyuResult = { ok: false, name: e.name, message: e.message };
}
document.getElementById('out').textContent = JSON.stringify(window.qingyuResult, null, 2);
`;

const POLYFILL_JS = `import { install, servedBy } from 'qingyu/polyfill';
const ARTICLE = ${JSON.stringify(ARTICLE)};
try {
  // force: Debian's Chromium ships a built-in Summarizer without a model; take it over without the 3 s check.
  await install({ modelBaseUrl: '/models/', force: true });
  const summarizer = await Summarizer.create({ type: 'key-points' });
  const text = await summarizer.summarize(ARTICLE);
  window.polyfillResult = { ok: true, servedBy: servedBy(), text };
} catch (e) {
  window.polyfillResult = { ok: false, name: e.name, message: e.message };
}
document.getElementById('out').textContent = JSON.stringify(window.polyfillResult, null, 2);
`;

const page = (title, script, head = '') => `<!doctype html>
<html lang="en"><head><meta charset="utf-8">${head}<link rel="icon" href="data:,"><title>${title}</title>
<script type="module" src="${script}"></script></head>
<body><h1>${title}</h1><pre id="out">…</pre></body></html>
`;

const CSP = "script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'";
const VITE_CONFIG = `import { defineConfig } from 'vite';
export default defineConfig({
  build: { rollupOptions: { input: { main: 'index.html', polyfill: 'polyfill.html' } } },
});
`;

const MIME = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json',
  '.png': 'image/png', '.css': 'text/css', '.txt': 'text/plain', '.onnx': 'application/octet-stream' };

/** dist/ at /, models/dist at /models/ — what any static host would do. */
function serve(dist) {
  const models = path.join(repoRoot, 'models/dist');
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    let rel = decodeURIComponent(url.pathname);
    let base = dist;
    if (rel.startsWith('/models/')) { base = models; rel = rel.slice('/models'.length); }
    if (rel.endsWith('/')) rel += 'index.html';
    const file = path.join(base, path.normalize(rel));
    if (!file.startsWith(base) || !existsSync(file) || !statSync(file).isFile()) { res.writeHead(404).end('not found'); return; }
    res.writeHead(200, { 'Content-Type': MIME[path.extname(file)] ?? 'application/octet-stream', 'Content-Length': statSync(file).size });
    createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function run(cmd, args, cwd, testInfo, what) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 600_000, env: { ...process.env, NO_UPDATE_NOTIFIER: '1' } });
  const log = `$ ${cmd} ${args.join(' ')}\n${r.stdout ?? ''}\n${r.stderr ?? ''}`;
  if (r.status !== 0) {
    testInfo.attach(`${what}.log`, { body: log, contentType: 'text/plain' });
    throw new Error(`${what} failed (exit ${r.status ?? r.signal ?? r.error}):\n${log.slice(-4000)}`);
  }
  return log;
}

function registryReachable() {
  const r = spawnSync('npm', ['view', `vite@${VITE}`, 'version'], { encoding: 'utf8', timeout: 60_000 });
  return r.status === 0 && r.stdout.trim() === VITE ? null : (r.stderr || r.error?.message || 'no answer').trim().split('\n').slice(-2).join(' ');
}

test('npm package: packed tarball, typed, bundled by Vite, summary + caption + polyfill under a strict CSP', async ({ browser }, testInfo) => {
  test.setTimeout(900_000);
  const unreachable = registryReachable();
  test.skip(!!unreachable, `the npm registry is unreachable (needed for vite and typescript): ${unreachable}`);

  // 1. Pack.
  const packOut = execFileSync('node', [path.join(repoRoot, 'scripts/pack-npm.mjs')], { encoding: 'utf8' }).trim().split('\n');
  const tarball = packOut.at(-1);
  const size = statSync(tarball).size;
  console.log(`${packOut.slice(0, -1).join(' ')} — ${path.basename(tarball)} is ${(size / 1e6).toFixed(2)} MB`);
  expect(size).toBeLessThanOrEqual(MAX_TARBALL_BYTES);
  const listing = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean);
  expect(listing).toContain('package/pkg/qingyu_bg.wasm');
  expect(listing).toContain('package/types/qingyu.d.ts');
  expect(listing.filter((f) => /\.(onnx|gguf)$/.test(f) || f.startsWith('package/models/'))).toEqual([]);

  // 2. A fresh project that installs it, as a user would.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'qingyu-npm-'));
  let server = null;
  try {
    run('npm', ['init', '-y'], dir, testInfo, 'npm init');
    run('npm', ['pkg', 'set', 'type=module'], dir, testInfo, 'npm pkg set');
    run('npm', ['install', '--no-audit', '--no-fund', `vite@${VITE}`, `typescript@${TYPESCRIPT}`, tarball], dir, testInfo, 'npm install');
    const installed = JSON.parse(readFileSync(path.join(dir, 'node_modules/qingyu/package.json'), 'utf8'));
    expect(installed.version).toBe('0.1.0');

    // 3. The declarations compile for a strict consumer (bundler and node16+ resolution).
    copyFileSync(path.join(repoRoot, 'packages/qingyu/typecheck/consumer.ts'), path.join(dir, 'consumer.ts'));
    const tsc = path.join(dir, 'node_modules/.bin/tsc');
    const common = ['--ignoreConfig', '--noEmit', '--strict', '--target', 'es2022', '--lib', 'es2022,dom,dom.iterable,dom.asynciterable', '--resolveJsonModule'];
    run(tsc, [...common, '--module', 'esnext', '--moduleResolution', 'bundler', 'consumer.ts'], dir, testInfo, 'tsc (bundler)');
    run(tsc, [...common, '--module', 'nodenext', '--moduleResolution', 'nodenext', 'consumer.ts'], dir, testInfo, 'tsc (nodenext)');

    // 4. A Vite app with two pages; build it.
    writeFileSync(path.join(dir, 'index.html'), page('Qingyu from npm', '/main.js'));
    writeFileSync(path.join(dir, 'main.js'), MAIN_JS);
    writeFileSync(path.join(dir, 'polyfill.html'), page('Summarizer polyfill under CSP', '/polyfill-page.js', `<meta http-equiv="Content-Security-Policy" content="${CSP}">`));
    writeFileSync(path.join(dir, 'polyfill-page.js'), POLYFILL_JS);
    writeFileSync(path.join(dir, 'vite.config.js'), VITE_CONFIG);
    run('mkdir', ['-p', 'public'], dir, testInfo, 'mkdir');
    copyFileSync(photoPath('coffee.png'), path.join(dir, 'public/coffee.png'));
    const buildLog = run(path.join(dir, 'node_modules/.bin/vite'), ['build'], dir, testInfo, 'vite build');
    testInfo.attach('vite-build.log', { body: buildLog, contentType: 'text/plain' });
    const assets = readdirSync(path.join(dir, 'dist/assets'));
    console.log(`vite build: ${assets.join(', ')}`);
    expect(assets.filter((f) => f.endsWith('.wasm'))).toHaveLength(1); // the bundler found and copied the wasm
    expect(assets.filter((f) => /worker/i.test(f) && f.endsWith('.js')).length).toBeGreaterThan(0); // and bundled the worker
    // with the relaxed-SIMD probe it imports only for its effect (package.json sideEffects)
    const workerJs = assets.filter((f) => /worker/i.test(f) && f.endsWith('.js')).map((f) => readFileSync(path.join(dir, 'dist/assets', f), 'utf8')).join('\n');
    expect(workerJs).toContain('QINGYU_RELAXED_SIMD_PROBE');
    const polyfillHtml = readFileSync(path.join(dir, 'dist/polyfill.html'), 'utf8');
    expect(polyfillHtml).toContain(CSP); // Vite kept the policy
    expect(polyfillHtml).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script for the CSP to block

    // 5. Serve dist/ (+ /models/) and run it in Chromium.
    server = await serve(path.join(dir, 'dist'));
    const origin = `http://127.0.0.1:${server.address().port}`;
    const context = await browser.newContext();
    try {
      const p1 = await context.newPage();
      const errors1 = watchErrors(p1);
      await p1.goto(`${origin}/`);
      await p1.waitForFunction(() => window.qingyuResult, null, { timeout: 300_000 });
      const r = await p1.evaluate(() => window.qingyuResult);
      console.log(`summary (${r.summary?.units?.length} points): ${JSON.stringify(r.summary?.text)}\ncaption: ${JSON.stringify(r.caption?.text)}`);
      expect(r, JSON.stringify(r)).toMatchObject({ ok: true });
      expect(r.summary.type).toBe('key-points');
      expect(r.summary.units.length).toBeGreaterThan(0);
      expect(r.summary.text.length).toBeGreaterThan(20);
      expect(ARTICLE.replace(/\s+/g, ' ')).toContain(r.summary.units[0].replace(/^[-*•]\s*/, '').trim().slice(0, 30));
      expect(r.caption.text.length).toBeGreaterThan(5);
      expect(r.caption.labels.map((l) => l.name).join(', ') + r.caption.text).toMatch(/espresso|coffee|cup/i);
      expect(errors1).toEqual([]);

      const p2 = await context.newPage();
      const errors2 = watchErrors(p2);
      await p2.goto(`${origin}/polyfill.html`);
      await p2.waitForFunction(() => window.polyfillResult, null, { timeout: 120_000 });
      const r2 = await p2.evaluate(() => window.polyfillResult);
      console.log(`polyfill under CSP (${r2.servedBy}): ${JSON.stringify(r2.text)}`);
      expect(r2, JSON.stringify(r2)).toMatchObject({ ok: true, servedBy: 'polyfill' });
      expect(r2.text.length).toBeGreaterThan(20);
      expect(errors2).toEqual([]); // includes CSP violations ("Refused to …")
    } finally {
      await context.close();
    }
  } finally {
    server?.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
