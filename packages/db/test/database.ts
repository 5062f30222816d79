import { createEmptyDatabase, type TestDatabase } from '@bridge/testkit-base';
import { applyMigrations } from '../src';

export type { TestDatabase };

/**
 * @bridge/testkit's createTestDatabase, built here from the kit below it: @bridge/testkit depends on
 * this package, so these tests cannot depend on it back.
 */
export function createTestDatabase(opts: { migrate?: boolean } = {}): Promise<TestDatabase> {
  return createEmptyDatabase(opts.migrate === false ? undefined : (databaseUrl) => applyMigrations({ databaseUrl }));
}
