import { createHash } from 'node:crypto';
import { loadConfig } from '@bridge/config';
import { createAuthenticator } from '../src/auth';

const base = { DATABASE_URL: 'postgres://localhost/x' };
const users = (DASHBOARD_USERS: string) => loadConfig({ ...base, DASHBOARD_USERS }, ['dashboard']).DASHBOARD_USERS;
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('DASHBOARD_USERS', () => {
  test('when entries are well formed, then each becomes a user with its role, and a password may hold colons', () => {
    const hash = 'a'.repeat(64);
    expect(users(' ops:pa:ss:word1:operator , support:sha256:' + hash + ':viewer')).toEqual([
      { name: 'ops', password: 'pa:ss:word1', role: 'operator' },
      { name: 'support', password: `sha256:${hash}`, role: 'viewer' },
    ]);
    expect(users('')).toEqual([]);
  });

  test.each([
    ['ops:operator', 'entry 1 must be user:password:role'],
    ['ops:long-enough-pass:admin', 'entry 1 has role "admin"; the role must be viewer or operator'],
    ['ops:short:viewer', 'entry 1 (user "ops") has a password shorter than 8 characters'],
    ['ops:sha256:abc:viewer', 'entry 1 (user "ops") has a sha256: password that is not 64 hex digits'],
    ['ops:scrypt:16384:8:1:long-enough-pass:viewer', 'entry 1 (user "ops") has a scrypt: password not of the form scrypt:N:r:p:'],
    [
      `ops:long-enough-pass:viewer,dev:scrypt:1000:8:1:${'A'.repeat(24)}:${'B'.repeat(44)}:viewer`,
      'entry 2 (user "dev") has a scrypt: N that is not a power of two',
    ],
    [`ops:scrypt:16384:8:1:${'A'.repeat(8)}:${'B'.repeat(44)}:viewer`, 'entry 1 (user "ops") has a scrypt: salt shorter than 16 bytes'],
    ['ops:long-enough-pass:viewer,ops:other-long-pass:operator', 'entry 2 repeats the user "ops"'],
    ['o ps:long-enough-pass:viewer', 'entry 1 has a user name with characters'],
  ])('when the value is %j, then the error names the variable and the entry without echoing the password', (value, message) => {
    const thrown = (() => {
      try {
        users(value);
        return undefined;
      } catch (err) {
        return err as Error;
      }
    })();
    expect(thrown?.message).toContain(`DASHBOARD_USERS ${message}`);
    expect(thrown?.message).not.toMatch(/long-enough-pass|other-long-pass|AAAA|BBBB/);
  });
});

describe('authenticate', () => {
  const authenticate = createAuthenticator(
    users('ops:s3cret-pass:operator,view:sha256:' + createHash('sha256').update('v1ewer-pass').digest('hex') + ':viewer'),
  );

  test('when the Basic credentials match a plain or a hashed password, then the user and role are found', async () => {
    expect(await authenticate(basic('ops', 's3cret-pass'))).toEqual({ name: 'ops', role: 'operator' });
    expect(await authenticate(basic('view', 'v1ewer-pass'))).toEqual({ name: 'view', role: 'viewer' });
  });

  test('when anything is off, then nobody is found', async () => {
    for (const header of [
      undefined,
      '',
      'Bearer x',
      'Basic !!!',
      basic('ops', 'S3cret-pass'),
      basic('view', 's3cret-pass'),
      basic('', 's3cret-pass'),
      `Basic ${Buffer.from('no-colon').toString('base64')}`,
    ]) {
      expect(await authenticate(header)).toBeUndefined();
    }
  });
});
