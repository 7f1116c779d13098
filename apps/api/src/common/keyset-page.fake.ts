/**
 * A keyset page over rows in memory, as the repositories read one in SQL: `ordered` is the listing in its own order,
 * `position(row)` compared with `position(cursor row)` by `compare`. Forward: the rows after the cursor, first
 * `limit`; backward: the rows before it, last `limit`, still in the listing's order. `hasMore`: a row lies past the
 * page in the direction read.
 */
export function keysetPage<Row, Key>(
  ordered: Row[],
  keyOf: (row: Row) => Key,
  compare: (a: Key, b: Key) => number,
  cursor: Key | null,
  limit: number,
  direction: 'forward' | 'backward' = 'forward',
): { rows: Row[]; hasMore: boolean } {
  if (direction === 'forward') {
    const after = ordered.filter((r) => cursor === null || compare(keyOf(r), cursor) > 0);
    return { rows: after.slice(0, limit), hasMore: after.length > limit };
  }
  const before = ordered.filter((r) => cursor === null || compare(keyOf(r), cursor) < 0);
  return { rows: before.slice(Math.max(before.length - limit, 0)), hasMore: before.length > limit };
}
