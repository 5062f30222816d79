/**
 * Backfill: 5,000 leads already in AITable with no portal and no webhooks behind them, walked by
 * `npm run backfill` (a real process) and drained by one worker process with default settings,
 * under simulated latency (MissionX 80 ms, AITable 60 ms, ±10 ms). The backfill is SIGKILLed once
 * at about 30% of its scan and started again, which resumes from its checkpoint. While the workers
 * drain it, 20 new leads arrive as live webhooks through ingest; each one's time from the POST to
 * the answered PATCH carrying its Portal URL is measured (goal p95 < 5 s).
 * Prints figures; asserts nothing. Run: npx tsx bench/backfill.ts [leads=5000] [live=20]
 * Needs the local Redis and Postgres (as the tests do).
 */
import type { SimRequest } from '@bridge/simulators';
import { maxPerSecondPerDatasheet } from '@bridge/testkit';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { benchCli } from './cli';
import { leadFields, leadId, LEADS, postWebhook, ROOT, runBench, startStack, webhookBody } from './stack';

const cli = benchCli(`Usage: npx tsx bench/backfill.ts [leads=5000] [live=20]

A backfill of <leads> leads with no webhooks behind them (npm run backfill, SIGKILLed once at 30% and
resumed), drained by one worker process under simulated latency, with <live> live lead webhooks during it.
Prints records/s against the 50/s AITable ceiling, duplicates, 429s, RSS, and the live webhooks' p95.
BENCH_WORKER_CONCURRENCY=N runs the worker with WORKER_CONCURRENCY_LEADS=N (default: the catalog's).`);
const N = cli.count(0, 'leads', 5000);
const LIVE = cli.count(1, 'live webhooks', 20, 0);
const CEILING = 50;
const TIME_LIMIT_MS = Math.max(180_000, N * 200);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rssMb = (pid: number | undefined) => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
};
const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

interface CliRun {
  code: number | null;
  lines: Record<string, unknown>[];
  /** RSS (MB) at the first progress line and at the last one. */
  rss: { first: number; last: number; max: number };
}

/** One `npm run backfill` process; `killAt(examined)` SIGKILLs it once a progress line reaches that count. */
function backfill(env: Record<string, string>, args: string[], killAt?: number): Promise<CliRun> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/worker/src/backfill-cli.ts', '--datasheet', 'leads', '--json', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: Record<string, unknown>[] = [];
  const rss = { first: NaN, last: NaN, max: 0 };
  let buffered = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    for (const p of parts) {
      const line = JSON.parse(p) as { event: string; counts: { examined: number }; at?: number };
      line.at = Date.now();
      lines.push(line);
      if (line.event !== 'progress' || child.exitCode !== null) continue;
      try {
        const now = rssMb(child.pid);
        if (Number.isNaN(rss.first)) rss.first = now;
        rss.last = now;
        rss.max = Math.max(rss.max, now);
      } catch {
        // Gone between the line and the read.
      }
      if (killAt !== undefined && line.counts.examined >= killAt) child.kill('SIGKILL');
    }
  });
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, lines, rss })));
}

/**
 * What the backfill cost in requests, by kind: this ratio, not the elapsed time, says how close to
 * the ceiling the engine can get (at 1 request per 10 records it is the ceiling itself).
 */
function requestBudget(requests: SimRequest[], backfilled: number) {
  const ok = requests.filter((q) => q.status !== 429);
  const reads = ok.filter((q) => q.method === 'GET' && q.query.recordIds !== undefined);
  const writes = ok.filter((q) => q.method === 'PATCH');
  const fields = ok.filter((q) => q.path.endsWith('/fields')).length;
  const pages = ok.filter((q) => q.method === 'GET' && q.query.recordIds === undefined && !q.path.endsWith('/fields')).length;
  const ids = reads.reduce((n, q) => n + String(q.query.recordIds).split(',').length, 0);
  const records = writes.reduce((n, q) => n + ((q.body as { records?: unknown[] }).records?.length ?? 0), 0);
  return {
    total: ok.length,
    per10: ok.length / (backfilled / 10),
    pages,
    reads: reads.length,
    idsPerRead: ids / Math.max(1, reads.length),
    writes: writes.length,
    recordsPerWrite: records / Math.max(1, writes.length),
    fields,
    other: ok.length - reads.length - writes.length - fields - pages,
  };
}

