import { runScript } from '@bridge/testkit';
import type { IndexResult } from '../src/use-cases/index-missionx-clients';
import {
  add,
  addLead,
  clientsOf,
  createHarness,
  DS,
  FOREIGN_CLIENTS,
  leadEvent,
  listCalls,
  settled,
  syncRow,
  type Harness,
} from './harness';

jest.setTimeout(90_000);

describe('npm run missionx:index', () => {
  let h: Harness;
  const cli = (args: string[]) => runScript('apps/worker/src/missionx-index-cli.ts', args, { env: h.env({ LOG_LEVEL: 'silent' }) });

  beforeAll(async () => {
    h = await createHarness();
    await h.start();
  });
  afterAll(() => h.close());

  it('when clients were made by hand for existing leads, then one paged scan links them and the lead flow uses them: no second client', async () => {
    const byHand = await addLead(h);
    const twice = await addLead(h, { Company: 'Twice Ltd' });
    const first = await h.sim.control.createMissionxClient({ customId: byHand, title: 'Made by hand', emailDomains: ['hand.example'] });
    const older = await h.sim.control.createMissionxClient({ customId: twice, title: 'Twice (older)' });
    const newer = await h.sim.control.createMissionxClient({ customId: twice, title: 'Twice (newer)' });
    const clients = FOREIGN_CLIENTS + 3;

    const dry = await cli(['--dry-run', '--json']);
    expect(dry.code).toBe(0);
    const planned = JSON.parse(dry.stdout) as IndexResult;
    expect(planned).toMatchObject({ dryRun: true, clients, calls: Math.ceil(clients / 100), linked: 2, conflicts: 0 });
    expect(await syncRow(h, DS.leads, byHand)).toBeNull();

    const run = await cli(['--json']);
    expect(run.code).toBe(0);
    const done = JSON.parse(run.stdout) as IndexResult;
    expect(done.records).toEqual(
      expect.arrayContaining([
        { recordId: byHand, clientId: first._id, outcome: 'linked' },
        { recordId: twice, clientId: older._id, outcome: 'linked', others: [newer._id] },
      ]),
    );
    expect(await listCalls(h)).toBe(2 * Math.ceil(clients / 100));
    expect(await syncRow(h, DS.leads, byHand)).toMatchObject({ entityId: first._id, syncStatus: 'success', lastSyncedAt: null });

    // The lead's own flow now finds its client by the row: it updates it, it does not create one.
    const since = Date.now();
    const { state } = await settled(h, 'leads', await add(h, 'leads', leadEvent(byHand)));
    expect(state).toBe('completed');
    expect(await clientsOf(h, byHand)).toEqual([
      expect.objectContaining({ _id: first._id, title: 'Analytical Engines', emailDomains: ['analytical.example'] }),
    ]);
    expect(await listCalls(h, since)).toBe(0);

    const again = await cli([]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/0 linked, 2 already linked, 0 conflicts/);
  });

  it('when a sync row already names another client, then it is left alone and reported as a conflict (exit 1)', async () => {
    const recordId = await addLead(h);
    await settled(h, 'leads', await add(h, 'leads', leadEvent(recordId)));
    const [ours] = await clientsOf(h, recordId);
    // An older client for the same lead, made by hand before the bridge ran: the oldest carries the customId.
    await h.sim.control.editMissionxClient(ours!._id, { customId: `${recordId}x` });
    const other = await h.sim.control.createMissionxClient({ customId: recordId, title: 'Other' });
    const { code, stdout } = await cli([]);
    expect(code).toBe(1);
    expect(stdout).toContain(`conflict   ${recordId} -> ${other._id}  (row names ${ours!._id})`);
    expect(await syncRow(h, DS.leads, recordId)).toMatchObject({ entityId: ours!._id });
  });

  it('when an argument is unknown, then it exits 2 with the usage', async () => {
    const { code, stderr } = await cli(['--bogus']);
    expect(code).toBe(2);
    expect(stderr).toContain('Usage:');
  });
});
