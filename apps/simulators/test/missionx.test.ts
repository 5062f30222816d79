import { waitFor } from '@bridge/testkit';
import { startSimulators, type RunningSimulators } from '../src';
import { missionx } from './missionx-support';

/** Each test names the line of ../shared/missionx-facts.md it checks. */
let sim: RunningSimulators;
beforeAll(async () => {
  sim = await startSimulators();
});
afterAll(() => sim.close());
beforeEach(() => sim.control.reset());

const creds = { grant_type: 'client_credentials', client_id: 'sim-client', client_secret: 'sim-secret' };
const ERROR_BODY = { message: expect.any(String), code: expect.any(String), data: expect.any(Object) };

describe('MissionX token endpoint', () => {
  test('[Doc Authentication] when client credentials and the Org-Id are right, then a Bearer token for 4 hours comes back', async () => {
    const res = await missionx(sim).tokenRequest(creds);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 4 * 3600 });
  });

  test('[Doc Authentication] when the token request has no Org-Id header, then 400 naming it', async () => {
    const res = await missionx(sim, null).tokenRequest(creds);
    expect(res.status).toBe(400);
    expect(res.body).toEqual(ERROR_BODY);
    expect(res.body.message).toMatch(/Org-Id/);
    expect((await missionx(sim, 'other-org').tokenRequest(creds)).status).toBe(403);
  });

  test('when the secret or client id is wrong, then 401 with the documented error body', async () => {
    for (const form of [
      { ...creds, client_secret: 'nope' },
      { ...creds, client_id: 'other' },
    ]) {
      const res = await missionx(sim).tokenRequest(form);
      expect(res.status).toBe(401);
      expect(res.body).toEqual(ERROR_BODY);
    }
  });

  test('when grant_type is not client_credentials, then 400', async () => {
    const res = await missionx(sim).tokenRequest({ ...creds, grant_type: 'password' });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/grant_type/);
  });
});

