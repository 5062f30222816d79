import { waitFor } from '@bridge/testkit';
import { startSimulators, type RunningSimulators } from '../src';
import { missionx } from './missionx-support';

let sim: RunningSimulators;
beforeAll(async () => {
  sim = await startSimulators();
});
afterAll(() => sim.close());
beforeEach(() => sim.control.reset());

const creds = { grant_type: 'client_credentials', client_id: 'sim-client', client_secret: 'sim-secret' };

describe('MissionX token endpoint', () => {
  test('when client credentials are right, then a Bearer token with expires_in comes back', async () => {
    const res = await missionx(sim).tokenRequest(creds);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 3600 });
  });

  test('when the secret or client id is wrong, then 401 invalid_client', async () => {
    for (const form of [
      { ...creds, client_secret: 'nope' },
      { ...creds, client_id: 'other' },
    ]) {
      const res = await missionx(sim).tokenRequest(form);
      expect(res.status).toBe(401);
      expect(res.body.error).toBe('invalid_client');
    }
  });

  test('when grant_type is not client_credentials, then 400 unsupported_grant_type', async () => {
    const res = await missionx(sim).tokenRequest({ ...creds, grant_type: 'password' });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('unsupported_grant_type');
  });
});

describe('MissionX API auth', () => {
  test('when the bearer token is missing or unknown, then 401', async () => {
    expect((await missionx(sim).get('/clients')).status).toBe(401);
    expect((await missionx(sim).get('/clients', 'mxsim_forged')).status).toBe(401);
  });

  test('when Org-Id is missing, then 400; when it names another org, then 403', async () => {
    const token = await missionx(sim).token();
    const missing = await missionx(sim, null).get('/clients', token);
    expect(missing.status).toBe(400);
    expect(missing.body.message).toMatch(/Org-Id/);
    expect((await missionx(sim, 'other-org').get('/clients', token)).status).toBe(403);
    expect((await missionx(sim).get('/clients', token)).status).toBe(200);
  });

  test('when the token has expired, then 401 and a new token works', async () => {
    const short = await startSimulators({ missionx: { tokenTtlSeconds: 1 } });
    try {
      const token = await missionx(short).token();
      const issuedAt = Date.now();
      expect((await missionx(short).get('/clients', token)).status).toBe(200);
      await waitFor(async () => (await missionx(short).get('/clients', token)).status === 401, { intervalMs: 100, what: 'token expiry' });
      expect(Date.now() - issuedAt).toBeGreaterThanOrEqual(900);
      expect((await missionx(short).get('/clients', await missionx(short).token())).status).toBe(200);
    } finally {
      await short.close();
    }
  });
});

describe('MissionX clients', () => {
  let token: string;
  beforeEach(async () => {
    token = await missionx(sim).token();
  });

  test('when a client is created, then 201 with _id, the given fields, empty lists by default and ISO timestamps', async () => {
    const res = await missionx(sim).post('/clients', { customId: 'recLead000001', title: 'Acme Ltd', emailDomains: ['acme.com'] }, token);
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      _id: expect.stringMatching(/^[0-9a-f]{24}$/),
      customId: 'recLead000001',
      title: 'Acme Ltd',
      emailDomains: ['acme.com'],
      departments: [],
      status: 'active',
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect(Number.isNaN(Date.parse(res.body.createdAt))).toBe(false);
  });

  test.each([
    [{ title: 'No id' }, /customId/],
    [{ customId: 'rec1' }, /title/],
    [{ customId: 'rec1', title: '  ' }, /title/],
    [{ customId: 5, title: 'x' }, /customId/],
    [{ customId: 'rec1', title: 'x', emailDomains: 'acme.com' }, /emailDomains/],
  ])('when the body is %j, then 400 with a message naming the field', async (body, message) => {
    const res = await missionx(sim).post('/clients', body, token);
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(message);
  });

  test('when a customId is created twice, then both are accepted and the filter finds both', async () => {
    await missionx(sim).post('/clients', { customId: 'recDup', title: 'One' }, token);
    const second = await missionx(sim).post('/clients', { customId: 'recDup', title: 'Two' }, token);
    expect(second.status).toBe(201);
    await missionx(sim).post('/clients', { customId: 'recOther', title: 'Other' }, token);
    const found = await missionx(sim).get('/clients?filter[customId]=recDup', token);
    expect(found.status).toBe(200);
    expect(found.body.map((c: { title: string }) => c.title)).toEqual(['One', 'Two']);
    expect((await missionx(sim).get('/clients?filter[customId]=recNone', token)).body).toEqual([]);
    expect(await sim.control.missionxClients()).toHaveLength(3);
  });

  test('when a client is patched, then status and title change and updatedAt is set; unknown ids are 404, bad values 400', async () => {
    const created = (await missionx(sim).post('/clients', { customId: 'recP', title: 'Before' }, token)).body;
    const res = await missionx(sim).patch(`/clients/${created._id}`, { status: 'inactive', title: 'After' }, token);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ _id: created._id, status: 'inactive', title: 'After' });
    expect((await missionx(sim).get(`/clients/${created._id}`, token)).body.status).toBe('inactive');
    expect((await missionx(sim).patch('/clients/000000000000000000000000', { status: 'active' }, token)).status).toBe(404);
    const bad = await missionx(sim).patch(`/clients/${created._id}`, { status: 'archived' }, token);
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/status/);
  });

  test('when an unknown MissionX route is called, then 404', async () => {
    expect((await missionx(sim).get('/projects', token)).status).toBe(404);
  });
});
