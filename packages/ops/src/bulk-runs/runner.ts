import type { BulkRun, Prisma } from '@bridge/db';
import { describeError, isAppError, permanent } from '@bridge/errors';
import { eventJob } from '@bridge/queues';
import {
  backfillDatasheet,
  checkpointKey,
  readCheckpoint,
  ZERO_COUNTS,
  type BackfillCounts,
  type BackfillDeps,
  type BackfillProgress,
  type BackfillTarget,
} from '../backfill';
import type { BulkRunRequest } from './input';
import {
  addCounts,
  bulkRunRow,
  countsOf,
  getBulkRun,
  HEARTBEAT_MS,
  listBulkRuns,
  markInterrupted,
  requestCancel,
  type BulkRunView,
} from './runs';
import { partsOf, selectRecordIds } from './select';

export interface BulkRunnerOptions {
  /** BACKFILL_PAGE_SIZE, BACKFILL_CHUNK_SIZE and BACKFILL_MAX_AHEAD, as the CLI uses them. */
  pageSize: number;
  chunkSize: number;
  maxAhead: number;
  /** Told about a run that failed (the row keeps the message too), or whose outcome could not be written. */
  onError?: (runId: string, err: unknown) => void;
}

type StopReason = 'cancelled' | 'interrupted';

interface Active {
  stop: AbortController;
  done: Promise<void>;
}

const json = (v: unknown) => v as Prisma.InputJsonValue;

/**
 * Runs bulk runs inside the dashboard process with the backfill engine the CLI uses
 * (`backfillDatasheet`: the workers' decide rules, backfill priority, checkpoints). Each run is
 * a BulkRun row, written every second while it runs (progress, heartbeat) and read back for a
 * cancel asked through any dashboard process. When the process stops, `close` ends its runs as
 * interrupted; a crash leaves them to `markInterrupted`. Starting one again resumes from its
 * checkpoint. One run per datasheet at a time: two would share the datasheet's rate limit and,
 * with the same filter, its checkpoint.
 */
export class BulkRunner {
  private readonly active = new Map<string, Active>();

  constructor(
    private readonly deps: BackfillDeps,
    private readonly opts: BulkRunnerOptions,
  ) {}

  /** This process's running runs: alive whatever their last heartbeat says. */
  private get own(): string[] {
    return [...this.active.keys()];
  }

  list(limit?: number): Promise<BulkRunView[]> {
    return listBulkRuns(this.deps.db, { limit, except: this.own });
  }

  get(id: string): Promise<BulkRunView> {
    return getBulkRun(this.deps.db, id, this.own);
  }

  /** Starts a run (recorded as started by `by`); resumes from the checkpoint an unfinished run with the same filter left. */
  async start(req: BulkRunRequest, by: string): Promise<BulkRunView> {
    const datasheetId = this.datasheetId(req.datasheet);
    const recordIds = await selectRecordIds(this.deps.db, datasheetId, req);
    return this.launch(req, by, { recordIds, part: 0, doneCounts: ZERO_COUNTS, restartOf: null });
  }

  /**
   * Starts a run again with the same filter and records: one that did not complete continues
   * where it stopped (its slice of ids, its checkpoint); a completed one starts over.
   */
  async restart(id: string, by: string): Promise<BulkRunView> {
    const prev = await bulkRunRow(this.deps.db, id);
    const req = { ...(prev.filter as BulkRunView['filter']), kind: prev.kind, datasheet: prev.datasheet } as BulkRunRequest;
    const resume = prev.status !== 'completed';
    return this.launch(req, by, {
      recordIds: prev.recordIds as string[] | null,
      part: resume ? prev.part : 0,
      doneCounts: resume ? countsOf(prev.doneCounts) : ZERO_COUNTS,
      restartOf: prev.id,
    });
  }

  /** Asks a run to stop after the step in hand; this process's own runs stop at once, others with their next heartbeat. */
  async cancel(id: string, by: string): Promise<BulkRunView> {
    await requestCancel(this.deps.db, id, by);
    this.active.get(id)?.stop.abort('cancelled' satisfies StopReason);
    return this.get(id);
  }

  /** Stops every run of this process, checkpoint saved, and marks them interrupted. */
  async close(): Promise<void> {
    for (const a of this.active.values()) a.stop.abort('interrupted' satisfies StopReason);
    await Promise.all([...this.active.values()].map((a) => a.done));
  }

  private datasheetId(target: BackfillTarget): string {
    return this.deps.datasheets[eventJob(target).datasheet];
  }

  private busy(datasheet: string) {
    return permanent('bulk_run_running', `A bulk run on ${datasheet} is running; cancel it or wait for it to end before starting another`, {
      httpStatus: 409,
      details: { field: 'datasheet' },
    });
  }

