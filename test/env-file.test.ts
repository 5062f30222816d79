import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runScript } from '@bridge/testkit-base';

/**
 * Every entry point a person runs with `npm run` reads `.env` from its working directory, and a
 * variable of the real environment wins over the file. Each entry point is started with a `.env`
 * holding one invalid value it checks at start, so it stops at once naming that variable; then
 * again with a valid value in the real environment, when the file's value must not be named.
 */
const ROOT = path.resolve(__dirname, '..');
const scripts = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
jest.setTimeout(120_000);

/** The variable each entry point validates first, an invalid value for the file and a valid one for the environment. */
const CASES: { script: string; args: string[]; variable: string; bad: string; good: string; env?: Record<string, string> }[] = [
  ...['start:ingest', 'start:worker', 'start:dashboard', 'db:migrate'].map((script) => ({
    script,
    args: [],
    variable: 'LOG_LEVEL',
    bad: 'loudest',
    good: 'info',
  })),
  { script: 'replay', args: ['jobs'], variable: 'LOG_LEVEL', bad: 'loudest', good: 'info' },
  { script: 'reconcile', args: [], variable: 'LOG_LEVEL', bad: 'loudest', good: 'info' },
  // The simulators also stop on LOG_FORMAT, so the good run never starts a server.
  { script: 'start:simulators', args: [], variable: 'SIMULATORS_PORT', bad: 'eighty', good: '0', env: { LOG_FORMAT: 'neither' } },
];

/**
 * The source of an npm script's entry point: `tsx <file>.ts`, or `node <ws>/dist/<file>.js` (the
 * compiled production start), run here from its source so no build is needed.
 */
function entryFile(script: string): string {
  const cmd = scripts[script] ?? '';
  const file =
    cmd.match(/tsx (\S+\.ts)/)?.[1] ??
    cmd
      .match(/node (\S+)\/dist\/(\S+)\.js/)
      ?.slice(1)
      .join('/src/')
      .concat('.ts');
  if (!file) throw new Error(`npm script ${script} runs no entry point this test knows: ${cmd}`);
  return path.join(ROOT, file);
}

const run = async (file: string, args: string[], cwd: string, env: Record<string, string>) => {
  const r = await runScript(file, args, { env, cwd });
  return { code: r.code, out: r.stdout + r.stderr };
};

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'env-file-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test.each(CASES)('$script reads .env, and the real environment wins over it', async ({ script, args, variable, bad, good, env = {} }) => {
  const cwd = mkdtempSync(path.join(dir, `${script.replace(':', '-')}-`));
  writeFileSync(path.join(cwd, '.env'), `# as a newcomer writes it\n${variable}=${bad}\n`);
  const file = entryFile(script);

  const fromFile = await run(file, args, cwd, env);
  expect(fromFile.code).not.toBe(0);
  expect(fromFile.out).toContain(variable);

  const overridden = await run(file, args, cwd, { ...env, [variable]: good });
  expect(overridden.code).not.toBe(0); // other required variables are missing: it still stops, but not for this one
  expect(overridden.out).not.toContain(variable);
});

test('send-webhook takes its secret and ingest port from .env', async () => {
  const cwd = mkdtempSync(path.join(dir, 'send-'));
  writeFileSync(path.join(cwd, '.env'), 'AITABLE_WEBHOOK_SECRET=from-the-file\nINGEST_PORT=1\n');
  // Port 1 refuses the connection: the run fails, after saying where it sent what.
  const r = await run(entryFile('send-webhook'), ['--sim', 'off', '--timeout-ms', '2000'], cwd, {});
  expect(r.out).not.toContain('--secret is required');
  expect(r.out).toContain('send-webhook failed');
  expect(r.code).toBe(1);
});

test.each(['replay', 'reconcile', 'db:migrate'])(
  '%s reads .env.demo after .env, and a missing variable names the files read and where to get it',
  async (script) => {
    const cwd = mkdtempSync(path.join(dir, `demo-${script.replace(':', '-')}-`));
    const args = script === 'replay' ? ['jobs'] : [];
    const file = entryFile(script);

    const nothing = await run(file, args, cwd, {});
    expect(nothing.code).not.toBe(0);
    expect(nothing.out).toContain('DATABASE_URL is required but not set');
    expect(nothing.out).toContain('No .env file was read');
    expect(nothing.out).toContain('npm start');
    expect(nothing.out).toContain('.env.demo');

    // .env.demo alone: its invalid value is named, so it was read.
    writeFileSync(path.join(cwd, '.env.demo'), `LOG_LEVEL='loudest'\n`);
    const demoOnly = await run(file, args, cwd, {});
    expect(demoOnly.out).toContain('LOG_LEVEL');

    // .env wins over .env.demo, and the real environment over both.
    writeFileSync(path.join(cwd, '.env'), 'LOG_LEVEL=info\n');
    const envWins = await run(file, args, cwd, {});
    expect(envWins.out).not.toContain('LOG_LEVEL');
    expect(envWins.out).toContain('Read .env and .env.demo.');
    writeFileSync(path.join(cwd, '.env'), 'LOG_LEVEL=loudest\n');
    expect((await run(file, args, cwd, { LOG_LEVEL: 'info' })).out).not.toContain('LOG_LEVEL');
  },
);

test('a server does not read .env.demo: a demo file never configures a deployment', async () => {
  const cwd = mkdtempSync(path.join(dir, 'demo-ingest-'));
  writeFileSync(path.join(cwd, '.env.demo'), `LOG_LEVEL='loudest'\n`);
  const r = await run(entryFile('start:ingest'), [], cwd, {});
  expect(r.code).not.toBe(0);
  expect(r.out).not.toContain('LOG_LEVEL');
});
