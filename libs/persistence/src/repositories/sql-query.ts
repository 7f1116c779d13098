import { finished } from 'node:stream/promises';
import type { Writable } from 'node:stream';
import { from as copyFrom } from 'pg-copy-streams';
import type { DataSource, EntityManager } from 'typeorm';

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

/** A row of a LEFT JOIN's optional side: every column null when nothing joined. */
export type Nullable<T> = { [K in keyof T]: T[K] | null };

/** Which way a keyset page is read from its cursor: on in the listing's own order, or back towards its start. */
export type PageDirection = 'forward' | 'backward';

/** A value COPY's text format can write: text, a number, or null (`\\N`). */
export type CopyField = string | number | null;

/** Text as COPY's text format writes it: the format's own separators and backslash escaped. */
export function copyText(text: string): string {
  return COPY_SPECIAL.test(text) ? text.replace(COPY_SPECIALS, (c) => COPY_ESCAPES[c]) : text;
}
const COPY_SPECIAL = /[\\\t\n\r]/;
const COPY_SPECIALS = /[\\\t\n\r]/g;
const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** copyText, or COPY's null. */
export const copyNullable = (text: string | null): string => (text === null ? '\\N' : copyText(text));

/**
 * JSON.stringify's output as COPY writes it. JSON escapes every control character, so a backslash is all it can hold
 * of COPY's specials: one native search of the whole text instead of a pattern test.
 */
export const copyJson = (json: string): string => (json.includes('\\') ? json.replace(/\\/g, '\\\\') : json);

/**
 * `d` as timestamptz text (ISO 8601, UTC). A document's rows repeat a few instants (its event times, the record time)
 * thousands of times, so the texts of recent instants are kept: a lookup instead of a toISOString (about 5,500 a
 * 1,000-event capture).
 */
export function copyTime(d: Date): string {
  const ms = d.getTime();
  let text = RECENT_TIMES.get(ms);
  if (text === undefined) {
    if (RECENT_TIMES.size >= RECENT_TIMES_KEPT) RECENT_TIMES.clear();
    text = d.toISOString();
    RECENT_TIMES.set(ms, text);
  }
  return text;
}
const RECENT_TIMES = new Map<number, string>();
const RECENT_TIMES_KEPT = 256;

/** A value as COPY's text format writes it: null as \\N, text escaped. */
const copyField = (value: CopyField): string => (typeof value === 'number' ? String(value) : copyNullable(value));

/** A text[] value as Postgres reads it from text: every element quoted, its quotes and backslashes escaped. */
export const textArray = (items: readonly string[]): string => `{${items.map((i) => `"${i.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;

/** One row of COPY's text format, with its newline: for rows written rarely (the benches' loads); hot rows have line builders of their own. */
export const copyLine = (row: ReadonlyArray<CopyField>): string => row.map(copyField).join('\t') + '\n';

/**
 * Rows of COPY's text format written into bytes one line at a time. A text of 600 KB built with `+=` is a rope of
 * tens of thousands of pieces, which the stream then flattened and encoded in one go (5 ms of the capturing API's
 * main thread a 1,000-event document, in a CPU profile of `npm run bench capture-ceiling`); each line written here is
 * short and flat, and the bytes live outside V8's heap.
 */
export class CopyText {
  private bytes = Buffer.allocUnsafe(64 * 1024);
  private length = 0;

  add(line: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 unit (4 for a surrogate pair of two).
    const needed = this.length + 3 * line.length;
    if (needed > this.bytes.length) {
      const larger = Buffer.allocUnsafe(Math.max(needed, 2 * this.bytes.length));
      this.bytes.copy(larger, 0, 0, this.length);
      this.bytes = larger;
    }
    this.length += this.bytes.write(line, this.length);
  }

  get empty(): boolean {
    return this.length === 0;
  }

  /** The rows written so far. */
  toBuffer(): Buffer {
    return this.bytes.subarray(0, this.length);
  }
}

/**
 * Writes `rows` with `COPY … FROM STDIN` (text format) on the connection of the transaction `tx` runs in. For a
 * capture's bulk rows: Postgres takes them for about 60% of the CPU `INSERT … SELECT FROM unnest(…)` costs it (1,800
 * EPC index rows 11.6 against 18.6 ms, 900 new pack states 12.0 against 19.4; no array parameters to decode), and the
 * API writes bytes instead of an array literal per column. A row that breaks a key fails the whole COPY.
 */
export async function copyRows(tx: EntityManager, sql: string, rows: CopyText): Promise<void> {
  if (rows.empty) return;
  const client = (await tx.queryRunner!.connect()) as { query(stream: Writable): Writable };
  const stream = client.query(copyFrom(sql));
  stream.end(rows.toBuffer());
  await finished(stream);
}

/** Every DataSource whose pool must not be sent named statements (a transaction-mode pooler; ReadRouting marks them). */
export const unnamedStatements = new WeakSet<DataSource>();

/**
 * Runs `text` as the named prepared statement `name` on the connection of the transaction `tx` runs in, or unnamed
 * where its DataSource must not keep named statements. For a capture's statements that carry a chunk's arrays: sent
 * unnamed, Postgres planned each at every execution for the arrays it was given (bind 0.9-3.1 ms a statement on the
 * capture-ceiling bench, against 0.02 for a statement a connection has prepared). `Row` is asserted, as in queryRows.
 */
export async function preparedRows<Row>(tx: EntityManager, name: string, text: string, values: unknown[]): Promise<Row[]> {
  const client = (await tx.queryRunner!.connect()) as { query(q: object): Promise<{ rows: unknown[] }> };
  const { rows } = await client.query(unnamedStatements.has(tx.connection) ? { text, values } : { name, text, values });
  return rows as Row[];
}
