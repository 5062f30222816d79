/**
 * P6: MissionX → AITable. N leads get their portals through webhooks; then all N clients are
 * archived at once in MissionX (as people would in its web app) and one worker's MissionX poll
 * writes Inactive to every lead. The drain is bound by AITable's ceiling: 5 requests/s per
 * datasheet × 10 records a batched write = 50 records/s. Prints the records/s reached, AITable
 * writes and 429s during the drain, and MissionX writes (goal 0: the poll only reads MissionX).
 * Run: npx tsx bench/poll.ts [clients=500] [pollIntervalMs=1000]
 * Needs the local Redis and Postgres (as the tests do). Prints figures; asserts nothing.
 */
import { benchCli } from './cli';
import { describeStatuses, fireWebhooks, LEADS, runBench, startStack } from './stack';

const cli = benchCli(`Usage: npx tsx bench/poll.ts [clients=500] [pollIntervalMs=1000]
P6: N clients archived at once in MissionX, written to their leads by the MissionX poll at AITable's ceiling
(50 records/s): records/s, AITable writes, 429s, MissionX writes. Needs the local Redis and Postgres. Prints figures.`);
const N = cli.count(0, 'clients', 500);
const INTERVAL_MS = cli.count(1, 'pollIntervalMs', 1000, 100);
const TIME_LIMIT_MS = 600_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + TIME_LIMIT_MS;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

async function main(): Promise<void> {
  const stack = await startStack({ leads: N, workers: 1, env: { MISSIONX_POLL_INTERVAL_MS: String(INTERVAL_MS) } });
  try {
    const statuses = await fireWebhooks(stack.ingestPort, N, 32);
    await until('every lead to show its portal', async () => {
      const shown = (await stack.sim.control.records(LEADS)).filter((r) => r.fields['Portal URL']).length;
      return shown >= N ? shown : undefined;
    });
    const clients = (await stack.sim.control.missionxClients()).filter((c) => c.customId.startsWith('recBench'));
    // Let the poll pass the clients' creation first, so the drain below is the archive alone.
    await sleep(3 * INTERVAL_MS);
    const started = Date.now();
    for (const c of clients) await stack.sim.control.editMissionxClient(c._id, { archived: true });
    const archivedIn = (Date.now() - started) / 1000;
    await until('every lead to show Inactive', async () => {
      const n = (await stack.sim.control.records(LEADS)).filter((r) => r.fields['Portal Status'] === 'Inactive').length;
      return n >= clients.length ? n : undefined;
    });
    const seconds = (Date.now() - started) / 1000;
    const during = (await stack.sim.control.requests()).filter((r) => r.at >= started);
    const aitableWrites = during.filter((r) => r.service === 'aitable' && r.method === 'PATCH');
    // The drain's own rate: from the poll's first write to its last, plus the last one's slot (0.2 s at 5 requests/s);
    // archiving the clients one by one takes seconds too.
    const writeSpan = aitableWrites.length > 1 ? (aitableWrites.at(-1)!.at - aitableWrites[0]!.at) / 1000 + 0.2 : seconds;
    const lastArchiveToDone = seconds - archivedIn;
    const throttled = during.filter((r) => r.service === 'aitable' && r.status === 429).length;
    const missionxWrites = during.filter((r) => r.service === 'missionx' && r.method !== 'GET' && !r.path.includes('/auth/')).length;
    const missionxLists = during.filter((r) => r.service === 'missionx' && r.method === 'GET').length;
    console.log(
      `P6 setup: ${N} leads by webhook (${describeStatuses(statuses)}); ${clients.length} clients archived in ${archivedIn.toFixed(1)} s`,
    );
    console.log(
      `P6 poll drain: ${clients.length} leads Inactive in ${seconds.toFixed(1)} s from the first archive ` +
        `(${(clients.length / seconds).toFixed(1)} records/s overall; ${(clients.length / writeSpan).toFixed(1)} records/s from first to last write, ` +
        `against AITable's 50 records/s; done ${lastArchiveToDone.toFixed(1)} s after the last archive), ` +
        `AITable writes ${aitableWrites.length} (${(clients.length / Math.max(aitableWrites.length, 1)).toFixed(1)} records each), ` +
        `429s ${throttled} (goal 0), MissionX writes ${missionxWrites} (goal 0), MissionX list calls ${missionxLists}, poll every ${INTERVAL_MS} ms`,
    );
  } finally {
    await stack.close();
  }
}

runBench(main);
