import { spawn } from 'node:child_process';
import path from 'node:path';
import { loadConfig } from '@bridge/config';
import { createAuthenticator } from '../src/auth';

const ROOT = path.resolve(__dirname, '../../..');

/** `npm run hash-password` as a real process, the password piped to its stdin. */
function hashPasswordCli(stdin: string, args: string[] = []): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/dashboard/src/hash-password-cli.ts', ...args], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdin.end(stdin);
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

describe('npm run hash-password', () => {
  test('when a password is piped in, then the printed line works as a DASHBOARD_USERS password and verifies only that password', async () => {
    const { code, stdout, stderr } = await hashPasswordCli('piped-secret-42\n');
    expect(code).toBe(0);
    const line = stdout.trim();
    expect(line).toMatch(/^scrypt:32768:8:1:\S+:\S+$/);
    expect(stdout + stderr).not.toContain('piped-secret-42');
    const users = loadConfig({ DATABASE_URL: 'postgres://localhost/x', DASHBOARD_USERS: `ops:${line}:operator` }, [
      'dashboard',
    ]).DASHBOARD_USERS;
    const authenticate = createAuthenticator(users);
    const basic = (p: string) => `Basic ${Buffer.from(`ops:${p}`).toString('base64')}`;
    expect(await authenticate(basic('piped-secret-42'))).toEqual({ name: 'ops', role: 'operator' });
    expect(await authenticate(basic('piped-secret-43'))).toBeUndefined();
  });

  test('when the password is given on the command line or is too short, then it refuses and prints no hash', async () => {
    const argv = await hashPasswordCli('', ['piped-secret-42']);
    expect(argv.code).toBe(1);
    expect(argv.stderr).toMatch(/takes no arguments/);
    const short = await hashPasswordCli('short\n');
    expect(short.code).toBe(1);
    expect(short.stderr).toMatch(/at least 8 characters/);
    expect(argv.stdout + short.stdout).toBe('');
  });
});
