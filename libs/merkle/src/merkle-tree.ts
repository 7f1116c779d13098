import { keccak_256 } from '@noble/hashes/sha3';
import { hex } from './hex-codec';
import { loadBulkKeccak256, type BulkKeccak256 } from './keccak-hasher';
import { MerkleError, MerkleErrorCode } from './merkle-error';

export const HASH_BYTES = 32;

/**
 * A tree laid out exactly like OpenZeppelin's `StandardMerkleTree` for leaf encoding `['bytes32']`:
 * node i has children 2i+1 and 2i+2, the root is node 0, and the leaves fill the last `leafCount`
 * slots in descending order of leaf hash (the smallest leaf hash is the last node).
 */
export interface MerkleTreeData {
  root: Uint8Array;
  /** (2·leafCount − 1) × 32 bytes, node i at bytes [32i, 32i + 32): stored as one bytea. */
  nodes: Uint8Array;
  leafCount: number;
  /** treeIndexOf[i] is the node index of the i-th input digest, the argument `getProof` takes. */
  treeIndexOf: Uint32Array;
}

/**
 * Builds the tree over `digests`, n × 32 bytes, one event digest per 32 bytes.
 * Duplicate digests are kept, as OpenZeppelin does: each gets its own leaf, equal leaves keep input
 * order, and each has its own valid proof. Event digests are unique in our system, so nothing relies on it.
 */
export async function buildMerkleTree(digests: Uint8Array): Promise<MerkleTreeData> {
  return buildMerkleTreeWith(await loadBulkKeccak256(), digests);
}

function buildMerkleTreeWith(keccak: BulkKeccak256, digests: Uint8Array): MerkleTreeData {
  if (digests.length % HASH_BYTES !== 0) {
    throw new MerkleError(MerkleErrorCode.BAD_LEAF_LENGTH, 'digests', `length must be a multiple of ${HASH_BYTES}, got ${digests.length}`);
  }
  const n = digests.length / HASH_BYTES;
  if (n === 0) throw new MerkleError(MerkleErrorCode.EMPTY_TREE, 'digests', 'must hold at least one digest');

  // A Buffer's subarray builds a Buffer, measurably slower per call than a plain Uint8Array view.
  const input = new Uint8Array(digests.buffer, digests.byteOffset, digests.byteLength);
  const leafHashes = new Uint8Array(n * HASH_BYTES);
  const inner = new Uint8Array(HASH_BYTES);
  for (let i = 0; i < n; i++) {
    keccak.hashInto(input.subarray(i * HASH_BYTES, (i + 1) * HASH_BYTES), inner, 0);
    keccak.hashInto(inner, leafHashes, i * HASH_BYTES);
  }

  const order = sortedHashOrder(leafHashes, n);
  const nodeCount = 2 * n - 1;
  const nodes = new Uint8Array(nodeCount * HASH_BYTES);
  const treeIndexOf = new Uint32Array(n);
  for (let k = 0; k < n; k++) {
    const treeIndex = nodeCount - 1 - k;
    const from = order[k] * HASH_BYTES;
    nodes.set(leafHashes.subarray(from, from + HASH_BYTES), treeIndex * HASH_BYTES);
    treeIndexOf[order[k]] = treeIndex;
  }

  const swapped = new Uint8Array(2 * HASH_BYTES);
  for (let i = n - 2; i >= 0; i--) {
    const left = (2 * i + 1) * HASH_BYTES;
    const right = left + HASH_BYTES;
    // Siblings are adjacent, so an already-ordered pair is hashed in place without copying.
    if (compareAt(nodes, left, nodes, right) <= 0) {
      keccak.hashInto(nodes.subarray(left, right + HASH_BYTES), nodes, i * HASH_BYTES);
    } else {
      swapped.set(nodes.subarray(right, right + HASH_BYTES), 0);
      swapped.set(nodes.subarray(left, right), HASH_BYTES);
      keccak.hashInto(swapped, nodes, i * HASH_BYTES);
    }
  }

  return { root: nodes.slice(0, HASH_BYTES), nodes, leafCount: n, treeIndexOf };
}

/**
 * Input indices in ascending order of their 32-byte hash, ties in input order (OpenZeppelin's sort is
 * stable). A comparator sort over 1M hashes calls back into JS ~20M times (5.3 s measured); instead each
 * hash's leading bits and its index are packed into one exact double so the native numeric sort does the
 * work (0.4 s), and only runs sharing those leading bits (rare for hashes, whole for duplicates) are
 * re-sorted in full.
 */
