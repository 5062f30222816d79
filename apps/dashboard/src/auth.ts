import { createHash, timingSafeEqual } from 'node:crypto';
import type { Config } from '@bridge/config';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

/** One login from DASHBOARD_USERS, as the config parsed it. */
export type DashboardUser = Config<'dashboard'>['DASHBOARD_USERS'][number];
export type DashboardRole = DashboardUser['role'];

/** Who is asking, set on `res.locals.principal` by the auth middleware. */
export interface Principal {
  name: string;
  role: DashboardRole;
}

export interface AuthOptions {
  users: readonly DashboardUser[];
  /** No users and this set: everyone is an operator (local development only). */
  allowNoAuth: boolean;
}

const REALM = 'Basic realm="aitable-bridge dashboard", charset="UTF-8"';
const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** Thrown at start-up when the dashboard would be open to anyone without being told so. */
export class NoDashboardUsersError extends Error {
  constructor() {
    super(
      'DASHBOARD_USERS is empty: the dashboard can retry, clean and replay jobs and must not run without logins. ' +
        'Set DASHBOARD_USERS=user:password:operator[,user2:password2:viewer], or DASHBOARD_ALLOW_NO_AUTH=true on a developer machine only.',
    );
    this.name = 'NoDashboardUsersError';
  }
}

function passwordMatches(given: string, stored: string): boolean {
  // Both sides hashed first: equal-length buffers for timingSafeEqual, and a stored
  // `sha256:<hex>` is compared the same way as a plain one.
  const expected = stored.startsWith('sha256:') ? Buffer.from(stored.slice(7), 'hex') : sha256(stored);
  return timingSafeEqual(sha256(given), expected);
}

function parseBasic(header: string | undefined): { name: string; password: string } | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { name: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Finds the user; every user's password is compared, so timing does not reveal which names exist. */
export function authenticate(users: readonly DashboardUser[], header: string | undefined): Principal | undefined {
  const creds = parseBasic(header);
  if (!creds) return undefined;
  let found: Principal | undefined;
  for (const u of users) {
    const ok = passwordMatches(creds.password, u.password);
    if (ok && u.name === creds.name) found = { name: u.name, role: u.role };
  }
  return found;
}

/**
 * HTTP Basic authentication for every route behind it. Throws NoDashboardUsersError when no
 * users are configured and `allowNoAuth` is not set.
 */
export function basicAuth(opts: AuthOptions): RequestHandler {
  if (opts.users.length === 0 && !opts.allowNoAuth) throw new NoDashboardUsersError();
  const open = opts.users.length === 0;
  return (req: Request, res: Response, next: NextFunction) => {
    const principal = open ? { name: 'local-dev', role: 'operator' as const } : authenticate(opts.users, req.headers.authorization);
    if (!principal) {
      res.setHeader('WWW-Authenticate', REALM);
      res.status(401).json({ error: 'unauthorized', message: 'Log in with a DASHBOARD_USERS user name and password (HTTP Basic).' });
      return;
    }
    res.locals.principal = principal;
    next();
  };
}

export function principalOf(res: Response): Principal {
  return res.locals.principal as Principal;
}

/** Lets operators through; viewers get 403 with a message saying what they lack. */
export const requireOperator: RequestHandler = (_req, res, next) => {
  const p = principalOf(res);
  if (p.role === 'operator') return next();
  res.status(403).json({ error: 'forbidden', message: `${p.name} is a viewer; this action needs the operator role.` });
};
