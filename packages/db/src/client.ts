import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/prisma/client';

export { Prisma, PrismaClient } from './generated/prisma/client';
export type { AITableSync, BulkRun, SyncConflict, SyncEvent, WebhookDelivery } from './generated/prisma/client';
export { DeliveryOutcome, EntityType, SyncDirection, SyncEventOutcome, SyncStatus } from './generated/prisma/enums';

export interface DbOptions {
  databaseUrl: string;
  /** Pool size per process. @defaultValue 10 */
  poolSize?: number;
  /** How long to wait for a pooled connection before failing. @defaultValue 5000 */
  connectTimeoutMs?: number;
  /**
   * How long one query may go unanswered before it fails (as "database unavailable"). Without it
   * a connection the network dropped silently holds its query for the kernel's TCP timeout
   * (many minutes). @defaultValue 30000
   */
  queryTimeoutMs?: number;
  /** Postgres cancels a statement running longer (SET statement_timeout per connection). @defaultValue none */
  statementTimeoutMs?: number;
  /** How long a pooled connection may sit idle before it is closed. @defaultValue 10000 (node-postgres') */
  idleTimeoutMs?: number;
  /** Connections never closed for being idle (see {@link openPool}). @defaultValue 0 */
  keepOpen?: number;
}

/** Prisma 7 over node-postgres: no engine binary, one pool per process. */
export function createDb(opts: DbOptions): PrismaClient {
  const adapter = new PrismaPg({
    connectionString: opts.databaseUrl,
    max: opts.poolSize ?? 10,
    connectionTimeoutMillis: opts.connectTimeoutMs ?? 5000,
    query_timeout: opts.queryTimeoutMs ?? 30_000,
    ...(opts.statementTimeoutMs === undefined ? {} : { statement_timeout: opts.statementTimeoutMs }),
    ...(opts.idleTimeoutMs === undefined ? {} : { idleTimeoutMillis: opts.idleTimeoutMs }),
    ...(opts.keepOpen === undefined ? {} : { min: opts.keepOpen }),
    // Probes an idle connection, so one whose peer vanished is found and replaced.
    keepAlive: true,
  });
  return new PrismaClient({ adapter });
}

/**
 * Opens `n` pooled connections now (best effort: false if Postgres did not answer), so the first
 * burst of work does not open them all at once before its first query. With `keepOpen: n` they stay.
 */
export async function openPool(db: PrismaClient, n: number): Promise<boolean> {
  const answers = await Promise.all(Array.from({ length: n }, () => pingDb(db)));
  return answers.every(Boolean);
}

/** True when Postgres answers a trivial query within the pool's timeout. */
export async function pingDb(db: PrismaClient): Promise<boolean> {
  try {
    await db.$queryRaw`SELECT 1`;
    return true;
  } catch {
    return false;
  }
}
