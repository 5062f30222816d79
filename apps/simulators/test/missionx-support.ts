import request from 'supertest';
import type { RunningSimulators } from '../src';

/**
 * supertest against the MissionX simulator: `token()` runs the client-credentials grant, `path` is under `/v2`.
 * `orgId: null` sends no Org-Id header (`token()` still sends one, so the API call alone lacks it).
 */
export function missionx(sim: RunningSimulators, orgId: string | null = 'sim-org') {
  const agent = request(sim.url);
  const withHeaders = (req: request.Test, token?: string) => {
    if (token !== undefined) req.set('Authorization', `Bearer ${token}`);
    if (orgId !== null) req.set('Org-Id', orgId);
    return req;
  };
  return {
    tokenRequest: (form: Record<string, string>) => withHeaders(agent.post('/missionx/auth/token')).type('form').send(form),
    async token(): Promise<string> {
      const res = await agent
        .post('/missionx/auth/token')
        .set('Org-Id', orgId ?? 'sim-org')
        .type('form')
        .send({ grant_type: 'client_credentials', client_id: 'sim-client', client_secret: 'sim-secret' });
      return res.body.access_token as string;
    },
    get: (path: string, token?: string) => withHeaders(agent.get(`/missionx/v2${path}`), token),
    post: (path: string, body: object, token?: string) => withHeaders(agent.post(`/missionx/v2${path}`), token).send(body),
    patch: (path: string, body: object, token?: string) => withHeaders(agent.patch(`/missionx/v2${path}`), token).send(body),
  };
}
