import { parseArgs } from 'node:util';
import { AitableClient, aitableOptionsFromConfig } from '@bridge/aitable';
import { buildFieldMapping, ConfigError, datasheetsFromConfig, loadConfig, loadEnvFile, redisTopology } from '@bridge/config';
import { createDb, pingDb } from '@bridge/db';
import { describeError, isAppError } from '@bridge/errors';
import { createLogger } from '@bridge/logger';
import { BACKFILL_TARGETS, backfillDatasheet, findsWork, NO_WORK_IN_AUDIT_RESULTS, type BackfillTarget } from '@bridge/ops';
import { closeQueues, createQueues, createRedis, pingRedis, retryOverrideFromConfig } from '@bridge/queues';
import { createBackfillOutput } from './backfill-output';

// `npm run backfill`: day one, a CRM that already holds thousands of records without portals.
const USAGE = `Walk a whole datasheet and enqueue a job for every record the bridge has not finished
(no portal, a Portal Status that is not Active, a Won/Active order not activated), at a priority
below every live webhook. Resumable: Ctrl-C or a crash keeps a checkpoint in Redis; the same
command continues from it.

Usage:
  npm run backfill -- --datasheet leads|orders [--where FORMULA] [--dry-run] [--limit N] [--json]

  --datasheet   which datasheet to walk (audit-results has nothing to backfill: the bridge writes it)
  --where F     only records matching this AITable formula, e.g. '{Status} = "New"'
                (a different formula is a different run, with its own checkpoint)
  --dry-run     count what would be enqueued; enqueue nothing, leave the checkpoint
  --limit N     examine at most N records now; the next run continues after them
  --json        one JSON object per line (progress, then the result) instead of text

Exit codes: 0 done (or --limit reached), 1 failed (the checkpoint is kept), 2 bad arguments,
3 configuration, Redis or Postgres unreachable, 130 interrupted (the checkpoint is kept).`;

const EXIT = { ok: 0, failed: 1, usage: 2, config: 3, interrupted: 130 } as const;
const SECTIONS = ['jobs', 'datasheets', 'aitableApi', 'backfill'] as const;

class UsageError extends Error {}
class ConnectionError extends Error {}

interface Args {
  target: BackfillTarget;
  where?: string;
  dryRun: boolean;
  limit?: number;
  json: boolean;
}

function parse(argv: string[]): Args | 'help' {
  let v;
  try {
    v = parseArgs({
      args: argv,
      strict: true,
      options: {
        datasheet: { type: 'string' },
        where: { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
        limit: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values;
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  if (v.help) return 'help';
  const ds = v.datasheet;
  if (ds === undefined || !(BACKFILL_TARGETS as readonly string[]).includes(ds))
    throw new UsageError(`--datasheet must be leads or orders; got ${ds === undefined ? 'nothing' : `"${ds}"`}`);
  if (!findsWork(ds as BackfillTarget)) throw new UsageError(`--datasheet ${ds}: nothing to backfill. ${NO_WORK_IN_AUDIT_RESULTS}.`);
  if (v.where !== undefined && v.where.trim() === '') throw new UsageError('--where must be an AITable formula; got an empty one');
  let limit: number | undefined;
  if (v.limit !== undefined) {
    if (!/^\d+$/.test(v.limit) || Number(v.limit) < 1)
      throw new UsageError(`--limit must be a whole number of at least 1; got "${v.limit}"`);
    limit = Number(v.limit);
  }
  return { target: ds as BackfillTarget, where: v.where?.trim(), dryRun: v['dry-run'], limit, json: v.json };
}

async function main(): Promise<number> {
  let close: () => Promise<void> = async () => undefined;
  try {
    const args = parse(process.argv.slice(2));
    if (args === 'help') {
      process.stdout.write(`${USAGE}\n`);
      return EXIT.ok;
    }
    loadEnvFile(process.cwd(), { demo: true });
    const config = loadConfig(process.env, SECTIONS);
    const fields = buildFieldMapping(config);
    const logger = createLogger({ service: 'backfill-cli', level: 'warn', format: config.LOG_FORMAT ?? 'pretty', stream: process.stderr });
    const redis = createRedis(redisTopology(config), 'producer', { enableOfflineQueue: true, connectTimeout: 5000 });
    redis.on('error', () => undefined);
    const queues = createQueues({ connection: redis, prefix: config.QUEUE_PREFIX, retry: retryOverrideFromConfig(config) });
    for (const q of Object.values(queues)) q.on('error', () => undefined);
    const db = createDb({ databaseUrl: config.DATABASE_URL, poolSize: 2 });
    close = async () => {
      await closeQueues(queues).catch(() => undefined);
      await redis.quit().catch(() => redis.disconnect());
      await db.$disconnect().catch(() => undefined);
    };
    const [redisOk, dbOk] = await Promise.all([pingRedis(redis, 5000), pingDb(db)]);
    if (!redisOk || !dbOk) {
      const down = [...(redisOk ? [] : ['Redis (REDIS_URL)']), ...(dbOk ? [] : ['Postgres (DATABASE_URL)'])];
      throw new ConnectionError(`cannot reach ${down.join(' and ')}; is it running, and is the URL right?`);
    }

    // The first Ctrl-C stops after the step in hand, with the checkpoint saved; a second one stops at once.
    const stop = new AbortController();
    const onSignal = () => {
      if (stop.signal.aborted) process.exit(EXIT.interrupted);
      stop.abort();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);

    const out = createBackfillOutput(args.json ? 'json' : process.stderr.isTTY ? 'tty' : 'lines', args.dryRun);
    // Reads go through the same Redis rate limiter as the workers' writes: AITable's limit is per datasheet.
    const aitable = new AitableClient(aitableOptionsFromConfig(config, { redis, logger }));
    const result = await backfillDatasheet(
      args.target,
      { aitable, redis, db, queues, datasheets: datasheetsFromConfig(config), fields, queuePrefix: config.QUEUE_PREFIX },
      {
        where: args.where,
        dryRun: args.dryRun,
        limit: args.limit,
        pageSize: config.BACKFILL_PAGE_SIZE,
        chunkSize: config.BACKFILL_CHUNK_SIZE,
        maxAhead: config.BACKFILL_MAX_AHEAD,
        signal: stop.signal,
        onProgress: (p) => out.progress(p),
        onPause: (waiting, seconds) => out.paused(waiting, seconds),
      },
    );
    out.result(result);
    // Not complete means stopped: by Ctrl-C (interrupted) or by --limit (done as asked).
    return !result.complete && stop.signal.aborted ? EXIT.interrupted : EXIT.ok;
  } catch (err) {
    const usage = err instanceof UsageError;
    const setup = err instanceof ConfigError || err instanceof ConnectionError;
    const code = isAppError(err) ? ` [${err.code}]` : '';
    process.stderr.write(usage ? `error: ${describeError(err)}\n\n${USAGE}\n` : `${setup ? '' : 'error: '}${describeError(err)}${code}\n`);
    return usage ? EXIT.usage : setup ? EXIT.config : EXIT.failed;
  } finally {
    await close();
  }
}

void main().then((code) => process.exit(code));
