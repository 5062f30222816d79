import { applyMigrations } from '@bridge/db';
import { createEmptyDatabase, type TestDatabase } from '@bridge/testkit-base';

/** A fresh database with every migration applied (unless `migrate: false`), for one test file. */
export function createTestDatabase(opts: { migrate?: boolean } = {}): Promise<TestDatabase> {
  return createEmptyDatabase(opts.migrate === false ? undefined : (databaseUrl) => applyMigrations({ databaseUrl }));
}
