import { AitableClient, aitableOptionsFromConfig } from '@bridge/aitable';
import { buildFieldMapping, datasheetsFromConfig, loadConfig } from '@bridge/config';
import { createLogger } from '@bridge/logger';
import { backfillDatasheet, type BackfillDeps } from '@bridge/ops';
import { JOBS } from '@bridge/queues';
import { addLead, createHarness, DS, type Harness } from './harness';

jest.setTimeout(60_000);

describe('backfillDatasheet scanning', () => {
  let h: Harness;
  let deps: BackfillDeps;

  beforeAll(async () => {
    h = await createHarness();
    const config = loadConfig(h.env(), ['datasheets', 'aitableApi']);
    const logger = createLogger({ service: 'test', level: 'silent', format: 'json' });
    deps = {
      aitable: new AitableClient(aitableOptionsFromConfig(config, { redis: h.redis, logger })),
      redis: h.redis,
      db: h.prisma,
      queues: h.queues,
      datasheets: datasheetsFromConfig(config),
      fields: buildFieldMapping(config),
      queuePrefix: h.prefix,
    };
    for (let i = 0; i < 25; i++) await addLead(h, { Email: `s${i}@s${i}.example`, Status: 'New' });
  });
  afterAll(() => h.close());

  it('when the records it filtered on change while it reads (as write-backs change them), then none is skipped', async () => {
    const seen = new Set<string>();
    const result = await backfillDatasheet(
      'leads',
      {
        ...deps,
        aitable: {
          listRecords: async (ds, q, o) => {
            const page = await deps.aitable.listRecords(ds, q, o);
            // Every record read leaves the filter before the next read: page numbers would shift by a page each time.
            for (const r of page.records) {
              seen.add(r.recordId);
              await h.sim.control.updateRecordAsUser(DS.leads, r.recordId, { Status: 'Contacted' });
            }
            return page;
          },
        },
      },
      { where: '{Status} = "New"', dryRun: true, pageSize: 5, chunkSize: 2 },
    );
    expect(result.complete).toBe(true);
    expect(result.counts.examined).toBe(25);
    expect(seen.size).toBe(25);
  });

  it('when given a limit, then it stops there and the next call continues after the last record it examined', async () => {
    const first = await backfillDatasheet('leads', deps, { limit: 7, pageSize: 5, chunkSize: 3 });
    expect(first).toMatchObject({ complete: false, counts: expect.objectContaining({ examined: 7, enqueued: 7 }) });
    const rest = await backfillDatasheet('leads', deps, { pageSize: 5, chunkSize: 3 });
    expect(rest.resumedFrom).not.toBeNull();
    expect(rest).toMatchObject({ complete: true, counts: expect.objectContaining({ examined: 25, enqueued: 25, alreadyQueued: 0 }) });
    expect(await h.queues.leads.getJobCountByTypes('prioritized')).toBe(25);
  });

  it('when asked to backfill audit-results, then it says up front that no rule can find work there, and reads nothing', async () => {
    const before = (await h.sim.control.requests({ service: 'aitable', pathIncludes: DS.audit })).length;
    await expect(backfillDatasheet(JOBS.auditResults.name, deps)).rejects.toMatchObject({
      code: 'backfill_nothing_to_find',
      kind: 'permanent',
      message: expect.stringContaining('written by the bridge itself'),
    });
    expect((await h.sim.control.requests({ service: 'aitable', pathIncludes: DS.audit })).length).toBe(before);
    expect(await h.queues[JOBS.auditResults.name].count()).toBe(0);
  });
});
