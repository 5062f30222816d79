import request from 'supertest';
import { startSimulators, type RunningSimulators, type SimulatorOptions } from '../src';

export const API_KEY = 'sim-aitable-key';
export const LEADS = 'dstLeadsSim';
export const ORDERS = 'dstOrdersSim';
export const AUDIT = 'dstAuditSim';

/** Simulators for tests that are not about the rate limit: a limit high enough never to interfere. */
export function startTestSimulators(opts: SimulatorOptions = {}): Promise<RunningSimulators> {
  return startSimulators({ ...opts, aitable: { rateLimitPerSecond: 10_000, ...opts.aitable } });
}

/** supertest against the AITable API with a valid key; `path` is under `/fusion/v1`. */
export function aitable(sim: RunningSimulators, key = API_KEY) {
  const agent = request(sim.url);
  const auth = `Bearer ${key}`;
  return {
    get: (path: string) => agent.get(`/fusion/v1${path}`).set('Authorization', auth),
    post: (path: string, body: unknown) =>
      agent
        .post(`/fusion/v1${path}`)
        .set('Authorization', auth)
        .send(body as object),
    patch: (path: string, body: unknown) =>
      agent
        .patch(`/fusion/v1${path}`)
        .set('Authorization', auth)
        .send(body as object),
    put: (path: string, body: unknown) =>
      agent
        .put(`/fusion/v1${path}`)
        .set('Authorization', auth)
        .send(body as object),
    delete: (path: string) => agent.delete(`/fusion/v1${path}`).set('Authorization', auth),
  };
}

export const recordsPath = (datasheetId: string) => `/datasheets/${datasheetId}/records`;

/** A lead's fields with defaults, overridden per test. */
export const leadFields = (over: Record<string, unknown> = {}) => ({
  'Client Name': 'Ada Lovelace',
  Email: 'ada@example.com',
  Phone: '+44 20 7946 0000',
  Company: 'Analytical Engines Ltd',
  Status: 'New',
  ...over,
});
