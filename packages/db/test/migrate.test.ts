import { applyMigrations, checksumOf, listMigrations } from '@bridge/db';
import { createTestDatabase, type TestDatabase } from './database';
import { cp, mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { MIGRATIONS_DIR } from '@bridge/db';

async function rows(url: string) {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query('SELECT * FROM "_prisma_migrations" ORDER BY migration_name')).rows;
  } finally {
    await c.end();
  }
}

describe('applyMigrations', () => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase({ migrate: false });
  });
  afterEach(() => db.drop());

  it('when run on an empty database, then every migration is recorded as prisma migrate deploy records it', async () => {
    const result = await applyMigrations({ databaseUrl: db.url });
    const files = await listMigrations();
    expect(result.applied).toEqual(files.map((f) => f.name));
    const recorded = await rows(db.url);
    expect(recorded).toHaveLength(files.length);
    for (const [i, r] of recorded.entries()) {
      expect(r.migration_name).toBe(files[i]!.name);
      expect(r.checksum).toBe(checksumOf(files[i]!.sql));
      expect(r.checksum).toMatch(/^[0-9a-f]{64}$/);
      expect(r.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(r.finished_at).toBeInstanceOf(Date);
      expect(r.rolled_back_at).toBeNull();
      expect(r.applied_steps_count).toBe(1);
    }
  });

  it('when run twice, then the second run applies nothing', async () => {
    await applyMigrations({ databaseUrl: db.url });
    const again = await applyMigrations({ databaseUrl: db.url });
    expect(again.applied).toEqual([]);
    expect(again.alreadyApplied.length).toBeGreaterThan(0);
  });

  it('when an applied migration file was edited, then it refuses with a message naming it', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'mig-'));
    await cp(MIGRATIONS_DIR, dir, { recursive: true });
    await applyMigrations({ databaseUrl: db.url, dir });
    const [first] = await listMigrations(dir);
    await writeFile(path.join(dir, first!.name, 'migration.sql'), `${first!.sql.toString()}\n-- edited\n`);
    await expect(applyMigrations({ databaseUrl: db.url, dir })).rejects.toThrow(new RegExp(`${first!.name}.*checksum`));
  });

  it('when a migration fails, then it is left unfinished with its logs and later runs refuse to go on', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'mig-'));
    await cp(MIGRATIONS_DIR, dir, { recursive: true });
    await mkdir(path.join(dir, '29990101000000_broken'));
    await writeFile(path.join(dir, '29990101000000_broken', 'migration.sql'), 'ALTER TABLE "nope" ADD COLUMN x INT;');
    await expect(applyMigrations({ databaseUrl: db.url, dir })).rejects.toThrow(/29990101000000_broken failed/);
    const broken = (await rows(db.url)).find((r) => r.migration_name === '29990101000000_broken');
    expect(broken.finished_at).toBeNull();
    expect(broken.logs).toContain('nope');
    await expect(applyMigrations({ databaseUrl: db.url, dir })).rejects.toThrow(/failed earlier/);
  });
});
