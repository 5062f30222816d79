import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { JOBS } from '@bridge/queues/contracts';
import ts from 'typescript';

/**
 * The job catalog (packages/queues/src/catalog.ts) is the one place a queue is defined: no other
 * source file of apps/ or packages/ spells a queue's name as a string. Everything else derives
 * the name from the catalog, so adding or renaming a queue cannot leave a stale copy behind.
 * Strings are read with TypeScript's own scanner: comments and longer strings do not count.
 */
const root = path.resolve(__dirname, '..');
const CATALOG = 'packages/queues/src/catalog.ts';
const NAMES = new Set<string>(Object.values(JOBS).map((d) => d.name));

/** The same spelling with another meaning, each with the reason. */
const OTHER_MEANINGS: { file: string; text: string; why: string }[] = [
  { file: 'apps/worker/src/create-deps.ts', text: 'reconcile', why: 'config section name' },
  { file: 'apps/worker/src/create-deps.ts', text: 'retention', why: 'config section name' },
  { file: 'apps/worker/src/reconcile-cli.ts', text: 'reconcile', why: 'config section name' },
  { file: 'packages/ops/src/insight/funnel.ts', text: 'leads', why: 'the funnel’s first stage, an API value' },
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return name === 'node_modules' || name === 'dist' ? [] : sourceFiles(full);
    return /\.(ts|tsx)$/.test(name) && !name.endsWith('.d.ts') ? [full] : [];
  });
}

/** Every string literal of a file (plain, template without substitutions, and template pieces). */
function stringsOf(text: string): string[] {
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, true, ts.LanguageVariant.Standard, text);
  const out: string[] = [];
  for (let kind = scanner.scan(); kind !== ts.SyntaxKind.EndOfFileToken; kind = scanner.scan()) {
    if (kind === ts.SyntaxKind.StringLiteral || kind === ts.SyntaxKind.NoSubstitutionTemplateLiteral) out.push(scanner.getTokenValue());
  }
  return out;
}

const srcDirs = ['apps', 'packages'].flatMap((group) =>
  readdirSync(path.join(root, group))
    .map((name) => path.join(root, group, name, 'src'))
    .filter((dir) => {
      try {
        return statSync(dir).isDirectory();
      } catch {
        return false;
      }
    }),
);

test('when the catalog is read, then it names every queue the bridge has', () => {
  expect([...NAMES].sort()).toEqual(['audit-results', 'leads', 'missionx-poll', 'orders', 'reconcile', 'retention']);
});

test('when source files outside the catalog are scanned, then none spells a queue name as a string', () => {
  const found = srcDirs
    .flatMap(sourceFiles)
    .map((file) => path.relative(root, file))
    .filter((file) => file !== CATALOG)
    .flatMap((file) =>
      stringsOf(readFileSync(path.join(root, file), 'utf8'))
        .filter((s) => NAMES.has(s))
        .filter((s) => !OTHER_MEANINGS.some((o) => o.file === file && o.text === s))
        .map((s) => `${file}: '${s}'`),
    );
  expect(found).toEqual([]);
});

test('when the check meets a queue name in a string, then it finds it (and not in a comment)', () => {
  expect(stringsOf(`// 'leads'\nconst q = 'leads'; /* "orders" */ const t = \`audit-results\`;`)).toEqual(['leads', 'audit-results']);
});