const resultOf = (run: CliRun) => run.lines.find((l) => l.event === 'result') as { counts: Record<string, number> } | undefined;
const lastProgress = (run: CliRun) =>
  run.lines.filter((l) => l.event === 'progress').at(-1) as { counts: Record<string, number> } | undefined;

async function main(): Promise<void> {
  const written = new Map<string, number>();
  const onRequest = (r: SimRequest) => {
    if (r.method !== 'PATCH' || r.status !== 200) return;
    for (const rec of (r.body as { records: { recordId: string; fields: Record<string, unknown> }[] }).records)
      if (rec.fields['Portal URL'] && !written.has(rec.recordId)) written.set(rec.recordId, Date.now());
  };
  const stack = await startStack({
    leads: N,
    workers: 1,
    latency: { aitable: 60, missionx: 80, jitter: 10 },
    onRequest,
    env: process.env.BENCH_WORKER_CONCURRENCY ? { WORKER_CONCURRENCY_LEADS: process.env.BENCH_WORKER_CONCURRENCY } : {},
  });
  try {
    const worker = stack.workers[0]!.child.pid;
    const workerRssBefore = rssMb(worker);

    const dry = await backfill(stack.env, ['--dry-run']);
    const predicted = resultOf(dry)?.counts.enqueued ?? NaN;

    const started = Date.now();
    const killed = await backfill(stack.env, [], Math.round(N * 0.3));
    const atKill = lastProgress(killed)?.counts.examined ?? NaN;
    await sleep(1000);
    const resumedRun = backfill(stack.env, []);

    // Live leads while the backfill drains: created in AITable, then their webhook through ingest.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
    const sent = new Map<string, number>();
    const statuses: number[] = [];
    await sleep(2000);
    for (let i = N; i < N + LIVE; i++) {
      await stack.sim.control.addRecord(LEADS, leadFields(i), leadId(i));
      sent.set(leadId(i), Date.now());
      statuses.push(await postWebhook(agent, stack.ingestPort, webhookBody(i)));
      await sleep(1500);
    }
    const resumed = await resumedRun;

    for (;;) {
      const done = [...Array(N).keys()].filter((i) => written.has(leadId(i))).length;
      const live = [...sent.keys()].filter((id) => written.has(id)).length;
      if (done >= N && live >= LIVE) break;
      if (Date.now() - started > TIME_LIMIT_MS)
        throw new Error(`not drained within ${TIME_LIMIT_MS / 1000} s: ${done}/${N}, live ${live}/${LIVE}`);
      await sleep(200);
    }
    const backfillWrites = [...Array(N).keys()].map((i) => written.get(leadId(i)) ?? 0);
    const lastBackfillWrite = Math.max(...backfillWrites);
    const firstBackfillWrite = Math.min(...backfillWrites);
    const seconds = (lastBackfillWrite - started) / 1000;
    const workerRssAfter = rssMb(worker);
    const third = await backfill(stack.env, []);

    const log = await stack.sim.control.requests({ service: 'aitable' });
    const budget = requestBudget(
      log.filter((q) => q.datasheetId === LEADS && q.at >= started && q.at <= lastBackfillWrite),
      N,
    );
    const clients = await stack.sim.control.missionxClients();
    const perLead = new Map<string, number>();
    for (const c of clients) perLead.set(c.customId, (perLead.get(c.customId) ?? 0) + 1);
    const dupes = [...perLead.values()].filter((n) => n > 1).length;
    const liveMs = [...sent].map(([id, t]) => (written.get(id) ?? NaN) - t).sort((a, b) => a - b);
    const rate = N / seconds;
    const r = resultOf(resumed)?.counts ?? {};
    console.log(
      `backfill ${N} leads, 1 worker process, MissionX 80 ms, AITable 60 ms: ${seconds.toFixed(1)} s from the first run's start to the last Portal URL written, ` +
        `${rate.toFixed(1)} records/s = ${(rate / CEILING).toFixed(2)}x of the ${CEILING}/s AITable ceiling (goal >= 0.85x)`,
    );
    console.log(
      `  dry run: ${predicted} would be enqueued; run 1 SIGKILLed at ${atKill} examined (exit ${killed.code}); run 2 resumed: exit ${resumed.code}, ` +
        `${r.examined} examined in all, ${r.enqueued} enqueued in all, ${r.alreadyQueued} already queued; run 3 enqueued ${resultOf(third)?.counts.enqueued} ` +
        `(exit ${third.code})`,
    );
    console.log(
      `  portals ${clients.length} for ${perLead.size} leads, leads with >1 portal ${dupes}; HTTP 429 ${log.filter((q) => q.status === 429).length}; ` +
        `max AITable req/s per datasheet ${maxPerSecondPerDatasheet(log.filter((q) => q.status !== 429))} (<= 5)`,
    );
    console.log(
      `  AITable requests on the Leads datasheet per 10 backfilled leads: ${budget.per10.toFixed(2)} ` +
        `(backfill page reads ${budget.pages}, worker re-reads by id ${budget.reads} of ${budget.idsPerRead.toFixed(0)} ids on average, ` +
        `write-backs ${budget.writes} of ${budget.recordsPerWrite.toFixed(1)} records on average, fields ${budget.fields}, other ${budget.other}; ` +
        `live webhooks' included); ${(budget.total / seconds).toFixed(2)} requests/s sustained (limit 5/s)`,
    );
    // The drain once under way: without the CLI's start, the first jobs' wait for the pipeline to fill, and the tail.
    const drainSeconds = (lastBackfillWrite - firstBackfillWrite) / 1000;
    const drainRequests = log.filter(
      (q) => q.datasheetId === LEADS && q.status !== 429 && q.at >= firstBackfillWrite && q.at <= lastBackfillWrite,
    );
    console.log(
      `  from the first backfill write-back to the last: ${drainSeconds.toFixed(1)} s, ${(N / drainSeconds).toFixed(1)} records/s = ` +
        `${(N / drainSeconds / CEILING).toFixed(2)}x, ${(drainRequests.length / drainSeconds).toFixed(2)} requests/s; ` +
        `the first write-back came ${((firstBackfillWrite - started) / 1000).toFixed(1)} s after the first run's start`,
    );
    const firstPage = log.find((q) => q.datasheetId === LEADS && q.at >= started && q.method === 'GET');
    const firstProgress = killed.lines.find((l) => l.event === 'progress') as { at?: number } | undefined;
    const creates = (await stack.sim.control.requests({ service: 'missionx', method: 'POST', pathIncludes: '/clients' })).filter(
      (q) => q.at >= started,
    );
    const secs = (t: number | undefined) => `${(((t ?? NaN) - started) / 1000).toFixed(2)} s`;
    console.log(
      `  start-up: the CLI's first page read ${secs(firstPage?.at)} after its start, its first jobs enqueued at ${secs(firstProgress?.at)}, ` +
        `the first MissionX create at ${secs(creates[0]?.at)}, the tenth at ${secs(creates[9]?.at)}, the first write-back at ${secs(firstBackfillWrite)}`,
    );
    console.log(
      `  RSS: backfill CLI run 1 ${killed.rss.first.toFixed(0)} -> ${killed.rss.last.toFixed(0)} MB, run 2 ${resumed.rss.first.toFixed(0)} -> ${resumed.rss.last.toFixed(0)} MB (max ${resumed.rss.max.toFixed(0)}); ` +
        `worker ${workerRssBefore.toFixed(0)} -> ${workerRssAfter.toFixed(0)} MB`,
    );
    console.log(
      `  ${LIVE} live webhooks during the backfill (answers ${statuses.filter((s) => s === 202).length}x 202): webhook -> Portal URL written ` +
        `p50 ${(pct(liveMs, 50) / 1000).toFixed(2)} s, p95 ${(pct(liveMs, 95) / 1000).toFixed(2)} s (goal < 5 s), max ${((liveMs.at(-1) ?? NaN) / 1000).toFixed(2)} s`,
    );
    console.log(
      '  live in order (s after start):',
      [...sent].map(([id, t]) => `${((t - started) / 1000).toFixed(0)}:${(((written.get(id) ?? NaN) - t) / 1000).toFixed(1)}`).join(' '),
    );
    agent.destroy();
  } finally {
    await stack.close();
  }
}

runBench(main);
