import type { DataSource } from 'typeorm';
import { preparedOn } from '../replication/read-routing';

/**
 * Runs a hot-path statement as a named prepared statement on the primary (see preparedOn), or unnamed where the
 * pool mode cannot keep named statements (ReadRouting).
 *
 * `Row` is asserted, as in queryRows (sql-query.ts): it must say what node-postgres hands back.
 */
export function preparedQuery<Row>(db: DataSource, name: string, text: string, values: unknown[]): Promise<Row[]> {
  return preparedOn<Row>(db, name, text, values);
}
