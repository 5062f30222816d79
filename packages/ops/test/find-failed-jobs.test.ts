import { type QueueHarness, startQueueHarness, waitFor } from '@bridge/testkit';
import { failedJobView, findFailedJobs, parseFailedJobFilter, type FailedJob } from '../src';

let h: QueueHarness;
let mid: Date;
const ids: Record<string, string> = {};
const idsOf = (jobs: FailedJob[]) => jobs.map((j) => j.id).sort();

// Four failed jobs on two queues, two before `mid` and two after it, with two error texts;
// plus one completed job that no filter may ever select.
beforeAll(async () => {
  h = startQueueHarness();
  ids.leadEarly = (await h.failJob('leads', 'recA1', 'MissionX answered 503 Service Unavailable')).id!;
  ids.orderEarly = (await h.failJob('orders', 'recB1', 'AITable rate limit (429)')).id!;
  const m = Date.now();
  await waitFor(() => Date.now() > m + 1, { what: 'the clock to move past mid' });
  mid = new Date(m + 1);
  ids.leadLate = (await h.failJob('leads', 'recB1', 'AITable rate limit (429)')).id!;
  ids.orderLate = (await h.failJob('orders', 'recA1', 'MissionX answered 503 Service Unavailable')).id!;
  const ok = await h.addJob('leads', 'recOk1');
  await h.waitForState('leads', ok, 'completed');
});
afterAll(async () => {
  await h.close();
});

describe('findFailedJobs', () => {
  test('when no filter is given, then every failed job of every queue is listed, newest first', async () => {
    const r = await findFailedJobs(h.queues);
    expect(r.jobs.map((j) => j.id)).toEqual([ids.orderLate, ids.leadLate, ids.orderEarly, ids.leadEarly]);
    expect(r.truncated).toBe(false);
  });

  test('when a queue is given, then only that queue’s failed jobs are selected', async () => {
    expect(idsOf((await findFailedJobs(h.queues, { queue: 'orders' })).jobs)).toEqual([ids.orderEarly, ids.orderLate].sort());
  });

  test('when a record id is given, then only jobs of that record are selected, across queues', async () => {
    expect(idsOf((await findFailedJobs(h.queues, { recordId: 'recA1' })).jobs)).toEqual([ids.leadEarly, ids.orderLate].sort());
  });

  test('when since or until is given, then only jobs that failed inside the window are selected', async () => {
    expect(idsOf((await findFailedJobs(h.queues, { since: mid })).jobs)).toEqual([ids.leadLate, ids.orderLate].sort());
    expect(idsOf((await findFailedJobs(h.queues, { until: mid })).jobs)).toEqual([ids.leadEarly, ids.orderEarly].sort());
    expect((await findFailedJobs(h.queues, { since: new Date(Date.now() + 60_000) })).jobs).toEqual([]);
  });

  test('when error text is given, then it matches the failure reason case-insensitively', async () => {
    expect(idsOf((await findFailedJobs(h.queues, { errorIncludes: 'rate LIMIT' })).jobs)).toEqual([ids.orderEarly, ids.leadLate].sort());
    expect((await findFailedJobs(h.queues, { errorIncludes: 'no such text' })).jobs).toEqual([]);
  });

  test('when error text appears only in the stack trace, then it matches too', async () => {
    // Every stack trace names the test worker's file; no failure reason does.
    expect((await findFailedJobs(h.queues, { errorIncludes: 'queue-harness.ts' })).jobs).toHaveLength(4);
  });

  test('when several filters are given, then a job must match all of them', async () => {
    const r = await findFailedJobs(h.queues, { queue: 'leads', recordId: 'recB1', errorIncludes: '429', since: mid });
    expect(idsOf(r.jobs)).toEqual([ids.leadLate]);
    expect((await findFailedJobs(h.queues, { queue: 'orders', recordId: 'recB1', since: mid })).jobs).toEqual([]);
  });

  test('when the limit is reached, then the newest jobs are returned and the result says it was truncated', async () => {
    const r = await findFailedJobs(h.queues, { limit: 2 });
    expect(r.jobs.map((j) => j.id)).toEqual([ids.orderLate, ids.leadLate]);
    expect(r.truncated).toBe(true);
  });

  test('when the scan bound is reached, then the search stops there and says it was truncated', async () => {
    const r = await findFailedJobs(h.queues, { queue: 'leads', maxScan: 1 });
    expect(r).toMatchObject({ scanned: 1, truncated: true });
    expect(r.jobs.map((j) => j.id)).toEqual([ids.leadLate]);
  });

  test('when filters are typed as words, then they parse to the same filter and bad ones name the field', () => {
    const now = new Date('2025-06-01T12:00:00Z');
    expect(
      parseFailedJobFilter({ queue: 'leads', since: '2h', until: '2025-06-01T11:30:00Z', record: 'recA1', error: '503', limit: '5' }, now),
    ).toEqual({
      queue: 'leads',
      since: new Date('2025-06-01T10:00:00Z'),
      until: new Date('2025-06-01T11:30:00Z'),
      recordId: 'recA1',
      errorIncludes: '503',
      limit: 5,
    });
    expect(() => parseFailedJobFilter({ queue: 'lead' })).toThrow(/queue must be one of leads, orders, audit-results/);
    expect(() => parseFailedJobFilter({ since: 'yesterday' })).toThrow(/since must be a duration/);
    expect(() => parseFailedJobFilter({ record: 'A1' })).toThrow(/record must be an AITable record id/);
    expect(() => parseFailedJobFilter({ limit: '0' })).toThrow(/limit must be a positive integer/);
  });

  test('when a failed job is shown, then the view carries its data and reason as stored (masking is for the reader)', async () => {
    const job = await h.failJob('leads', 'recPii1', 'MissionX refused jane.doe@example.com', {
      fields: { Email: 'jane.doe@example.com', Phone: '+44 7700 900123', 'Client Name': 'Jane Doe', Company: 'Acme' },
    });
    const [found] = (await findFailedJobs(h.queues, { recordId: 'recPii1' })).jobs;
    const view = failedJobView(found!);
    expect(view.id).toBe(job.id);
    expect(view.failedReason).toBe('MissionX refused jane.doe@example.com');
    expect(view.data).toMatchObject({ recordId: 'recPii1', fields: { Email: 'jane.doe@example.com', Company: 'Acme' } });
  });
});
