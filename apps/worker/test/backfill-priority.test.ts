import { runScript, waitFor } from '@bridge/testkit';
import type { Job } from 'bullmq';
import { add, addLead, createHarness, leadEvent, settled, type Harness } from './harness';

jest.setTimeout(120_000);

describe('backfill priority', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h.close());

  it('when live lead webhooks arrive during a backfill, then they are processed before the backfill jobs still waiting', async () => {
    for (let i = 0; i < 30; i++) await addLead(h, { Email: `old${i}@old${i}.example`, Company: `Old ${i}` });
    const run = await runScript('apps/worker/src/backfill-cli.ts', ['--datasheet', 'leads', '--json'], {
      env: h.env({ LOG_LEVEL: 'silent' }),
    });
    expect(run.code).toBe(0);
    expect(await h.queues.leads.getJobCountByTypes('prioritized')).toBe(30);

    // One job at a time, so the order the worker takes them in is the order they run in.
    await h.start({ WORKER_CONCURRENCY_LEADS: '1' });
    await waitFor(async () => ((await h.queues.leads.getJobCountByTypes('completed')) >= 3 ? true : undefined), {
      timeoutMs: 30_000,
      what: 'the backfill to be under way',
    });
    const liveAddedAt = Date.now();
    const live = [];
    for (let i = 0; i < 3; i++) {
      const recordId = await addLead(h, { Email: `new${i}@new${i}.example`, Company: `New ${i}` });
      live.push(await add(h, 'leads', leadEvent(recordId)));
    }
    const liveJobs = await Promise.all(live.map(async (id) => (await settled(h, 'leads', id, 60_000)).job));
    expect(liveJobs.every((j) => j.finishedOn && !j.failedReason)).toBe(true);
    const lastLiveStart = Math.max(...liveJobs.map((j) => j.processedOn ?? Infinity));

    await waitFor(async () => ((await h.queues.leads.getJobCountByTypes('prioritized', 'active')) === 0 ? true : undefined), {
      timeoutMs: 60_000,
      what: 'the backfill to finish',
    });
    const backfill = (await h.queues.leads.getJobs(['completed'], 0, -1)).filter((j: Job) => j.data.requestId.startsWith('backfill-'));
    expect(backfill).toHaveLength(30);
    expect(backfill.every((j) => j.opts.priority && j.opts.priority > 0)).toBe(true);
    // At most the one backfill job already running when the live ones arrived started between them.
    const overtaking = backfill.filter((j) => (j.processedOn ?? 0) >= liveAddedAt && (j.processedOn ?? 0) < lastLiveStart);
    expect(overtaking.length).toBeLessThanOrEqual(1);
    // And most of the backfill ran after them: they did not wait for it.
    expect(backfill.filter((j) => (j.processedOn ?? 0) > lastLiveStart).length).toBeGreaterThan(10);
  });
});
