import { z } from 'zod';
import { int } from '../helpers';

/**
 * Express's `trust proxy`: how many proxies in front are trusted to name the client in
 * X-Forwarded-For (a number), or which addresses are (`loopback`, `uniquelocal`, CIDRs).
 * Off by default, so a client cannot pick the address its limits are counted by.
 */
const trustProxy = () =>
  z
    .string()
    .default('false')
    .transform((v, ctx): number | string[] | false => {
      const s = v.trim();
      if (s === '' || s === 'false' || s === '0') return false;
      if (/^\d+$/.test(s)) return Number(s);
      if (s === 'true') {
        ctx.addIssue({
          code: 'custom',
          message: 'must be a number of proxies or a list of their addresses; true would let any client pick its address',
        });
        return z.NEVER;
      }
      return s
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean);
    });

/** Limits on what unauthenticated clients can make us do, counted in Redis so they hold across processes. */
export const limitsSection = {
  /** Number of proxies in front of ingest/dashboard (e.g. 1 on Railway), or their addresses; limits count per client address. @defaultValue false */
  TRUST_PROXY: trustProxy(),
  /** Unauthenticated webhook/audit requests (bad signature, wrong or missing token, body too large) one source may make per window before 429. @defaultValue 30 */
  INGEST_UNAUTH_LIMIT: int(30, 1, 1_000_000),
  /** The window of INGEST_UNAUTH_LIMIT, and how long a source over it gets 429. @defaultValue 60 */
  INGEST_UNAUTH_WINDOW_SECONDS: int(60, 1, 86_400),
  /**
   * Rows kept per minute, across all sources, for unauthenticated rejects; the rest are only counted
   * (bridge_unauthenticated_rejects_unstored_total), which bounds what a flood can write. @defaultValue 20
   */
  INGEST_UNAUTH_STORED_PER_MINUTE: int(20, 1, 1_000_000),
  /** Failed dashboard logins per user name per window before that name gets 429. @defaultValue 10 */
  LOGIN_FAILURES_PER_USER: int(10, 1, 1_000_000),
  /** Failed dashboard logins per client address per window before that address gets 429. @defaultValue 30 */
  LOGIN_FAILURES_PER_SOURCE: int(30, 1, 1_000_000),
  /** The window of both login limits, and how long a user name or address over them gets 429. @defaultValue 900 */
  LOGIN_FAILURE_WINDOW_SECONDS: int(900, 1, 86_400),
};
