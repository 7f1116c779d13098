import { DataSource, DataSourceOptions } from 'typeorm';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';
import { PgClient } from './pg.client';

/**
 * pg-pool's idle timeout, 0: a connection once opened stays in the pool. Its default (10 s) closed the connections a
 * burst had opened and opened new ones at the next, and a new Postgres session plans each prepared statement anew for
 * its first five executions: the verification statement took 44-93 ms to plan (and 26-36 ms to parse) on the 1M-pack
 * bench database against about 1 ms to run, so `verify` at 1,744 scans/s met new connections every 10-20 s and had a
 * p99 of 210 ms with the API's own event loop never late by more than 38 ms (docs/benchmarks.md).
 */
export const KEEP_IDLE_CONNECTIONS = 0;

/**
 * The one place DataSource options are built, shared by the apps, the migration command and the tests. `appRole`: the
 * role every connection acts as from its first statement, set in the startup packet (`-c role=…`), so a role that is
 * missing or not granted to the login fails the connection instead of leaving it with the login's rights.
 */
export function dataSourceOptions(
  url: string,
  options: { logSql?: boolean; poolSize?: number; appRole?: string; poolMode?: 'session' | 'transaction' } = {},
): DataSourceOptions {
  // PgBouncer refuses startup options it cannot track per transaction: behind it the login's own setting
  // (ALTER ROLE … SET role, made by ensureAppLogin) switches to the role instead.
  const startupRole = options.appRole && options.poolMode !== 'transaction';
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    synchronize: false,
    migrationsRun: false,
    logging: options.logSql ? ['query', 'error'] : ['error'],
    extra: {
      Client: PgClient,
      max: options.poolSize ?? 10,
      idleTimeoutMillis: KEEP_IDLE_CONNECTIONS,
      ...(startupRole ? { options: `-c role=${options.appRole}` } : {}),
    },
    // Extensions are the migrations' business; the application role could not create them anyway.
    installExtensions: !options.appRole,
  };
}

export async function runMigrations(url: string): Promise<string[]> {
  const ds = new DataSource(dataSourceOptions(url, { poolSize: 1 }));
  await ds.initialize();
  try {
    const applied = await ds.runMigrations({ transaction: 'all' });
    return applied.map((m) => m.name);
  } finally {
    await ds.destroy();
  }
}
