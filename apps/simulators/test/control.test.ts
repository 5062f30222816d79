import request from 'supertest';
import { SimControlClient, defaultDatasheets, startSimulators, type DatasheetSeed, type RunningSimulators } from '../src';
import { LEADS, aitable, leadFields, recordsPath, startTestSimulators } from './support';
import { missionx } from './missionx-support';

let sim: RunningSimulators;
beforeAll(async () => {
  sim = await startTestSimulators();
});
afterAll(() => sim.close());
beforeEach(() => sim.control.reset());

const contacts: DatasheetSeed = {
  id: 'dstContactsSim',
  name: 'Contacts',
  fields: [
    { name: 'Name', type: 'SingleText' },
    { name: 'VIP', type: 'Checkbox' },
    { name: 'Stage', type: 'SingleSelect', options: ['A', 'B'] },
  ],
  records: [{ recordId: 'recSeeded00001', fields: { Name: 'Seeded', VIP: true, Stage: 'A' } }],
};

describe('simulator control', () => {
  test('when started, then the URLs point at the AITable and MissionX mounts', () => {
    expect(sim.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(sim.aitableBaseUrl).toBe(`${sim.url}/fusion`);
    expect(sim.missionxBaseUrl).toBe(`${sim.url}/missionx/v2`);
    expect(sim.missionxAuthUrl).toBe(`${sim.url}/missionx/auth/token`);
  });

  test('when default datasheets are asked with other ids, then the order and audit links point at them', () => {
    const [, orders, audit] = defaultDatasheets({ leads: 'dstL', orders: 'dstO', auditResults: 'dstA' });
    expect(orders?.fields.find((f) => f.name === 'Lead')?.linkDatasheetId).toBe('dstL');
    expect(audit?.fields.find((f) => f.name === 'Order')?.linkDatasheetId).toBe('dstO');
  });

  test('when a datasheet is seeded, then the API serves its records, and reset brings back only the seed records', async () => {
    await sim.control.seedDatasheet(contacts);
    await aitable(sim).post(recordsPath('dstContactsSim'), { records: [{ fields: { Name: 'Added' } }] });
    expect((await aitable(sim).get(recordsPath('dstContactsSim'))).body.data.total).toBe(2);
    await sim.control.reset();
    const after = await sim.control.records('dstContactsSim');
    expect(after).toEqual([
      {
        recordId: 'recSeeded00001',
        createdAt: expect.any(Number),
        updatedAt: expect.any(Number),
        fields: { Name: 'Seeded', VIP: true, Stage: 'A' },
      },
    ]);
  });

  test('when a seed is invalid, then it is rejected naming the problem and the old datasheet stays', async () => {
    await sim.control.seedDatasheet(contacts);
    const bad = { ...contacts, records: [{ fields: { Nme: 'typo' } }] };
    await expect(sim.control.seedDatasheet(bad)).rejects.toThrow(/"Nme"/);
    expect(await sim.control.records('dstContactsSim')).toHaveLength(1);
    await expect(sim.control.seedDatasheet({ ...contacts, id: 'contacts' })).rejects.toThrow(/id: must start with dst/);
  });

  test('when a user adds and edits a record, then it follows the value rules, is not logged and does not count to the rate limit', async () => {
    const { recordId } = await sim.control.addRecord(LEADS, leadFields(), 'recUserTyped01');
    expect(recordId).toBe('recUserTyped01');
    await sim.control.updateRecordAsUser(LEADS, recordId, { Status: 'Qualified' });
    expect((await sim.control.records(LEADS))[0]?.fields.Status).toBe('Qualified');
    await expect(sim.control.addRecord(LEADS, { Emial: 'x' })).rejects.toThrow(/"Emial"/);
    await expect(sim.control.addRecord(LEADS, { Email: 7 })).rejects.toThrow(/Email.*string/);
    await expect(sim.control.updateRecordAsUser(LEADS, 'recNope', { Status: 'Won' })).rejects.toThrow(/recNope/);
    expect(await sim.control.requests()).toEqual([]);
  });

  test('when requests are filtered, then only matching ones come back, with parsed body, query and datasheetId', async () => {
    await aitable(sim).post(recordsPath(LEADS), { records: [{ fields: { Email: 'q@x.io' } }] });
    await aitable(sim).get(`${recordsPath(LEADS)}?pageSize=5`);
    await missionx(sim).token();
    const posts = await sim.control.requests({ service: 'aitable', method: 'post' });
    expect(posts).toEqual([
      {
        service: 'aitable',
        method: 'POST',
        path: `/fusion/v1/datasheets/${LEADS}/records`,
        query: {},
        body: { records: [{ fields: { Email: 'q@x.io' } }] },
        status: 200,
        at: expect.any(Number),
        datasheetId: LEADS,
      },
    ]);
    expect((await sim.control.requests({ pathIncludes: '/records' })).map((r) => r.query)).toEqual([{}, { pageSize: '5' }]);
    expect((await sim.control.requests({ service: 'missionx' })).map((r) => r.path)).toEqual(['/missionx/auth/token']);
  });

  test('when reset runs, then requests and MissionX clients are cleared', async () => {
    const token = await missionx(sim).token();
    await missionx(sim).post('/clients', { customId: 'rec1', title: 'T' }, token);
    await sim.control.reset();
    expect(await sim.control.requests()).toEqual([]);
    expect(await sim.control.missionxClients()).toEqual([]);
    expect((await missionx(sim).get('/clients', token)).status).toBe(200);
  });

  test('when GET /__sim is asked, then it lists every control route, each of which is served', async () => {
    const routes = await sim.control.routes();
    expect(routes.map((r) => `${r.method} ${r.path}`)).toEqual(
      expect.arrayContaining(['GET /__sim/', 'GET /__sim/faults', 'POST /__sim/faults', 'DELETE /__sim/faults', 'POST /__sim/reset']),
    );
    for (const r of routes) expect(r.does).not.toBe('');
    for (const r of routes.filter((x) => x.method === 'GET' && !x.path.includes(':'))) {
      expect((await request(sim.url).get(r.path)).status).toBe(200);
    }
  });

  test('when a control route is unknown or the datasheet is missing, then the client throws with the status', async () => {
    await expect(new SimControlClient(`${sim.url}/`).records('dstMissing')).rejects.toThrow(/404/);
    expect((await request(sim.url).get('/__sim/nothing')).status).toBe(404);
    expect((await request(sim.url).get('/elsewhere')).status).toBe(404);
  });

  test('when startSimulators gets custom keys, credentials and an explicit port, then they are used', async () => {
    const custom = await startSimulators({ aitable: { apiKeys: ['k1'] }, missionx: { clientId: 'id', clientSecret: 's', orgId: 'o' } });
    try {
      expect((await aitable(custom, 'k1').get(recordsPath(LEADS))).status).toBe(200);
      expect((await aitable(custom).get(recordsPath(LEADS))).status).toBe(401);
      const tok = await missionx(custom, 'o').tokenRequest({ grant_type: 'client_credentials', client_id: 'id', client_secret: 's' });
      expect((await missionx(custom, 'o').get('/clients', tok.body.access_token)).status).toBe(200);
    } finally {
      await custom.close();
    }
  });
});
