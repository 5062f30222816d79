import { createHash, timingSafeEqual } from 'node:crypto';

/** Lowercase hex SHA-256 of some bytes (also the `bodyHash` of a delivery). */
export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

function sha256(data: Buffer | string): Buffer {
  return createHash('sha256').update(data).digest();
}

/**
 * True when `candidate` equals at least one of `expected`, compared in constant time.
 * Every entry is compared (no early exit), so during a rotation the timing does not tell
 * which secret matched. Entries of another length than the candidate still cost one
 * comparison, so the loop's time does not depend on them either.
 */
export function equalsAnyBytes(candidate: Buffer, expected: readonly Buffer[]): boolean {
  let matched = false;
  for (const e of expected) {
    const same = e.length === candidate.length ? timingSafeEqual(e, candidate) : !timingSafeEqual(e, e);
    matched = same || matched;
  }
  return matched;
}

/**
 * Constant-time "is this string one of these secrets": both sides are hashed first, so
 * secrets of different lengths compare as equal-length buffers and the length of a secret
 * is not revealed either.
 */
export function equalsAnySecret(candidate: string, secrets: readonly string[]): boolean {
  return equalsAnyBytes(
    sha256(candidate),
    secrets.map((s) => sha256(s)),
  );
}
