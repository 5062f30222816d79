import { createInterface } from 'node:readline/promises';
import { assertSelective, failedJobView, findFailedJobs, parseFailedJobFilter, replayJobs } from '@bridge/ops';
import type { BridgeQueues } from '@bridge/queues';
import type { Output } from './output';
import { createProgress } from './progress';
import { EXIT, UsageError } from './usage';

export interface JobsArgs {
  queue?: string;
  since?: string;
  until?: string;
  record?: string;
  error?: string;
  limit?: string;
  all: boolean;
  dryRun: boolean;
  yes: boolean;
  json: boolean;
}

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

/** `replay jobs`: find the failed jobs the filters select, then replay them (or list them with --dry-run). */
export async function runJobsCommand(queues: BridgeQueues, a: JobsArgs, out: Output): Promise<number> {
  const filter = parseFailedJobFilter(a);
  assertSelective(filter, a.all);
  const found = await findFailedJobs(queues, filter);
  const views = found.jobs.map(failedJobView);
  if (!a.json) {
    out.table(
      ['queue', 'job', 'record', 'failed at', 'attempts', 'reason'],
      views.map((v) => [v.queue, v.id, v.recordId ?? '', v.failedAt, v.attemptsMade, v.failedReason]),
    );
    out.line(`${views.length} failed job(s) match (${found.scanned} scanned)${found.truncated ? '; more may exist beyond --limit' : ''}`);
  }
  if (!a.dryRun && found.jobs.length > 0 && !a.yes) {
    if (!process.stdin.isTTY) throw new UsageError('add --yes to replay without a confirmation prompt (stdin is not a terminal)');
    if (!(await confirm(`Replay ${found.jobs.length} job(s) with fresh attempts? [y/N] `))) {
      out.line('nothing replayed');
      return EXIT.ok;
    }
  }
  const progress = createProgress(out.text);
  const summary = await replayJobs(found.jobs, {
    dryRun: a.dryRun,
    onProgress: found.jobs.length > 1 ? progress.update : undefined,
    actor: 'replay-cli',
  });
  if (found.jobs.length > 1) progress.done();
  if (a.json) {
    out.json({ ...summary, truncated: found.truncated, scanned: found.scanned, jobs: views });
  } else {
    const verb = a.dryRun
      ? `${summary.items.filter((i) => i.outcome === 'would-replay').length} would be replayed (dry run)`
      : `${summary.replayed} replayed`;
    out.line(`${verb}, ${summary.skipped} skipped, ${summary.errors.length} failed`);
    for (const i of summary.items) if (i.outcome === 'skipped') out.line(`  skipped ${i.queue}/${i.jobId}: ${i.reason ?? ''}`);
    for (const e of summary.errors) out.line(`  failed ${e.queue}/${e.jobId}: ${e.message}`);
  }
  return summary.errors.length > 0 ? EXIT.someFailed : EXIT.ok;
}
