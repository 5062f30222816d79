import { createHash, createHmac, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { formatScryptPassword, SCRYPT_DEFAULTS, type ScryptParams, type StoredPassword } from '@bridge/config';

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest();

function derive(password: string, salt: Buffer, keylen: number, { N, r, p }: ScryptParams): Promise<Buffer> {
  // Off the event loop (libuv's pool); maxmem above the 128·N·r scrypt needs, which the config bounds.
  return new Promise((resolve, reject) =>
    scrypt(password, salt, keylen, { N, r, p, maxmem: 256 * N * r }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/** A new `scrypt:N:r:p:salt:hash` string for DASHBOARD_USERS, with a random 16-byte salt. */
export async function hashPassword(password: string, params: ScryptParams = SCRYPT_DEFAULTS): Promise<string> {
  const salt = randomBytes(16);
  return formatScryptPassword(params, salt, await derive(password, salt, 32, params));
}

/** Compares in constant time for every form; a scrypt check takes as long as its parameters say, on purpose. */
export async function passwordMatches(given: string, stored: StoredPassword): Promise<boolean> {
  switch (stored.kind) {
    case 'scrypt':
      return timingSafeEqual(await derive(given, stored.salt, stored.hash.length, stored.params), stored.hash);
    case 'sha256':
      return timingSafeEqual(sha256(given), stored.digest);
    case 'plain':
      // Both sides hashed: equal lengths for timingSafeEqual, so the length does not leak.
      return timingSafeEqual(sha256(given), sha256(stored.value));
  }
}

/**
 * Logins verified recently, so a browser sending Basic credentials with every Bull Board
 * asset pays for one scrypt check, not one per request. Keyed by an HMAC of name and password
 * under a key that lives only in this process: the map never holds a password, nor anything
 * that can be checked against a guess outside it. Only successes are kept, for `ttlMs`.
 */
export class VerifiedLogins<T> {
  private readonly key = randomBytes(32);
  private readonly entries = new Map<string, { value: Promise<T | undefined>; expires: number }>();

  constructor(private readonly opts: { ttlMs: number; max: number; now?: () => number }) {}

  /** The cached outcome, or `verify`'s; concurrent calls with the same login share one check. */
  get(name: string, password: string, verify: () => Promise<T | undefined>): Promise<T | undefined> {
    const now = (this.opts.now ?? Date.now)();
    const id = createHmac('sha256', this.key).update(name).update('\0').update(password).digest('base64');
    const hit = this.entries.get(id);
    if (hit && hit.expires > now) return hit.value;
    this.entries.delete(id);
    if (this.entries.size >= this.opts.max) this.entries.delete(this.entries.keys().next().value!);
    const value = verify();
    this.entries.set(id, { value, expires: now + this.opts.ttlMs });
    // A failure is not remembered: the next try is checked again (and pays for it).
    const forget = () => this.entries.get(id)?.value === value && this.entries.delete(id);
    value.then((v) => v === undefined && forget(), forget);
    return value;
  }
}
