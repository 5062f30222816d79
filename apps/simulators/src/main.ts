/**
 * `npm run start:simulators`: the AITable and MissionX simulators as a standalone server for demos
 * and `npm start`. Reads only its own variables, through the small schema below.
 */
import { loadEnvFile } from '@bridge/config';
import { createLogger } from '@bridge/logger';
import { z } from 'zod';
import { defaultDatasheets, startSimulators } from './index';

const envSchema = z.object({
  /** @defaultValue 4010 */
  SIMULATORS_PORT: z.coerce.number().int().min(0).max(65535).default(4010),
  /** `0.0.0.0` to be reachable from other containers. @defaultValue 127.0.0.1 */
  SIMULATORS_HOST: z.string().min(1).default('127.0.0.1'),
  /** AITable requests per second per datasheet per token. @defaultValue 5 (AITable's limit) */
  SIMULATORS_RATE_LIMIT_PER_SECOND: z.coerce.number().int().min(1).default(5),
  /** Simulated network latency of every AITable / MissionX answer, ± SIMULATORS_LATENCY_JITTER_MS. @defaultValue 0 */
  SIMULATORS_AITABLE_LATENCY_MS: z.coerce.number().int().min(0).default(0),
  SIMULATORS_MISSIONX_LATENCY_MS: z.coerce.number().int().min(0).default(0),
  /** @defaultValue 0 */
  SIMULATORS_LATENCY_JITTER_MS: z.coerce.number().int().min(0).default(0),
  /** @defaultValue 14400 (MissionX's 4 hours) */
  SIMULATORS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(1).default(14_400),
  // The bridge's datasheet ids, so one environment drives both the bridge and its simulators.
  AITABLE_LEADS_DATASHEET_ID: z
    .string()
    .regex(/^dst\w+$/)
    .default('dstLeadsSim'),
  AITABLE_ORDERS_DATASHEET_ID: z
    .string()
    .regex(/^dst\w+$/)
    .default('dstOrdersSim'),
  AITABLE_AUDIT_RESULTS_DATASHEET_ID: z
    .string()
    .regex(/^dst\w+$/)
    .default('dstAuditSim'),
  LOG_LEVEL: z.string().default('info'),
  LOG_FORMAT: z.enum(['json', 'pretty']).default('pretty'),
});

async function main(): Promise<void> {
  loadEnvFile();
  const parsed = envSchema.safeParse(process.env);
  if (!parsed.success) {
    console.error(`simulators: invalid environment: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    process.exit(1);
  }
  const env = parsed.data;
  const logger = createLogger({ service: 'simulators', level: env.LOG_LEVEL, format: env.LOG_FORMAT });
  const datasheets = defaultDatasheets({
    leads: env.AITABLE_LEADS_DATASHEET_ID,
    orders: env.AITABLE_ORDERS_DATASHEET_ID,
    auditResults: env.AITABLE_AUDIT_RESULTS_DATASHEET_ID,
  });
  const sim = await startSimulators({
    port: env.SIMULATORS_PORT,
    host: env.SIMULATORS_HOST,
    aitable: { datasheets, rateLimitPerSecond: env.SIMULATORS_RATE_LIMIT_PER_SECOND },
    missionx: { tokenTtlSeconds: env.SIMULATORS_TOKEN_TTL_SECONDS },
    latency: {
      aitable: { ms: env.SIMULATORS_AITABLE_LATENCY_MS, jitterMs: env.SIMULATORS_LATENCY_JITTER_MS },
      missionx: { ms: env.SIMULATORS_MISSIONX_LATENCY_MS, jitterMs: env.SIMULATORS_LATENCY_JITTER_MS },
    },
    onRequest: (r) => logger.info(`${r.service} ${r.method} ${r.path} → ${r.status}`, { datasheetId: r.datasheetId }),
  });
  // Fixed demo credentials: printing them is the point, they open nothing but this process.
  logger.info(
    [
      `simulators listening on ${sim.url}`,
      `  AITABLE_BASE_URL=${sim.aitableBaseUrl}`,
      '  AITABLE_API_KEY=sim-aitable-key',
      `  AITABLE_LEADS_DATASHEET_ID=${env.AITABLE_LEADS_DATASHEET_ID}`,
      `  AITABLE_ORDERS_DATASHEET_ID=${env.AITABLE_ORDERS_DATASHEET_ID}`,
      `  AITABLE_AUDIT_RESULTS_DATASHEET_ID=${env.AITABLE_AUDIT_RESULTS_DATASHEET_ID}`,
      `  MISSIONX_BASE_URL=${sim.missionxBaseUrl}`,
      `  MISSIONX_AUTH_URL=${sim.missionxAuthUrl}`,
      '  MISSIONX_CLIENT_ID=sim-client',
      '  MISSIONX_CLIENT_SECRET=sim-secret',
      '  MISSIONX_ORG_ID=sim-org',
      `  control: ${sim.url}/__sim (records: /__sim/aitable/datasheets/<id>/records, portals: /__sim/missionx/clients, requests: /__sim/requests)`,
      `  AITable rate limit: ${env.SIMULATORS_RATE_LIMIT_PER_SECOND}/s per datasheet per token`,
    ].join('\n'),
  );
  const stop = (signal: string) => {
    logger.info(`${signal}: closing the simulators`);
    void sim.close().then(() => process.exit(0));
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error(`simulators failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
