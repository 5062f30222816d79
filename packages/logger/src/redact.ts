import { isPersonalKey } from '@bridge/privacy';

/**
 * Keys whose values never reach a log line: credentials and signatures, whole CRM records and
 * bodies, and personal data as @bridge/privacy defines it. Matched case-insensitively, anywhere
 * in a nested object. Logs drop these values entirely; screens mask them (see MaskPolicy).
 */
const SECRET_OR_RECORD =
  /(authorization|cookie|secret|password|passwd|token|api[-_]?key|signature|^fields$|raw[-_]?body|database_url|redis_url|dashboard_users)/i;

export const REDACTED = '[redacted]';

export function isSensitiveKey(key: string): boolean {
  return SECRET_OR_RECORD.test(key) || isPersonalKey(key);
}

/** A deep copy with sensitive keys replaced; cycles and depth are bounded. */
export function redact(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth > 8 || seen.has(value)) return '[…]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1, seen));
  if (value instanceof Error) return { name: value.name, message: value.message };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = isSensitiveKey(k) ? REDACTED : redact(v, depth + 1, seen);
  return out;
}
