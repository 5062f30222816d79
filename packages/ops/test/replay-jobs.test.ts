import { ATTEMPTS, type QueueHarness, startQueueHarness, waitFor } from '@bridge/testkit';
import { findFailedJobs, replayJobs, type ReplayProgress } from '../src';

let h: QueueHarness;
beforeAll(() => {
  h = startQueueHarness();
});
afterAll(async () => {
  await h.close();
});

describe('replayJobs', () => {
  test('when a job used all its attempts and the outage is over, then a replay runs it with a fresh set of attempts until it completes', async () => {
    const failed = await h.failJob('leads', 'recFresh1');
    expect(failed.attemptsMade).toBe(ATTEMPTS);
    // Still failing for two more attempts: a plain BullMQ retry (one more try) would fail again.
    h.outage.set('recFresh1', ATTEMPTS - 1);
    const runsBefore = h.runs.get('recFresh1') ?? 0;

    const found = await findFailedJobs(h.queues, { recordId: 'recFresh1' });
    const summary = await replayJobs(found.jobs, { dryRun: false });

    expect(summary).toMatchObject({ matched: 1, replayed: 1, skipped: 0, errors: [] });
    const done = await h.waitForState('leads', failed.id!, 'completed');
    expect(h.runs.get('recFresh1')! - runsBefore).toBe(ATTEMPTS);
    expect(done.returnvalue).toEqual({ portal: 'client-recFresh1' });
    expect((await h.queues.leads.getJobLogs(failed.id!)).logs.join('\n')).toMatch(/replayed with fresh attempts/);
  });

  test('when it is a dry run, then the jobs are listed and nothing changes', async () => {
    const failed = await h.failJob('orders', 'recDry1');
    const found = await findFailedJobs(h.queues, { recordId: 'recDry1' });

    const summary = await replayJobs(found.jobs, { dryRun: true });

    expect(summary).toMatchObject({ dryRun: true, matched: 1, replayed: 0, skipped: 0 });
    expect(summary.items).toEqual([{ queue: 'orders', jobId: failed.id, outcome: 'would-replay' }]);
    const after = await h.queues.orders.getJob(failed.id!);
    expect(await after!.getState()).toBe('failed');
    expect(after!.attemptsMade).toBe(ATTEMPTS);
    expect(h.runs.get('recDry1')).toBe(ATTEMPTS);
  });

  test('when a listed job was replayed meanwhile, then it is skipped with the reason and reported per job', async () => {
    const failed = await h.failJob('leads', 'recTwice1');
    const found = await findFailedJobs(h.queues, { recordId: 'recTwice1' });
    await replayJobs(found.jobs, { dryRun: false });
    await h.waitForState('leads', failed.id!, 'completed');
    const progress: ReplayProgress[] = [];

    const again = await replayJobs(found.jobs, { dryRun: false, onProgress: (p) => progress.push(p) });

    expect(again).toMatchObject({ matched: 1, replayed: 0, skipped: 1, errors: [] });
    expect(again.items[0]!.reason).toBe('no longer failed (now completed)');
    expect(progress).toEqual([expect.objectContaining({ done: 1, total: 1, outcome: 'skipped', jobId: failed.id })]);
  });

  test('when many jobs are replayed, then progress is reported once per job in order', async () => {
    const jobs = await Promise.all(['recBulk1', 'recBulk2', 'recBulk3'].map((r) => h.failJob('audit-results', r)));
    const found = await findFailedJobs(h.queues, {
      queue: 'audit-results',
      errorIncludes: 'MissionX',
      since: new Date(Math.min(...jobs.map((j) => j.finishedOn!))),
    });
    const progress: number[] = [];

    const summary = await replayJobs(found.jobs, { dryRun: false, onProgress: (p) => progress.push(p.done) });

    expect(summary.replayed).toBe(3);
    expect(progress).toEqual([1, 2, 3]);
    await waitFor(async () => (await h.queues['audit-results'].getJobCounts('completed')).completed === 3, { what: 'three completed' });
  });
});
