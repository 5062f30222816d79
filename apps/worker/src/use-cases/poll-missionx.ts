import { AITABLE_ERROR_CODES, selectValue, textValue, type AitableRecord } from '@bridge/aitable';
import { isAppError } from '@bridge/errors';
import { PORTAL_STATUS } from '@bridge/config';
import { ownedValuesOf, type AITableSync, type OwnedValues, type SyncKey } from '@bridge/db';
import { MAX_PAGE, type ClientQuery, type MissionxProject } from '@bridge/missionx';
import type { WorkerDeps } from '../deps';
import { leadFieldPolicy, settleField } from '../lead-conflicts';
import { ownedPortalStatus } from '@bridge/sync-rules';
import type { RedisConnection } from '@bridge/queues';
import { lockRecord } from '../sync-attempt';

/**
 * Where a poll stands in one MissionX list: the latest `updatedAt` it has written past, and the
 * ids it has already handled at exactly that time. Timestamps tie, so the next run lists with
 * `gte` and drops those ids instead of listing with `gt` and missing a document that shares it.
 */
export interface PollCursor {
  at: string;
  ids: string[];
}

export type PollList = 'clients' | 'projects';

export const pollCursorKey = (queuePrefix: string, list: PollList): string => `${queuePrefix}:missionx-poll:${list}`;

export async function readPollCursor(redis: RedisConnection, key: string): Promise<PollCursor | null> {
  const raw = await redis.get(key);
  if (raw === null) return null;
  try {
    const parsed = JSON.parse(raw) as Partial<PollCursor>;
    if (typeof parsed.at === 'string' && !Number.isNaN(Date.parse(parsed.at)) && Array.isArray(parsed.ids)) {
      return { at: parsed.at, ids: parsed.ids.filter((id): id is string => typeof id === 'string') };
    }
  } catch {
    // Not ours: read as no cursor, so the poll starts from now rather than failing every run.
  }
  return null;
}

export interface PollDeps extends Pick<
  WorkerDeps,
  'missionx' | 'aitable' | 'sync' | 'redis' | 'locks' | 'logger' | 'metrics' | 'fields' | 'datasheets'
> {
  queuePrefix: string;
}

export interface PollOptions {
  /** The first run (no cursor yet) starts this long before now: room for MissionX's clock to run behind ours. */
  clockSkewMs: number;
}

export interface PollResult {
  clients: { seen: number; written: number };
  projects: { seen: number; written: number };
}

interface Doc {
  _id: string;
  updatedAt: string;
}

const ms = (iso: string) => Date.parse(iso);

/**
 * One poll of MissionX: the clients, then the projects, changed since each list's cursor. For the
 * clients of our leads (found through the sync row), an archived or unarchived client sets the
 * lead's Portal Status, and the latest project's projectStatus its Project Status. A value equal
 * to the last one the bridge wrote is not written again, so a change the bridge itself made in
 * MissionX (which moves the client's updatedAt) comes back as no write. The cursor moves one page
 * at a time, after that page's writes are done: a run that fails starts again from there, and
 * what it already wrote compares equal.
 */
export async function pollMissionx(deps: PollDeps, opts: PollOptions): Promise<PollResult> {
  const clients = await pollClients(deps, opts);
  const projects = await pollProjects(deps, opts);
  return { clients, projects };
}

/** The list's cursor; the first run's start is stored at once, so runs that find nothing do not let it slide with the clock. */
async function startOf(deps: PollDeps, list: PollList, opts: PollOptions): Promise<PollCursor> {
  const stored = await readPollCursor(deps.redis, pollCursorKey(deps.queuePrefix, list));
  if (stored) return stored;
  const first = { at: new Date(Date.now() - opts.clockSkewMs).toISOString(), ids: [] };
  await saveCursor(deps, list, first);
  return first;
}

const changedSince = (cursor: PollCursor): ClientQuery => ({
  updatedAt: { op: 'gte', at: new Date(cursor.at) },
  sortBy: 'updatedAt',
  sortDirection: 'asc',
  withArchived: true,
  limit: MAX_PAGE,
});

/** The documents of a page not already handled at the cursor's time. */
export const unseen = <D extends Doc>(page: D[], cursor: PollCursor): D[] =>
  page.filter((d) => !(ms(d.updatedAt) === ms(cursor.at) && cursor.ids.includes(d._id)));

/** The cursor past a page handled in full (pages come oldest first). */
export function past(cursor: PollCursor, page: Doc[]): PollCursor {
  const last = page.reduce<string | undefined>((at, d) => (at === undefined || ms(d.updatedAt) > ms(at) ? d.updatedAt : at), undefined);
  if (last === undefined || ms(last) < ms(cursor.at)) return cursor;
  const atLast = page.filter((d) => ms(d.updatedAt) === ms(last)).map((d) => d._id);
  const ids = ms(last) === ms(cursor.at) ? [...new Set([...cursor.ids, ...atLast])] : atLast;
  return { at: last, ids };
}

