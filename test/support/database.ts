import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

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
  await withAdmin((c) => c.query(`CREATE DATABASE ${name} TEMPLATE ${templateDb()}`));
  return {
    url: adminUrl(name),
    drop: () => withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}
