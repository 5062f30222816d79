/**
 * The bridge as real processes for the benches: simulators in this process (so their request log
 * and answer hooks are at hand), a fresh database and queue prefix, one ingest process and N
 * worker processes started with `node --import tsx` and default settings unless told otherwise.
 */
import { startSimulators, defaultDatasheets, type RunningSimulators, type SimRequest } from '@bridge/simulators';
import { createTestDatabase, obliterateQueues, TEST_REDIS_URL, uniquePrefix, waitFor, type TestDatabase } from '@bridge/testkit';
import { signHmac } from '@bridge/webhooks';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '..');
export const SECRET = 'bench-secret-0123456789';
export const LEADS = 'dstLeadsSim';

export interface Proc {
  child: ChildProcess;
  /** The JSON log line whose message starts with this, once logged. */
  line(message: string): Promise<Record<string, unknown>>;
  /** CPU seconds (user + system) the process used so far, from /proc. */
  cpuSeconds(): number;
}

const WAITED_FOR = ['"ingest listening"', '"worker started"', '"bare listening"', '"dashboard listening on '];
const running = new Set<ChildProcess>();
// A bench that fails must not leave its processes behind.
process.on('exit', () => running.forEach((c) => c.kill('SIGKILL')));

/** Starts `node --import tsx <script>`; only the log lines a bench waits for are parsed. */
export function startProcess(script: string, env: Record<string, string>, nodeArgs: string[] = []): Proc {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', script], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  const wanted = new Map<string, Record<string, unknown>>();
  let buffered = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    for (const p of parts) {
      if (!WAITED_FOR.some((m) => p.includes(m))) continue;
      const line = JSON.parse(p) as Record<string, unknown>;
      wanted.set(String(line.message), line);
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return {
    child,
    line: (message) =>
      waitFor(
        () => {
          if (child.exitCode !== null) throw new Error(`${script} exited with ${child.exitCode}: ${stderr}`);
          // By its start: the dashboard's line carries its address in the message.
          return [...wanted].find(([m]) => m.startsWith(message))?.[1];
        },
        { timeoutMs: 60_000, what: `${script}: "${message}"` },
      ),
    cpuSeconds: () => {
      const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
    },
  };
}

export interface Stack {
  sim: RunningSimulators;
  tdb: TestDatabase;
  prefix: string;
  ingest: Proc;
  ingestPort: number;
  workers: Proc[];
  env: Record<string, string>;
  close(): Promise<void>;
}

export interface StackOptions {
  leads: number;
  workers: number;
  latency?: { aitable: number; missionx: number; jitter: number };
  /** Extra variables for every bridge process. */
  env?: Record<string, string>;
  onRequest?: (r: SimRequest) => void;
  /** MissionX clients that are not the bridge's, already in the organisation. @defaultValue 0 */
  missionxSeedClients?: number;
  /** Extra node flags of the ingest process, e.g. `--cpu-prof`. */
  ingestNodeArgs?: string[];
}

export const leadId = (i: number) => `recBench${String(i).padStart(6, '0')}`;
export const leadFields = (i: number) => ({
  'Client Name': `Client ${i}`,
  Email: `c${i}@firm${i}.example`,
  Company: `Firm ${i}`,
  Status: 'New',
});

export async function startStack(o: StackOptions): Promise<Stack> {
  const [leads, ...rest] = defaultDatasheets();
  const records = Array.from({ length: o.leads }, (_, i) => ({ recordId: leadId(i), fields: leadFields(i) }));
  const lat = o.latency;
  const sim = await startSimulators({
    aitable: { datasheets: [{ ...leads!, records }, ...rest] },
    latency: lat ? { aitable: { ms: lat.aitable, jitterMs: lat.jitter }, missionx: { ms: lat.missionx, jitterMs: lat.jitter } } : undefined,
    onRequest: o.onRequest,
    missionx: { seedClients: o.missionxSeedClients ?? 0 },
  });
  const tdb = await createTestDatabase();
  const prefix = uniquePrefix('bench');
  const env: Record<string, string> = {
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    LOG_FORMAT: 'json',
    DATABASE_URL: tdb.url,
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: prefix,
    AITABLE_WEBHOOK_SECRET: SECRET,
    AUDIT_API_TOKEN: 'bench-audit-token-0123456789',
    AITABLE_API_KEY: 'sim-aitable-key',
    AITABLE_BASE_URL: sim.aitableBaseUrl,
    AITABLE_LEADS_DATASHEET_ID: LEADS,
    AITABLE_ORDERS_DATASHEET_ID: 'dstOrdersSim',
    AITABLE_AUDIT_RESULTS_DATASHEET_ID: 'dstAuditSim',
    AITABLE_RATE_LIMIT_PREFIX: `${prefix}:rl`,
    MISSIONX_BASE_URL: sim.missionxBaseUrl,
    MISSIONX_AUTH_URL: sim.missionxAuthUrl,
    MISSIONX_CLIENT_ID: 'sim-client',
    MISSIONX_CLIENT_SECRET: 'sim-secret',
    MISSIONX_ORG_ID: 'sim-org',
    INGEST_PORT: '0',
    WORKER_QUEUES: 'leads',
    WORKER_METRICS_PORT: '0',
    RECONCILE_INTERVAL_MS: '0',
    MISSIONX_POLL_INTERVAL_MS: '0',
    ...o.env,
  };
  const ingest = startProcess('apps/ingest/src/main.ts', env, o.ingestNodeArgs);
  const workers = Array.from({ length: o.workers }, () => startProcess('apps/worker/src/main.ts', env));
  const ingestPort = Number((await ingest.line('ingest listening')).port);
  await Promise.all(workers.map((w) => w.line('worker started')));
  const close = async () => {
    const all = [ingest, ...workers];
    all.forEach((p) => p.child.kill('SIGTERM'));
    await Promise.all(all.map((p) => (p.child.exitCode !== null ? undefined : new Promise((r) => p.child.once('exit', r)))));
    await obliterateQueues(prefix);
    await Promise.all([sim.close(), tdb.drop()]);
  };
  return { sim, tdb, prefix, ingest, ingestPort, workers, env, close };
}

export function webhookBody(i: number): string {
  return JSON.stringify({ eventType: 'record.created', datasheetId: LEADS, recordId: leadId(i), record: { fields: leadFields(i) } });
}

/** POSTs one signed delivery; answers the HTTP status (0 when the connection failed). */
export function postWebhook(agent: http.Agent, port: number, payload: string): Promise<number> {
  return new Promise((resolve) => {
    const headers = {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(payload),
      'x-aitable-signature': signHmac(SECRET, payload),
    };
    const req = http.request({ host: '127.0.0.1', port, path: '/api/aitable/webhook', method: 'POST', agent, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    req.end(payload);
  });
}

/**
 * Sends `count` deliveries (`body(i)`) with `concurrency` in flight; answers how many got each HTTP status.
 * `latenciesMs`, when given, receives each request's time to its answer.
 */
export async function fireWebhooks(
  port: number,
  count: number,
  concurrency: number,
  body: (i: number) => string = webhookBody,
  latenciesMs?: number[],
): Promise<Map<number, number>> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  let next = 0;
  const statuses = new Map<number, number>();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const t0 = performance.now();
        const status = await postWebhook(agent, port, body(next++));
        latenciesMs?.push(performance.now() - t0);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
    }),
  );
  agent.destroy();
  return statuses;
}

/** The p-th percentile of an ascending list. */
export const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

/** `202 ×590, 503 ×10` */
export const describeStatuses = (s: Map<number, number>) => [...s].map(([status, n]) => `${status || 'no answer'} ×${n}`).join(', ');

/** Runs a bench's main and exits (children are killed on exit); a failure prints and exits 1. */
export function runBench(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