async function saveCursor(deps: PollDeps, list: PollList, cursor: PollCursor): Promise<void> {
  await deps.redis.set(pollCursorKey(deps.queuePrefix, list), JSON.stringify(cursor));
}

/** Our leads' sync rows for these MissionX client ids, by client id. */
async function leadsOf(deps: PollDeps, clientIds: string[]): Promise<Map<string, AITableSync>> {
  const rows = await deps.sync.findByEntities(deps.datasheets.leads, 'aitable_to_app', [...new Set(clientIds)]);
  return new Map(rows.map((r) => [r.entityId!, r]));
}

async function pollClients(deps: PollDeps, opts: PollOptions): Promise<PollResult['clients']> {
  let cursor = await startOf(deps, 'clients', opts);
  // Clients carry no archived flag: the changed ones are listed with archived ones included, then
  // the archived ones of the same window. Listed after, the archived set is at least as new as the
  // first list, so a client archived in between is read as archived (and listed again next run).
  const pages: Doc[][] = [];
  for await (const page of deps.missionx.clientPages(changedSince(cursor))) pages.push(page);
  if (pages.every((p) => p.length === 0)) return { seen: 0, written: 0 };
  const archived = new Set<string>();
  for await (const page of deps.missionx.clientPages({ ...changedSince(cursor), withArchived: undefined, archived: true })) {
    for (const c of page) archived.add(c._id);
  }
  let seen = 0;
  let written = 0;
  for (const page of pages) {
    const fresh = unseen(page, cursor);
    seen += fresh.length;
    const rows = await leadsOf(
      deps,
      fresh.map((c) => c._id),
    );
    const status = (id: string) => (archived.has(id) ? PORTAL_STATUS.inactive : PORTAL_STATUS.active);
    const changedAt = new Map(fresh.map((c) => [c._id, c.updatedAt]));
    const current = await currentLeads(deps, [...rows.values()]);
    const results = await Promise.all(
      [...rows].map(([clientId, row]) =>
        writeOwned(deps, row, current.get(row.recordId), {
          values: { [deps.fields.lead.portalStatus]: status(clientId) },
          at: changedAt.get(clientId)!,
        }),
      ),
    );
    written += results.filter(Boolean).length;
    cursor = past(cursor, page);
    await saveCursor(deps, 'clients', cursor);
  }
  return { seen, written };
}

async function pollProjects(deps: PollDeps, opts: PollOptions): Promise<PollResult['projects']> {
  let cursor = await startOf(deps, 'projects', opts);
  let seen = 0;
  let written = 0;
  for await (const page of deps.missionx.projectPages(changedSince(cursor))) {
    const fresh = unseen(page, cursor).filter(
      (p): p is MissionxProject & { client: string } => typeof p.client === 'string' && p.client !== '',
    );
    seen += fresh.length;
    const rows = await leadsOf(
      deps,
      fresh.map((p) => p.client),
    );
    // Per client, the newest project of the page (by creation): what the lead shows.
    const latest = new Map<string, MissionxProject>();
    for (const p of fresh) {
      const other = latest.get(p.client);
      if (!other || newer(p, other)) latest.set(p.client, p);
    }
    const current = await currentLeads(deps, [...rows.values()]);
    const results = await Promise.all(
      [...latest].flatMap(([clientId, project]) => {
        const row = rows.get(clientId);
        return row ? [writeProjectStatus(deps, row, current.get(row.recordId), project)] : [];
      }),
    );
    written += results.filter(Boolean).length;
    cursor = past(cursor, page);
    await saveCursor(deps, 'projects', cursor);
  }
  return { seen, written };
}

const newer = (a: Pick<MissionxProject, 'createdAt' | '_id'>, b: Pick<MissionxProject, 'createdAt' | '_id'>) =>
  ms(a.createdAt) > ms(b.createdAt) || (ms(a.createdAt) === ms(b.createdAt) && a._id > b._id);

interface LatestProject {
  id: string;
  createdAt: string;
}

/** A change to an older project of the client is not what the lead shows: only its latest project's status is written. */
async function writeProjectStatus(
  deps: PollDeps,
  row: AITableSync,
  current: AitableRecord | undefined,
  project: MissionxProject,
): Promise<boolean> {
  const meta = (row.metadata ?? {}) as { latestProject?: LatestProject };
  const known = meta.latestProject;
  if (
    known &&
    known.id !== project._id &&
    !newer({ _id: project._id, createdAt: project.createdAt }, { _id: known.id, createdAt: known.createdAt })
  ) {
    return false;
  }
  const latestProject: LatestProject = { id: project._id, createdAt: project.createdAt };
  return writeOwned(
    deps,
    row,
    current,
    { values: { [deps.fields.lead.projectStatus]: project.projectStatus }, at: project.updatedAt },
    { latestProject },
  );
}

