import { JOBS } from '@bridge/queues/contracts';
import { z } from 'zod';
import { int, url } from '../helpers';

export const missionxSection = {
  MISSIONX_BASE_URL: url().default('https://open.api.missionx.ai/v2'),
  MISSIONX_AUTH_URL: url().default('https://open.api.missionx.ai/auth/token'),
  MISSIONX_CLIENT_ID: z.string().min(1),
  MISSIONX_CLIENT_SECRET: z.string().min(1),
  MISSIONX_ORG_ID: z.string().min(1),
  /** Portal link written back to the lead: ours, MissionX documents no portal URL; `{clientId}` and `{customId}` are replaced. */
  MISSIONX_PORTAL_URL_TEMPLATE: z
    .string()
    .regex(/\{(clientId|customId)\}/, 'must contain {clientId} or {customId}')
    .default('https://app.missionx.ai/portal/{clientId}'),
  /** Timeout of one HTTP call, token requests included. @defaultValue 10000 */
  MISSIONX_TIMEOUT_MS: int(10_000, 100),
  /** A cached token is renewed this long before `expires_in` runs out (at most 10 % of its lifetime). @defaultValue 60 */
  MISSIONX_TOKEN_REFRESH_MARGIN_SECONDS: int(60, 0, 3600),
  /**
   * MissionX requests at once per worker process for a backfill's jobs (MissionX documents no rate
   * limit; bulk work keeps to this). Live jobs never wait for it. @defaultValue 10
   */
  MISSIONX_BULK_CONCURRENCY: int(10, 1, 100),
  /**
   * After a create whose answer was lost, clients updated since (create time − this) are searched:
   * room for MissionX's clock to run behind ours. @defaultValue 60000
   */
  MISSIONX_CLOCK_SKEW_MS: int(60_000, 0, 3_600_000),
  /**
   * A create whose answer was lost and whose client is not found yet is looked up again (the job
   * waits, spending no attempt) until it is this old: it may still land. Then a full scan, then a
   * new create. @defaultValue 30000
   */
  MISSIONX_CREATE_SETTLE_MS: int(30_000, 0, 3_600_000),
  /**
   * How often clients and projects changed in MissionX are read and written to their leads (archived
   * client → Portal Status, latest project → Project Status); 0 turns it off. @defaultValue the catalog's, 60000
   */
  MISSIONX_POLL_INTERVAL_MS: int(JOBS.missionxPoll.schedule.everyMs, 0).refine(
    (v) => v === 0 || v >= 100,
    'must be 0 (off) or at least 100',
  ),
};
