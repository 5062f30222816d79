import { waitFor } from '@bridge/testkit';
import { startSimulators, type RunningSimulators } from '../src';
import { API_KEY, AUDIT, LEADS, aitable, recordsPath } from './support';

let sim: RunningSimulators;
beforeAll(async () => {
  sim = await startSimulators({ aitable: { apiKeys: [API_KEY, 'second-key'], rateLimitPerSecond: 3 } });
});
afterAll(() => sim.close());
beforeEach(() => sim.control.reset());

const burst = (n: number, send: () => PromiseLike<{ status: number }>) => Promise.all(Array.from({ length: n }, () => send()));

describe('AITable rate limit', () => {
  test('when a token goes over the limit on a datasheet, then HTTP 429 with code 429 and no Retry-After', async () => {
    const ok = await burst(3, () => aitable(sim).get(recordsPath(LEADS)));
    expect(ok.map((r) => r.status)).toEqual([200, 200, 200]);
    const over = await aitable(sim).get(recordsPath(LEADS));
    expect(over.status).toBe(429);
    expect(over.body).toMatchObject({ success: false, code: 429 });
    expect(over.headers['retry-after']).toBeUndefined();
  });

  test('when the limit is reached, then another datasheet and another token are still served', async () => {
    await burst(3, () => aitable(sim).get(recordsPath(LEADS)));
    expect((await aitable(sim).get(recordsPath(LEADS))).status).toBe(429);
    expect((await aitable(sim).get(recordsPath(AUDIT))).status).toBe(200);
    expect((await aitable(sim, 'second-key').get(recordsPath(LEADS))).status).toBe(200);
  });

  test('when earlier requests failed with code 400 or 301, then they still count', async () => {
    await burst(3, () => aitable(sim).get(`${recordsPath(LEADS)}?pageSize=5000`));
    expect((await aitable(sim).get(recordsPath(LEADS))).status).toBe(429);
    await burst(3, () => aitable(sim).get(recordsPath('dstMissing')));
    expect((await aitable(sim).get(recordsPath('dstMissing'))).status).toBe(429);
  });

  test('when a second has passed since the counted requests, then requests are served again', async () => {
    await burst(3, () => aitable(sim).get(recordsPath(LEADS)));
    await waitFor(async () => (await aitable(sim).get(recordsPath(LEADS))).status === 200, { intervalMs: 50, what: 'the window to slide' });
    const log = await sim.control.requests({ pathIncludes: LEADS });
    const first = log[0]?.at ?? 0;
    const servedAgain = log.filter((r) => r.status === 200)[3]?.at ?? 0;
    expect(log.filter((r) => r.status === 429).length).toBeGreaterThan(0);
    // The sliding window opens one second after the first counted request (clock granularity aside).
    expect(servedAgain - first).toBeGreaterThanOrEqual(990);
  });

  test('when the rate limit is changed through control, then the new limit applies; reset restores it', async () => {
    await sim.control.setRateLimit(1);
    expect((await aitable(sim).get(recordsPath(AUDIT))).status).toBe(200);
    expect((await aitable(sim).get(recordsPath(AUDIT))).status).toBe(429);
    await sim.control.reset();
    const after = await burst(3, () => aitable(sim).get(recordsPath(AUDIT)));
    expect(after.map((r) => r.status)).toEqual([200, 200, 200]);
  });

  test('when requests are logged, then the log lets a test count requests per datasheet per second', async () => {
    await burst(4, () => aitable(sim).get(recordsPath(LEADS)));
    const log = await sim.control.requests({ service: 'aitable', method: 'GET' });
    expect(log.filter((r) => r.datasheetId === LEADS)).toHaveLength(4);
    expect(log.map((r) => r.status).sort()).toEqual([200, 200, 200, 429]);
  });
});
