import { MISSIONX_ERROR_CODES } from '@bridge/missionx';
import { MissionxHarness } from './helpers';

describe('MissionX OAuth2 token handling', () => {
  const h = new MissionxHarness({ missionx: { tokenTtlSeconds: 3600 } });
  beforeAll(() => h.start());
  afterAll(() => h.stop());
  beforeEach(() => h.sim.control.reset());

  it('when many calls are made, then one token is requested (with the Org-Id the simulator demands) and every call sends it', async () => {
    const { client, calls } = h.client();
    for (let i = 0; i < 5; i++) await client.getClient(`c${i}`);
    expect(await h.tokenRequests()).toBe(1);
    const token = await h.sim.control.requests({ service: 'missionx', pathIncludes: '/auth/token' });
    expect(token[0]?.body).toEqual({ grant_type: 'client_credentials', client_id: 'sim-client', client_secret: 'sim-secret' });
    // The simulator answers 400 to a token call or API call without Org-Id: every 200 here carried it.
    expect(calls.map((c) => c.status)).toEqual(Array(6).fill('200'));
  });

  it('when 10 calls start at once without a token, then they share one token request', async () => {
    const { client } = h.client();
    await Promise.all(Array.from({ length: 10 }, (_, i) => client.getClient(`c${i}`)));
    expect(await h.tokenRequests()).toBe(1);
  });

  it('when the cached token nears its expiry, then a new one is fetched before the next call', async () => {
    let now = 1_000_000;
    const { client } = h.client({ now: () => now, refreshMarginSeconds: 60 });
    await client.getClient('c1');
    now += 3600_000 - 61_000;
    await client.getClient('c1');
    expect(await h.tokenRequests()).toBe(1);
    now += 2_000; // inside the 60 s margin
    await client.getClient('c1');
    expect(await h.tokenRequests()).toBe(2);
  });

  it('when the API refuses the token once (401), then the client refreshes it once and the call succeeds', async () => {
    const { client, calls } = h.client();
    await client.getClient('c1');
    await h.sim.control.injectFault({
      service: 'missionx',
      method: 'GET',
      pathIncludes: '/clients',
      kind: 'status',
      status: 401,
      count: 1,
    });
    await expect(client.getClient('c1')).resolves.toBeNull();
    expect(await h.tokenRequests()).toBe(2);
    expect(calls.map((c) => `${c.operation} ${c.status}`)).toEqual([
      'token 200',
      'listClients 200',
      'listClients 401',
      'token 200',
      'listClients 200',
    ]);
  });

  it('when the API refuses the fresh token too, then the error is a permanent missionx_unauthorized after one refresh', async () => {
    const { client } = h.client();
    await h.sim.control.injectFault({
      service: 'missionx',
      method: 'GET',
      pathIncludes: '/clients',
      kind: 'status',
      status: 401,
      count: 2,
    });
    await expect(client.getClient('c1')).rejects.toMatchObject({ code: MISSIONX_ERROR_CODES.unauthorized, kind: 'permanent' });
    expect(await h.tokenRequests()).toBe(2);
  });

  it('when the client secret is wrong, then the error is permanent and never contains the secret', async () => {
    const secret = 'very-wrong-secret-value';
    const { client } = h.client({ clientSecret: secret });
    const err: unknown = await client.getClient('c1').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: MISSIONX_ERROR_CODES.unauthorized, kind: 'permanent' });
    expect(JSON.stringify({ m: (err as Error).message, d: (err as { details: unknown }).details })).not.toContain(secret);
  });

  it('when the token endpoint fails with 500, then the error is transient', async () => {
    const { client } = h.client();
    await h.sim.control.injectFault({ service: 'missionx', pathIncludes: '/auth/token', kind: 'status', status: 500, count: 1 });
    await expect(client.getClient('c1')).rejects.toMatchObject({ code: MISSIONX_ERROR_CODES.unavailable, kind: 'transient' });
  });
});

describe('MissionX short-lived tokens', () => {
  const h = new MissionxHarness({ missionx: { tokenTtlSeconds: 1 } });
  beforeAll(() => h.start());
  afterAll(() => h.stop());

  it('when tokens live 1 s and the clock passes 90 % of that, then the next call fetches a new token', async () => {
    let now = 5_000_000;
    const { client } = h.client({ now: () => now });
    await client.getClient('c1');
    now += 850;
    await client.getClient('c1');
    expect(await h.tokenRequests()).toBe(1);
    now += 100; // past 900 ms = 1 s minus 10 %
    await client.getClient('c1');
    expect(await h.tokenRequests()).toBe(2);
  });
});
