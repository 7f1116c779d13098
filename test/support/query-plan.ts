import type { Client } from 'pg';

/** A node of `EXPLAIN (ANALYZE, FORMAT JSON)`, as far as the plan specs read it. */
export interface PlanNode {
  'Relation Name'?: string;
  'Actual Rows': number;
  'Actual Loops': number;
  'Rows Removed by Filter'?: number;
  Plans?: PlanNode[];
}

/** Rows every scan of `relation` produced or filtered away, over all its loops. */
export function rowsRead(plan: PlanNode, relation: string): number {
  const own = plan['Relation Name'] === relation ? (plan['Actual Rows'] + (plan['Rows Removed by Filter'] ?? 0)) * plan['Actual Loops'] : 0;
  return own + (plan.Plans ?? []).reduce((sum, child) => sum + rowsRead(child, relation), 0);
}

/** A text[] literal for an EXECUTE of a prepared statement (which takes no bind parameters through EXPLAIN). */
export const textArray = (pg: Client, values: (string | null)[]) =>
  `ARRAY[${values.map((v) => (v === null ? 'NULL' : pg.escapeLiteral(v))).join(', ')}]::text[]`;
