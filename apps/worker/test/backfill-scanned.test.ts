import { spawn } from 'node:child_process';
import path from 'node:path';
import { checkpointKey, readCheckpoint } from '@bridge/ops';
import type { AitableEventJob } from '@bridge/queues';
import { REPO_ROOT, runScript, waitFor } from '@bridge/testkit';
import { add, addLead, clientsOf, createHarness, DS, leadEvent, recordOf, settled, type Harness } from './harness';

jest.setTimeout(180_000);

/**
 * A backfill's jobs carry the record as the scan read it: a worker that runs them soon acts on
 * that read instead of reading every record again (the request that kept a backfill below
 * AITable's ceiling), and falls back to a read when the scan's is too old.
 */
describe('backfill jobs and the scan read', () => {
  let h: Harness;
  const backfill = (env: Record<string, string> = {}) =>
    runScript('apps/worker/src/backfill-cli.ts', ['--datasheet', 'leads', '--json'], {
      env: h.env({ LOG_LEVEL: 'silent', ...env }),
      timeoutMs: 120_000,
    });
  const backfillJobs = async () =>
    (await h.queues.leads.getJobs(['prioritized'], 0, -1)).map((j) => ({ id: j.id!, data: j.data as AitableEventJob }));
  const readsById = async (since: number) =>
    (await h.sim.control.requests({ service: 'aitable', method: 'GET' })).filter((r) => r.at >= since && r.query.recordIds !== undefined);
  const drained = () =>
    waitFor(
      async () => ((await h.queues.leads.getJobCountByTypes('prioritized', 'waiting', 'active', 'delayed')) === 0 ? true : undefined),
      {
        timeoutMs: 60_000,
        what: 'the leads queue to drain',
      },
    );

  beforeEach(async () => {
    h = await createHarness();
  });
  afterEach(() => h.close());

  it('when the workers run the jobs soon after the scan, then no lead is read again and a job holds only the fields its flow reads', async () => {
    const leads = [];
    for (let i = 0; i < 12; i++)
      leads.push(await addLead(h, { Email: `a${i}@firm${i}.example`, Company: `Firm ${i}`, Phone: '+44 20 7946 0000' }));
    expect((await backfill()).code).toBe(0);

    const jobs = await backfillJobs();
    expect(jobs).toHaveLength(12);
    for (const { data } of jobs) {
      expect(data.fields).toBeUndefined();
      // Phone and Status are personal data or beside the point: they stay in AITable.
      expect(Object.keys(data.scanned!.fields).sort()).toEqual(['Client Name', 'Company', 'Email']);
      expect(data.scanned!.updatedAt).toBe((await recordOf(h, DS.leads, data.recordId))!.updatedAt);
    }

    const started = Date.now();
    await h.start();
    await drained();
    for (const [i, id] of leads.entries()) {
      expect((await recordOf(h, DS.leads, id))!.fields['Portal URL']).toBeTruthy();
      expect((await clientsOf(h, id)).map((c) => c.title)).toEqual([`Firm ${i}`]);
    }
    expect(await readsById(started)).toHaveLength(0);
  });

  it('when a job runs later than BACKFILL_READ_MAX_AGE_MS after the scan, then it reads the lead again and acts on what it holds now', async () => {
    const id = await addLead(h, { Company: 'Scanned Name' });
    expect((await backfill()).code).toBe(0);
    await h.sim.control.updateRecordAsUser(DS.leads, id, { Company: 'Current Name' });

    const started = Date.now();
    await h.start({ BACKFILL_READ_MAX_AGE_MS: '0' });
    await drained();
    expect((await clientsOf(h, id)).map((c) => c.title)).toEqual(['Current Name']);
    expect((await readsById(started)).some((r) => String(r.query.recordIds).includes(id))).toBe(true);
  });

  it('when a live event synced a lead changed after the scan, then its backfill job reads the lead again and leaves the portal as synced', async () => {
    const id = await addLead(h, { Company: 'Scanned Name' });
    expect((await backfill()).code).toBe(0);
    const [job] = await backfillJobs();
    // AITable's modification times are in milliseconds: let the edit's be later than the scan's.
    await new Promise((r) => setTimeout(r, 5));
    await h.sim.control.updateRecordAsUser(DS.leads, id, { Company: 'Current Name' });
    const live = await add(h, 'leads', leadEvent(id, { eventType: 'record.updated' }));

    // One job at a time: the live event (no priority) runs first, then the backfill job with the older read.
    await h.start({ WORKER_CONCURRENCY_LEADS: '1' });
    expect((await settled(h, 'leads', live, 30_000)).state).toBe('completed');
    const backfilled = await settled(h, 'leads', job!.id, 30_000);
    expect(backfilled.state).toBe('completed');
    // The sync row moved since the scan: the job reads the lead and finds what the live event wrote.
    expect(backfilled.job.returnvalue).toBe('skipped_own_write_back');
    const clients = await clientsOf(h, id);
    expect(clients.map((c) => c.title)).toEqual(['Current Name']);
    const patches = await h.sim.control.requests({ service: 'missionx', method: 'PATCH' });
    expect(patches).toHaveLength(0);
  });

  it('when a lead was deleted after the scan and its delete event handled first, then its backfill job reads it again and makes no portal', async () => {
    const id = await addLead(h);
    expect((await backfill()).code).toBe(0);
    const [job] = await backfillJobs();
    const deleted = await fetch(`${h.sim.aitableBaseUrl}/v1/datasheets/${DS.leads}/records?recordIds=${id}`, {
      method: 'DELETE',
      headers: { authorization: 'Bearer sim-aitable-key' },
    });
    expect(deleted.status).toBe(200);
    const live = await add(h, 'leads', leadEvent(id, { eventType: 'record.deleted' }));

    // The delete (no priority) runs first and moves the lead's sync row: the scan no longer describes the lead.
    await h.start({ WORKER_CONCURRENCY_LEADS: '1' });
    expect((await settled(h, 'leads', live, 30_000)).state).toBe('completed');
    const backfilled = await settled(h, 'leads', job!.id, 30_000);
    expect(backfilled.state).toBe('failed');
    expect(backfilled.job.failedReason).toMatch(/not found|unknown|does not exist/i);
    expect(await clientsOf(h, id)).toHaveLength(0);
  });

  it('when orders are backfilled, then their jobs carry no scan and an order lost after the scan does not open its portal', async () => {
    const lead = await addLead(h);
    const { recordId: order } = await h.sim.control.addRecord(DS.orders, { 'Order Number': 'SO-1', Status: 'Won', Lead: [lead] });
    const run = await runScript('apps/worker/src/backfill-cli.ts', ['--datasheet', 'orders', '--json'], {
      env: h.env({ LOG_LEVEL: 'silent' }),
      timeoutMs: 120_000,
    });
    expect(run.code).toBe(0);
    const [job] = await h.queues.orders.getJobs(['prioritized'], 0, -1);
    expect((job!.data as AitableEventJob).scanned).toBeUndefined();
    // Lost after the scan, with no automation telling the bridge: the job must act on the order as it is now.
    await h.sim.control.updateRecordAsUser(DS.orders, order, { Status: 'Lost' });

    await h.start();
    expect((await settled(h, 'orders', job!.id!, 30_000)).state).toBe('completed');
    expect((await recordOf(h, DS.orders, order))!.fields['Portal URL']).toBeUndefined();
    expect(await clientsOf(h, lead)).toHaveLength(0);
  });

  it('when no worker takes the jobs, then the scan pauses at BACKFILL_MAX_AHEAD waiting jobs and says so, and a Ctrl-C keeps its place', async () => {
    const leads = [];
    for (let i = 0; i < 50; i++) leads.push(await addLead(h, { Email: `p${i}@pause${i}.example`, Company: `Pause ${i}` }));
    const env = h.env({ LOG_LEVEL: 'silent', BACKFILL_MAX_AHEAD: '20', BACKFILL_CHUNK_SIZE: '10' });
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(REPO_ROOT, 'apps/worker/src/backfill-cli.ts'), '--datasheet', 'leads', '--json'],
      { cwd: REPO_ROOT, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const lines: { event: string; waiting?: number; seconds?: number }[] = [];
    let buffered = '';
    child.stdout.on('data', (chunk: Buffer) => {
      const parts = (buffered + chunk.toString()).split('\n');
      buffered = parts.pop() ?? '';
      for (const p of parts) lines.push(JSON.parse(p) as (typeof lines)[number]);
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const paused = await waitFor(() => lines.find((l) => l.event === 'paused'), { timeoutMs: 60_000, what: 'the scan to say it paused' });
    expect(paused).toMatchObject({ waiting: 20 });
    expect(paused.seconds).toBeGreaterThanOrEqual(10);
    expect(await h.queues.leads.getJobCountByTypes('prioritized')).toBe(20);

    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect((await readCheckpoint(h.redis, checkpointKey(h.prefix, DS.leads, undefined)))?.counts).toMatchObject({
      examined: 20,
      enqueued: 20,
    });

    await h.start();
    const resumed = await runScript('apps/worker/src/backfill-cli.ts', ['--datasheet', 'leads', '--json'], { env, timeoutMs: 120_000 });
    expect(resumed.code).toBe(0);
    await drained();
    for (const id of leads) expect((await clientsOf(h, id)).length).toBe(1);
  });
});