/**
 * The leads of a page as AITable holds them now, in one request (`recordIds`, ≤ 100, only the
 * fields the poll writes): what a person changed since our last write is a conflict, not something
 * to overwrite blindly.
 */
async function currentLeads(deps: PollDeps, rows: AITableSync[]): Promise<Map<string, AitableRecord>> {
  if (rows.length === 0) return new Map();
  const f = deps.fields.lead;
  const ids = rows.map((r) => r.recordId);
  try {
    const page = await deps.aitable.listRecords(deps.datasheets.leads, {
      recordIds: ids,
      fields: [f.portalStatus, f.projectStatus],
      pageSize: MAX_PAGE,
    });
    return new Map(page.records.map((r) => [r.recordId, r]));
  } catch (err) {
    // One lead deleted in AITable (its deletion not synced yet) makes AITable refuse the whole list:
    // read them one by one (batched), and leave the deleted one out, rather than stop the poll there.
    if (!isAppError(err) || err.code !== AITABLE_ERROR_CODES.badRequest) throw err;
    const read = await Promise.all(
      ids.map((id) =>
        deps.aitable.getRecord(deps.datasheets.leads, id).catch((e: unknown) => {
          if (isAppError(e) && e.code === AITABLE_ERROR_CODES.recordNotFound) return undefined;
          throw e;
        }),
      ),
    );
    return new Map(read.filter((r): r is AitableRecord => r !== undefined).map((r) => [r.recordId, r]));
  }
}

/** A cell of a field the poll writes, as text (Portal Status is a single select, Project Status text); null when empty. */
const cellOf = (record: AitableRecord, name: string): string | null =>
  selectValue(record.fields[name]) ?? textValue(record.fields[name]) ?? null;

/** Values of lead fields as MissionX holds them now, and the `updatedAt` of the document they were read from. */
interface MissionxChange {
  values: OwnedValues;
  at: string;
}

/**
 * Writes to the lead the owned values that differ from what it shows, under the record's lock (a
 * lead job may be writing it), through the batched AITable client; answers whether it wrote. A
 * field a person changed since our last write is settled by its policy first (settleField), as a
 * fact both sides changed when MissionX's value differs from ours too: held and yielded fields are
 * not written.
 */
async function writeOwned(
  deps: PollDeps,
  row: AITableSync,
  current: AitableRecord | undefined,
  { values, at }: MissionxChange,
  metadata?: Record<string, unknown>,
): Promise<boolean> {
  const key: SyncKey = { datasheetId: row.datasheetId, recordId: row.recordId, direction: row.syncDirection };
  const f = deps.fields.lead;
  return lockRecord(deps, key.datasheetId, key.recordId, async () => {
    const fresh = (await deps.sync.find(key)) ?? row;
    const owned = ownedValuesOf(fresh);
    const changed: OwnedValues = {};
    const adopted: OwnedValues = {};
    for (const [field, value] of Object.entries(values)) {
      const shown = current ? cellOf(current, field) : undefined;
      const ours = field === f.portalStatus ? ownedPortalStatus(fresh, field) : (owned[field] ?? undefined);
      // Before the lead's first sync is done (a killed job mid-way) the bridge has written nothing to stand for: no conflict yet.
      const policy = fresh.lastSyncedAt ? leadFieldPolicy(f, field) : undefined;
      const seen = { name: field, shown, ours, aitableAt: current?.updatedAt, missionx: value === null ? undefined : { value, at } };
      if (policy && !(await settleField(deps, key, fresh, seen, policy))) continue;
      if (shown === value) {
        if (owned[field] !== value) adopted[field] = value;
        continue;
      }
      if (owned[field] === value && shown === undefined) continue;
      changed[field] = value;
    }
    if (Object.keys(changed).length === 0) {
      if (metadata || Object.keys(adopted).length > 0) await deps.sync.recordOwnedValues(key, adopted, metadata);
      return false;
    }
    await deps.aitable.updateRecord(key.datasheetId, key.recordId, changed);
    await deps.sync.recordOwnedValues(key, { ...adopted, ...changed }, metadata);
    deps.logger.info('MissionX change written to the lead', {
      recordId: key.recordId,
      missionxClientId: row.entityId,
      fields: Object.keys(changed),
    });
    return true;
  });
}
