import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';

/**
 * Every workspace declares what its code imports. npm hoists every package to the root
 * node_modules, so an undeclared import resolves today and breaks the day the workspace is
 * installed or deployed on its own. Source files may use only the workspace's own
 * dependencies (the image installs with --omit=dev, so a devDependency is missing there); test
 * files may also use its devDependencies and the root's (jest, supertest…).
 */
const root = path.resolve(__dirname, '..');

interface Manifest {
  name: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

const readManifest = (dir: string) => JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as Manifest;
const runtime = (m: Manifest) => Object.keys(m.dependencies ?? {});
const declared = (m: Manifest) => [...runtime(m), ...Object.keys(m.devDependencies ?? {})];

function tsFiles(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return name === 'node_modules' ? [] : tsFiles(full);
    return name.endsWith('.ts') ? [full] : [];
  });
}

// `from 'x'`, `import 'x'`, `import('x')`, `require('x')`; not words inside strings such as `'--import'`.
const IMPORT = /(?<![\w$.'"-])(?:from\s*|import\s*\(?\s*|require\s*\(\s*)['"]([^'"]+)['"]/g;
const BUILTINS = new Set(builtinModules);

/**
 * The package an import specifier names, or undefined for relative paths, node built-ins and what
 * cannot be a package: npm names are lowercase, so SQL in a string (`from "WebhookDelivery"`) is not one.
 */
function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:')) return undefined;
  if (specifier !== specifier.toLowerCase()) return undefined;
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
  return BUILTINS.has(name) ? undefined : name;
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(IMPORT)].map((m) => packageOf(m[1]!)).filter((p): p is string => p !== undefined);
}

/** `file imports pkg` for every import not in `allowed`. */
function undeclared(dir: string, sub: 'src' | 'test', allowed: ReadonlySet<string>): string[] {
  return tsFiles(path.join(dir, sub)).flatMap((file) =>
    [...new Set(importsOf(file))].filter((p) => !allowed.has(p)).map((p) => `${path.relative(root, file)} imports ${p}`),
  );
}

const rootManifest = readManifest(root);
const workspaces = ['apps', 'packages'].flatMap((group) =>
  readdirSync(path.join(root, group))
    .map((name) => path.join(root, group, name))
    .filter((dir) => {
      try {
        return statSync(path.join(dir, 'package.json')).isFile();
      } catch {
        return false;
      }
    }),
);

describe('workspace package.json files', () => {
  it('when the repository is read, then it has workspaces to check', () => {
    expect(workspaces.length).toBeGreaterThan(5);
  });

  it.each(workspaces.map((dir) => [path.relative(root, dir), dir]))(
    'when %s is scanned, then every package its src and tests import is declared',
    (_name, dir) => {
      const manifest = readManifest(dir);
      const own = new Set([manifest.name, ...runtime(manifest)]);
      const forTests = new Set([...own, ...declared(manifest), ...declared(rootManifest)]);
      expect([...undeclared(dir, 'src', own), ...undeclared(dir, 'test', forTests)]).toEqual([]);
    },
  );
});

describe('workspace graph', () => {
  const manifests = new Map(
    workspaces.map((dir) => [readManifest(dir).name, { dir: path.relative(root, dir), manifest: readManifest(dir) }]),
  );
  const edges = (name: string) => declared(manifests.get(name)!.manifest).filter((d) => manifests.has(d));

  it('when dependencies and devDependencies are followed, then no workspace reaches itself (turbo refuses cycles)', () => {
    const cycles: string[] = [];
    const visit = (name: string, trail: string[]) => {
      if (trail.includes(name)) return void cycles.push([...trail.slice(trail.indexOf(name)), name].join(' -> '));
      for (const next of edges(name)) visit(next, [...trail, name]);
    };
    for (const name of manifests.keys()) visit(name, []);
    expect(cycles).toEqual([]);
  });

  it('when a package declares its runtime dependencies, then none is an app', () => {
    const apps = [...manifests.values()].filter((w) => w.dir.startsWith('apps')).map((w) => w.manifest.name);
    const wrong = [...manifests.values()]
      .filter((w) => w.dir.startsWith('packages'))
      .flatMap((w) =>
        runtime(w.manifest)
          .filter((d) => apps.includes(d))
          .map((d) => `${w.manifest.name} depends on ${d}`),
      );
    expect(wrong).toEqual([]);
  });
});
