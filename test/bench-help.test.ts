import { runScript } from '@bridge/testkit';
import { SCENARIOS } from '../bench/chaos/scenarios';

/**
 * Every bench answers `--help` with its usage, and a wrong argument with exit 2, before starting
 * anything: the services it would need point at a closed port here, so a bench that started one
 * would fail instead of printing its usage.
 */
jest.setTimeout(60_000);

const nowhere = { TEST_REDIS_URL: 'redis://127.0.0.1:1', TEST_DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/test' };
const BENCHES = [
  'bench/chaos.ts',
  'bench/ingest.ts',
  'bench/pipeline.ts',
  'bench/burst.ts',
  'bench/poll.ts',
  'bench/startup.ts',
  'bench/backfill.ts',
  'bench/redis-modes.ts',
  'bench/insight.ts',
  'bench/masking.ts',
];

test.each(BENCHES)('%s --help prints its usage and starts nothing', async (file) => {
  const r = await runScript(file, ['--help'], { env: nowhere });
  expect([r.code, r.stderr]).toEqual([0, '']);
  expect(r.stdout).toMatch(/^Usage: /);
});

test('npm run chaos -- --help lists every scenario by name', async () => {
  const r = await runScript('bench/chaos.ts', ['--help'], { env: nowhere });
  for (const s of SCENARIOS) expect(r.stdout).toContain(`\n  ${s.name}\n`);
});

test.each([
  ['bench/chaos.ts', ['no-such-scenario'], 'no scenario matches "no-such-scenario"'],
  ['bench/chaos.ts', ['--fast'], 'unknown option --fast'],
  ['bench/redis-modes.ts', ['many'], 'requests per round must be an integer >= 1, got "many"'],
  ['bench/ingest.ts', ['many'], 'requests per round must be an integer >= 1, got "many"'],
  ['bench/pipeline.ts', ['600', '40', 'p4'], 'parts must be p2, p3 and/or lookups, comma-separated, got "p4"'],
])('%s %j exits 2 naming the problem before starting anything', async (file, args, message) => {
  const r = await runScript(file, args, { env: nowhere });
  expect(r.code).toBe(2);
  expect(r.stderr).toContain(message);
  expect(r.stdout).toBe('');
});
