import { auditResultInputSchemaFor, type AuditResultInput } from '@bridge/queues/contracts';
import { parseJsonBody, type BodyRejection } from './json-body';
import { payloadRejection } from './parse-delivery';

export type AuditResultParse = { ok: true; audit: AuditResultInput } | BodyRejection;

const SCHEMAS = {
  https: auditResultInputSchemaFor({ allowHttpFileUrls: false }),
  http: auditResultInputSchemaFor({ allowHttpFileUrls: true }),
};

export interface AuditResultOptions {
  /** AUDIT_FILE_URL_ALLOW_HTTP: `http:` file links are accepted too. @defaultValue false */
  allowHttpFileUrls?: boolean;
}

/**
 * Content type, JSON and shape of an audit engine submission, in that order; the first problem
 * found is the answer. Pure, so ingest and the re-validation of a stored delivery agree.
 */
export function parseAuditResult(rawBody: Buffer, contentType: string | undefined, opts: AuditResultOptions = {}): AuditResultParse {
  const json = parseJsonBody(rawBody, contentType);
  if (!json.ok) return json;
  const parsed = SCHEMAS[opts.allowHttpFileUrls ? 'http' : 'https'].safeParse(json.value);
  return parsed.success ? { ok: true, audit: parsed.data } : payloadRejection(parsed.error, 'audit result');
}
