import { z } from 'zod';
import { bool, datasheetId, int, list, stringMap, url } from '../helpers';

/** Which datasheets are ours; needed by every app that routes or reads events. */
export const datasheetsSection = {
  AITABLE_SPACE_ID: z.string().optional(),
  AITABLE_LEADS_DATASHEET_ID: datasheetId(),
  AITABLE_ORDERS_DATASHEET_ID: datasheetId(),
  AITABLE_AUDIT_RESULTS_DATASHEET_ID: datasheetId(),
  /**
   * Field-name overrides per datasheet, JSON: {"email":"E-mail"}. Keys are our names, values AITable's.
   * Here rather than with the API settings because the dashboard and the CLI mask the lead's personal fields by name.
   */
  AITABLE_LEAD_FIELDS: stringMap(),
  AITABLE_ORDER_FIELDS: stringMap(),
  AITABLE_AUDIT_FIELDS: stringMap(),
  /**
   * AITable fields holding personal data that the bridge does not map (it masks the lead mapping's
   * clientName, email and company anyway): masked wherever a viewer reads job data or bodies. @defaultValue Phone
   */
  PERSONAL_DATA_FIELDS: list().default(['Phone']),
  /**
   * Accept `http:` links in an audit result's correctedFileUrl; `https:` always, never `javascript:`, `data:` or `file:`.
   * Here rather than with ingest because the dashboard and the replay CLI check stored deliveries by the same rules.
   * @defaultValue false
   */
  AUDIT_FILE_URL_ALLOW_HTTP: bool(false),
};

/** What a process that calls the AITable API needs. */
export const aitableApiSection = {
  AITABLE_API_KEY: z.string().min(1),
  /** Without `/v1`: the client appends it. @defaultValue https://aitable.ai/fusion */
  AITABLE_BASE_URL: url().default('https://aitable.ai/fusion'),
  /** Requests per second per datasheet, shared by every worker process. @defaultValue 5 */
  AITABLE_RATE_LIMIT_PER_SECOND: int(5, 1, 1000),
  /**
   * Extra milliseconds added to the one-second limiter window. A slot counts from when AITable's
   * answer came back (the latest moment AITable can have counted it), so this only absorbs clock
   * rounding (a few ms); every ms of it costs throughput, as each slot is held window + round trip.
   * @defaultValue 10
   */
  AITABLE_RATE_LIMIT_MARGIN_MS: int(10, 0, 1000),
  /** Redis key prefix of the shared limiter; every process of one deployment must use the same. @defaultValue bridge:aitable:rl */
  AITABLE_RATE_LIMIT_PREFIX: z.string().min(1).default('bridge:aitable:rl'),
  /** Timeout of one HTTP call. @defaultValue 10000 */
  AITABLE_TIMEOUT_MS: int(10_000, 100),
  /** HTTP 429s retried inside one call before it gives up with a throttled error (no attempt spent). @defaultValue 5 */
  AITABLE_THROTTLE_RETRIES: int(5, 0, 50),
  /** Wait after an HTTP 429 (AITable sends no Retry-After), jittered ±20 %. @defaultValue 1000 */
  AITABLE_THROTTLE_BACKOFF_MS: int(1000, 10, 60_000),
};
