/**
 * `npm run chaos`: the real ingest and worker processes against the simulators, one lead burst per
 * scenario while something breaks (worker SIGKILLs, Redis SIGKILL, Postgres away, MissionX and
 * AITable faults), and MissionX changes polled to their leads through a worker kill and a Redis
 * restart. Prints one row per scenario: what was accepted, what came out, what was lost or
 * duplicated. Prints figures; asserts nothing.
 * Run: npm run chaos [-- scenario-name-substring]   (npm run chaos -- --help lists the scenarios)
 * Needs the local PostgreSQL (a database of its own, reached through a proxy it can cut) and
 * `redis-server` on the PATH (a private one with AOF, on a free port; the shared Redis is untouched).
 */
import { startSimulators } from '@bridge/simulators';
import { createTestDatabase, PgProxy, TEST_PG_ADMIN_URL } from '@bridge/testkit';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '@bridge/testkit';
import { PrivateRedis } from './chaos/infra';
import { openLog } from './chaos/processes';
import { runScenario } from './chaos/run';
import { SCENARIOS } from './chaos/scenarios';
import type { Shared } from './chaos/stack';
import { printTable, type Row } from './chaos/tally';
import { benchCli } from './cli';

const cli = benchCli(`Usage: npm run chaos [-- <scenario>]
Runs the real ingest and worker processes against the simulators and breaks something during a burst of
lead webhooks per scenario (the poller row then changes each lead's client in MissionX while the poll runs);
prints one row per scenario (accepted, lost, duplicated). 10-13 min for all, 6 of them the 5-minute Postgres stop.
  <scenario>   run only the scenarios whose name contains this text (case-sensitive), e.g. Redis
  -h, --help   this text
Scenarios:
${SCENARIOS.map((s) => `  ${s.name}`).join('\n')}
Needs the local PostgreSQL (TEST_DATABASE_URL) and redis-server on the PATH (a private one on a free port).`);

async function main(): Promise<void> {
  const only = cli.args[0];
  const chosen = SCENARIOS.filter((s) => !only || s.name.includes(only));
  if (cli.args.length > 1 || !chosen.length) {
    console.error(`no scenario matches "${cli.args.join(' ')}"; run npm run chaos -- --help for the list`);
    process.exit(2);
  }
  const logFile = path.join(os.tmpdir(), `chaos-${Date.now()}.log`);
  const pgTarget = new URL(TEST_PG_ADMIN_URL);
  const [sim, tdb, redis, pg] = await Promise.all([
    startSimulators(),
    createTestDatabase(),
    freePort().then((p) => new PrivateRedis(p)),
    freePort().then((p) => new PgProxy(p, { host: pgTarget.hostname, port: Number(pgTarget.port || 5432) })),
  ]);
  const viaProxy = new URL(tdb.url);
  viaProxy.host = `127.0.0.1:${pg.port}`;
  const shared: Shared = { sim, redis, pg, databaseUrl: viaProxy.toString(), log: openLog(logFile) };
  const rows: Row[] = [];
  try {
    await Promise.all([redis.start(), pg.start()]);
    console.log(`chaos run: process logs in ${logFile}`);
    for (const scenario of chosen) {
      const row = await runScenario(scenario, shared, TEST_PG_ADMIN_URL);
      const { accepted, lost, duplicated, seconds } = row;
      console.log(`  ${row.scenario}: ${accepted} accepted, ${lost} lost, ${duplicated} duplicated, ${seconds.toFixed(1)} s`);
      rows.push(row);
    }
  } finally {
    await Promise.allSettled([redis.stop(), pg.stop(), sim.close()]);
    await tdb.drop();
    shared.log.end();
  }
  console.log(`\n${printTable(rows)}\n`);
  for (const r of rows) for (const n of r.notes.slice(0, 5)) console.log(`${r.scenario}: ${n}`);
  console.log(`(${os.cpus().length} cores; 202s = leads ingest accepted; lost = accepted but without portal, write-back or sync row)`);
}

main().catch((err: unknown) => {
  console.error(`chaos run failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});
