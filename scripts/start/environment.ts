import { randomBytes } from 'node:crypto';
import { PORTS, settlePorts } from './ports';

const SIM_PORT = '4010';

/**
 * The environment every child process gets. Without real AITable/MissionX credentials it
 * points everything at the local simulators, with their fixed demo credentials, so a newcomer
 * needs nothing configured. Values already set (in the shell or .env) always win.
 * In demo mode a default port that is busy is replaced by a free one (named in `notes`); a busy
 * port the person set, or any busy port in live mode, is a problem naming its variable.
 */
export async function localEnvironment(
  base: NodeJS.ProcessEnv,
): Promise<{ env: NodeJS.ProcessEnv; demo: boolean; notes: string[]; problems: string[] }> {
  const demo = !(base.AITABLE_API_KEY && base.MISSIONX_CLIENT_ID);
  const notes: string[] = [];
  const ports: Record<string, string> = {
    INGEST_PORT: '3000',
    DASHBOARD_PORT: '3001',
    WORKER_METRICS_PORT: '9464',
    SIMULATORS_PORT: SIM_PORT,
  };
  const chosen = new Set(demo ? Object.keys(ports).filter((k) => !base[k]) : []);
  const portEnv: NodeJS.ProcessEnv = { ...ports, ...base };
  const uses = PORTS.filter((u) => demo || u.process !== 'simulators');
  const { moved, problems } = await settlePorts(portEnv, chosen, uses);
  if (moved.length) notes.push(`ports moved: ${moved.join(', ')}`);
  for (const k of chosen) ports[k] = portEnv[k]!;
  const defaults: Record<string, string> = {
    NODE_ENV: 'development',
    LOG_FORMAT: 'pretty',
    REDIS_URL: 'redis://127.0.0.1:6379',
    DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/aitable_bridge',
    ...ports,
  };
  if (demo) {
    const sim = `http://127.0.0.1:${base.SIMULATORS_PORT || ports.SIMULATORS_PORT}`;
    Object.assign(defaults, {
      AITABLE_BASE_URL: `${sim}/fusion`,
      AITABLE_API_KEY: 'sim-aitable-key',
      AITABLE_LEADS_DATASHEET_ID: 'dstLeadsSim',
      AITABLE_ORDERS_DATASHEET_ID: 'dstOrdersSim',
      AITABLE_AUDIT_RESULTS_DATASHEET_ID: 'dstAuditSim',
      MISSIONX_BASE_URL: `${sim}/missionx/v2`,
      MISSIONX_AUTH_URL: `${sim}/missionx/auth/token`,
      MISSIONX_CLIENT_ID: 'sim-client',
      MISSIONX_CLIENT_SECRET: 'sim-secret',
      MISSIONX_ORG_ID: 'sim-org',
      AITABLE_WEBHOOK_SECRET: 'local-demo-webhook-secret',
      AUDIT_API_TOKEN: 'local-demo-audit-token',
    });
    notes.push('mode: demo (no AITABLE_API_KEY/MISSIONX_CLIENT_ID set) — AITable and MissionX are the local simulators');
  } else {
    notes.push(
      `mode: live — AITable at ${base.AITABLE_BASE_URL ?? 'https://aitable.ai/fusion'}, MissionX at ${base.MISSIONX_BASE_URL ?? 'https://open.api.missionx.ai/v2'}`,
    );
  }
  // Sentinel or Cluster configured: a default REDIS_URL would name a second Redis mode.
  if (base.REDIS_SENTINELS || base.REDIS_CLUSTER_NODES) delete defaults.REDIS_URL;
  const env: NodeJS.ProcessEnv = { ...defaults, ...base };
  if (!env.DASHBOARD_USERS) {
    // One password each: with a shared one, a browser that had the operator's login cached
    // showed the viewer's pages as "signed in as operator", and a viewer could act as operator.
    const operator = randomBytes(9).toString('base64url');
    const viewer = randomBytes(9).toString('base64url');
    env.DASHBOARD_USERS = `operator:${operator}:operator,viewer:${viewer}:viewer`;
    notes.push(`dashboard login (this run only): operator / ${operator}  (read-only: viewer / ${viewer})`);
  }
  return { env, demo, notes, problems };
}
