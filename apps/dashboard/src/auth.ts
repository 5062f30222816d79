import { randomBytes } from 'node:crypto';
import { parseStoredPassword, SCRYPT_DEFAULTS, type Config, type StoredPassword } from '@bridge/config';
import { throttled } from '@bridge/errors';
import { sourceKey, type FailureLimit } from '@bridge/http-server';
import type { Metrics } from '@bridge/metrics';
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

/** Counts failed logins in Redis, per user name and per client address (LOGIN_FAILURES_*). */
export interface LoginLimits {
  perUser: FailureLimit;
  perSource: FailureLimit;
}

/** What a login attempt is checked with besides the users: its limits and the series it counts in. */
export interface LoginGuards {
  limits?: LoginLimits;
  metrics?: Pick<Metrics, 'passwordChecks' | 'loginsRefused'>;
}

/**
 * Checks Basic credentials from `source` (a client address): resolves with who it is, or
 * undefined; rejects with a throttled AppError (429 + Retry-After) when the name or the
 * address is over its failed-login limit.
 */
export type Authenticator = (header: string | undefined, source?: string) => Promise<Principal | undefined>;

const throttledLogin = (seconds: number) =>
  throttled('too_many_failed_logins', `Too many failed logins; try again in ${seconds} s.`, seconds * 1000);

/**
 * Every check costs the same whatever the name: one scrypt, against the user's own hash or, for
 * an unknown name and for plain or sha256 users, against a stand-in with the configured scrypt
 * parameters (so the answer's timing does not tell which names exist, nor which are hashed how).
 * Verified logins are remembered a while (see VerifiedLogins): scrypt is slow on purpose and
 * Bull Board loads many assets per page; those never touch the limits. A failure is counted per
 * name and per address; once either is over its limit, it is answered 429 without a check.
 */
export function createAuthenticator(users: readonly DashboardUser[], guards: LoginGuards = {}): Authenticator {
  const byName = new Map(users.map((u) => [u.name, { principal: { name: u.name, role: u.role }, password: stored(u) }]));
  const scryptUser = [...byName.values()].find((u) => u.password.kind === 'scrypt')?.password;
  const standIn: StoredPassword = {
    kind: 'scrypt',
    params: scryptUser?.kind === 'scrypt' ? scryptUser.params : SCRYPT_DEFAULTS,
    salt: randomBytes(16),
    hash: randomBytes(32),
  };
  const { limits, metrics } = guards;
  const check = async (given: string, password: StoredPassword | undefined): Promise<boolean> => {
    const costly = password?.kind === 'scrypt' ? password : standIn;
    metrics?.passwordChecks.inc({ hash: 'scrypt' });
    const scryptOk = await passwordMatches(given, costly);
    if (password === undefined) return false;
    if (password.kind === 'scrypt') return scryptOk;
    metrics?.passwordChecks.inc({ hash: password.kind });
    return passwordMatches(given, password);
  };
  const verified = new VerifiedLogins<Principal>({ ttlMs: VERIFIED_TTL_MS, max: 1000 });
  return async (header, source = 'unknown') => {
    const creds = parseBasic(header);
    if (!creds) return undefined;
    const nameKey = creds.name.slice(0, 200);
    return verified.get(creds.name, creds.password, async () => {
      if (limits) {
        const wait = Math.max(await limits.perUser.blockedFor(nameKey), await limits.perSource.blockedFor(source));
        if (wait > 0) throw throttledLogin(wait);
      }
      const user = byName.get(creds.name);
      if (await check(creds.password, user?.password)) {
        await limits?.perUser.reset(nameKey);
        return user!.principal;
      }
      const waits = limits ? await Promise.all([limits.perUser.fail(nameKey), limits.perSource.fail(source)]) : [0];
      if (Math.max(...waits) > 0) throw throttledLogin(Math.max(...waits));
      return undefined;
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
 * users are configured and `allowNoAuth` is not set. A refused login is 401, or 429 with
 * Retry-After (through the error middleware) once its name or address is over a limit.
 */
export function basicAuth(opts: AuthOptions & LoginGuards): RequestHandler {
  if (opts.users.length === 0 && !opts.allowNoAuth) throw new NoDashboardUsersError();
  const open = opts.users.length === 0;
  const authenticate = createAuthenticator(opts.users, opts);
  return async (req: Request, res: Response, next: NextFunction) => {
    const header = req.headers.authorization;
    let principal: Principal | undefined;
    try {
      principal = open ? { name: 'local-dev', role: 'operator' } : await authenticate(header, sourceKey(req.ip));
    } catch (err) {
      opts.metrics?.loginsRefused.inc({ why: 'throttled' });
      return next(err);
    }
    if (!principal) {
      if (header) opts.metrics?.loginsRefused.inc({ why: 'wrong' });
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
