// Test photos come from the scikit-image wheel that models/fetch.py downloads and verifies
// (pinned + hashed in models/manifest.json), so the tests run anywhere the registries do.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export function photoPath(name) {
  const manifest = JSON.parse(readFileSync(path.join(repoRoot, 'models/manifest.json'), 'utf8'));
  const { source, dir } = manifest.testdata;
  const pkg = manifest.sources.find((s) => s.name === source);
  const unpacked = pkg.file.split('-').slice(0, 2).join('-');
  return path.join(repoRoot, 'models/.cache/src/pypi', unpacked, dir, name);
}

export function photoBase64(name) {
  return readFileSync(photoPath(name)).toString('base64');
}
