// Headless Debian Chromium against the static site in www/ (never a downloaded browser).
import { defineConfig } from '@playwright/test';

const PORT = Number(process.env.QINGYU_TEST_PORT || 8181);

export default defineConfig({
  testDir: './tests',
  globalSetup: './global-setup.js',
  outputDir: './test-results',
  timeout: 120_000,
  workers: 1,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    screenshot: 'only-on-failure',
    // Requests stay visible to page.route; tests that need the demo's service worker opt in.
    serviceWorkers: 'block',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
             '--disable-sync', '--no-first-run', '--disable-quic'],
    },
  },
  // The site as `./qy serve` sends it (cross-origin isolated: COOP + COEP), and on PORT + 1 as a
  // plain static host sends it (no COOP/COEP), for the single-thread and service-worker paths.
  webServer: [
    {
      command: `python3 ../scripts/serve.py ${PORT} --bind 127.0.0.1 --directory ../www`,
      url: `http://127.0.0.1:${PORT}/index.html`,
      reuseExistingServer: false,
      timeout: 30_000,
      stdout: 'ignore',
      stderr: 'pipe',
    },
    {
      command: `python3 ../scripts/serve.py ${PORT + 1} --bind 127.0.0.1 --directory ../www --no-isolation`,
      url: `http://127.0.0.1:${PORT + 1}/index.html`,
      reuseExistingServer: false,
      timeout: 30_000,
      stdout: 'ignore',
      stderr: 'pipe',
    },
  ],
});
