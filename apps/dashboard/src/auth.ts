import { randomBytes } from 'node:crypto';
import { parseStoredPassword, type Config, type StoredPassword } from '@bridge/config';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { passwordMatches, VerifiedLogins } from './passwords';

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
/** How long a verified login is trusted without checking its password again. */
const VERIFIED_TTL_MS = 5 * 60_000;

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

function stored(u: DashboardUser): StoredPassword {
  const parsed = parseStoredPassword(u.password);
  if (!parsed.ok) throw new Error(`dashboard user "${u.name}" ${parsed.problem}`);
  return parsed.password;
}

function parseBasic(header: string | undefined): { name: string; password: string } | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { name: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Checks a Basic `Authorization` header against the users; resolves with who it is, or undefined. */
export type Authenticator = (header: string | undefined) => Promise<Principal | undefined>;

/**
 * An unknown name is checked against a stand-in password as costly as the configured ones, so
 * the answer's timing does not tell which names exist. Verified logins are remembered a while
 * (see VerifiedLogins): scrypt is slow on purpose and Bull Board loads many assets per page.
 */
export function createAuthenticator(users: readonly DashboardUser[]): Authenticator {
  const byName = new Map(users.map((u) => [u.name, { principal: { name: u.name, role: u.role }, password: stored(u) }]));
  const scryptUser = [...byName.values()].find((u) => u.password.kind === 'scrypt');
  const standIn = scryptUser?.password ?? { kind: 'plain', value: randomBytes(16).toString('hex') };
  const verified = new VerifiedLogins<Principal>({ ttlMs: VERIFIED_TTL_MS, max: 1000 });
  return async (header) => {
    const creds = parseBasic(header);
    if (!creds) return undefined;
    return verified.get(creds.name, creds.password, async () => {
      const user = byName.get(creds.name);
      const ok = await passwordMatches(creds.password, user?.password ?? standIn);
      return ok && user ? user.principal : undefined;
    });
  };
}

/** Log lines for logins configured in a weak form; `main` logs them once at start. */
export function passwordWarnings(users: readonly DashboardUser[], production: boolean): string[] {
  const hint = 'replace it with the output of `npm run hash-password`';
  return users.flatMap((u, i) => {
    const kind = stored(u).kind;
    const entry = `DASHBOARD_USERS entry ${i + 1} (user "${u.name}")`;
    if (kind === 'sha256') return [`${entry} uses an unsalted sha256: hash, which is deprecated: ${hint}.`];
    if (kind === 'plain' && production) return [`${entry} has a plain-text password in production: ${hint}.`];
    return [];
  });
}

/**
 * HTTP Basic authentication for every route behind it. Throws NoDashboardUsersError when no
 * users are configured and `allowNoAuth` is not set.
 */
export function basicAuth(opts: AuthOptions): RequestHandler {
  if (opts.users.length === 0 && !opts.allowNoAuth) throw new NoDashboardUsersError();
  const open = opts.users.length === 0;
  const authenticate = createAuthenticator(opts.users);
  return async (req: Request, res: Response, next: NextFunction) => {
    const principal = open ? { name: 'local-dev', role: 'operator' as const } : await authenticate(req.headers.authorization);
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
