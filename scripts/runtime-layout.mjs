// Lays out what the runtime image holds, from a built tree (npm run db:generate && npm run build):
// the root and workspace manifests with the lockfile (for `npm ci --omit=dev`), each workspace's
// compiled dist/ (the Prisma client is compiled into packages/db/dist/generated) and the SQL
// migrations. No sources, no tests, no dev tooling. The Dockerfile and test/runtime-image.test.ts
// both run it, so the tested layout is the shipped one.
import { cpSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = process.argv[2];
if (!out) {
  console.error('usage: node scripts/runtime-layout.mjs <output directory>');
  process.exit(2);
}

const copy = (rel, filter) => cpSync(path.join(root, rel), path.join(out, rel), { recursive: true, filter });
mkdirSync(out, { recursive: true });
copy('package.json');
copy('package-lock.json');
copy('prisma/migrations');
for (const group of ['packages', 'apps']) {
  for (const name of readdirSync(path.join(root, group))) {
    const ws = path.join(group, name);
    if (!existsSync(path.join(root, ws, 'package.json'))) continue;
    if (!existsSync(path.join(root, ws, 'dist'))) {
      console.error(`${ws}/dist is missing: run npm run build first`);
      process.exit(1);
    }
    copy(path.join(ws, 'package.json'));
    copy(path.join(ws, 'dist'), (src) => !src.endsWith('.tsbuildinfo'));
  }
}
