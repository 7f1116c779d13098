import { runMigrations } from '@pharmatrace/persistence';
import { Client } from 'pg';

/** A migrated database of its own for one benchmark, on the server BENCH_DATABASE_URL names (default: local). */
export async function createBenchDatabase(label: string): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = new URL(process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  const name = `pharmatrace_bench_${label}_${Date.now().toString(36)}`;
  const run = async (sql: string) => {
    const c = new Client({ connectionString: admin.toString() });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  await run(`CREATE DATABASE ${name}`);
  const url = new URL(admin.toString());
  url.pathname = `/${name}`;
  await runMigrations(url.toString());
  return { url: url.toString(), drop: () => run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}
