import { waitFor } from '@bridge/testkit';
import request from 'supertest';
import type { ControlRoute, RunningSimulators } from '../src';
import { FAULT_EXAMPLE, FAULT_KEYS, faultSchema } from '../src/control/routes';
import { LEADS, aitable, leadFields, recordsPath, startTestSimulators } from './support';
import { missionx } from './missionx-support';

let sim: RunningSimulators;
beforeAll(async () => {
  sim = await startTestSimulators();
});
afterAll(() => sim.close());
beforeEach(() => sim.control.reset());

const createLead = () => aitable(sim).post(recordsPath(LEADS), { records: [{ fields: leadFields() }] });

describe('injected faults', () => {
  test('when a status fault is injected for N calls, then those calls get that status in an envelope and later ones succeed', async () => {
    await sim.control.injectFault({ service: 'aitable', method: 'POST', pathIncludes: LEADS, count: 2, kind: 'status', status: 503 });
    const get = await aitable(sim).get(recordsPath(LEADS));
    expect(get.status).toBe(200);
    const statuses = [(await createLead()).status, (await createLead()).status, (await createLead()).status];
    expect(statuses).toEqual([503, 503, 200]);
    const failed = await sim.control.requests({ method: 'POST' });
    expect(failed.map((r) => r.status)).toEqual([503, 503, 200]);
    expect(await sim.control.records(LEADS)).toHaveLength(1);
  });

  test('when a status fault answers, then the body is the envelope with that code', async () => {
    await sim.control.injectFault({ service: 'aitable', count: 1, kind: 'status', status: 500, message: 'boom' });
    const res = await createLead();
    expect(res.body).toEqual({ success: false, code: 500, message: 'boom' });
  });

  test('when an envelope_error fault is injected, then HTTP 200 answers success:false with the given code and message', async () => {
    await sim.control.injectFault({
      service: 'aitable',
      count: 1,
      kind: 'envelope_error',
      code: 403,
      message: 'monthly API quota used up',
    });
    const res = await createLead();
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: false, code: 403, message: 'monthly API quota used up' });
  });

  test('when a rate_limit fault is injected, then HTTP 429 code 429 without Retry-After', async () => {
    await sim.control.injectFault({ service: 'aitable', pathIncludes: '/records', count: 1, kind: 'rate_limit' });
    const res = await aitable(sim).get(recordsPath(LEADS));
    expect(res.status).toBe(429);
    expect(res.body).toMatchObject({ success: false, code: 429 });
    expect(res.headers['retry-after']).toBeUndefined();
  });

  test('when a hang with hangMs outlasts the client timeout, then the client gives up and the write still takes effect afterwards', async () => {
    await sim.control.injectFault({ service: 'aitable', method: 'POST', count: 1, kind: 'hang', hangMs: 300 });
    await expect(createLead().timeout(100)).rejects.toThrow(/timeout/i);
    await waitFor(async () => (await sim.control.records(LEADS)).length === 1, { what: 'the delayed write' });
    expect((await sim.control.requests({ method: 'POST' }))[0]?.status).toBe(200);
  });

  test('when requests held by a hang are released, then they are answered at once and take effect', async () => {
    await sim.control.injectFault({ service: 'aitable', method: 'POST', count: 1, kind: 'hang', hangMs: 600_000 });
    // then() sends it (supertest sends on then/end); its answer is awaited after the release.
    const created = createLead().then((res) => res);
    // Held once the fault is used up; until then there is nothing to release.
    await waitFor(async () => (await sim.control.faults()).length === 0, { what: 'the request to be held' });
    expect(await sim.control.records(LEADS)).toEqual([]);
    expect(await sim.control.releaseHeld()).toBe(1);
    expect((await created).body.success).toBe(true);
    expect(await sim.control.records(LEADS)).toHaveLength(1);
    expect(await sim.control.releaseHeld()).toBe(0);
  });

  test('when a hang has no hangMs, then it never answers, has no effect and shows as status 0', async () => {
    await sim.control.injectFault({ service: 'aitable', method: 'POST', count: 1, kind: 'hang' });
    await expect(createLead().timeout(150)).rejects.toThrow(/timeout/i);
    expect(await sim.control.records(LEADS)).toEqual([]);
    expect((await sim.control.requests({ method: 'POST' }))[0]?.status).toBe(0);
    expect((await createLead()).body.success).toBe(true);
  });

  test('when a fault targets MissionX, then the MissionX route answers it with a JSON error and others are untouched', async () => {
    const token = await missionx(sim).token();
    await sim.control.injectFault({
      service: 'missionx',
      method: 'POST',
      pathIncludes: '/v2/clients',
      count: 1,
      kind: 'status',
      status: 502,
    });
    const failed = await missionx(sim).post('/clients', { customId: 'rec1', title: 'T' }, token);
    expect(failed.status).toBe(502);
    expect(failed.body).toMatchObject({ code: 'HTTP_502', message: expect.any(String), data: {} });
    expect((await missionx(sim).post('/clients', { customId: 'rec1', title: 'T' }, token)).status).toBe(200);
    expect((await aitable(sim).get(recordsPath(LEADS))).status).toBe(200);
  });

  test('when a cut_after fault meets a MissionX create, then the client is created but the caller gets a reset connection', async () => {
    const token = await missionx(sim).token();
    await sim.control.injectFault({ service: 'missionx', method: 'POST', pathIncludes: '/v2/clients', count: 1, kind: 'cut_after' });
    await expect(missionx(sim).post('/clients', { customId: 'recCut', title: 'T' }, token)).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect((await sim.control.missionxClients()).map((c) => c.customId)).toEqual(['recCut']);
    expect((await sim.control.requests({ service: 'missionx', method: 'POST', pathIncludes: '/v2/clients' }))[0]?.status).toBe(200);
    expect((await missionx(sim).post('/clients', { customId: 'recNext', title: 'T' }, token)).status).toBe(200);
  });

  test('when a cut_after fault meets an AITable write, then the write took effect and the caller gets a reset connection', async () => {
    await sim.control.injectFault({ service: 'aitable', method: 'POST', count: 1, kind: 'cut_after' });
    await expect(createLead()).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect(await sim.control.records(LEADS)).toHaveLength(1);
  });

  test('when faults are listed, then each shows in matching order with its uses left; DELETE drops them all', async () => {
    await sim.control.injectFault({ service: 'aitable', count: 2, kind: 'rate_limit' });
    await sim.control.injectFault({ service: 'missionx', method: 'POST', count: 1, kind: 'cut_after' });
    await createLead();
    expect(await sim.control.faults()).toEqual([
      { service: 'aitable', count: 2, kind: 'rate_limit', remaining: 1 },
      { service: 'missionx', method: 'POST', count: 1, kind: 'cut_after', remaining: 1 },
    ]);
    await sim.control.clearFaults();
    expect(await sim.control.faults()).toEqual([]);
    expect((await createLead()).status).toBe(200);
  });

  test('when faults are cleared while a request hangs with hangMs, then that request still gets its answer', async () => {
    await sim.control.injectFault({ service: 'aitable', method: 'POST', count: 1, kind: 'hang', hangMs: 100 });
    const pending = createLead().then((r) => r);
    await waitFor(async () => (await sim.control.requests({ method: 'POST' })).length === 1, { what: 'the request to arrive' });
    await sim.control.clearFaults();
    expect((await pending).status).toBe(200);
  });

  test('when a fault has an unknown key, then control answers 400 naming it and adds nothing', async () => {
    const misspelt = { service: 'aitable', count: 1, kind: 'status', status: 500, path: '/records' };
    const res = await request(sim.url).post('/__sim/faults').send(misspelt);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/"path"/);
    expect(await sim.control.faults()).toEqual([]);
    expect((await createLead()).status).toBe(200);
  });

  test('when a fault is empty, then the 400 lists every valid key with its meaning and an example that works as given', async () => {
    expect(Object.keys(FAULT_KEYS)).toEqual(Object.keys(faultSchema.shape));
    const res = await request(sim.url).post('/__sim/faults').send({});
    expect(res.status).toBe(400);
    expect(res.body.error).toContain(`valid keys: ${Object.keys(faultSchema.shape).join(', ')}`);
    expect(res.body).toMatchObject({ keys: FAULT_KEYS, example: FAULT_EXAMPLE });

    expect((await request(sim.url).post('/__sim/faults').send(res.body.example)).status).toBe(204);
    const token = await missionx(sim).token();
    expect((await missionx(sim).post('/clients', { customId: 'recEx1', title: 'T' }, token)).status).toBe(503);
  });

  test('when the control routes are listed, then POST /__sim/faults shows its keys and example', async () => {
    const routes = (await request(sim.url).get('/__sim')).body as ControlRoute[];
    const faults = routes.find((r) => r.method === 'POST' && r.path === '/__sim/faults');
    expect(faults?.body).toEqual({ keys: FAULT_KEYS, example: FAULT_EXAMPLE });
  });

  test('when a fault is invalid, then control rejects it with a message naming the problem', async () => {
    await expect(sim.control.injectFault({ service: 'missionx', count: 1, kind: 'envelope_error' })).rejects.toThrow(/AITable fault only/);
    await expect(request(sim.url).post('/__sim/faults').send({ service: 'aitable', count: 0, kind: 'status' })).resolves.toMatchObject({
      status: 400,
    });
  });

  test('when reset runs, then pending faults are gone', async () => {
    await sim.control.injectFault({ service: 'aitable', count: 5, kind: 'status', status: 500 });
    await sim.control.reset();
    expect((await createLead()).status).toBe(200);
  });
});
