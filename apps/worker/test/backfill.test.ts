import { spawn } from 'node:child_process';
import path from 'node:path';
import { checkpointKey, readCheckpoint, type BackfillResult } from '@bridge/ops';
import { REPO_ROOT, runScript, waitFor } from '@bridge/testkit';
import { addLead, createHarness, DS, type Harness } from './harness';

jest.setTimeout(180_000);

const LEADS = 120;

describe('npm run backfill', () => {
  let h: Harness;
  const env = (over: Record<string, string> = {}) =>
    h.env({ LOG_LEVEL: 'silent', BACKFILL_PAGE_SIZE: '40', BACKFILL_CHUNK_SIZE: '20', ...over });
  const cli = (args: string[]) => runScript('apps/worker/src/backfill-cli.ts', args, { env: env(), timeoutMs: 120_000 });
  const resultOf = (stdout: string): BackfillResult => {
    const last = stdout.trim().split('\n').at(-1)!;
    return JSON.parse(last) as BackfillResult;
  };
  const checkpoint = () => readCheckpoint(h.redis, checkpointKey(h.prefix, DS.leads, undefined));
  const portalsPerLead = async () => {
    const perLead = new Map<string, number>();
    // Only this test's leads: the organisation also holds the harness's clients that are not ours.
    for (const c of await h.sim.control.missionxClients())
      if (c.customId.startsWith('rec')) perLead.set(c.customId, (perLead.get(c.customId) ?? 0) + 1);
    return perLead;
  };

  beforeAll(async () => {
    h = await createHarness();
    for (let i = 0; i < LEADS; i++)
      await addLead(h, { 'Client Name': `Client ${i}`, Email: `c${i}@firm${i}.example`, Company: `Firm ${i}` });
    await addLead(h, { Email: undefined, 'Client Name': 'No Email' });
  });
  afterAll(() => h.close());

  it('when a run is killed mid-way and run again, then every lead gets exactly one portal, the dry run counted what the real run enqueued, and a third run enqueues nothing', async () => {
    const dry = await cli(['--datasheet', 'leads', '--dry-run', '--json']);
    expect(dry.code).toBe(0);
    const predicted = resultOf(dry.stdout);
    expect(predicted).toMatchObject({ event: 'result', complete: true, dryRun: true });
    expect(predicted.counts).toMatchObject({ examined: LEADS + 1, enqueued: LEADS, invalid: 1, upToDate: 0 });
    expect(predicted.invalid).toEqual([expect.objectContaining({ code: 'lead_missing_field' })]);
    expect(await checkpoint()).toBeNull();

    // Slow AITable reads, so the run is still going when its first checkpoint appears; then SIGKILL: a crash.
    await h.sim.control.setLatency('aitable', 300);
    // node itself, not the tsx launcher: a SIGKILL must reach the process doing the work.
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(REPO_ROOT, 'apps/worker/src/backfill-cli.ts'), '--datasheet', 'leads', '--json'],
      {
        cwd: REPO_ROOT,
        env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env() },
        stdio: 'ignore',
      },
    );
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const atKill = await waitFor(checkpoint, { timeoutMs: 60_000, what: 'the first checkpoint' });
    child.kill('SIGKILL');
    await exited;
    expect(atKill.counts.examined).toBeLessThan(LEADS);
    await h.sim.control.setLatency('aitable', 0);

    const resumed = await cli(['--datasheet', 'leads', '--json']);
    expect(resumed.code).toBe(0);
    const real = resultOf(resumed.stdout);
    expect(real.resumedFrom).not.toBeNull();
    expect(real).toMatchObject({ complete: true, dryRun: false });
    // Counts carry over from the killed run's checkpoint; a step it did after saving it would show as already queued.
    expect(real.counts.enqueued + real.counts.alreadyQueued).toBe(predicted.counts.enqueued);
    expect(real.counts.enqueued).toBeLessThanOrEqual(predicted.counts.enqueued);
    expect(await checkpoint()).toBeNull();
    expect(await h.queues.leads.getJobCountByTypes('prioritized', 'waiting')).toBe(predicted.counts.enqueued);

    // Bulk work is polite to MissionX: the backfill's jobs keep to MISSIONX_BULK_CONCURRENCY requests at once.
    await h.sim.control.setLatency('missionx', 50);
    await h.start({ MISSIONX_BULK_CONCURRENCY: '2' });
    await waitFor(async () => (await h.sim.control.records(DS.leads)).filter((r) => r.fields['Portal URL']).length === LEADS || undefined, {
      timeoutMs: 90_000,
      what: 'every lead to show its Portal URL',
    });
    expect((await h.sim.control.inFlight()).missionx.max).toBeLessThanOrEqual(2);
    await h.sim.control.setLatency('missionx', 0);
    const perLead = await portalsPerLead();
    expect(perLead.size).toBe(LEADS);
    expect([...perLead.values()].every((n) => n === 1)).toBe(true);
    await waitFor(async () => (await h.queues.leads.getJobCountByTypes('prioritized', 'waiting', 'active', 'delayed')) === 0 || undefined, {
      timeoutMs: 30_000,
      what: 'the queue to drain',
    });

    const third = await cli(['--datasheet', 'leads', '--json']);
    expect(third.code).toBe(0);
    expect(resultOf(third.stdout).counts).toMatchObject({ examined: LEADS + 1, enqueued: 0, upToDate: LEADS, invalid: 1 });
    await h.stop();
  });

  it('when run without a terminal and without --json, then it prints plain progress lines and a summary', async () => {
    const { code, stdout } = await cli(['--datasheet', 'leads', '--dry-run']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^\d+\/\d+ examined, \d+ would enqueue, [\d.]+ records\/s, ETA /m);
    expect(stdout).toMatch(new RegExp(`leads \\(${DS.leads}\\): done: ${LEADS + 1} examined, 0 would enqueue`));
  });

  it.each([
    [[], /--datasheet must be leads or orders; got nothing/],
    [['--datasheet', 'customers'], /--datasheet must be leads or orders; got "customers"/],
    [
      ['--datasheet', 'audit-results'],
      /--datasheet audit-results: nothing to backfill\. Audit Results records are written by the bridge itself/,
    ],
    [['--datasheet', 'leads', '--limit', '0'], /--limit must be a whole number of at least 1; got "0"/],
    [['--datasheet', 'leads', '--frobnicate'], /Unknown option '--frobnicate'/],
  ])('when called with bad arguments %j, then it exits 2 naming the problem', async (args, message) => {
    const { code, stderr } = await cli(args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });

  it('when the formula is one AITable refuses, then it exits 1 with its message', async () => {
    const { code, stderr } = await cli(['--datasheet', 'leads', '--where', 'FROB()']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/FROB/);
  });
});
