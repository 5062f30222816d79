import { buildPortalUrl, MISSIONX_ERROR_CODES } from '@bridge/missionx';
import { toJobDecision } from '@bridge/errors';
import { MissionxHarness, TEMPLATE } from './helpers';

/**
 * Contract: our MissionX client against the simulator, which follows the documented shapes
 * (../shared/missionx-facts.md). The examples are the documented ones: a client is `{_id,
 * createdBy, createdAt, updatedAt, customId, title, emailDomains[], departments[]}`, a list is
 * `{value, nextLink?, count?}`, an error is `{message, code, data}`.
 */
describe('MissionX client contract', () => {
  const h = new MissionxHarness();
  beforeAll(() => h.start());
  afterAll(() => h.stop());
  beforeEach(() => h.sim.control.reset());

  const lead = (over = {}) => ({ customId: 'recLead1', title: 'Acme Ltd', emailDomains: ['acme.example'], ...over });
  const listCalls = async () => (await h.sim.control.requests({ service: 'missionx', method: 'GET', pathIncludes: '/v2/clients' })).length;

  it('when a client is created, then the documented 200 answer is read, with createdBy and no status', async () => {
    const { client } = h.client();
    const made = await client.createClient(lead());
    expect(made).toEqual({
      _id: expect.stringMatching(/^[0-9a-f]{24}$/),
      createdBy: expect.any(String),
      customId: 'recLead1',
      title: 'Acme Ltd',
      emailDomains: ['acme.example'],
      departments: [],
      createdAt: expect.any(String),
      updatedAt: made.createdAt,
    });
    const [post] = await h.sim.control.requests({ service: 'missionx', method: 'POST', pathIncludes: '/v2/clients' });
    expect(post).toMatchObject({ status: 200, body: { customId: 'recLead1', title: 'Acme Ltd', emailDomains: ['acme.example'] } });
  });

  it('when a create is answered 201 instead of the documented 200, then it is read the same way', async () => {
    const { client } = h.client();
    const example = {
      _id: '656f1c2e9b1d4a0012345678',
      createdBy: '656f1c2e9b1d4a0000000001',
      createdAt: '2026-12-01T10:00:00.000Z',
      updatedAt: '2026-12-01T10:00:00.000Z',
      customId: 'recLead1',
      title: 'Acme Ltd',
      emailDomains: ['acme.example'],
      departments: [],
    };
    await h.sim.control.injectFault({
      service: 'missionx',
      method: 'POST',
      pathIncludes: '/v2/clients',
      kind: 'body',
      status: 201,
      body: example,
      count: 1,
    });
    await expect(client.createClient(lead())).resolves.toEqual(example);
  });

  it('when a list spans pages, then nextLink is followed until it is missing: 250 clients at 100 a page in 3 calls', async () => {
    await h.sim.control.seedMissionxClients(250);
    const { client } = h.client();
    const all = await client.listClients({ limit: 100 });
    expect(all).toHaveLength(250);
    expect(new Set(all.map((c) => c._id)).size).toBe(250);
    const gets = await h.sim.control.requests({ service: 'missionx', method: 'GET', pathIncludes: '/v2/clients' });
    expect(gets.map((r) => r.query.limit)).toEqual(['100', '100', '100']);
    expect(gets.map((r) => r.query.skip)).toEqual([undefined, '100', '200']);
  });

  it('when the whole organisation is scanned, then it costs ⌈clients / 100⌉ calls and archived clients are included', async () => {
    await h.sim.control.seedMissionxClients(1000);
    const archived = await h.sim.control.createMissionxClient({ title: 'Old portal', customId: 'recOld' });
    await h.sim.control.editMissionxClient(archived._id, { archived: true });
    const { client } = h.client();
    let seen = 0;
    for await (const page of client.scanClients()) seen += page.length;
    expect(seen).toBe(1001);
    expect(await listCalls()).toBe(11);
  });

  it('when our create’s answer was lost among 1,000 other clients, then the window lookup finds it in one call, matching customId ourselves', async () => {
    await h.sim.control.seedMissionxClients(1000);
    const { client } = h.client();
    const before = new Date(Date.now() - 1000);
    await h.sim.control.injectFault({ service: 'missionx', method: 'POST', pathIncludes: '/v2/clients', kind: 'cut_after', count: 1 });
    await expect(client.createClient(lead())).rejects.toMatchObject({ code: MISSIONX_ERROR_CODES.unavailable, kind: 'transient' });
    await client.createClient(lead({ customId: 'recSomeoneElse' }));
    const found = await client.findInWindow('recLead1', before);
    expect(found).toEqual([expect.objectContaining({ customId: 'recLead1', title: 'Acme Ltd' })]);
    expect(await listCalls()).toBe(1);
    const [get] = await h.sim.control.requests({ service: 'missionx', method: 'GET', pathIncludes: '/v2/clients' });
    expect(get?.query).toEqual({
      updatedAt: `gte ${before.toISOString()}`,
      sortBy: 'updatedAt',
      sortDirection: 'asc',
      limit: '100',
      withArchived: 'true',
    });
    await expect(client.findInWindow('recNobody', before)).resolves.toEqual([]);
  });

  it('when the window holds several clients for one customId, then they come oldest first', async () => {
    const { client } = h.client();
    const since = new Date(Date.now() - 1000);
    const older = await client.createClient(lead({ title: 'Older' }));
    await client.createClient(lead({ title: 'Newer' }));
    await h.sim.control.editMissionxClient(older._id, { title: 'Older, edited later' });
    const found = await client.findInWindow('recLead1', since);
    expect(found.map((c) => c._id)[0]).toBe(older._id);
    expect(found).toHaveLength(2);
  });

  it('when a client is read by id, then the id filter finds it even archived; an unknown id is null', async () => {
    const { client } = h.client();
    const made = await client.createClient(lead());
    await h.sim.control.editMissionxClient(made._id, { archived: true });
    await expect(client.getClient(made._id)).resolves.toMatchObject({ _id: made._id });
    await expect(client.getClient('000000000000000000000000')).resolves.toBeNull();
    const gets = await h.sim.control.requests({ service: 'missionx', method: 'GET', pathIncludes: '/v2/clients' });
    expect(gets[0]?.query).toEqual({ id: made._id, withArchived: 'true', limit: '1' });
  });

  it('when a list comes as a bare array, then it is accepted', async () => {
    const { client } = h.client();
    const made = await client.createClient(lead());
    await h.sim.control.injectFault({
      service: 'missionx',
      method: 'GET',
      pathIncludes: '/v2/clients',
      kind: 'body',
      body: [made],
      count: 1,
    });
    await expect(client.listClients()).resolves.toEqual([made]);
  });

  it('when a list answer cannot be parsed, then it is an error, never "none found"', async () => {
    const { client } = h.client();
    await h.sim.control.injectFault({
      service: 'missionx',
      method: 'GET',
      pathIncludes: '/v2/clients',
      kind: 'body',
      body: '<html>proxy</html>',
      count: 1,
    });
    const html: unknown = await client.findInWindow('recLead1', new Date()).catch((e: unknown) => e);
    expect(html).toMatchObject({ code: MISSIONX_ERROR_CODES.badResponse, kind: 'transient' });
    await h.sim.control.injectFault({
      service: 'missionx',
      method: 'GET',
      pathIncludes: '/v2/clients',
      kind: 'body',
      body: { items: [] },
      count: 1,
    });
    const shape: unknown = await client.findInWindow('recLead1', new Date()).catch((e: unknown) => e);
    expect(shape).toMatchObject({ code: MISSIONX_ERROR_CODES.badResponse, kind: 'permanent' });
    expect(toJobDecision(shape)).toEqual({ action: 'fail' });
  });

  it('when nextLink points at another host or repeats a page, then paging stops with an error (the token never leaves)', async () => {
    const { client } = h.client();
    const page = (nextLink: string) => ({ value: [], nextLink });
    await h.sim.control.injectFault({
      service: 'missionx',
      method: 'GET',
      kind: 'body',
      body: page('https://evil.example/v2/clients?skip=40'),
      count: 1,
    });
    await expect(client.listClients()).rejects.toMatchObject({ code: MISSIONX_ERROR_CODES.badResponse, kind: 'permanent' });
    const self = `${h.sim.missionxBaseUrl}/clients?skip=40`;
    await h.sim.control.injectFault({ service: 'missionx', method: 'GET', kind: 'body', body: page(self), count: 3 });
    await expect(client.listClients()).rejects.toThrow(/repeats/);
    await h.sim.control.clearFaults();
    await h.sim.control.injectFault({ service: 'missionx', method: 'GET', kind: 'body', body: { value: [], nextLink: null }, count: 1 });
    await expect(client.listClients()).resolves.toEqual([]);
  });

  it('when a client is updated, then only documented fields are sent; status is refused before any request', async () => {
    const { client } = h.client();
    const made = await client.createClient(lead());
    await expect(client.updateClient(made._id, { emailDomains: [] })).resolves.toMatchObject({ _id: made._id, emailDomains: [] });
    const err: unknown = await client.updateClient(made._id, { status: 'inactive' } as never).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: MISSIONX_ERROR_CODES.invalidInput, kind: 'permanent' });
    expect(await h.sim.control.requests({ service: 'missionx', method: 'PATCH' })).toHaveLength(1);
  });

  it('when the portal URL is built, then clientId and customId are put into our configured template', async () => {
    const { client } = h.client();
    const made = await client.createClient(lead({ customId: 'rec A&B' }));
    expect(client.portalUrl(made)).toBe(`https://app.missionx.ai/portal/${made._id}?ref=rec%20A%26B`);
    expect(buildPortalUrl(TEMPLATE, { _id: 'c1', customId: 'r1' })).toBe('https://app.missionx.ai/portal/c1?ref=r1');
  });

  it('when MissionX answers 500 {message, code, data}, then the error is transient and carries its message', async () => {
    const { client } = h.client();
    await h.sim.control.injectFault({
      service: 'missionx',
      method: 'POST',
      pathIncludes: '/clients',
      kind: 'status',
      status: 500,
      message: 'db down',
      count: 1,
    });
    const err: unknown = await client.createClient(lead()).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: MISSIONX_ERROR_CODES.unavailable, kind: 'transient' });
    expect((err as Error).message).toContain('INTERNAL_SERVER_ERROR: db down');
    expect(toJobDecision(err)).toEqual({ action: 'retry' });
  });

  it('when MissionX hangs past the timeout, then the error is a transient timeout', async () => {
    const { client, calls } = h.client({ timeoutMs: 200 });
    await h.sim.control.injectFault({ service: 'missionx', pathIncludes: '/v2/clients', kind: 'hang', hangMs: 1000, count: 1 });
    await expect(client.listClients()).rejects.toMatchObject({
      code: MISSIONX_ERROR_CODES.unavailable,
      kind: 'transient',
      details: { transport: 'timeout' },
    });
    expect(calls.at(-1)).toEqual({ operation: 'listClients', status: 'timeout' });
  });

  it('when MissionX answers 429 (not documented) without Retry-After, then the error is throttled with our own delay', async () => {
    const { client } = h.client();
    await h.sim.control.injectFault({ service: 'missionx', pathIncludes: '/v2/clients', kind: 'rate_limit', count: 1 });
    const err: unknown = await client.listClients().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: MISSIONX_ERROR_CODES.throttled, kind: 'throttled', retryAfterMs: 5000 });
  });

  it('when MissionX rejects the input (400) or the id is unknown (404), then the error is permanent with its message', async () => {
    const { client } = h.client();
    await h.sim.control.injectFault({
      service: 'missionx',
      method: 'POST',
      pathIncludes: '/v2/clients',
      kind: 'status',
      status: 400,
      message: 'title too long',
      count: 1,
    });
    const err: unknown = await client.createClient(lead()).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: MISSIONX_ERROR_CODES.badRequest, kind: 'permanent' });
    expect((err as Error).message).toContain('title too long');
    await expect(client.updateClient('000000000000000000000000', { title: 'x' })).rejects.toMatchObject({
      code: MISSIONX_ERROR_CODES.notFound,
      kind: 'permanent',
    });
  });

  it('when the Org-Id is not the organisation of the credentials, then the token call is refused: permanent forbidden', async () => {
    const { client } = h.client({ orgId: 'other-org' });
    await expect(client.listClients()).rejects.toMatchObject({ code: MISSIONX_ERROR_CODES.forbidden, kind: 'permanent' });
  });

  it('when the input is invalid, then the call fails permanently naming the field, before any request', async () => {
    const { client } = h.client();
    const err: unknown = await client.createClient(lead({ title: ' ', emailDomains: ['not a domain'] })).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: MISSIONX_ERROR_CODES.invalidInput, kind: 'permanent' });
    expect((err as Error).message).toMatch(/title/);
    expect((err as Error).message).toMatch(/emailDomains\.0/);
    expect(await h.sim.control.requests({ service: 'missionx' })).toEqual([]);
  });
});
