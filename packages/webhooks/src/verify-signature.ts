import { createHmac } from 'node:crypto';
import { equalsAnyBytes, equalsAnySecret } from './compare';
import { headerValue, type HeaderBag } from './headers';
import { STANDARD_TOLERANCE_SECONDS, checkStandard } from './standard-webhooks';

/** Which proofs are accepted: `hmac` a signature (X-AITable-Signature HMAC or Standard Webhooks), `token` the bare shared secret, `any` either. */
export type AuthMode = 'hmac' | 'token' | 'any';
export type SignatureMethod = 'hmac' | 'token' | 'standard';
/** Why a delivery failed authentication; for logs and metrics only, never for the sender. */
export type SignatureFailure =
  'no_secrets' | 'missing_signature' | 'malformed_signature' | 'mismatch' | 'method_not_allowed' | 'timestamp_out_of_tolerance';

/** `webhookId` is the whole `webhook-id` a Standard Webhooks signature covers: it names the message. */
export type VerifyResult = { ok: true; method: SignatureMethod; webhookId?: string } | { ok: false; reason: SignatureFailure };

export interface VerifyInput {
  /** The body bytes exactly as received: signatures are never checked on re-serialised JSON. */
  rawBody: Buffer;
  headers: HeaderBag;
  /** Every secret currently accepted (several during a rotation). */
  secrets: readonly string[];
  mode: AuthMode;
  /** Clock for the Standard Webhooks timestamp window. @defaultValue `new Date()` */
  now?: Date;
  /** @defaultValue 300 (5 minutes, both ways) */
  toleranceSeconds?: number;
}

export const AITABLE_SIGNATURE_HEADER = 'x-aitable-signature';
const HEX_HMAC = /^(?:sha256=)?([0-9a-f]{64})$/i;

/** HMAC-SHA256 of the raw body in hex, as a relay or test sender puts it in X-AITable-Signature. */
export function signHmac(secret: string, rawBody: Buffer | string): string {
  return createHmac('sha256', secret).update(rawBody).digest('hex');
}

/**
 * Authenticates a webhook delivery. Never throws. When `webhook-signature` is present the
 * Standard Webhooks form is checked; otherwise `X-AITable-Signature`, which holds either the
 * hex HMAC of the body (optionally `sha256=`) or, since AITable automations can only send
 * static headers, the shared secret itself.
 */
export function verifySignature(input: VerifyInput): VerifyResult {
  const { rawBody, headers, secrets, mode } = input;
  if (secrets.length === 0) return { ok: false, reason: 'no_secrets' };
  const standardSig = headerValue(headers, 'webhook-signature');
  if (standardSig !== undefined) {
    if (mode === 'token') return { ok: false, reason: 'method_not_allowed' };
    const id = headerValue(headers, 'webhook-id');
    const timestamp = headerValue(headers, 'webhook-timestamp');
    if (id === undefined || timestamp === undefined) return { ok: false, reason: 'malformed_signature' };
    const now = input.now ?? new Date();
    const check = checkStandard(
      { id, timestamp, signature: standardSig },
      rawBody,
      secrets,
      now,
      input.toleranceSeconds ?? STANDARD_TOLERANCE_SECONDS,
    );
    return check === 'ok' ? { ok: true, method: 'standard', webhookId: id } : { ok: false, reason: check };
  }
  const value = headerValue(headers, AITABLE_SIGNATURE_HEADER);
  if (value === undefined) return { ok: false, reason: 'missing_signature' };
  return checkAitableHeader(value, rawBody, secrets, mode);
}

function checkAitableHeader(value: string, rawBody: Buffer, secrets: readonly string[], mode: AuthMode): VerifyResult {
  const hex = HEX_HMAC.exec(value)?.[1];
  // Both forms are always computed, so the time taken does not depend on which one matched.
  const hmacOk =
    hex !== undefined &&
    equalsAnyBytes(
      Buffer.from(hex, 'hex'),
      secrets.map((s) => createHmac('sha256', s).update(rawBody).digest()),
    );
  const tokenOk = equalsAnySecret(value, secrets);
  if (mode === 'hmac') {
    if (hmacOk) return { ok: true, method: 'hmac' };
    if (tokenOk) return { ok: false, reason: 'method_not_allowed' };
    return { ok: false, reason: hex === undefined ? 'malformed_signature' : 'mismatch' };
  }
  if (mode === 'token') {
    if (tokenOk) return { ok: true, method: 'token' };
    return { ok: false, reason: hmacOk ? 'method_not_allowed' : 'mismatch' };
  }
  if (hmacOk) return { ok: true, method: 'hmac' };
  if (tokenOk) return { ok: true, method: 'token' };
  return { ok: false, reason: 'mismatch' };
}
