/**
 * Anything raw SQL runs through: a DataSource, an EntityManager (a transaction) or a QueryRunner. Their query() answers
 * `any`; taking it as `unknown` keeps that `any` from reaching the repositories.
 */
export interface SqlRunner {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

/**
 * The rows of a statement that answers rows (SELECT, INSERT … RETURNING), typed as `Row`: the one place a raw SQL
 * result is asserted to have a type. Nothing checks it at run time, so `Row` must say what node-postgres hands back
 * (int8, numeric and count(*) as strings, timestamptz and date as Date, json and jsonb parsed, bytea as Buffer, a
 * nullable column or one from an outer join as `T | null`), not what the caller would like.
 *
 * Not for UPDATE or DELETE: TypeORM answers those with [rows, affected count] (see `Updated`).
 */
export async function queryRows<Row>(db: SqlRunner, sql: string, params?: unknown[]): Promise<Row[]> {
  return (await db.query(sql, params)) as Row[];
}

/** What TypeORM's query() answers an UPDATE or DELETE with on Postgres: the rows RETURNING gives, and how many were affected. */
export type Updated<Row> = [rows: Row[], affected: number];

/** Which way a keyset page is read from its cursor: on in the listing's own order, or back towards its start. */
export type PageDirection = 'forward' | 'backward';
