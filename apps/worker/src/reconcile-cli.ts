import { parseArgs } from 'node:util';
import { AitableClient, aitableOptionsFromConfig } from '@bridge/aitable';
import { ConfigError, loadConfig, loadEnvFile, redisTopology } from '@bridge/config';
import { describeError, isAppError } from '@bridge/errors';
import { createLogger } from '@bridge/logger';
import { createMetrics } from '@bridge/metrics';
import { parsePointInTime } from '@bridge/ops';
import {
  closeQueues,
  createQueues,
  createRedis,
  pingRedis,
  RECONCILE_TARGETS,
  retryOverrideFromConfig,
  type ReconcileTarget,
} from '@bridge/queues';
import { reconcileOptionsFromConfig } from './start-reconcile';
import { reconcileDatasheet, type ReconcileDeps, type ReconcileResult } from './use-cases/reconcile-datasheet';

// `npm run reconcile`: one reconcile run now, for an operator after an outage (AITable never
// retries an automation, so events we missed are only found by polling).
const USAGE = `Find AITable records modified since the last sync and feed them into the queues.

Usage:
  npm run reconcile -- [--datasheet leads|orders|all] [--since T] [--dry-run] [--json]

  --datasheet   which datasheet to poll (default: all = leads and orders)
  --since T     look from T instead of the cursor: 2h, 30m, 7d, an ISO date or epoch ms
                (the cursor still only moves forward)
  --dry-run     list what would be enqueued; enqueue nothing, leave the cursor
  --json        print one JSON document

Exit codes: 0 ok, 1 a datasheet failed, 2 bad arguments, 3 configuration or Redis unreachable.`;

const EXIT = { ok: 0, someFailed: 1, usage: 2, config: 3 } as const;
const SECTIONS = ['jobs', 'datasheets', 'aitableApi', 'reconcile'] as const;

class UsageError extends Error {}
class ConnectionError extends Error {}

interface Args {
  targets: ReconcileTarget[];
  since?: Date;
  dryRun: boolean;
  json: boolean;
  help: boolean;
}

function parse(argv: string[]): Args {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      options: {
        datasheet: { type: 'string', default: 'all' },
        since: { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  const v = parsed.values;
  const ds = v.datasheet;
  if (ds !== 'all' && !(RECONCILE_TARGETS as readonly string[]).includes(ds))
    throw new UsageError(`--datasheet must be leads, orders or all; got "${ds}"`);
  let since: Date | undefined;
  try {
    since = v.since === undefined ? undefined : parsePointInTime(v.since, '--since');
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  const targets = ds === 'all' ? [...RECONCILE_TARGETS] : [ds as ReconcileTarget];
  return { targets, since, dryRun: v['dry-run'], json: v.json, help: v.help };
}

const iso = (ms: number | null) => (ms === null ? '(none)' : new Date(ms).toISOString());

function printResult(r: ReconcileResult): void {
  const wouldEnqueue = r.records.filter((rec) => rec.outcome === 'would_enqueue').length;
  const counts = `${r.dryRun ? `${wouldEnqueue} would be enqueued` : `${r.enqueued} enqueued`}, ${r.duplicates} already enqueued before`;
  process.stdout.write(
    `${r.target} (${r.datasheetId}): modified after ${iso(r.from)}: ${r.records.length} found, ${counts}; cursor ${iso(r.cursorBefore)} -> ${iso(r.cursorAfter)}\n`,
  );
  for (const rec of r.records) {
    process.stdout.write(
      `  ${rec.outcome.padEnd(13)} ${rec.recordId}  modified ${iso(rec.updatedAt)}${rec.jobId ? `  job ${rec.jobId}` : ''}\n`,
    );
  }
}

async function main(): Promise<number> {
  let close: () => Promise<void> = async () => undefined;
  try {
    const args = parse(process.argv.slice(2));
    if (args.help) {
      process.stdout.write(`${USAGE}\n`);
      return EXIT.ok;
    }
    // Config and connections only once the arguments are known to be right.
    loadEnvFile(process.cwd(), { demo: true });
    const config = loadConfig(process.env, SECTIONS);
    // Logs go to stderr at warn and above: stdout is the report (or the JSON document).
    const logger = createLogger({ service: 'reconcile-cli', level: 'warn', format: config.LOG_FORMAT ?? 'pretty', stream: process.stderr });
    const redis = createRedis(redisTopology(config), 'producer', { enableOfflineQueue: true, connectTimeout: 5000 });
    // Reported once, below, from the ping: without listeners ioredis and BullMQ print a stack per reconnect.
    redis.on('error', () => undefined);
    const queues = createQueues({ connection: redis, prefix: config.QUEUE_PREFIX, retry: retryOverrideFromConfig(config) });
    for (const q of Object.values(queues)) q.on('error', () => undefined);
    close = async () => {
      await closeQueues(queues).catch(() => undefined);
      await redis.quit().catch(() => redis.disconnect());
    };
    if (!(await pingRedis(redis, 5000))) throw new ConnectionError('cannot reach Redis (REDIS_URL); is it running, and is the URL right?');

    const deps: ReconcileDeps = {
      aitable: new AitableClient(aitableOptionsFromConfig(config, { redis, logger })),
      redis,
      queues,
      datasheets: { leads: config.AITABLE_LEADS_DATASHEET_ID, orders: config.AITABLE_ORDERS_DATASHEET_ID },
      queuePrefix: config.QUEUE_PREFIX,
      logger,
      metrics: createMetrics('reconcile-cli'),
    };
    const opts = { ...reconcileOptionsFromConfig(config), since: args.since, dryRun: args.dryRun };
    const results: ReconcileResult[] = [];
    const failed: { target: ReconcileTarget; error: string; code?: string }[] = [];
    for (const target of args.targets) {
      try {
        const r = await reconcileDatasheet(target, deps, opts);
        results.push(r);
        if (!args.json) printResult(r);
      } catch (err) {
        failed.push({ target, error: describeError(err), ...(isAppError(err) ? { code: err.code } : {}) });
        if (!args.json) process.stderr.write(`${target}: failed: ${describeError(err)}\n`);
      }
    }
    if (args.json) process.stdout.write(`${JSON.stringify({ dryRun: args.dryRun, results, failed }, null, 2)}\n`);
    return failed.length > 0 ? EXIT.someFailed : EXIT.ok;
  } catch (err) {
    const usage = err instanceof UsageError;
    const setup = err instanceof ConfigError || err instanceof ConnectionError;
    process.stderr.write(usage ? `error: ${describeError(err)}\n\n${USAGE}\n` : `${setup ? '' : 'error: '}${describeError(err)}\n`);
    return usage ? EXIT.usage : setup ? EXIT.config : EXIT.someFailed;
  } finally {
    await close();
  }
}

void main().then((code) => process.exit(code));