  private async launch(
    req: BulkRunRequest,
    by: string,
    from: { recordIds: string[] | null; part: number; doneCounts: BackfillCounts; restartOf: string | null },
  ): Promise<BulkRunView> {
    const { db } = this.deps;
    const parts = partsOf(req.where, from.recordIds);
    const saved = from.part < parts.length ? await readCheckpoint(this.deps.redis, this.keyOf(req.datasheet, parts[from.part])) : null;
    const counts = addCounts(from.doneCounts, saved?.counts ?? ZERO_COUNTS);
    const { kind, datasheet, where, errorCode, since, until } = req;
    // The ids themselves are kept once, in recordIds (given or selected).
    const filter = { where, errorCode, since, until };
    await markInterrupted(db, this.own);
    // The check and the insert under one lock, so two dashboards cannot both start a run on a datasheet.
    const row = await db.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT pg_advisory_xact_lock(hashtext(${`bulk-run:${datasheet}`}))::text`;
      if (await tx.bulkRun.count({ where: { datasheet, status: 'running' } })) throw this.busy(datasheet);
      return tx.bulkRun.create({
        data: {
          kind,
          datasheet,
          filter: json(filter),
          recordIds: from.recordIds === null ? undefined : json(from.recordIds),
          startedBy: by,
          status: 'running',
          counts: json(counts),
          total: from.recordIds ? Math.max(from.recordIds.length, counts.examined) : counts.examined,
          startExamined: counts.examined,
          part: from.part,
          doneCounts: json(from.doneCounts),
          restartOf: from.restartOf,
        },
      });
    });
    const stop = new AbortController();
    const active: Active = { stop, done: Promise.resolve() };
    this.active.set(row.id, active);
    // Nobody awaits a run but `close`: its last write failing (Postgres gone) is reported, not thrown
    // into the void; the run then shows as interrupted once its heartbeat is stale.
    active.done = this.run(row, parts, stop)
      .catch((err: unknown) => this.opts.onError?.(row.id, err))
      .finally(() => this.active.delete(row.id));
    return this.get(row.id);
  }

  private keyOf(target: BackfillTarget, where: string | undefined): string {
    return checkpointKey(this.deps.queuePrefix, this.datasheetId(target), where);
  }

  private async run(row: BulkRun, parts: (string | undefined)[], stop: AbortController): Promise<void> {
    const { db } = this.deps;
    const target = row.datasheet as BackfillTarget;
    const byIds = row.recordIds !== null;
    let part = row.part;
    let done = countsOf(row.doneCounts);
    let current: BackfillProgress | null = null;
    // Set while the scan waits for the workers; the next step (or the end) clears it.
    let paused: { pausedSince: Date; waitingJobs: number } | null = null;
    const counts = () => (current ? addCounts(done, current.counts) : done);
    const progress = () => {
      const c = counts();
      const total = byIds || !current ? Math.max(row.total, c.examined) : done.examined + current.total;
      return {
        counts: json(c),
        total,
        part,
        doneCounts: json(done),
        pausedSince: paused?.pausedSince ?? null,
        waitingJobs: paused?.waitingJobs ?? null,
      };
    };
    // One write at a time: the last one (the outcome) must not be overtaken by a heartbeat.
    let writing = Promise.resolve();
    const beat = () => {
      writing = writing
        .then(async () => {
          const data = { ...progress(), heartbeatAt: new Date() };
          const { count } = await db.bulkRun.updateMany({ where: { id: row.id, status: 'running', cancelRequestedAt: null }, data });
          if (count > 0) return;
          // Cancelled from any process; or declared interrupted (this process stalled past STALE_MS), when
          // another run may already own the datasheet and its checkpoint: either way, stop.
          const now = await db.bulkRun.findUnique({ where: { id: row.id }, select: { status: true } });
          stop.abort((now?.status === 'running' ? 'cancelled' : 'interrupted') satisfies StopReason);
        })
        // A write Postgres refused is made again by the next heartbeat; the run itself goes on.
        .catch(() => undefined);
    };
    const timer = setInterval(beat, HEARTBEAT_MS);
    let status: string = 'completed';
    let error: string | null = null;
    try {
      for (; part < parts.length; part++) {
        if (stop.signal.aborted) break;
        const result = await backfillDatasheet(target, this.deps, {
          where: parts[part],
          pageSize: this.opts.pageSize,
          chunkSize: this.opts.chunkSize,
          maxAhead: this.opts.maxAhead,
          signal: stop.signal,
          onProgress: (p) => {
            current = p;
            paused = null;
          },
          onPause: (waitingJobs, seconds) => {
            paused = { pausedSince: paused?.pausedSince ?? new Date(Date.now() - seconds * 1000), waitingJobs };
          },
        });
        if (!result.complete) {
          current = result;
          break;
        }
        current = null;
        done = addCounts(done, result.counts);
      }
      if (part < parts.length) status = (stop.signal.reason as StopReason | undefined) ?? 'interrupted';
    } catch (err) {
      status = 'failed';
      error = isAppError(err) ? `${describeError(err)} [${err.code}]` : describeError(err);
      this.opts.onError?.(row.id, err);
    } finally {
      clearInterval(timer);
      paused = null;
    }
    await writing;
    await db.bulkRun.update({
      where: { id: row.id },
      data: {
        ...progress(),
        // Ids AITable no longer has were never examined: a completed run's total is what it examined.
        ...(status === 'completed' ? { total: counts().examined } : {}),
        status,
        error,
        finishedAt: new Date(),
        heartbeatAt: new Date(),
      },
    });
  }
}
