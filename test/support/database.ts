import { dataSourceOptions } from '@pharmatrace/persistence';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../libs/persistence/src/migrations';

/** Named per run (inherited by the jest workers) so concurrent runs on one server never collide. */
export function templateDb(): string {
  process.env.PHARMATRACE_TEST_TEMPLATE ??= `pharmatrace_tpl_${process.pid}_${Date.now().toString(36)}`;
  return process.env.PHARMATRACE_TEST_TEMPLATE;
}

/** The server tests run against: the machine's Postgres unless TEST_DATABASE_URL names another. */
export function adminUrl(database = 'postgres'): string {
  const url = new URL(process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  url.pathname = `/${database}`;
  return url.toString();
}

export async function withAdmin<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A fresh database cloned from the migrated template: fast, and isolated per test file. */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `pharmatrace_test_${randomBytes(6).toString('hex')}`;
  await withAdmin(async (c) => {
    await c.query(`CREATE DATABASE ${name} TEMPLATE ${templateDb()}`);
    // What migration NoJit1767300000000 sets on the database it migrates: a clone copies no database setting.
    await c.query(`ALTER DATABASE ${name} SET jit = off`);
  });
  return {
    url: adminUrl(name),
    drop: () => withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

/** A new database migrated up to, not including, the migration `name`: for a spec of that migration's backfill. */
export async function createDatabaseBefore(database: string, name: string): Promise<string> {
  await withAdmin((c) => c.query(`CREATE DATABASE ${database}`));
  const url = adminUrl(database);
  const before = new DataSource({
    ...dataSourceOptions(url, { poolSize: 1 }),
    migrations: MIGRATIONS.slice(
      0,
      MIGRATIONS.findIndex((m) => m.name === name),
    ),
  });
  await before.initialize();
  await before.runMigrations({ transaction: 'all' });
  await before.destroy();
  return url;
}

/** Packs of a lot, written as bare states (triggers off): what the read rules' lot branches look up. */
export async function insertLotPacks(pg: Client, packs: readonly { epc: string; gtin: string; lot: string }[]): Promise<void> {
  await pg.query(`SET session_replication_role = replica`);
  for (const p of packs) {
    await pg.query(
      `INSERT INTO pack_state (epc, kind, gtin, serial, lot, expiry, status, last_event_id, last_event_time)
       VALUES ($1, 'sgtin', $2, 'S', $3, '2030-01-31', 'ACTIVE', 1, now())`,
      [p.epc, p.gtin, p.lot],
    );
  }
  await pg.query(`RESET session_replication_role`);
}
