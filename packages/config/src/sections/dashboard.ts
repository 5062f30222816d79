import { z } from 'zod';
import { bool, int, port } from '../helpers';
import { parseStoredPassword } from '../stored-password';
import { metricsPort } from './http';

export const DASHBOARD_ROLES = ['viewer', 'operator'] as const;
export type DashboardRole = (typeof DASHBOARD_ROLES)[number];

/** One dashboard login. `password` is plain text, `scrypt:N:r:p:salt:hash` or (deprecated) `sha256:<64 hex>`. */
export interface DashboardUser {
  name: string;
  password: string;
  role: DashboardRole;
}

/** What is wrong with one parsed entry, or undefined when it is a valid, new user. */
function entryProblem(
  u: { name: string; password: string; role: string },
  wellFormed: boolean,
  seen: readonly DashboardUser[],
): string | undefined {
  if (!wellFormed) return 'must be user:password:role';
  if (!/^[A-Za-z0-9._@-]+$/.test(u.name)) return 'has a user name with characters other than letters, digits and ._@-';
  if (!DASHBOARD_ROLES.includes(u.role as DashboardRole)) return `has role "${u.role.slice(0, 20)}"; the role must be viewer or operator`;
  const password = parseStoredPassword(u.password);
  // The user is named so the entry is easy to find; the name was checked above, the password is never shown.
  if (!password.ok) return `(user "${u.name}") ${password.problem}`;
  if (seen.some((s) => s.name === u.name)) return `repeats the user "${u.name}"`;
  return undefined;
}

/**
 * `user:password:role` entries, comma-separated. The user is what comes before the first
 * colon and the role what comes after the last, so a password may contain colons (which is
 * how `scrypt:…` and `sha256:<hex>` fit) but not commas. Errors name the entry, never echo a password.
 */
const dashboardUsers = () =>
  z
    .string()
    .default('')
    .transform((v, ctx) => {
      const users: DashboardUser[] = [];
      const entries = v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      entries.forEach((entry, i) => {
        const first = entry.indexOf(':');
        const last = entry.lastIndexOf(':');
        const user = { name: entry.slice(0, first), password: entry.slice(first + 1, last), role: entry.slice(last + 1) as DashboardRole };
        const problem = entryProblem(user, first >= 1 && last > first, users);
        if (problem) ctx.addIssue({ code: 'custom', message: `entry ${i + 1} ${problem}` });
        else users.push(user);
      });
      return users;
    });

export const dashboardSection = {
  /** @defaultValue 3001 */
  DASHBOARD_PORT: port(3001),
  /**
   * Who may log in to the dashboard (HTTP Basic): `user:password:role` entries,
   * comma-separated; role `viewer` (read-only) or `operator` (retry, replay, clean, fix
   * deliveries). A password may be given as `scrypt:N:r:p:salt:hash` (`npm run hash-password`),
   * the form for production; plain text is for development; `sha256:<hex>` is deprecated.
   * Example: `ops:scrypt:32768:8:1:…:…:operator,dev:s3cret-pass:viewer`.
   */
  DASHBOARD_USERS: dashboardUsers(),
  /**
   * Allows starting without DASHBOARD_USERS; everyone is then an operator. Only for a
   * developer's machine. @defaultValue false
   */
  DASHBOARD_ALLOW_NO_AUTH: bool(false),
  /**
   * Postgres connections of the dashboard's own pool: viewers can wait for each other, never
   * starve the workers of connections. @defaultValue 4
   */
  DASHBOARD_DB_POOL_MAX: int(4, 1, 100),
  /**
   * Longest one dashboard query may run; a slower one is cancelled and answered 503, so a heavy
   * view cannot hold a connection. @defaultValue 5000
   */
  DASHBOARD_DB_STATEMENT_TIMEOUT_MS: int(5000, 100),
  /** Serve `/metrics` on this port instead of DASHBOARD_PORT. */
  DASHBOARD_METRICS_PORT: metricsPort(),
};
