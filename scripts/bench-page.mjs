// A bench page in headless Debian Chromium: serves www/ on a free port, opens `page` (a path
// under www/), forwards its "[bench] …" console lines to `log`, waits for window.benchReady, then
// runs `use(page, browser)`. Errors come back as {error}; the browser and server are always closed.
// opts.port: a fixed port instead of a free one; opts.setup(page, browser): runs before the page
// opens (routes, console listeners, exposed functions); opts.ownContext: the page in a context of
// its own (page.context().newPage() then opens more pages sharing its storage); opts.ready: the
// page function that says it is ready (default: window.benchReady is true), for pages that start
// on their own.
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

export async function withBenchPage(pagePath, log, use, opts = {}) {
  const port = opts.port || await freePort();
  const server = spawn('python3', [path.join(ROOT, 'scripts/serve.py'), String(port), '--bind', '127.0.0.1', '--directory', path.join(ROOT, 'www')],
    { stdio: 'ignore' });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  try {
    const page = opts.ownContext ? await (await browser.newContext()).newPage() : await browser.newPage();
    page.on('console', (m) => { if (m.text().startsWith('[bench]')) log(`wasm: ${m.text().slice(8)}`); });
    await opts.setup?.(page, browser);
    const url = `http://127.0.0.1:${port}/${pagePath}`;
    for (let i = 0; i < 100; i++) {
      try { if ((await fetch(url)).ok) break; } catch { /* not up yet */ }
      await new Promise((r) => setTimeout(r, 100));
    }
    await page.goto(url);
    await page.waitForFunction(opts.ready || (() => window.benchReady === true), null, { timeout: 60_000 });
    page.setDefaultTimeout(0);
    return await use(page, browser);
  } catch (e) {
    return { error: e.message.split('\n')[0] };
  } finally {
    await browser.close();
    server.kill();
  }
}
