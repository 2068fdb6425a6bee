// Generated files the site needs (model index, sample photos + articles): see scripts/web-assets.mjs.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export default function globalSetup() {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  execFileSync(process.execPath, [path.join(root, 'scripts/web-assets.mjs')], { stdio: 'inherit' });
}
