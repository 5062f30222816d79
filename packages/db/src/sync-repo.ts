import { Prisma, type AITableSync, type EntityType, type PrismaClient, type SyncConflict, type SyncDirection } from './client';
import { latestConflict, noteMissionxSide, recordConflict, type NewConflict } from './conflicts';
import { classifyDbError, isRowRefused } from './errors';
import { pgText } from './pg-text';

/** The unique key of a sync row: one current row per (datasheet, record, direction). */
export interface SyncKey {
  datasheetId: string;
  recordId: string;
  direction: SyncDirection;
}

/** Facts of the job attempt working on a row. */
export interface AttemptFacts {
  entityType: EntityType;
  /** 1-based: BullMQ's `attemptsMade + 1`. */
  attempt: number;
  jobId?: string;
  requestId?: string;
}

export type SyncMetadata = Record<string, unknown>;

export interface SuccessFacts {
  /** MissionX client id (leads, orders) or AITable record id (audit results). */
  entityId: string | null;
  /** Merged key by key into the stored metadata. */
  metadata?: SyncMetadata;
  /** @defaultValue now */
  syncedAt?: Date;
  /** AITable's modification time of the record this success was computed from: an older read later changes nothing. */
  recordUpdatedAt?: Date;
}

/** Reads and writes `AITableSync` rows; every database error comes out as a classified AppError. */
export interface SyncRepo {
  find(key: SyncKey): Promise<AITableSync | null>;
  /** Creates the row or marks it pending for this attempt (retryCount = attempt, lastJobId, lastRequestId). */
  beginAttempt(key: SyncKey, facts: AttemptFacts): Promise<AITableSync>;
  /** Success: error cleared, retryCount reset, lastSyncedAt set, metadata merged. */
  markSuccess(key: SyncKey, facts: SuccessFacts): Promise<AITableSync>;
  /** Records the attempt's error; `final` (no attempt left, or a permanent error) makes the row `failed`. */
  markFailed(key: SyncKey, failure: { message: string; final: boolean }): Promise<AITableSync>;
  /** The record was deleted upstream: `active=false`, created if it never synced. */
  markInactive(key: SyncKey, facts: AttemptFacts & { entityId?: string | null; metadata?: SyncMetadata }): Promise<AITableSync>;
  /** Durably notes that a create is about to be sent (time `at`), before it is sent. The row must exist (`beginAttempt`). */
  /** `null` once a lost create is known never to have taken effect, so later events skip the lookup. */
  recordCreateIntent(key: SyncKey, at: Date | null): Promise<AITableSync>;
  /** The external entity this record maps to, as soon as it is known; clears the create intent. */
  recordEntity(key: SyncKey, entityId: string): Promise<AITableSync>;
  /** Remembers (or, with null, forgets) the email domains removed from the record's MissionX client. */
  recordRemovedEmailDomains(key: SyncKey, domains: string[] | null): Promise<AITableSync>;
  /**
   * Links a record to an entity found outside the bridge's own flow (a client made by hand or by an
   * earlier integration): creates the row, or fills a row that has no entity yet. A row that
   * already names another entity is left alone and reported as `conflict`.
   */
  linkEntity(key: SyncKey, entityType: EntityType, entityId: string): Promise<'linked' | 'already' | 'conflict'>;
  /** The active rows of a datasheet's records mapped to any of these entities (how a MissionX change finds its lead). */
  findByEntities(datasheetId: string, direction: SyncDirection, entityIds: readonly string[]): Promise<AITableSync[]>;
  /** Merges these values (by AITable field name) into the last values the bridge wrote to the record's owned fields, and `metadata` into its metadata. */
  recordOwnedValues(key: SyncKey, values: OwnedValues, metadata?: SyncMetadata): Promise<AITableSync>;
  /** Records a conflict on a field the bridge owns. */
  recordConflict(c: NewConflict): Promise<SyncConflict>;
  /** The latest conflict of one field of one record, or null. */
  latestConflict(key: SyncKey, field: string): Promise<SyncConflict | null>;
  /** Puts MissionX's side on a conflict still held for an operator, closing it when it `agreed` with AITable (see conflicts.ts). */
  noteMissionxSide(conflictId: string, value: string, at: Date | null, agreed: boolean): Promise<boolean>;
}

/** The last value the bridge wrote to each field it owns, by AITable field name. */
export type OwnedValues = Record<string, string | null>;

/** A row's owned values (an unexpected shape reads as none written). */
export function ownedValuesOf(row: Pick<AITableSync, 'ownedValues'> | null | undefined): OwnedValues {
  const v = row?.ownedValues;
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as OwnedValues) : {};
}

const unique = (key: SyncKey) => ({
  datasheetId_recordId_syncDirection: { datasheetId: key.datasheetId, recordId: key.recordId, syncDirection: key.direction },
});

const MAX_ID = 200;

const asJson = (m: SyncMetadata) => m as Prisma.InputJsonObject;

function merged(current: Prisma.JsonValue | undefined, patch: SyncMetadata | undefined): Prisma.InputJsonObject {
  const base = current && typeof current === 'object' && !Array.isArray(current) ? (current as SyncMetadata) : {};
  return asJson({ ...base, ...patch });
}

export interface SyncRepoOptions {
  /**
   * Called when Postgres refuses a sync row for its data (e.g. a record id too long for its
   * index, SQLSTATE 54000); the call then throws the permanent `db_row_refused` AppError.
   */
  onRefused?: (refusal: { table: 'AITableSync'; key: SyncKey; sqlState: string }) => void;
}

/** Text we write ourselves; an id from a job payload has no bound of its own. */
const ownText = (s: string | null | undefined, max: number) => (s == null ? null : pgText(s, max));

