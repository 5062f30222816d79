import type { Logger } from '@bridge/logger';

export type MissionxOperation = 'token' | 'listClients' | 'listProjects' | 'createClient' | 'updateClient';

/** Observation points for metrics; the client never imports `@bridge/metrics` itself. Hooks must not throw. */
export interface MissionxHooks {
  /** One HTTP exchange finished: `status` is the HTTP status or `timeout` / `network` / `bad_response`. */
  onCall?(operation: MissionxOperation, status: string, seconds: number): void;
}

export interface MissionxClientOptions {
  /** E.g. `https://open.api.missionx.ai/v2`. */
  baseUrl: string;
  /** OAuth2 token endpoint, e.g. `https://open.api.missionx.ai/auth/token`. */
  authUrl: string;
  clientId: string;
  clientSecret: string;
  /** Sent as the `Org-Id` header on the token call and on every API call. */
  orgId: string;
  /** Portal link: ours, MissionX documents none; `{clientId}` and `{customId}` are replaced. */
  portalUrlTemplate: string;
  /** Timeout of one HTTP call, token requests included. @defaultValue 10000 */
  timeoutMs?: number;
  /** Renew a cached token this long before it expires (at most 10 % of its lifetime). @defaultValue 60 */
  refreshMarginSeconds?: number;
  /** Requests at once for bulk work (a backfill's jobs), per client; live calls never wait for it. @defaultValue 10 */
  bulkConcurrency?: number;
  hooks?: MissionxHooks;
  logger?: Logger;
  /** Clock for token expiry (tests move it forward). @defaultValue Date.now */
  now?: () => number;
}

/** The config variables the client reads (a structural subset of `@bridge/config`'s `missionx` section). */
export interface MissionxConfigVars {
  MISSIONX_BASE_URL: string;
  MISSIONX_AUTH_URL: string;
  MISSIONX_CLIENT_ID: string;
  MISSIONX_CLIENT_SECRET: string;
  MISSIONX_ORG_ID: string;
  MISSIONX_PORTAL_URL_TEMPLATE: string;
  MISSIONX_TIMEOUT_MS: number;
  MISSIONX_TOKEN_REFRESH_MARGIN_SECONDS: number;
  MISSIONX_BULK_CONCURRENCY: number;
}

/** Client options from the loaded config, plus hooks and logger. */
export function missionxOptionsFromConfig(
  config: MissionxConfigVars,
  deps: { hooks?: MissionxHooks; logger?: Logger } = {},
): MissionxClientOptions {
  return {
    baseUrl: config.MISSIONX_BASE_URL,
    authUrl: config.MISSIONX_AUTH_URL,
    clientId: config.MISSIONX_CLIENT_ID,
    clientSecret: config.MISSIONX_CLIENT_SECRET,
    orgId: config.MISSIONX_ORG_ID,
    portalUrlTemplate: config.MISSIONX_PORTAL_URL_TEMPLATE,
    timeoutMs: config.MISSIONX_TIMEOUT_MS,
    refreshMarginSeconds: config.MISSIONX_TOKEN_REFRESH_MARGIN_SECONDS,
    bulkConcurrency: config.MISSIONX_BULK_CONCURRENCY,
    ...deps,
  };
}
