import type { Pool, QueryResultRow } from 'pg';
import type { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';

/**
 * Runs a hot-path statement as a named prepared statement, planned once per connection instead of on every call.
 * TypeORM's query() sends unnamed statements; for the verification and provenance queries planning cost more than
 * executing (EXPLAIN on 1M packs: 1.2 ms of planning against 0.4 ms of execution for the verdict's query).
 */
export async function preparedQuery<R extends QueryResultRow>(db: DataSource, name: string, text: string, values: unknown[]): Promise<R[]> {
  const pool = (db.driver as PostgresDriver).master as Pool;
  return (await pool.query<R>({ name, text, values })).rows;
}
