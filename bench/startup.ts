/**
 * Start-up time and resident memory of each process, compiled (`node <app>/dist/main.js`, as the image
 * runs it) against tsx (`node --import tsx <app>/src/main.ts`, as `npm start` runs it), same machine,
 * same run. Needs `npm run build` first. Time: spawn to the process's own "listening"/"started" log
 * line; RSS: /proc/<pid>/status VmRSS at that moment. Median of RUNS runs each.
 */
import { createHarness } from '@bridge/worker/testing';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { benchCli } from './cli';

benchCli(`Usage: npm run bench:startup   (or, after npm run build: npx tsx bench/startup.ts)
Start-up time and resident memory of ingest, worker, dashboard and simulators, compiled (node dist/) against
tsx, median of RUNS runs each (environment variable RUNS, default 5). Needs the local Redis and Postgres.`);

const ROOT = path.resolve(__dirname, '..');
const RUNS = Number(process.env.RUNS ?? 5);
const APPS = [
  { app: 'ingest', ready: 'ingest listening' },
  { app: 'worker', ready: 'worker started' },
  { app: 'dashboard', ready: 'dashboard listening' },
  { app: 'simulators', ready: 'simulators listening' },
];

const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function startOnce(args: string[], ready: string, env: Record<string, string>): Promise<{ ms: number; rss: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let result: { ms: number; rss: number } | undefined;
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (result || !out.includes(ready)) return;
      result = { ms: performance.now() - t0, rss: rssMb(child.pid!) };
      child.kill('SIGTERM');
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (result) resolve(result);
      else reject(new Error(`${args.join(' ')} exited with ${code} before "${ready}": ${err}`));
    });
  });
}

async function main(): Promise<void> {
  const missing = APPS.filter(({ app }) => !existsSync(path.join(ROOT, `apps/${app}/dist/main.js`)));
  if (missing.length) throw new Error(`run npm run build first (no dist for ${missing.map((a) => a.app).join(', ')})`);
  const h = await createHarness();
  const env = h.env({
    LOG_LEVEL: 'info',
    INGEST_PORT: '0',
    DASHBOARD_PORT: '0',
    SIMULATORS_PORT: '0',
    DASHBOARD_USERS: 'ops:operator-pass:operator',
    AITABLE_WEBHOOK_SECRET: 'bench-secret-0123456789abcdef',
    AUDIT_API_TOKEN: 'bench-audit-token-0123456789',
  });
  try {
    console.log(
      `start-up to ready and RSS at ready, median of ${RUNS} (compiled = node dist/main.js, tsx = node --import tsx src/main.ts)`,
    );
    for (const { app, ready } of APPS) {
      const runs = { compiled: [] as { ms: number; rss: number }[], tsx: [] as { ms: number; rss: number }[] };
      // Interleaved, so drift in machine load hits both alike.
      for (let i = 0; i < RUNS; i++) {
        runs.compiled.push(await startOnce([`apps/${app}/dist/main.js`], ready, env));
        runs.tsx.push(await startOnce(['--import', 'tsx', `apps/${app}/src/main.ts`], ready, env));
      }
      const [cMs, tMs] = [median(runs.compiled.map((r) => r.ms)), median(runs.tsx.map((r) => r.ms))];
      const [cRss, tRss] = [median(runs.compiled.map((r) => r.rss)), median(runs.tsx.map((r) => r.rss))];
      console.log(
        `${app.padEnd(10)} compiled ${cMs.toFixed(0).padStart(5)} ms ${cRss.toFixed(1).padStart(6)} MB | tsx ${tMs.toFixed(0).padStart(5)} ms ` +
          `${tRss.toFixed(1).padStart(6)} MB | compiled/tsx time ${(cMs / tMs).toFixed(2)}, RSS ${(cRss / tRss).toFixed(2)}`,
      );
    }
  } finally {
    await h.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
