import { createHash } from 'node:crypto';
import { loadConfig } from '@bridge/config';
import { createAuthenticator, passwordWarnings } from '../src/auth';
import { hashPassword, VerifiedLogins } from '../src/passwords';

const users = (DASHBOARD_USERS: string) =>
  loadConfig({ DATABASE_URL: 'postgres://localhost/x', DASHBOARD_USERS }, ['dashboard']).DASHBOARD_USERS;
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
// The smallest cost the config accepts, to keep the test quick; the helper's default is higher.
const QUICK = { N: 2 ** 14, r: 8, p: 1 };

describe('scrypt passwords', () => {
  test('when a user is configured with a scrypt: hash, then the right password logs in and a wrong one does not', async () => {
    const hash = await hashPassword('correct horse battery', QUICK);
    expect(hash).toMatch(/^scrypt:16384:8:1:[A-Za-z0-9+/]+=*:[A-Za-z0-9+/]+=*$/);
    const authenticate = createAuthenticator(users(`ops:${hash}:operator`));
    expect(await authenticate(basic('ops', 'correct horse battery'))).toEqual({ name: 'ops', role: 'operator' });
    expect(await authenticate(basic('ops', 'correct horse battery!'))).toBeUndefined();
    expect(await authenticate(basic('nobody', 'correct horse battery'))).toBeUndefined();
  });

  test('when the same password is hashed twice, then the salts differ', async () => {
    expect(await hashPassword('same-password-1', QUICK)).not.toBe(await hashPassword('same-password-1', QUICK));
  });
});

describe('password warnings at start', () => {
  const sha = `sha256:${createHash('sha256').update('v1ewer-pass').digest('hex')}`;

  test('when production uses a plain password, then it is named in a warning without the password', async () => {
    const configured = users(`ops:plain-pass-1:operator,safe:${await hashPassword('x-long-password', QUICK)}:viewer`);
    const warnings = passwordWarnings(configured, true);
    expect(warnings).toEqual([
      expect.stringMatching(/^DASHBOARD_USERS entry 1 \(user "ops"\) has a plain-text password in production: .*npm run hash-password/),
    ]);
    expect(warnings.join('')).not.toContain('plain-pass-1');
    expect(passwordWarnings(configured, false)).toEqual([]);
  });

  test('when a sha256: hash is configured, then it is reported as deprecated in any environment', () => {
    expect(passwordWarnings(users(`view:${sha}:viewer`), false)).toEqual([
      expect.stringMatching(/entry 1 \(user "view"\) uses an unsalted sha256: hash, which is deprecated/),
    ]);
  });
});

describe('VerifiedLogins', () => {
  test('when one login is checked several times at once and again later, then its password is verified once', async () => {
    const cache = new VerifiedLogins<string>({ ttlMs: 60_000, max: 10 });
    let checks = 0;
    const verify = async () => (++checks, 'ops');
    expect(await Promise.all([cache.get('ops', 'pw', verify), cache.get('ops', 'pw', verify)])).toEqual(['ops', 'ops']);
    expect(await cache.get('ops', 'pw', verify)).toBe('ops');
    expect(checks).toBe(1);
    // Another password is another login.
    await cache.get('ops', 'pw2', verify);
    expect(checks).toBe(2);
  });

  test('when a check fails, then it is not remembered, and a success expires after its time', async () => {
    let now = 0;
    const cache = new VerifiedLogins<string>({ ttlMs: 1000, max: 10, now: () => now });
    let checks = 0;
    const refuse = async () => (++checks, undefined);
    await cache.get('ops', 'bad', refuse);
    await cache.get('ops', 'bad', refuse);
    expect(checks).toBe(2);
    const accept = async () => (++checks, 'ops');
    await cache.get('ops', 'good', accept);
    now = 1001;
    await cache.get('ops', 'good', accept);
    expect(checks).toBe(4);
  });

  test('when full, then the oldest login is dropped first', async () => {
    const cache = new VerifiedLogins<string>({ ttlMs: 60_000, max: 2 });
    const seen: string[] = [];
    const verify = (who: string) => async () => (seen.push(who), who);
    for (const who of ['a', 'b', 'c', 'a']) await cache.get(who, 'pw', verify(who));
    expect(seen).toEqual(['a', 'b', 'c', 'a']);
  });
});