export function sortedHashOrder(hashes: Uint8Array, n: number): Uint32Array {
  const indexBits = Math.max(1, Math.ceil(Math.log2(n)));
  const indexScale = 2 ** indexBits;
  const prefixBits = 53 - indexBits;
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) keys[i] = prefixOf(hashes, i * HASH_BYTES, prefixBits) * indexScale + i;
  keys.sort();

  const order = new Uint32Array(n);
  for (let k = 0; k < n; k++) order[k] = keys[k] % indexScale;

  let runStart = 0;
  for (let k = 1; k <= n; k++) {
    if (k < n && Math.floor(keys[k] / indexScale) === Math.floor(keys[runStart] / indexScale)) continue;
    if (k - runStart > 1) {
      const run = Array.from(order.subarray(runStart, k));
      run.sort((a, b) => compareAt(hashes, a * HASH_BYTES, hashes, b * HASH_BYTES) || a - b);
      order.set(run, runStart);
    }
    runStart = k;
  }
  return order;
}

/** The first `bits` (≤ 52) bits of the hash at `offset`, big-endian, as an exact integer. */
function prefixOf(bytes: Uint8Array, offset: number, bits: number): number {
  const high = ((bytes[offset] << 24) | (bytes[offset + 1] << 16) | (bytes[offset + 2] << 8) | bytes[offset + 3]) >>> 0;
  if (bits <= 32) return high >>> (32 - bits);
  const low = ((bytes[offset + 4] << 24) | (bytes[offset + 5] << 16) | (bytes[offset + 6] << 8) | bytes[offset + 7]) >>> 0;
  return high * 2 ** (bits - 32) + (low >>> (64 - bits));
}

function compareAt(a: Uint8Array, aOffset: number, b: Uint8Array, bOffset: number): number {
  for (let j = 0; j < HASH_BYTES; j++) {
    const diff = a[aOffset + j] - b[bOffset + j];
    if (diff !== 0) return diff;
  }
  return 0;
}

/** Number of leaves of a stored `nodes` buffer, refusing buffers that cannot be a 2n−1 node tree. */
export function leafCountOf(nodes: Uint8Array): number {
  const nodeCount = nodes.length / HASH_BYTES;
  if (!Number.isInteger(nodeCount) || nodeCount % 2 !== 1) {
    throw new MerkleError(
      MerkleErrorCode.BAD_NODES_LENGTH,
      'nodes',
      `length must be (2n − 1) × ${HASH_BYTES} for n ≥ 1, got ${nodes.length}`,
    );
  }
  return (nodeCount + 1) / 2;
}

/**
 * Sibling hashes from the leaf at `treeIndex` up to the root, the same list OpenZeppelin's `getProof` returns.
 * Each element is a copy, so a proof kept around does not pin the whole `nodes` buffer in memory.
 */
export function getProof(nodes: Uint8Array, treeIndex: number): Uint8Array[] {
  const leafCount = leafCountOf(nodes);
  const nodeCount = 2 * leafCount - 1;
  if (!Number.isInteger(treeIndex) || treeIndex < leafCount - 1 || treeIndex >= nodeCount) {
    throw new MerkleError(
      MerkleErrorCode.INDEX_OUT_OF_RANGE,
      'treeIndex',
      `must be a leaf index in [${leafCount - 1}, ${nodeCount - 1}], got ${treeIndex}`,
    );
  }
  const proof: Uint8Array[] = [];
  for (let i = treeIndex; i > 0; i = (i - 1) >> 1) {
    const sibling = i % 2 === 1 ? i + 1 : i - 1;
    proof.push(nodes.slice(sibling * HASH_BYTES, (sibling + 1) * HASH_BYTES));
  }
  return proof;
}

export function proofToHex(proof: readonly Uint8Array[]): string[] {
  return proof.map(hex);
}

/** keccak256(keccak256(abi.encode(bytes32 digest))): the leaf OpenZeppelin's `['bytes32']` tree and MerkleProof.sol use. */
export function leafHashOf(digest: Uint8Array): Uint8Array {
  checkHash(digest, 'digest', MerkleErrorCode.BAD_LEAF_LENGTH);
  return keccak_256(keccak_256(digest));
}

function checkHash(bytes: Uint8Array, field: string, code: MerkleErrorCode): void {
  if (bytes.length !== HASH_BYTES) throw new MerkleError(code, field, `must be ${HASH_BYTES} bytes, got ${bytes.length}`);
}
