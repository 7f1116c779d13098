/**
 * Node indexes of the proof for the leaf at `treeIndex`, leaf to root, in OpenZeppelin's layout. Lets a store
 * that keeps the node array (Postgres bytea) read just those 32-byte slices instead of loading the whole tree.
 */
export function proofIndices(treeIndex: number): number[] {
  const out: number[] = [];
  for (let i = treeIndex; i > 0; i = (i - 1) >> 1) out.push(i % 2 === 1 ? i + 1 : i - 1);
  return out;
}
