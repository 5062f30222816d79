import type { RunningSimulators } from '@bridge/simulators';
import { Client } from 'pg';
import { LEADS_SHEET } from './stack';

/** One row of the chaos table. */
export interface Row {
  scenario: string;
  sent: number;
  accepted: number;
  /** Webhooks answered 503 (Redis could not store, or no replica confirmed, within the hold). */
  unavailable: number;
  portalsMax: number;
  portalsTotal: number;
  writeBacks: number;
  syncRows: number;
  deliveryRows: number;
  lost: number;
  duplicated: number;
  seconds: number;
  /** Why each lost or duplicated lead counts, for the lines under the table. */
  notes: string[];
}

export interface Outcome {
  portalsMax: number;
  portalsTotal: number;
  writeBacks: number;
  syncRows: number;
  /** Accepted leads with their WebhookDelivery row (ingest writes them off the request path). */
  deliveryRows: number;
  /** Accepted leads without their portal, write-back and successful sync row. */
  lost: Map<string, string>;
  /** Leads with more than one portal, or a write-back naming another portal than their one. */
  duplicated: Map<string, string>;
}

/** What happened to each accepted lead, read from the simulators and the sync table. */
export async function outcome(sim: RunningSimulators, pgAdminUrl: string, databaseUrl: string, accepted: string[]): Promise<Outcome> {
  const wanted = new Set(accepted);
  const portals = new Map<string, string[]>();
  for (const c of await sim.control.missionxClients()) {
    if (wanted.has(c.customId)) portals.set(c.customId, [...(portals.get(c.customId) ?? []), c._id]);
  }
  const shown = new Map<string, string>();
  for (const r of await sim.control.records(LEADS_SHEET)) {
    const url = (r.fields['Portal URL'] as { text?: string } | undefined)?.text;
    if (wanted.has(r.recordId) && url) shown.set(r.recordId, url);
  }
  const { synced, delivered } = await rowsOf(pgAdminUrl, databaseUrl);
  const lost = new Map<string, string>();
  const duplicated = new Map<string, string>();
  for (const id of accepted) {
    const ids = portals.get(id) ?? [];
    const missing = [!ids.length && 'portal', !shown.has(id) && 'write-back', !synced.has(id) && 'sync row'].filter(Boolean);
    if (missing.length) lost.set(id, `missing ${missing.join(', ')}`);
    if (ids.length > 1) duplicated.set(id, `${ids.length} portals`);
    const url = shown.get(id);
    if (url && ids.length && !ids.some((p) => url.endsWith(`/${p}`))) duplicated.set(id, `write-back names no portal of it (${url})`);
  }
  const counts = [...portals.values()].map((p) => p.length);
  return {
    portalsMax: Math.max(0, ...counts),
    portalsTotal: counts.reduce((a, b) => a + b, 0),
    writeBacks: shown.size,
    syncRows: accepted.filter((id) => synced.has(id)).length,
    deliveryRows: accepted.filter((id) => delivered.has(id)).length,
    lost,
    duplicated,
  };
}

/** Read straight from the server, not through the proxy, so a cut proxy cannot hide rows. */
async function rowsOf(pgAdminUrl: string, databaseUrl: string): Promise<{ synced: Set<string>; delivered: Set<string> }> {
  const url = new URL(pgAdminUrl);
  url.pathname = new URL(databaseUrl).pathname;
  const client = new Client({ connectionString: url.toString() });
  await client.connect();
  try {
    const { rows } = await client.query<{ recordId: string }>(
      `SELECT "recordId" FROM "AITableSync" WHERE "datasheetId" = $1 AND "syncDirection" = 'aitable_to_app' AND "syncStatus" = 'success'`,
      [LEADS_SHEET],
    );
    const deliveries = await client.query<{ recordId: string }>(
      `SELECT DISTINCT "recordId" FROM "WebhookDelivery" WHERE "datasheetId" = $1`,
      [LEADS_SHEET],
    );
    return { synced: new Set(rows.map((r) => r.recordId)), delivered: new Set(deliveries.rows.map((r) => r.recordId)) };
  } finally {
    await client.end();
  }
}

const COLUMNS: [string, (r: Row) => string | number][] = [
  ['scenario', (r) => r.scenario],
  ['sent', (r) => r.sent],
  ['202s', (r) => r.accepted],
  ['503s', (r) => r.unavailable],
  ['portals/lead max', (r) => r.portalsMax],
  ['portals total', (r) => `${r.portalsTotal}/${r.accepted}`],
  ['write-backs', (r) => r.writeBacks],
  ['sync rows', (r) => r.syncRows],
  ['delivery rows', (r) => r.deliveryRows],
  ['lost', (r) => r.lost],
  ['duplicated', (r) => r.duplicated],
  ['seconds', (r) => r.seconds.toFixed(1)],
];

/** The rows as a Markdown table, ready for the README. */
export function printTable(rows: Row[]): string {
  const fmt = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  const body = rows.map((r) => fmt(COLUMNS.map(([, cell]) => cell(r))));
  return [fmt(COLUMNS.map(([name]) => name)), fmt(COLUMNS.map(() => '---')), ...body].join('\n');
}
