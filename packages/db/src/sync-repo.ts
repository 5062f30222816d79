import type { AITableSync, EntityType, Prisma, PrismaClient, SyncDirection } from './client';
import { classifyDbError } from './errors';

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
}

const unique = (key: SyncKey) => ({
  datasheetId_recordId_syncDirection: { datasheetId: key.datasheetId, recordId: key.recordId, syncDirection: key.direction },
});

const asJson = (m: SyncMetadata) => m as Prisma.InputJsonObject;

function merged(current: Prisma.JsonValue | undefined, patch: SyncMetadata | undefined): Prisma.InputJsonObject {
  const base = current && typeof current === 'object' && !Array.isArray(current) ? (current as SyncMetadata) : {};
  return asJson({ ...base, ...patch });
}

async function classified<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw classifyDbError(err);
  }
}

/**
 * Metadata is merged by read-then-write. That is safe because a row is only written by the
 * job holding its record's lock (see @bridge/locks); the upserts themselves are atomic.
 */
export function createSyncRepo(db: PrismaClient): SyncRepo {
  const rows = db.aITableSync;
  return {
    find: (key) => classified(() => rows.findUnique({ where: unique(key) })),

    beginAttempt: (key, f) =>
      classified(() =>
        rows.upsert({
          where: unique(key),
          create: {
            datasheetId: key.datasheetId,
            recordId: key.recordId,
            syncDirection: key.direction,
            entityType: f.entityType,
            syncStatus: 'pending',
            retryCount: f.attempt,
            lastJobId: f.jobId ?? null,
            lastRequestId: f.requestId ?? null,
          },
          update: { syncStatus: 'pending', retryCount: f.attempt, lastJobId: f.jobId ?? null, lastRequestId: f.requestId ?? null },
        }),
      ),

    markSuccess: (key, f) =>
      classified(async () => {
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
          },
        });
      }),

    markFailed: (key, failure) =>
      classified(() =>
        rows.update({
          where: unique(key),
          data: { errorMessage: failure.message.slice(0, 2000), ...(failure.final ? { syncStatus: 'failed' as const } : {}) },
        }),
      ),

    markInactive: (key, f) =>
      classified(async () => {
        const current = await rows.findUnique({ where: unique(key), select: { metadata: true } });
        const data = {
          active: false,
          syncStatus: 'success' as const,
          errorMessage: null,
          retryCount: 0,
          lastSyncedAt: new Date(),
          lastJobId: f.jobId ?? null,
          lastRequestId: f.requestId ?? null,
          metadata: merged(current?.metadata, f.metadata),
          ...(f.entityId ? { entityId: f.entityId } : {}),
        };
        return rows.upsert({
          where: unique(key),
          create: { datasheetId: key.datasheetId, recordId: key.recordId, syncDirection: key.direction, entityType: f.entityType, ...data },
          update: data,
        });
      }),
  };
}
