import { randomUUID } from 'node:crypto';
import { waitFor } from '@bridge/testkit';
import { add, addLead, auditJob, createHarness, DS, leadEvent, settled, type Harness } from './harness';

const DAY_MS = 86_400_000;

describe('sync history and retention', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await createHarness();
    await h.start({
      // A MissionX 5xx spends an attempt here (no outage budget), so one failure makes one history row; outage.test.ts covers the budget.
      WORKER_OUTAGE_BUDGET_MS: '0',
      RETENTION_INTERVAL_MS: '1000',
      RETENTION_HISTORY_DAYS: '10',
      RETENTION_DELIVERY_DAYS: '5',
      RETENTION_REJECTED_DAYS: '20',
      RETENTION_ROLLUP_DAYS: '15',
      RETENTION_CONFLICT_DAYS: '30',
    });
  });
  afterAll(() => h.close());

  const eventsOf = (jobId: string) =>
    waitFor(
      async () => {
        const rows = await h.prisma.syncEvent.findMany({ where: { jobId }, orderBy: { attempt: 'asc' } });
        return rows.length > 0 && rows.at(-1)!.outcome !== 'retry' ? rows : undefined;
      },
      { timeoutMs: 10_000, what: `history rows of job ${jobId}` },
    );

  it('when a lead job fails once and then succeeds, then history holds one row per attempt with its code, times and record', async () => {
    await h.sim.control.injectFault({
      service: 'missionx',
      method: 'POST',
      pathIncludes: '/v2/clients',
      count: 1,
      kind: 'status',
      status: 500,
    });
    const recordId = await addLead(h);
    const event = leadEvent(recordId, { receivedAt: new Date(Date.now() - 5000).toISOString() });
    const { state, job } = await settled(h, 'leads', await add(h, 'leads', event));
    expect(state).toBe('completed');

    const rows = await eventsOf(job.id!);
    expect(rows.map((r) => [r.attempt, r.outcome, r.errorCode, r.result])).toEqual([
      [1, 'retry', expect.stringMatching(/^missionx_/), null],
      [2, 'success', null, 'synced'],
    ]);
    for (const r of rows) {
      expect(r).toMatchObject({ entityType: 'lead', queue: 'leads', datasheetId: DS.leads, recordId });
      expect(r.receivedAt.toISOString()).toBe(event.receivedAt);
      expect(r.finishedAt.getTime()).toBeGreaterThan(r.receivedAt.getTime());
    }
  });

  it('when an audit job fails for good, then its history row is final, keyed by the audit id, with the error code', async () => {
    const job = auditJob('recNoSuchOrder', { auditId: `audit-${randomUUID().slice(0, 8)}` });
    await h.sim.control.injectFault({ service: 'aitable', method: 'GET', pathIncludes: DS.audit, count: 1, kind: 'status', status: 401 });
    const { state } = await settled(h, 'audit-results', await add(h, 'audit-results', job));
    expect(state).toBe('failed');
    const [row] = await eventsOf(job.deliveryId);
    expect(row).toMatchObject({ entityType: 'audit_result', recordId: job.auditId, outcome: 'failed', attempt: 1 });
    expect(row!.errorCode).toMatch(/^aitable_/);
  });

  it('when a job carries a record id too long for any index, then its failure still gets a history row, the id cut to 200', async () => {
    const long = `rec${'x'.repeat(3000)}`;
    const { state, job } = await settled(h, 'leads', await add(h, 'leads', leadEvent(long)));
    expect(state).toBe('failed');
    const [row] = await eventsOf(job.id!);
    expect(row).toMatchObject({ outcome: 'failed', recordId: long.slice(0, 200) });
  });

  it('when rows are older than their retention, then the scheduled clean-up deletes them and keeps the others', async () => {
    const ago = (days: number) => new Date(Date.now() - days * DAY_MS);
    const event = (id: string, days: number) => ({
      id,
      receivedAt: ago(days),
      finishedAt: ago(days),
      entityType: 'lead' as const,
      queue: 'leads',
      jobId: id,
      attempt: 1,
      outcome: 'success' as const,
    });
    const [oldEvent, keptEvent] = [randomUUID(), randomUUID()];
    await h.prisma.syncEvent.createMany({ data: [event(oldEvent, 11), event(keptEvent, 9)] });
    const delivery = (days: number, over: object) => ({
      id: randomUUID(),
      receivedAt: ago(days),
      requestId: 'req',
      source: 'aitable',
      httpStatus: 202,
      outcome: 'accepted' as const,
      ...over,
    });
    const expired = [
      delivery(6, {}),
      delivery(6, { outcome: 'rejected', httpStatus: 401, reason: 'signature' }),
      delivery(21, { outcome: 'rejected', httpStatus: 422, reason: 'invalid_payload', rawBody: '{}' }),
    ];
    const kept = [delivery(4, {}), delivery(6, { outcome: 'rejected', httpStatus: 422, reason: 'invalid_payload', rawBody: '{}' })];
    await h.prisma.webhookDelivery.createMany({ data: [...expired, ...kept] });
    // Narrow rollups (5 min, 1 h) are kept 2 days, 6-hour ones RETENTION_ROLLUP_DAYS, funnel rows as long as the history.
    const rollup = (bucketSeconds: number, days: number) => ({
      bucketSeconds,
      bucket: ago(days),
      entityType: 'lead' as const,
      // Apart from the rollups of the jobs the other tests ran.
      queue: 'retention-probe',
      outcome: 'success' as const,
      result: 'synced',
      errorCode: '',
      manual: false,
      latencyBucket: 20,
      n: 1n,
    });
    await h.prisma.syncEventRollup.createMany({ data: [rollup(300, 3), rollup(21600, 16), rollup(300, 1), rollup(21600, 14)] });
    // Insight counts the same way.
    const count = (bucketSeconds: number, days: number) => ({
      bucketSeconds,
      bucket: ago(days),
      metric: 'retention-probe',
      key: '429',
      n: 1n,
    });
    await h.prisma.insightCount.createMany({ data: [count(300, 3), count(21600, 16), count(300, 1), count(21600, 14)] });
    await h.prisma.leadFunnel.createMany({
      data: [
        { leadRecordId: 'recOld', receivedAt: ago(11) },
        { leadRecordId: 'recKept', receivedAt: ago(9) },
      ],
    });

    await waitFor(async () => ((await h.prisma.syncEvent.count({ where: { id: oldEvent } })) === 0 ? true : undefined), {
      timeoutMs: 15_000,
      what: 'the clean-up to delete the expired history row',
    });
    await waitFor(
      async () => ((await h.prisma.webhookDelivery.count({ where: { id: { in: expired.map((d) => d.id) } } })) === 0 ? true : undefined),
      {
        timeoutMs: 15_000,
        what: 'the clean-up to delete the expired deliveries',
      },
    );
    const conflict = (recordId: string, days: number, over: object) => ({
      detectedAt: ago(days),
      datasheetId: DS.leads,
      recordId,
      field: 'Portal Status',
      aitableValue: 'Lost',
      bridgeValue: 'Active',
      policy: 'manual',
      outcome: 'held',
      ...over,
    });
    await h.prisma.syncConflict.createMany({
      data: [
        conflict('recConflictRestored', 31, { field: 'Portal URL', policy: 'bridge-wins', outcome: 'restored' }),
        conflict('recConflictResolved', 40, { outcome: 'resolved_aitable', resolvedAt: ago(35), resolvedBy: 'op' }),
        // Kept: held for an operator however old; resolved lately; settled within the period.
        conflict('recConflictHeld', 100, {}),
        conflict('recConflictLateResolve', 40, { outcome: 'resolved_missionx', resolvedAt: ago(2), resolvedBy: 'op' }),
        conflict('recConflictRecent', 29, { field: 'Portal URL', policy: 'bridge-wins', outcome: 'restored' }),
      ],
    });
    const conflictRecords = { recordId: { startsWith: 'recConflict' } };
    await waitFor(async () => ((await h.prisma.syncConflict.count({ where: conflictRecords })) === 3 ? true : undefined), {
      timeoutMs: 15_000,
      what: 'the clean-up to delete the settled old conflicts',
    });
    const conflictsLeft = await h.prisma.syncConflict.findMany({ where: conflictRecords, orderBy: { recordId: 'asc' } });
    expect(conflictsLeft.map((c) => c.recordId)).toEqual(['recConflictHeld', 'recConflictLateResolve', 'recConflictRecent']);
    const probe = { queue: 'retention-probe' };
    await waitFor(async () => ((await h.prisma.syncEventRollup.count({ where: probe })) === 2 ? true : undefined), {
      timeoutMs: 15_000,
      what: 'the clean-up to delete the expired rollups',
    });
    const left = await h.prisma.syncEventRollup.findMany({ where: probe, orderBy: { bucketSeconds: 'asc' } });
    expect(left.map((r) => r.bucketSeconds)).toEqual([300, 21600]);
    await waitFor(async () => ((await h.prisma.insightCount.count({ where: { metric: 'retention-probe' } })) === 2 ? true : undefined), {
      timeoutMs: 15_000,
      what: 'the clean-up to delete the expired insight counts',
    });
    const counts = await h.prisma.insightCount.findMany({ where: { metric: 'retention-probe' }, orderBy: { bucketSeconds: 'asc' } });
    expect(counts.map((r) => [r.bucketSeconds, Math.round((Date.now() - r.bucket.getTime()) / DAY_MS)])).toEqual([
      [300, 1],
      [21600, 14],
    ]);
    const funnelRows = await h.prisma.leadFunnel.findMany({ where: { leadRecordId: { in: ['recOld', 'recKept'] } } });
    expect(funnelRows.map((r) => r.leadRecordId)).toEqual(['recKept']);
    expect(await h.prisma.syncEvent.count({ where: { id: keptEvent } })).toBe(1);
    expect(await h.prisma.webhookDelivery.count({ where: { id: { in: kept.map((d) => d.id) } } })).toBe(2);
  });
});
