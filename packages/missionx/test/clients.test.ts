import { buildPortalUrl, MISSIONX_ERROR_CODES } from '@bridge/missionx';
import { toJobDecision } from '@bridge/errors';
import { MissionxHarness, TEMPLATE } from './helpers';

describe('MissionX clients', () => {
  const h = new MissionxHarness();
  beforeAll(() => h.start());
  afterAll(() => h.stop());
  beforeEach(() => h.sim.control.reset());

  const lead = (over = {}) => ({ customId: 'recLead1', title: 'Acme Ltd', emailDomains: ['acme.example'], ...over });

  it('when findOrCreateClient runs twice for one customId, then one client exists and both answers name it', async () => {
    const { client } = h.client();
    const first = await client.findOrCreateClient(lead());
    const second = await client.findOrCreateClient(lead());
    expect(first.created).toBe(true);
    expect(second).toEqual({ client: first.client, created: false });
    expect(await h.sim.control.missionxClients()).toHaveLength(1);
    expect(first.client).toMatchObject({ customId: 'recLead1', title: 'Acme Ltd', emailDomains: ['acme.example'] });
  });

  it('when findOrCreateClient is called 5 times at once in one process, then one client is created', async () => {
    const { client } = h.client();
    const results = await Promise.all(Array.from({ length: 5 }, () => client.findOrCreateClient(lead())));
    expect(new Set(results.map((r) => r.client._id)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(await h.sim.control.missionxClients()).toHaveLength(1);
  });

  it('when two processes race past the lookup and both create, then both answer the oldest client', async () => {
    const a = h.client().client;
    const b = h.client().client;
    // Tokens first, so both lookups leave in the same tick and both miss.
    await Promise.all([a.findClientByCustomId('warm-up'), b.findClientByCustomId('warm-up')]);
    const [ra, rb] = await Promise.all([a.findOrCreateClient(lead()), b.findOrCreateClient(lead())]);
    const all = await h.sim.control.missionxClients();
    expect(all).toHaveLength(2);
    expect([ra.created, rb.created].sort()).toEqual([false, true]);
    const oldest = [...all].sort((x, y) => x.createdAt.localeCompare(y.createdAt) || x._id.localeCompare(y._id))[0];
    expect(ra.client._id).toBe(oldest?._id);
    expect(rb.client._id).toBe(oldest?._id);
  });

  it('when several clients share a customId, then findClientByCustomId returns the oldest', async () => {
    const { client } = h.client();
    const older = await client.createClient(lead({ title: 'Older' }));
    await client.createClient(lead({ title: 'Newer' }));
    await expect(client.findClientByCustomId('recLead1')).resolves.toMatchObject({ _id: older._id, title: 'Older' });
    await expect(client.findClientByCustomId('recOther')).resolves.toBeNull();
  });

  it('when a client is deactivated, then MissionX holds it inactive', async () => {
    const { client } = h.client();
    const { client: made } = await client.findOrCreateClient(lead());
    await expect(client.setClientStatus(made._id, 'inactive')).resolves.toMatchObject({ _id: made._id, status: 'inactive' });
    expect((await h.sim.control.missionxClients())[0]?.status).toBe('inactive');
  });

  it('when the portal URL is built, then clientId and customId are put into the template', async () => {
    const { client } = h.client();
    const { client: made } = await client.findOrCreateClient(lead({ customId: 'rec A&B' }));
    expect(client.portalUrl(made)).toBe(`https://app.missionx.ai/portal/${made._id}?ref=rec%20A%26B`);
    expect(buildPortalUrl(TEMPLATE, { _id: 'c1', customId: 'r1' })).toBe('https://app.missionx.ai/portal/c1?ref=r1');
  });

  it('when MissionX answers 500, then the error is transient and a retry can help', async () => {
    const { client } = h.client();
    await h.sim.control.injectFault({
      service: 'missionx',
      method: 'POST',
      pathIncludes: '/clients',
      kind: 'status',
      status: 500,
      count: 1,
    });
    const err: unknown = await client.findOrCreateClient(lead()).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: MISSIONX_ERROR_CODES.unavailable, kind: 'transient' });
    expect(toJobDecision(err)).toEqual({ action: 'retry' });
    await expect(client.findOrCreateClient(lead())).resolves.toMatchObject({ created: true });
  });

  it('when MissionX hangs past the timeout, then the error is a transient timeout', async () => {
    const { client, calls } = h.client({ timeoutMs: 200 });
    await h.sim.control.injectFault({ service: 'missionx', pathIncludes: '/v2/clients', kind: 'hang', hangMs: 1000, count: 1 });
    await expect(client.findClientByCustomId('rec1')).rejects.toMatchObject({
      code: MISSIONX_ERROR_CODES.unavailable,
      kind: 'transient',
      details: { transport: 'timeout' },
    });
    expect(calls.at(-1)).toEqual({ operation: 'findClients', status: 'timeout' });
  });

  it('when MissionX answers 429 with Retry-After absent, then the error is throttled with our own delay', async () => {
    const { client } = h.client();
    await h.sim.control.injectFault({ service: 'missionx', pathIncludes: '/v2/clients', kind: 'rate_limit', count: 1 });
    const err: unknown = await client.findClientByCustomId('rec1').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: MISSIONX_ERROR_CODES.throttled, kind: 'throttled', retryAfterMs: 5000 });
  });

  it('when MissionX rejects the input (400/404/409/422), then the error is permanent with its message', async () => {
    const { client } = h.client();
    await h.sim.control.injectFault({
      service: 'missionx',
      method: 'POST',
      kind: 'status',
      status: 422,
      message: 'title too long',
      count: 1,
    });
    const err: unknown = await client.createClient(lead()).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: MISSIONX_ERROR_CODES.badRequest, kind: 'permanent' });
    expect((err as Error).message).toContain('title too long');
    await expect(client.setClientStatus('000000000000000000000000', 'active')).rejects.toMatchObject({
      code: MISSIONX_ERROR_CODES.notFound,
      kind: 'permanent',
    });
    await h.sim.control.injectFault({
      service: 'missionx',
      method: 'POST',
      kind: 'status',
      status: 409,
      message: 'duplicate customId',
      count: 1,
    });
    await expect(client.createClient(lead())).rejects.toMatchObject({ code: MISSIONX_ERROR_CODES.conflict, kind: 'permanent' });
  });

  it('when the Org-Id is not the token’s organisation, then the error is permanent forbidden', async () => {
    const { client } = h.client({ orgId: 'other-org' });
    await expect(client.findClientByCustomId('rec1')).rejects.toMatchObject({ code: MISSIONX_ERROR_CODES.forbidden, kind: 'permanent' });
  });

  it('when the input is invalid, then the call fails permanently naming the field, before any request', async () => {
    const { client } = h.client();
    const err: unknown = await client.findOrCreateClient(lead({ title: ' ', emailDomains: ['not a domain'] })).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: MISSIONX_ERROR_CODES.invalidInput, kind: 'permanent' });
    expect((err as Error).message).toMatch(/title/);
    expect((err as Error).message).toMatch(/emailDomains\.0/);
    expect(await h.sim.control.requests({ service: 'missionx' })).toEqual([]);
  });
});
