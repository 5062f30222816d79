import { createHmac } from 'node:crypto';
import { equalsAnyBytes } from './compare';

/**
 * Standard Webhooks (standardwebhooks.com), for senders that can sign: the signed content is
 * `${webhook-id}.${webhook-timestamp}.${body}`, HMAC-SHA256, base64, sent as `v1,<sig>`
 * (several space-separated while the sender rotates its secret).
 */
export const STANDARD_TOLERANCE_SECONDS = 5 * 60;

export interface StandardHeaders {
  id: string;
  timestamp: string;
  signature: string;
}

export type StandardCheck = 'ok' | 'malformed_signature' | 'timestamp_out_of_tolerance' | 'mismatch';

/** The HMAC key of a secret: `whsec_<base64>` decodes to its bytes; any other secret is used as UTF-8. */
export function standardKey(secret: string): Buffer {
  return secret.startsWith('whsec_') ? Buffer.from(secret.slice('whsec_'.length), 'base64') : Buffer.from(secret, 'utf8');
}

/** Signs like a Standard Webhooks sender; used by tests, benches and the simulators' sender. */
export function signStandard(secret: string, id: string, timestamp: number | string, rawBody: Buffer | string): string {
  const mac = createHmac('sha256', standardKey(secret)).update(`${id}.${timestamp}.`).update(rawBody).digest('base64');
  return `v1,${mac}`;
}

export function checkStandard(
  h: StandardHeaders,
  rawBody: Buffer,
  secrets: readonly string[],
  now: Date,
  toleranceSeconds: number,
): StandardCheck {
  if (!/^\d{1,15}$/.test(h.timestamp)) return 'malformed_signature';
  const skew = Math.abs(Math.floor(now.getTime() / 1000) - Number(h.timestamp));
  if (skew > toleranceSeconds) return 'timestamp_out_of_tolerance';
  const given = h.signature
    .split(' ')
    .map((part) => part.split(','))
    .filter(([version, sig]) => version === 'v1' && sig)
    .map(([, sig]) => Buffer.from(sig ?? '', 'base64'));
  if (given.length === 0) return 'malformed_signature';
  const expected = secrets.map((s) => createHmac('sha256', standardKey(s)).update(`${h.id}.${h.timestamp}.`).update(rawBody).digest());
  // Every given signature against every secret: no early exit.
  let matched = false;
  for (const sig of given) matched = equalsAnyBytes(sig, expected) || matched;
  return matched ? 'ok' : 'mismatch';
}
