import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions, runMigrations } from '@pharmatrace/persistence';
import { MIGRATIONS } from '../../libs/persistence/src/migrations';
import { adminUrl, withAdmin } from '../support/database';

/**
 * The migrations are the schema's one truth (issue 15). What they build is described here in full (columns,
 * constraints, indexes, triggers, functions, the application role's grants) and kept as a jest snapshot beside this
 * spec, so a schema change shows in review as a diff of that file and cannot land unnoticed; every `down()` is run.
 */
const DESCRIBE: [string, string][] = [
  [
    'columns',
    `SELECT table_name, column_name, data_type, udt_name, is_nullable, column_default
               FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`,
  ],
  [
    'constraints',
    `SELECT conrelid::regclass::text AS table_name, conname, pg_get_constraintdef(oid) AS definition
                   FROM pg_constraint WHERE connamespace = 'public'::regnamespace ORDER BY 1, 2`,
  ],
  ['indexes', `SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1, 2`],
  [
    'triggers',
    `SELECT event_object_table, trigger_name, action_timing, event_manipulation, action_statement
                FROM information_schema.triggers WHERE trigger_schema = 'public' ORDER BY 1, 2, 4`,
  ],
  [
    'functions',
    `SELECT proname, pg_get_function_identity_arguments(oid) AS arguments FROM pg_proc
                 WHERE pronamespace = 'public'::regnamespace ORDER BY 1, 2`,
  ],
  [
    'grants',
    `SELECT CASE table_schema WHEN 'public' THEN table_name ELSE table_schema || '.' || table_name END AS table_name, privilege_type
              FROM information_schema.role_table_grants WHERE grantee = 'pharmatrace_app' ORDER BY 1, 2`,
  ],
  // The monthly partitions themselves (schema `partitions`) depend on the month the migrations ran in: their layout is
  // described here, and each month's tables are the parent's (event-partitions.spec).
  [
    'partitioning',
    `SELECT p.partrelid::regclass::text AS table_name, pg_get_partkeydef(p.partrelid) AS key FROM pg_partitioned_table p
              JOIN pg_class c ON c.oid = p.partrelid WHERE c.relnamespace = 'public'::regnamespace ORDER BY 1`,
  ],
  [
    'archive',
    `SELECT c.relname, c.relkind FROM pg_class c WHERE c.relnamespace = 'archive'::regnamespace AND c.relkind IN ('r', 'p') ORDER BY 1`,
  ],
  ['extensions', `SELECT extname FROM pg_extension ORDER BY 1`],
];

async function describeSchema(url: string): Promise<string> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const parts: string[] = [];
    for (const [name, sql] of DESCRIBE) {
      const { rows } = await client.query(sql);
      parts.push(
        `## ${name}`,
        ...rows.map((row) =>
          Object.values(row)
            .map((v) => (v === null ? '∅' : String(v).replace(/\s+/g, ' ')))
            .join(' | '),
        ),
      );
    }
    return parts.join('\n');
  } finally {
    await client.end();
  }
}

/** TypeORM's names for column types, as Postgres's information_schema spells them (udt_name). */
const UDT: Record<string, string> = {
  bigint: 'int8',
  integer: 'int4',
  boolean: 'bool',
  char: 'bpchar',
  text: 'text',
  bytea: 'bytea',
  numeric: 'numeric',
  timestamptz: 'timestamptz',
  uuid: 'uuid',
  jsonb: 'jsonb',
};

/** An entity's columns as Postgres would describe them: name, type (arrays prefixed `_`, enums by name), nullability. */
function entityColumns(ds: DataSource, table: string): string[] {
  const meta = ds.entityMetadatas.find((m) => m.tableName === table)!;
  return meta.columns
    .map((c) => {
      const type = c.type === 'enum' ? c.enumName! : (UDT[String(c.type)] ?? `unknown type ${String(c.type)}`);
      return `${c.databaseName} ${c.isArray ? `_${type}` : type} ${c.isNullable ? 'null' : 'not null'}`;
    })
    .sort();
}

describe('database schema (migrations, real Postgres)', () => {
  const name = `pharmatrace_schema_${randomBytes(5).toString('hex')}`;
  const url = adminUrl(name);
  beforeAll(() => withAdmin((c) => c.query(`CREATE DATABASE ${name}`)));
  afterAll(() => withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)));

  it('is what the migrations build, as the committed snapshot shows it; none is pending; the entities agree; every down() undoes its up()', async () => {
    expect(await runMigrations(url)).toHaveLength(MIGRATIONS.length);
    const built = await describeSchema(url);
    expect(built).toMatchSnapshot();

    const ds = new DataSource(dataSourceOptions(url, { poolSize: 1 }));
    await ds.initialize();
    try {
      expect(await ds.showMigrations()).toBe(false);
      // The few tables read through TypeORM's repositories: their entities map every migrated column, as migrated.
      expect(ds.entityMetadatas.map((m) => m.tableName).sort()).toEqual(['anchor_attempt', 'anchor_batch', 'organization']);
      for (const { tableName } of ds.entityMetadatas) {
        const migrated: { column: string }[] = await ds.query(
          `SELECT column_name || ' ' || udt_name || ' ' || CASE is_nullable WHEN 'YES' THEN 'null' ELSE 'not null' END AS column
           FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1`,
          [tableName],
        );
        expect({ [tableName]: entityColumns(ds, tableName) }).toEqual({ [tableName]: migrated.map((r) => r.column).sort() });
      }
      for (let i = 0; i < MIGRATIONS.length; i++) await ds.undoLastMigration({ transaction: 'each' });
      const tables = await ds.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`);
      // TypeORM's own bookkeeping table stays; everything the migrations made is gone.
      expect(tables).toEqual([{ tablename: 'migrations' }]);
    } finally {
      await ds.destroy();
    }
    expect(await runMigrations(url)).toHaveLength(MIGRATIONS.length);
    expect(await describeSchema(url)).toBe(built);
  });
});