describe('MissionX API auth', () => {
  test('[Doc Authentication] when the bearer token is missing or unknown, then 401', async () => {
    expect((await missionx(sim).get('/clients')).status).toBe(401);
    expect((await missionx(sim).get('/clients', 'mxsim_forged')).status).toBe(401);
  });

  test('[Doc Authentication] when an API call has no Org-Id, then 400; another org, then 403', async () => {
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
  const create = (body: object) => missionx(sim).post('/clients', body, token);
  const list = (query: string) => missionx(sim).get(`/clients${query}`, token);

  test('[Doc fact 4, POST /v2/clients] when a client is created, then 200 with exactly the documented fields and no status', async () => {
    const res = await create({ customId: 'recLead000001', title: 'Acme Ltd', emailDomains: ['acme.com'] });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      _id: expect.stringMatching(/^[0-9a-f]{24}$/),
      createdBy: expect.any(String),
      customId: 'recLead000001',
      title: 'Acme Ltd',
      emailDomains: ['acme.com'],
      departments: [],
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    // [Doc fact 3] updatedAt equals createdAt for a document never updated.
    expect(res.body.updatedAt).toBe(res.body.createdAt);
  });

  test.each([
    [{ title: 'No id' }, /customId/],
    [{ customId: 'rec1' }, /title/],
    [{ customId: 'rec1', title: '  ' }, /title/],
    [{ customId: 5, title: 'x' }, /customId/],
    [{ customId: 'rec1', title: 'x', emailDomains: 'acme.com' }, /emailDomains/],
  ])('[Doc fact 5] when the body is %j, then 400 {message, code, data} naming the field', async (body, message) => {
    const res = await create(body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual(ERROR_BODY);
    expect(res.body.message).toMatch(message);
  });

  test('[Doc fact 1] when a customId is created twice, then both are kept; filter[customId] is ignored and lists everything', async () => {
    await create({ customId: 'recDup', title: 'One' });
    expect((await create({ customId: 'recDup', title: 'Two' })).status).toBe(200);
    await create({ customId: 'recOther', title: 'Other' });
    const res = await list('?filter[customId]=recDup');
    expect(res.status).toBe(200);
    expect(res.body.value.map((c: { title: string }) => c.title)).toEqual(['One', 'Two', 'Other']);
    expect((await list('?customId=recNone')).body.value).toHaveLength(3);
  });

  test('[Doc fact 2] when clients are listed, then the envelope holds at most 40 by default, nextLink leads on, count is the total', async () => {
    await sim.control.seedMissionxClients(95);
    const first = await list('?count=true');
    expect(first.status).toBe(200);
    expect(first.body.value).toHaveLength(40);
    expect(first.body.count).toBe(95);
    expect(typeof first.body.nextLink).toBe('string');
    const seen = [...first.body.value];
    let next: string | undefined = first.body.nextLink;
    let pages = 1;
    while (next) {
      const url = new URL(next);
      expect(url.searchParams.get('count')).toBe('true');
      const page = await missionx(sim).get(`/clients${url.search}`, token);
      expect(page.body.count).toBe(95);
      seen.push(...page.body.value);
      next = page.body.nextLink;
      pages++;
    }
    expect(pages).toBe(3);
    expect(new Set(seen.map((c: { _id: string }) => c._id)).size).toBe(95);
    expect((await list('')).body).not.toHaveProperty('count');
  });

  test.each(['0', '101', '-1', 'ten'])('[Doc fact 2] when limit=%s, then 400 naming limit', async (limit) => {
    const res = await list(`?limit=${limit}`);
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/limit/);
  });

  test('[Doc fact 2] when limit=100 over 250 clients, then three pages of 100, 100 and 50, the last without nextLink', async () => {
    await sim.control.seedMissionxClients(250);
    const sizes: number[] = [];
    let res = await list('?limit=100');
    sizes.push(res.body.value.length);
    while (res.body.nextLink) {
      res = await missionx(sim).get(`/clients${new URL(res.body.nextLink as string).search}`, token);
      sizes.push(res.body.value.length);
    }
    expect(sizes).toEqual([100, 100, 50]);
  });

  test('[Doc GET /v2/clients] when filtered by id, emailDomain or department, then only matches come back', async () => {
    const a = (await create({ customId: 'a', title: 'A', emailDomains: ['a.example'], departments: ['d1'] })).body;
    await create({ customId: 'b', title: 'B', emailDomains: ['b.example'], departments: ['d2'] });
    expect((await list(`?id=${a._id}`)).body.value.map((c: { _id: string }) => c._id)).toEqual([a._id]);
    expect((await list('?emailDomain=b.example')).body.value.map((c: { title: string }) => c.title)).toEqual(['B']);
    expect((await list('?department=d1')).body.value.map((c: { title: string }) => c.title)).toEqual(['A']);
  });

  test('[Doc fact 3] when filtered by updatedAt=<op> <date> and sorted, then the window and order follow the docs', async () => {
    const one = (await create({ customId: 'one', title: 'One' })).body;
    const two = (await create({ customId: 'two', title: 'Two' })).body;
    const three = (await create({ customId: 'three', title: 'Three' })).body;
    // An edit moves updatedAt: `one` is now the latest.
    const edited = await sim.control.editMissionxClient(one._id, { title: 'One again' });
    expect(Date.parse(edited.updatedAt)).toBeGreaterThan(Date.parse(one.updatedAt));
    const titles = (r: { body: { value: { title: string }[] } }) => r.body.value.map((c) => c.title);
    const since = encodeURIComponent(`gte ${two.updatedAt}`);
    expect(titles(await list(`?updatedAt=${since}&sortBy=updatedAt&sortDirection=asc`))).toEqual(['Two', 'Three', 'One again']);
    expect(titles(await list(`?updatedAt=${since}&sortBy=updatedAt&sortDirection=1`))).toEqual(['Two', 'Three', 'One again']);
    expect(titles(await list(`?updatedAt=${since}&sortBy=updatedAt&sortDirection=-1`))).toEqual(['One again', 'Three', 'Two']);
    // Default direction: desc.
    expect(titles(await list(`?updatedAt=${since}&sortBy=updatedAt`))).toEqual(['One again', 'Three', 'Two']);
    expect(titles(await list(`?updatedAt=${encodeURIComponent(`gt ${two.updatedAt}`)}&sortBy=updatedAt&sortDirection=asc`))).toEqual([
      'Three',
      'One again',
    ]);
    expect(titles(await list(`?updatedAt=${encodeURIComponent(`lt ${three.updatedAt}`)}`))).toEqual(['Two']);
    expect(titles(await list(`?updatedAt=${encodeURIComponent(`lte ${three.updatedAt}`)}`))).toEqual(['Two', 'Three']);
    expect(titles(await list(`?updatedAt=${encodeURIComponent(`eq ${three.updatedAt}`)}`))).toEqual(['Three']);
    for (const bad of ['2026-01-01', 'since 2026-01-01T00:00:00Z', 'gte yesterday']) {
      const res = await list(`?updatedAt=${encodeURIComponent(bad)}`);
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(/updatedAt/);
    }
    expect((await list('?sortBy=updatedAt&sortDirection=sideways')).status).toBe(400);
  });

  test('[Doc fact 3] when a client is archived in the web app, then it is hidden unless withArchived or archived is asked for', async () => {
    const kept = (await create({ customId: 'kept', title: 'Kept' })).body;
    const gone = (await create({ customId: 'gone', title: 'Gone' })).body;
    await sim.control.editMissionxClient(gone._id, { archived: true });
    const ids = (r: { body: { value: { _id: string }[] } }) => r.body.value.map((c) => c._id);
    expect(ids(await list(''))).toEqual([kept._id]);
    expect(ids(await list('?withArchived=true'))).toEqual([kept._id, gone._id]);
    expect(ids(await list('?archived=true'))).toEqual([gone._id]);
    expect(ids(await list(`?id=${gone._id}`))).toEqual([]);
    expect((await list('?withArchived=true')).body.value[1]).not.toHaveProperty('archived');
    await sim.control.editMissionxClient(gone._id, { archived: false });
    expect(ids(await list(''))).toEqual([kept._id, gone._id]);
  });

  test('[Doc GET /v2/clients select] when select names fields or excludes them, then only those come back; mixing is 400', async () => {
    await create({ customId: 'rec1', title: 'T', emailDomains: ['t.example'] });
    expect((await list('?select=customId,title')).body.value[0]).toEqual({ _id: expect.any(String), customId: 'rec1', title: 'T' });
    const without = (await list('?select=-emailDomains,-departments')).body.value[0];
    expect(without).not.toHaveProperty('emailDomains');
    expect(without).toHaveProperty('customId', 'rec1');
    expect((await list('?select=customId,-title')).status).toBe(400);
  });

  test('[Doc fact 4] when a client is patched, then only customId, title, emailDomains and departments change; status is ignored', async () => {
    const created = (await create({ customId: 'recP', title: 'Before', emailDomains: ['p.example'] })).body;
    const res = await missionx(sim).patch(`/clients/${created._id}`, { status: 'inactive', title: 'After', emailDomains: [] }, token);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...created, title: 'After', emailDomains: [], updatedAt: expect.any(String) });
    expect(res.body).not.toHaveProperty('status');
    expect(Date.parse(res.body.updatedAt)).toBeGreaterThan(Date.parse(created.updatedAt));
    const onlyStatus = await missionx(sim).patch(`/clients/${created._id}`, { status: 'inactive' }, token);
    expect(onlyStatus.status).toBe(400);
    expect(onlyStatus.body).toEqual(ERROR_BODY);
    expect((await missionx(sim).patch('/clients/000000000000000000000000', { title: 'x' }, token)).status).toBe(404);
  });

  test('[Doc fact 4] when a client is deleted, archived or read by id path, then there is no such operation (404)', async () => {
    const created = (await create({ customId: 'recD', title: 'D' })).body;
    expect((await missionx(sim).get(`/clients/${created._id}`, token)).status).toBe(404);
    expect((await missionx(sim).post(`/clients/${created._id}/archive`, {}, token)).status).toBe(404);
  });
});

