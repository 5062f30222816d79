import type { RunningSimulators } from '../src';
import { API_KEY, LEADS, startTestSimulators } from './support';

let sim: RunningSimulators;
beforeAll(async () => {
  sim = await startTestSimulators({ latency: { missionx: { ms: 0 } } });
});
afterAll(() => sim.close());
beforeEach(() => sim.control.reset());

const latencyRoute = () => `${sim.url}/__sim/latency`;
/** An AITable read with a client timeout: 'answered' or 'timed out'. */
async function readLeads(timeoutMs: number): Promise<'answered' | 'timed out'> {
  try {
    const res = await fetch(`${sim.aitableBaseUrl}/v1/datasheets/${LEADS}/records`, {
      headers: { authorization: `Bearer ${API_KEY}` },
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.text();
    return 'answered';
  } catch {
    return 'timed out';
  }
}

describe('simulated latency', () => {
  test('when AITable is given 60 s of latency, then a request is held (not yet logged or counted) and MissionX is not slowed', async () => {
    await sim.control.setLatency('aitable', 60_000);
    expect(await readLeads(300)).toBe('timed out');
    expect(await sim.control.requests({ service: 'aitable' })).toEqual([]);
    const token = await fetch(sim.missionxAuthUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'org-id': 'sim-org' },
      body: 'grant_type=client_credentials&client_id=sim-client&client_secret=sim-secret',
    });
    expect(token.status).toBe(200);
  });

  test('when the latency is set with jitter, then the control route shows it, and a reset restores the start-up latency', async () => {
    await sim.control.setLatency('aitable', 60, 10);
    expect(await (await fetch(latencyRoute())).json()).toEqual({ aitable: { ms: 60, jitterMs: 10 }, missionx: { ms: 0 } });
    await sim.control.reset();
    expect(await (await fetch(latencyRoute())).json()).toEqual({ aitable: { ms: 0 }, missionx: { ms: 0 } });
    expect(await readLeads(5000)).toBe('answered');
  });

  test('when the latency body is invalid, then the answer is 400 naming the field', async () => {
    const res = await fetch(latencyRoute(), {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ service: 'aitable', ms: -1 }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/^ms:/);
  });
});
