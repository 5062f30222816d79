import { execFileSync } from 'node:child_process';
import path from 'node:path';

/**
 * Pure packages (parsing, verification, validation, masking) load no I/O library: loading one
 * of them in a fresh process must not pull in a Redis, Postgres, HTTP or logging client. A
 * package that needs a queue schema imports `@bridge/queues/contracts`, not `@bridge/queues`.
 */
const ROOT = path.resolve(__dirname, '..');
const PURE = ['@bridge/webhooks', '@bridge/privacy', '@bridge/errors', '@bridge/config', '@bridge/queues/contracts'];
const IO = /node_modules\/(bullmq|ioredis|pg|pg-pool|@prisma\/[^/]+|express|axios|winston|prom-client)\//;

function loadedLibraries(pkg: string): string[] {
  const script = `require(${JSON.stringify(pkg)});
    const libs = new Set(Object.keys(require.cache).map((k) => ${IO}.exec(k)?.[1]).filter(Boolean));
    process.stdout.write(JSON.stringify([...libs]));`;
  return JSON.parse(execFileSync(process.execPath, ['--require', 'tsx/cjs', '-e', script], { cwd: ROOT, encoding: 'utf8' })) as string[];
}

test.each(PURE)('%s loads no I/O library', (pkg) => {
  expect(loadedLibraries(pkg)).toEqual([]);
});

test('the check sees an I/O library when one is loaded', () => {
  expect(loadedLibraries('@bridge/queues')).toEqual(expect.arrayContaining(['bullmq', 'ioredis']));
});
