// Lint for every workspace (`eslint .` in each, or at the root). Beyond typescript-eslint's
// recommended rules it enforces the layering: a package never imports an app, and no workspace
// reaches into another's files by relative path (import it by its package name instead).
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const root = path.dirname(fileURLToPath(import.meta.url));
const apps = readdirSync(path.join(root, 'apps')).map((name) => `@bridge/${name}`);

/** The workspace directory (apps/x or packages/x) a file belongs to, or the root for anything else. */
function workspaceOf(file) {
  const [group, name] = path.relative(root, file).split(path.sep);
  return group === 'apps' || group === 'packages' ? path.join(root, group, name) : root;
}

const noCrossWorkspaceRelative = {
  meta: { type: 'problem', messages: { cross: "'{{source}}' reaches into {{target}}; import it by its package name" }, schema: [] },
  create(context) {
    const own = workspaceOf(context.filename);
    const check = (node) => {
      const source = node.source?.value;
      if (typeof source !== 'string' || !source.startsWith('.')) return;
      const target = workspaceOf(path.resolve(path.dirname(context.filename), source));
      if (target !== own)
        context.report({ node: node.source, messageId: 'cross', data: { source, target: path.relative(root, target) || 'the root' } });
    };
    return { ImportDeclaration: check, ExportNamedDeclaration: check, ExportAllDeclaration: check, ImportExpression: check };
  },
};

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/generated/**', 'coverage/**', '.turbo/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { bridge: { rules: { 'no-cross-workspace-relative': noCrossWorkspaceRelative } } },
    rules: {
      'bridge/no-cross-workspace-relative': 'error',
      // `_`-prefixed names are deliberate: Express's 4-argument error handlers, rest-destructuring to drop a key.
      // Control characters in patterns are deliberate here: NUL bytes are stripped because Postgres text rejects them.
      'no-control-regex': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
    },
  },
  {
    files: ['packages/*/src/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: apps, message: 'A package never imports an app.' }] }] },
  },
  {
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    languageOptions: {
      globals: Object.fromEntries(
        ['require', 'module', '__dirname', 'process', 'console', 'URL', 'setTimeout', 'clearTimeout', 'Buffer', 'fetch'].map((g) => [
          g,
          'readonly',
        ]),
      ),
    },
  },
  { files: ['**/*.js', '**/*.cjs'], rules: { '@typescript-eslint/no-require-imports': 'off' } },
  {
    // Scripts the dashboard serves to the browser; Chart.js is loaded before them by the page.
    files: ['apps/*/public/**/*.js'],
    languageOptions: {
      sourceType: 'script',
      globals: Object.fromEntries(
        ['document', 'window', 'Node', 'Chart', 'fetch', 'setInterval', 'clearInterval', 'URLSearchParams'].map((g) => [g, 'readonly']),
      ),
    },
  },
);
