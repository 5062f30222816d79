import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { TEST_PG_ADMIN_URL } from './env';

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function admin<T>(fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: TEST_PG_ADMIN_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/**
 * A fresh database for one test file. The schema comes from the caller's `migrate`: this kit sits
 * below @bridge/db (whose own tests use it), so it cannot import the migrations applier itself.
 */
export async function createEmptyDatabase(migrate?: (databaseUrl: string) => Promise<unknown>): Promise<TestDatabase> {
  const name = `bridge_t_${randomBytes(5).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE "${name}"`));
  const url = withDatabase(TEST_PG_ADMIN_URL, name);
  if (migrate) await migrate(url);
  return {
    url,
    name,
    drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}
