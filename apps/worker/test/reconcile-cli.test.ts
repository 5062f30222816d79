import { runScript, type ScriptRun as Run } from '@bridge/testkit';
import { cursorKey, readCursor } from '../src/reconcile-cursor';
import type { ReconcileResult } from '../src/use-cases/reconcile-datasheet';
import { addLead, createHarness, DS, type Harness } from './harness';

jest.setTimeout(90_000);

describe('npm run reconcile', () => {
  let h: Harness;

  /** The CLI in its own process, as an operator runs it. */
  const cli = (args: string[], over: Record<string, string> = {}) =>
    runScript('apps/worker/src/reconcile-cli.ts', args, { env: h.env({ LOG_LEVEL: 'silent', ...over }) });
  const leadsCursor = () => readCursor(h.redis, cursorKey(h.prefix, DS.leads));

  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h.close());

  it('when run with --dry-run --json, then it prints what would be enqueued, enqueues nothing and leaves the cursor', async () => {
    const recordId = await addLead(h);

    const { code, stdout } = await cli(['--datasheet', 'leads', '--dry-run', '--json']);

    expect(code).toBe(0);
    const out = JSON.parse(stdout) as { dryRun: boolean; results: ReconcileResult[]; failed: unknown[] };
    expect(out).toMatchObject({ dryRun: true, failed: [] });
    expect(out.results.map((r) => r.target)).toEqual(['leads']);
    expect(out.results[0]!.records).toContainEqual(expect.objectContaining({ recordId, outcome: 'would_enqueue' }));
    expect(await h.queues.leads.getJobCountByTypes('waiting', 'active', 'completed', 'failed', 'delayed')).toBe(0);
    expect(await leadsCursor()).toBeNull();
  });

  it('when run with --since and --json, then both datasheets are polled, the lead is enqueued as a record.updated job and the cursors move', async () => {
    const recordId = await addLead(h);

    const { code, stdout } = await cli(['--since', '2h', '--json']);

    expect(code).toBe(0);
    const out = JSON.parse(stdout) as { dryRun: boolean; results: ReconcileResult[] };
    expect(out.results.map((r) => r.target)).toEqual(['leads', 'orders']);
    const mine = out.results[0]!.records.find((r) => r.recordId === recordId);
    expect(mine).toMatchObject({ outcome: 'enqueued', jobId: expect.any(String) });
    expect((await h.queues.leads.getJob(mine!.jobId!))?.data).toMatchObject({
      kind: 'aitable.event',
      eventType: 'record.updated',
      datasheetId: DS.leads,
      recordId,
    });
    expect(await leadsCursor()).toBe(out.results[0]!.cursorAfter);
    expect(await readCursor(h.redis, cursorKey(h.prefix, DS.orders))).not.toBeNull();

    const again = await cli(['--datasheet', 'leads']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(new RegExp(`duplicate\\s+${recordId}`));
  });

  it('when a dry run follows a real run, then it counts only what the real run would enqueue: modifications fed before are duplicates', async () => {
    const fed = await addLead(h);
    const first = await cli(['--datasheet', 'leads', '--since', '2h', '--json']);
    expect(first.code).toBe(0);
    const fresh = await addLead(h);

    const dry = await cli(['--datasheet', 'leads', '--since', '2h', '--dry-run', '--json']);
    const real = await cli(['--datasheet', 'leads', '--since', '2h', '--json']);

    const outcomes = (run: Run) => {
      const [result] = (JSON.parse(run.stdout) as { results: ReconcileResult[] }).results;
      return new Map(result!.records.map((r) => [r.recordId, r.outcome]));
    };
    expect(outcomes(dry).get(fed)).toBe('duplicate');
    expect(outcomes(dry).get(fresh)).toBe('would_enqueue');
    expect(outcomes(real).get(fed)).toBe('duplicate');
    expect(outcomes(real).get(fresh)).toBe('enqueued');
    const count = (run: Run, outcome: string) => [...outcomes(run).values()].filter((o) => o === outcome).length;
    expect(count(dry, 'would_enqueue')).toBe(count(real, 'enqueued'));
  });

  it.each([
    [['--datasheet', 'customers'], /--datasheet must be leads, orders or all/],
    [['--since', 'yesterday-ish'], /--since must be a duration/],
    [['--frobnicate'], /Unknown option '--frobnicate'/],
  ])('when called with bad arguments %j, then it exits 2 naming the problem', async (args, message) => {
    const { code, stderr } = await cli(args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });

  it('when Redis cannot be reached, then it exits 3 and says so', async () => {
    const { code, stderr } = await cli(['--json'], { REDIS_URL: 'redis://127.0.0.1:1' });
    expect(code).toBe(3);
    expect(stderr.trim()).toBe('cannot reach Redis (REDIS_URL); is it running, and is the URL right?');
  });

  it('when AITable rejects the listing of one datasheet, then the other is still reconciled and it exits 1', async () => {
    await h.sim.control.injectFault({
      service: 'aitable',
      method: 'GET',
      pathIncludes: DS.orders,
      kind: 'envelope_error',
      code: 400,
      count: 1,
    });

    const { code, stdout } = await cli(['--json']);

    expect(code).toBe(1);
    const out = JSON.parse(stdout) as { results: ReconcileResult[]; failed: { target: string }[] };
    expect(out.results.map((r) => r.target)).toEqual(['leads']);
    expect(out.failed).toEqual([expect.objectContaining({ target: 'orders' })]);
  });
});