describe('MissionX projects', () => {
  test('[Doc GET /v2/projects] when projects change, then the list filters by updatedAt, projectStatus and archived, with the client id', async () => {
    const token = await missionx(sim).token();
    const client = (await missionx(sim).post('/clients', { customId: 'recP', title: 'P' }, token)).body;
    const old = await sim.control.createMissionxProject({ title: 'Old', client: client._id });
    const fresh = await sim.control.createMissionxProject({ title: 'Fresh', client: client._id });
    const done = await sim.control.editMissionxProject(old._id, { projectStatus: 'completed' });
    expect(Date.parse(done.updatedAt)).toBeGreaterThan(Date.parse(fresh.updatedAt));
    const since = encodeURIComponent(`gt ${fresh.updatedAt}`);
    const res = await missionx(sim).get(`/projects?updatedAt=${since}&sortBy=updatedAt&sortDirection=asc`, token);
    expect(res.status).toBe(200);
    expect(res.body.value).toEqual([expect.objectContaining({ _id: old._id, client: client._id, projectStatus: 'completed' })]);
    expect((await missionx(sim).get('/projects?projectStatus=open', token)).body.value.map((p: { title: string }) => p.title)).toEqual([
      'Fresh',
    ]);
    await sim.control.editMissionxProject(fresh._id, { archived: true });
    expect((await missionx(sim).get('/projects', token)).body.value).toHaveLength(1);
    expect((await missionx(sim).get('/projects?withArchived=true', token)).body.value).toHaveLength(2);
  });
});

describe('MissionX seeded organisation', () => {
  test('when the simulators start with seedClients, then those clients exist long ago, come back after a reset, and are not in a recent window', async () => {
    const seeded = await startSimulators({ missionx: { seedClients: 1000 } });
    try {
      const token = await missionx(seeded).token();
      expect((await missionx(seeded).get('/clients?count=true&limit=1', token)).body.count).toBe(1000);
      await seeded.control.reset();
      expect(await seeded.control.missionxClients()).toHaveLength(1000);
      const since = encodeURIComponent(`gte ${new Date(Date.now() - 60_000).toISOString()}`);
      expect((await missionx(seeded).get(`/clients?updatedAt=${since}`, token)).body.value).toEqual([]);
    } finally {
      await seeded.close();
    }
  });
});
