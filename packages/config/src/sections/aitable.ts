import { z } from 'zod';
import { datasheetId, int, stringMap, url } from '../helpers';

/** Which datasheets are ours; needed by every app that routes or reads events. */
export const datasheetsSection = {
  AITABLE_SPACE_ID: z.string().optional(),
  AITABLE_LEADS_DATASHEET_ID: datasheetId(),
  AITABLE_ORDERS_DATASHEET_ID: datasheetId(),
  AITABLE_AUDIT_RESULTS_DATASHEET_ID: datasheetId(),
};

/** What a process that calls the AITable API needs. */
export const aitableApiSection = {
  AITABLE_API_KEY: z.string().min(1),
  AITABLE_BASE_URL: url().default('https://aitable.ai/fusion'),
  /** Requests per second per datasheet, shared by every worker process. @defaultValue 5 */
  AITABLE_RATE_LIMIT_PER_SECOND: int(5, 1, 1000),
  AITABLE_TIMEOUT_MS: int(10_000, 100),
  /** Field-name overrides per datasheet, JSON: {"email":"E-mail"}. Keys are our names, values AITable's. */
  AITABLE_LEAD_FIELDS: stringMap(),
  AITABLE_ORDER_FIELDS: stringMap(),
  AITABLE_AUDIT_FIELDS: stringMap(),
};
