import { createReconcileQueue, RECONCILE_SCHEDULER_ID } from '@bridge/queues';
import { waitFor } from '@bridge/testkit';
import { cursorKey, readCursor } from '../src/reconcile-cursor';
import { addLead, createHarness, DS, recordOf, syncRow, type Harness } from './harness';

describe('scheduled reconciliation', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h.close());

  it('when the worker consuming leads runs with a small interval, then reconcile jobs run by themselves: the cursors appear and a lead no webhook announced gets its portal', async () => {
    const recordId = await addLead(h);
    const added = await recordOf(h, DS.leads, recordId);
    await h.start({ RECONCILE_INTERVAL_MS: '300' });

    const leadsCursor = await waitFor(() => readCursor(h.redis, cursorKey(h.prefix, DS.leads)), { what: 'the leads cursor' });
    expect(leadsCursor).toBeGreaterThanOrEqual(added!.updatedAt);
    await waitFor(() => readCursor(h.redis, cursorKey(h.prefix, DS.orders)), { what: 'the orders cursor' });
    const row = await waitFor(
      async () => {
        const r = await syncRow(h, DS.leads, recordId);
        return r?.syncStatus === 'success' ? r : undefined;
      },
      { timeoutMs: 15_000, what: 'the lead to be synced' },
    );
    expect(row.active).toBe(true);
    expect((await h.sim.control.missionxClients()).filter((c) => c.customId === recordId)).toHaveLength(1);
    // The schedule keeps making runs, one per interval.
    const queue = createReconcileQueue({ connection: h.redis, prefix: h.prefix });
    try {
      await waitFor(async () => (await queue.getJobCountByTypes('completed')) >= 2, { what: 'a second scheduled run' });
      expect(await queue.getJobScheduler(RECONCILE_SCHEDULER_ID)).toMatchObject({ every: 300 });
      await h.stop();
      // Restarted with reconciliation off: the schedule is removed for every process.
      await h.start({ RECONCILE_INTERVAL_MS: '0' });
      expect(await queue.getJobScheduler(RECONCILE_SCHEDULER_ID)).toBeUndefined();
    } finally {
      await h.stop();
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });

  it('when the process does not consume leads, then it neither schedules nor runs reconciliation', async () => {
    const runtime = await h.start({ WORKER_QUEUES: 'orders', RECONCILE_INTERVAL_MS: '300' });
    try {
      expect(runtime.workers.map((w) => w.queue)).toEqual(['orders']);
      const queue = createReconcileQueue({ connection: h.redis, prefix: h.prefix });
      expect(await queue.getJobScheduler(RECONCILE_SCHEDULER_ID)).toBeUndefined();
      await queue.close();
    } finally {
      await h.stop();
    }
  });
});
