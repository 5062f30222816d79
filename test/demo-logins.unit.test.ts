import { loadConfig } from '@bridge/config';
import { localEnvironment } from '../scripts/start/environment';

describe('npm start: the demo dashboard logins', () => {
  it('when no DASHBOARD_USERS is set, then operator and viewer each get their own password, and the banner shows both', () => {
    const { env, notes } = localEnvironment({});
    const users = loadConfig({ ...env, DATABASE_URL: 'postgres://unused' }, ['dashboard']).DASHBOARD_USERS;
    const operator = users.find((u) => u.role === 'operator')!;
    const viewer = users.find((u) => u.role === 'viewer')!;
    expect([operator.name, viewer.name]).toEqual(['operator', 'viewer']);
    expect(operator.password).not.toBe(viewer.password);
    const banner = notes.find((n) => n.startsWith('dashboard login'));
    expect(banner).toContain(`operator / ${operator.password}`);
    expect(banner).toContain(`viewer / ${viewer.password}`);
  });

  it('when DASHBOARD_USERS is set, then it is kept as it is', () => {
    const { env, notes } = localEnvironment({ DASHBOARD_USERS: 'ops:own-pass-1:operator' });
    expect(env.DASHBOARD_USERS).toBe('ops:own-pass-1:operator');
    expect(notes.some((n) => n.startsWith('dashboard login'))).toBe(false);
  });
});
