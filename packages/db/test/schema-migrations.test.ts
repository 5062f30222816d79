import { createTestDatabase, type TestDatabase } from './database';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';

/**
 * Proves prisma/schema.prisma and the hand-written SQL migrations describe the same database.
 * `prisma migrate diff` needs the schema engine, which cannot be downloaded everywhere, so the
 * schema is read with Prisma's own parser (the wasm build the CLI uses) and compared with what
 * the migrations really create in Postgres.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const wasm = require('@prisma/prisma-schema-wasm') as { get_dmmf(params: string): string };

interface DmmfField {
  name: string;
  dbName?: string | null;
  kind: 'scalar' | 'enum' | 'object';
  type: string;
  isRequired: boolean;
  isList: boolean;
  hasDefaultValue: boolean;
  isUpdatedAt: boolean;
  nativeType: [string, string[]] | null;
  default?: { name?: string } | string | number | boolean;
}
interface DmmfModel {
  name: string;
  dbName: string | null;
  fields: DmmfField[];
}
interface DmmfIndex {
  model: string;
  type: 'id' | 'unique' | 'normal' | 'fulltext';
  name?: string;
  dbName?: string;
  fields: { name: string }[];
}
interface Dmmf {
  datamodel: { models: DmmfModel[]; enums: { name: string; values: { name: string }[] }[]; indexes: DmmfIndex[] };
}

const schemaText = readFileSync(path.resolve(__dirname, '../../../prisma/schema.prisma'), 'utf8');
const dmmf = JSON.parse(wasm.get_dmmf(JSON.stringify({ prismaSchema: [['schema.prisma', schemaText]] }))) as Dmmf;
const { models, enums, indexes } = dmmf.datamodel;

// Prisma's PostgreSQL column types for the scalar types and native types this schema uses.
function expectedType(f: DmmfField): string {
  if (f.kind === 'enum') return f.type;
  const native = f.nativeType?.[0];
  if (native === 'Uuid') return 'uuid';
  if (native === 'Timestamptz') return `timestamptz(${f.nativeType?.[1][0] ?? 6})`;
  const byScalar: Record<string, string> = {
    String: 'text',
    Int: 'int4',
    BigInt: 'int8',
    Boolean: 'bool',
    DateTime: 'timestamp(3)',
    Json: 'jsonb',
    Float: 'float8',
  };
  const t = byScalar[f.type];
  if (!t) throw new Error(`extend expectedType for ${f.type}`);
  return t;
}

// uuid()/cuid()/nanoid() defaults are filled in by the Prisma client, not by the database.
const CLIENT_SIDE_DEFAULTS = new Set(['uuid', 'cuid', 'nanoid', 'ulid']);
function expectsDbDefault(f: DmmfField): boolean {
  if (!f.hasDefaultValue || f.isUpdatedAt) return false;
  return !(typeof f.default === 'object' && f.default.name && CLIENT_SIDE_DEFAULTS.has(f.default.name));
}

const tableOf = (m: DmmfModel) => m.dbName ?? m.name;
const columnOf = (model: string, field: string) => {
  const f = models.find((m) => m.name === model)!.fields.find((x) => x.name === field)!;
  return f.dbName ?? f.name;
};

function expectedIndexName(i: DmmfIndex): string {
  const table = tableOf(models.find((m) => m.name === i.model)!);
  if (i.dbName) return i.dbName;
  if (i.type === 'id') return `${table}_pkey`;
  const cols = i.fields.map((f) => columnOf(i.model, f.name)).join('_');
  return `${table}_${cols}_${i.type === 'unique' ? 'key' : 'idx'}`;
}

describe('prisma/schema.prisma and prisma/migrations', () => {
  let db: TestDatabase;
  let pg: Client;

  beforeAll(async () => {
    db = await createTestDatabase();
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  });
  afterAll(async () => {
    await pg.end();
    await db.drop();
  });

  it('when the migrations are applied, then exactly the schema tables exist', async () => {
    const { rows } = await pg.query<{ tablename: string }>(
      "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> '_prisma_migrations' ORDER BY 1",
    );
    expect(rows.map((r) => r.tablename)).toEqual(models.map(tableOf).sort());
  });

  it('when the migrations are applied, then every enum has the schema values in order', async () => {
    const { rows } = await pg.query<{ typname: string; labels: string[] }>(
      `SELECT t.typname, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS labels
       FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY t.typname ORDER BY t.typname`,
    );
    expect(rows).toEqual(
      enums.map((e) => ({ typname: e.name, labels: e.values.map((v) => v.name) })).sort((a, b) => a.typname.localeCompare(b.typname)),
    );
  });

  it.each(models.map((m) => [m.name, m] as const))(
    'when the migrations are applied, then %s has the schema columns, types, nullability and defaults',
    async (_name, model) => {
      const { rows } = await pg.query<{ column: string; type: string; nullable: boolean; hasDefault: boolean }>(
        `SELECT a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type, NOT a.attnotnull AS nullable, a.atthasdef AS "hasDefault"
       FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'public' AND c.relname = $1 AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
        [tableOf(model)],
      );
      const normalise = (t: string) =>
        t
          .replace('timestamp(3) with time zone', 'timestamptz(3)')
          .replace('timestamp(3) without time zone', 'timestamp(3)')
          .replace(/^text$/, 'text')
          .replace('integer', 'int4')
          .replace('bigint', 'int8')
          .replace('boolean', 'bool')
          .replace(/^"(.*)"$/, '$1');
      const actual = rows.map((r) => ({ ...r, type: normalise(r.type) }));
      const expected = model.fields
        .filter((f) => f.kind !== 'object')
        .map((f) => ({ column: f.dbName ?? f.name, type: expectedType(f), nullable: !f.isRequired, hasDefault: expectsDbDefault(f) }));
      expect(actual).toEqual(expected);
    },
  );

  it('when the migrations are applied, then the indexes are exactly the schema ids, uniques and indexes', async () => {
    const { rows } = await pg.query<{ name: string; table: string; unique: boolean; primary: boolean; columns: string[] }>(
      `SELECT ic.relname AS name, tc.relname AS table, i.indisunique AS unique, i.indisprimary AS primary,
              array_agg(a.attname::text ORDER BY k.ord) AS columns
       FROM pg_index i
       JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class tc ON tc.oid = i.indrelid
       JOIN pg_namespace n ON n.oid = tc.relnamespace
       CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
       JOIN pg_attribute a ON a.attrelid = tc.oid AND a.attnum = k.attnum
       WHERE n.nspname = 'public' AND tc.relname <> '_prisma_migrations'
       GROUP BY ic.relname, tc.relname, i.indisunique, i.indisprimary ORDER BY 1`,
    );
    const expected = indexes
      .map((i) => ({
        name: expectedIndexName(i),
        table: tableOf(models.find((m) => m.name === i.model)!),
        unique: i.type !== 'normal',
        primary: i.type === 'id',
        columns: i.fields.map((f) => columnOf(i.model, f.name)),
      }))
      .sort((a, b) => a.name.localeCompare(b.name));
    // Sorted here too: ORDER BY follows the database's collation, which may place '_' apart from localeCompare.
    expect([...rows].sort((a, b) => a.name.localeCompare(b.name))).toEqual(expected);
  });
});