/**
 * Metadata is merged by read-then-write. That is safe because a row is only written by the
 * job holding its record's lock (see @bridge/locks); the upserts themselves are atomic.
 */
export function createSyncRepo(db: PrismaClient, opts: SyncRepoOptions = {}): SyncRepo {
  const rows = db.aITableSync;
  const classified = async <T>(key: SyncKey, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      const e = classifyDbError(err);
      if (isRowRefused(e)) opts.onRefused?.({ table: 'AITableSync', key, sqlState: String(e.details?.sqlState) });
      throw e;
    }
  };
  return {
    find: (key) => classified(key, () => rows.findUnique({ where: unique(key) })),

    beginAttempt: (key, f) =>
      classified(key, () => {
        const ids = { lastJobId: ownText(f.jobId, MAX_ID), lastRequestId: ownText(f.requestId, MAX_ID) };
        return rows.upsert({
          where: unique(key),
          create: {
            datasheetId: key.datasheetId,
            recordId: key.recordId,
            syncDirection: key.direction,
            entityType: f.entityType,
            syncStatus: 'pending',
            retryCount: f.attempt,
            ...ids,
          },
          update: { syncStatus: 'pending', retryCount: f.attempt, ...ids },
        });
      }),

    markSuccess: (key, f) =>
      classified(key, async () => {
        const current = await rows.findUnique({ where: unique(key), select: { metadata: true } });
        return rows.update({
          where: unique(key),
          data: {
            syncStatus: 'success',
            entityId: f.entityId,
            errorMessage: null,
            retryCount: 0,
            lastSyncedAt: f.syncedAt ?? new Date(),
            metadata: merged(current?.metadata, f.metadata),
            // A success means the record exists: a lead deleted and then restored is active again.
            active: true,
            ...(f.entityId ? { createIntentAt: null } : {}),
            ...(f.recordUpdatedAt ? { recordUpdatedAt: f.recordUpdatedAt } : {}),
          },
        });
      }),

    markFailed: (key, failure) =>
      classified(key, () =>
        rows.update({
          where: unique(key),
          data: { errorMessage: ownText(failure.message, 2000), ...(failure.final ? { syncStatus: 'failed' as const } : {}) },
        }),
      ),

    markInactive: (key, f) =>
      classified(key, async () => {
        const current = await rows.findUnique({ where: unique(key), select: { metadata: true } });
        const data = {
          active: false,
          syncStatus: 'success' as const,
          errorMessage: null,
          retryCount: 0,
          lastSyncedAt: new Date(),
          lastJobId: ownText(f.jobId, MAX_ID),
          lastRequestId: ownText(f.requestId, MAX_ID),
          metadata: merged(current?.metadata, f.metadata),
          ...(f.entityId ? { entityId: f.entityId } : {}),
        };
        return rows.upsert({
          where: unique(key),
          create: { datasheetId: key.datasheetId, recordId: key.recordId, syncDirection: key.direction, entityType: f.entityType, ...data },
          update: data,
        });
      }),

    recordCreateIntent: (key, at) => classified(key, () => rows.update({ where: unique(key), data: { createIntentAt: at } })),

    recordEntity: (key, entityId) =>
      classified(key, () => rows.update({ where: unique(key), data: { entityId: ownText(entityId, MAX_ID), createIntentAt: null } })),

    recordRemovedEmailDomains: (key, domains) =>
      classified(key, () => rows.update({ where: unique(key), data: { removedEmailDomains: domains === null ? Prisma.DbNull : domains } })),

    linkEntity: (key, entityType, entityId) =>
      classified(key, async () => {
        const current = await rows.findUnique({ where: unique(key), select: { entityId: true } });
        if (current?.entityId === entityId) return 'already';
        if (current?.entityId) return 'conflict';
        const linked = { entityId: ownText(entityId, MAX_ID), createIntentAt: null };
        if (current) {
          // Only while the row still names no client: a worker that recorded its own create in the meantime wins.
          const where = { datasheetId: key.datasheetId, recordId: key.recordId, syncDirection: key.direction, entityId: null };
          const { count } = await rows.updateMany({ where, data: linked });
          return count === 1 ? 'linked' : 'conflict';
        }
        await rows.create({
          data: {
            datasheetId: key.datasheetId,
            recordId: key.recordId,
            syncDirection: key.direction,
            entityType,
            // Linked, not yet synced by us (lastSyncedAt stays null): without an inputHash in the metadata, the
            // next event of the record runs the whole flow. Not `pending`, which would read as a stuck job.
            syncStatus: 'success',
            metadata: { linkedBy: 'missionx-index' },
            ...linked,
          },
        });
        return 'linked';
      }),

    findByEntities: (datasheetId, direction, entityIds) =>
      entityIds.length === 0
        ? Promise.resolve([])
        : classified({ datasheetId, recordId: '', direction }, () =>
            rows.findMany({ where: { datasheetId, syncDirection: direction, active: true, entityId: { in: [...entityIds] } } }),
          ),

    recordConflict: (c) => recordConflict(db, c),
    latestConflict: (key, field) => latestConflict(db, key.datasheetId, key.recordId, field),
    noteMissionxSide: (id, v, at, agreed) => noteMissionxSide(db, id, v, at, agreed),

    recordOwnedValues: (key, values, metadata) =>
      classified(key, async () => {
        const current = await rows.findUnique({ where: unique(key), select: { ownedValues: true, metadata: true } });
        return rows.update({
          where: unique(key),
          data: {
            ownedValues: { ...ownedValuesOf(current), ...values },
            ...(metadata ? { metadata: merged(current?.metadata, metadata) } : {}),
          },
        });
      }),
  };
}
