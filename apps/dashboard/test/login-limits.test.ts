import { loadConfig } from '@bridge/config';
import { createMetrics } from '@bridge/metrics';
import { createRedis, type RedisConnection } from '@bridge/queues';
import { deleteKeysUnder, TEST_REDIS_URL, uniquePrefix } from '@bridge/testkit';
import request from 'supertest';
import { createAuthenticator, type DashboardUser } from '../src/auth';
import { hashPassword } from '../src/passwords';
import { DASHBOARD_SECTIONS, loginLimitsFromConfig } from '../src/server';
import { OPERATOR, startTestDashboard, VIEWER, type TestDashboard } from './build-app';

jest.setTimeout(120_000);

const PER_USER = 3;
const PER_SOURCE = 5;
const SCRYPT_USER = { name: 'sam', password: 'scrypt-pass-1' };
const limitsPrefix = uniquePrefix('login');
let users: DashboardUser[];
let a: TestDashboard;
let b: TestDashboard;
const stores: RedisConnection[] = [];

/** Two dashboards, as two processes run them: each its own Redis connection and limiter objects, the counts shared in Redis. */
beforeAll(async () => {
  const config = loadConfig(
    {
      DATABASE_URL: 'postgres://unused',
      AITABLE_LEADS_DATASHEET_ID: 'dstL',
      AITABLE_ORDERS_DATASHEET_ID: 'dstO',
      AITABLE_AUDIT_RESULTS_DATASHEET_ID: 'dstA',
      QUEUE_PREFIX: limitsPrefix,
      LOGIN_FAILURES_PER_USER: String(PER_USER),
      LOGIN_FAILURES_PER_SOURCE: String(PER_SOURCE),
      LOGIN_FAILURE_WINDOW_SECONDS: '600',
      TRUST_PROXY: '1',
    },
    DASHBOARD_SECTIONS,
  );
  users = [
    { ...OPERATOR, role: 'operator' as const },
    { name: VIEWER.name, password: 'sha256:952d55fa328ff96568fe99c2dc926db490f9bb41dbe780018584510ff4f4c572', role: 'viewer' as const },
    { name: SCRYPT_USER.name, password: await hashPassword(SCRYPT_USER.password, { N: 2 ** 14, r: 8, p: 1 }), role: 'viewer' as const },
  ];
  const start = (over: object) => {
    const store = createRedis(TEST_REDIS_URL, 'producer', { enableOfflineQueue: true });
    stores.push(store);
    return startTestDashboard({ users, trustProxy: config.TRUST_PROXY, loginLimits: loginLimitsFromConfig(config, store), ...over });
  };
  [a, b] = await Promise.all([start({}), start({})]);
});
afterAll(async () => {
  await Promise.all([a?.close(), b?.close(), ...stores.map((s) => s.quit())]);
  await deleteKeysUnder(limitsPrefix);
});

const login = (t: TestDashboard, name: string, password: string, from: string) =>
  request(t.app).get('/api/status').auth(name, password).set('X-Forwarded-For', from);

describe('failed dashboard logins are limited, across processes', () => {
  test('when one user name fails PER_USER times (from different addresses, on either app), then it gets 429 with Retry-After, even with the right password', async () => {
    for (let i = 0; i < PER_USER; i++) {
      expect((await login(i % 2 ? a : b, OPERATOR.name, `wrong-${i}`, `198.51.100.${i + 1}`)).status).toBe(401);
    }
    const over = await login(a, OPERATOR.name, 'wrong-again', '198.51.100.50');
    expect(over.status).toBe(429);
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
    expect(over.body).toMatchObject({ error: 'too_many_failed_logins', message: expect.stringMatching(/try again in \d+ s/) });
    const right = await login(b, OPERATOR.name, OPERATOR.password, '198.51.100.51');
    expect(right.status).toBe(429);
    expect(Number(right.headers['retry-after'])).toBeGreaterThan(0);
    // Another user, from an address that has not failed, is not affected.
    expect((await login(b, VIEWER.name, VIEWER.password, '198.51.100.52')).status).toBe(200);
  });

  test('when one address fails PER_SOURCE times with different names (on either app), then it gets 429, other addresses do not', async () => {
    const from = '203.0.113.9';
    for (let i = 0; i < PER_SOURCE; i++) {
      expect((await login(i % 2 ? a : b, `guess-${i}`, 'pw', from)).status).toBe(401);
    }
    const over = await login(b, 'guess-last', 'pw', from);
    expect(over.status).toBe(429);
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
    expect((await login(a, VIEWER.name, VIEWER.password, from)).status).toBe(429);
    expect((await login(a, VIEWER.name, VIEWER.password, '203.0.113.10')).status).toBe(200);
    // Two addresses of one IPv6 /64 are one source.
    const v6 = [];
    for (let i = 0; i <= PER_SOURCE; i++) v6.push((await login(a, `v6-${i}`, 'pw', `2001:db8:1:2::${i + 1}`)).status);
    expect(v6).toEqual([...Array<number>(PER_SOURCE).fill(401), 429]);
    // (sam has not logged in on either app: a login verified a while ago is remembered and not checked again.)
    expect((await login(b, SCRYPT_USER.name, SCRYPT_USER.password, '2001:db8:1:2:ffff::7')).status).toBe(429);
    expect((await login(b, SCRYPT_USER.name, SCRYPT_USER.password, '2001:db8:1:3::7')).status).toBe(200);
  });
});

describe('unknown user names cannot be told from known ones', () => {
  const basic = (name: string, password: string) => `Basic ${Buffer.from(`${name}:${password}`).toString('base64')}`;

  test('when a name is unknown, or its user has a plain, sha256 or scrypt password, then a failed check costs exactly one scrypt', async () => {
    const metrics = createMetrics('dashboard');
    const authenticate = createAuthenticator(users, { metrics });
    const scryptChecks = async () => (await metrics.passwordChecks.get()).values.find((v) => v.labels.hash === 'scrypt')?.value ?? 0;
    const costs = [];
    for (const name of ['nobody-here', OPERATOR.name, VIEWER.name, SCRYPT_USER.name]) {
      const before = await scryptChecks();
      const who = await authenticate(basic(name, 'wrong'));
      costs.push({ name, who, scrypts: (await scryptChecks()) - before });
    }
    expect(costs).toEqual(
      ['nobody-here', OPERATOR.name, VIEWER.name, SCRYPT_USER.name].map((name) => ({ name, who: undefined, scrypts: 1 })),
    );
  });

  test('when unknown names and a plain-password user are tried, then their median check times are alike (scrypt dominates both)', async () => {
    const authenticate = createAuthenticator(users);
    const time = async (name: string, i: number) => {
      const started = process.hrtime.bigint();
      await authenticate(basic(name, `wrong-${i}`));
      return Number(process.hrtime.bigint() - started) / 1e6;
    };
    const unknown: number[] = [];
    const plain: number[] = [];
    // Interleaved, so load on the machine hits both alike.
    for (let i = 0; i < 7; i++) {
      unknown.push(await time(`unknown-${i}`, i));
      plain.push(await time(OPERATOR.name, i));
    }
    const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
    // Generous bounds: without the stand-in scrypt a plain check is about a hundred times faster.
    expect(median(plain) / median(unknown)).toBeGreaterThan(0.3);
    expect(median(plain) / median(unknown)).toBeLessThan(3);
  });
});
