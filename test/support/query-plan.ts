import type { Client } from 'pg';
import { ENTITIES } from '@pharmatrace/persistence';
import { DataSource } from 'typeorm';

/** A node of `EXPLAIN (ANALYZE, FORMAT JSON)`, as far as the plan specs read it. */
export interface PlanNode {
  'Relation Name'?: string;
  'Actual Rows': number;
  'Actual Loops': number;
  'Rows Removed by Filter'?: number;
  'Rows Removed by Index Recheck'?: number;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

/** Rows every scan of `relation` produced or filtered away, over all its loops. */
export function rowsRead(plan: PlanNode, relation: string): number {
  const removed = (plan['Rows Removed by Filter'] ?? 0) + (plan['Rows Removed by Index Recheck'] ?? 0);
  const own = plan['Relation Name'] === relation ? (plan['Actual Rows'] + removed) * plan['Actual Loops'] : 0;
  return own + (plan.Plans ?? []).reduce((sum, child) => sum + rowsRead(child, relation), 0);
}

/** A text[] literal for an EXECUTE of a prepared statement (which takes no bind parameters through EXPLAIN). */
export const textArray = (pg: Client, values: (string | null)[]) =>
  `ARRAY[${values.map((v) => (v === null ? 'NULL' : pg.escapeLiteral(v))).join(', ')}]::text[]`;

/** The plan `EXPLAIN (ANALYZE)` reports for a statement with its bind parameters. */
export async function analyzedPlan(pg: Client, sql: string, params: unknown[] = []): Promise<PlanNode> {
  const {
    rows: [row],
  } = await pg.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`, params);
  return row['QUERY PLAN'][0].Plan as PlanNode;
}

/** Every index the plan reads, by name. */
export function indexesRead(plan: PlanNode): string[] {
  return [...(plan['Index Name'] ? [plan['Index Name']] : []), ...(plan.Plans ?? []).flatMap(indexesRead)];
}

/**
 * A DataSource whose raw statements (`query`, which every repository's SQL goes through) are kept with their
 * parameters: a spec reads the plan of exactly what the repository sent, not a copy of its SQL.
 */
export async function recordingDataSource(url: string): Promise<{ db: DataSource; statements: { sql: string; params: unknown[] }[] }> {
  const db = new DataSource({ type: 'postgres', url, entities: ENTITIES });
  await db.initialize();
  const statements: { sql: string; params: unknown[] }[] = [];
  const query = db.query.bind(db);
  db.query = ((sql: string, params: unknown[] = []) => {
    statements.push({ sql, params });
    return query(sql, params);
  }) as DataSource['query'];
  return { db, statements };
}
