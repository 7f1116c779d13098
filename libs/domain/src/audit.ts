import { keccak_256 } from '@noble/hashes/sha3';
import { digestToHash } from '@pharmatrace/epcis';
import { buildMerkleTree, HASH_BYTES, hex, leafHashOf } from '@pharmatrace/merkle';

/** Alert code an audit records for every finding. */
export const TAMPER_ALERT_CODE = 'TAMPER_DETECTED';

export enum TamperKind {
  /** An event row of the batch no longer says what was anchored (body, event_hash or leaf_index changed). */
  EDITED = 'EDITED',
  /** An event row of the batch that the anchored root does not commit to. */
  INSERTED = 'INSERTED',
  /** A leaf the anchored root commits to with no event row left. */
  DELETED = 'DELETED',
  /** The batch row or its node array disagrees with the chain; rows cannot (all) be itemised. */
  ROOT_MISMATCH = 'ROOT_MISMATCH',
  /** The chain holds no anchor for a batch the database says was mined. */
  NOT_ANCHORED = 'NOT_ANCHORED',
}

export enum AuditOutcome {
  CLEAN = 'CLEAN',
  TAMPERED = 'TAMPERED',
}

export interface AuditedEvent {
  eventId: number;
  /** Tree node index stored on the row (`event.leaf_index`). */
  leafIndex: number | null;
  /** The 32 bytes of the stored `event_hash`. */
  storedDigest: Uint8Array;
  /** The 32 bytes of the CBV 2.0 hash recomputed from the stored body; null when the body no longer hashes. */
  recomputedDigest: Uint8Array | null;
}

/** One `Anchored(root, batchId, leafCount)` log of the batch, as read from the chain. */
export interface ChainAnchor {
  root: string;
  leafCount: number;
}

export interface BatchAuditInput {
  batchId: number;
  storedRoot: Uint8Array;
  storedLeafCount: number;
  /** `anchor_batch.nodes`: (2n − 1) × 32 bytes, OpenZeppelin layout, leaves in the last n slots. */
  nodes: Uint8Array;
  events: readonly AuditedEvent[];
  anchors: readonly ChainAnchor[];
}

export interface TamperFinding {
  batchId: number;
  kind: TamperKind;
  eventId?: number;
  /** CBV 2.0 event hash of the row as stored. */
  eventHash?: string;
  /** Tree node index of the anchored leaf concerned. */
  leafIndex?: number;
  /** 0x-hex of that anchored leaf: all that names a deleted event, since a leaf cannot be inverted. */
  leafHash?: string;
  detail: string;
}

export interface BatchAuditReport {
  batchId: number;
  outcome: AuditOutcome;
  /** Root anchored on chain for this batch (0x-hex), null if none. */
  chainRoot: string | null;
  chainLeafCount: number | null;
  /** Root of the tree rebuilt from the bodies of the batch's current event rows, null if none hashes. */
  rebuiltRoot: string | null;
  eventCount: number;
  findings: TamperFinding[];
}

/**
 * Compares a batch as the database now holds it with what the chain says was anchored for it.
 * The stored node array is trusted only once its leaves rebuild the anchored root; it then names which rows
 * were edited, inserted or deleted. Without it, the batch is reported as mismatching, not itemised.
 */
export async function auditAnchoredBatch(input: BatchAuditInput): Promise<BatchAuditReport> {
  const { batchId, events } = input;
  const findings: TamperFinding[] = [];
  const add = (finding: Omit<TamperFinding, 'batchId'>) => findings.push({ batchId, ...finding });

  const hashable = events.filter((e) => e.recomputedDigest !== null);
  const rebuilt = hashable.length ? await buildMerkleTree(concat(hashable.map((e) => e.recomputedDigest!))) : null;
  const rebuiltRoot = rebuilt ? hex(rebuilt.root) : null;
  const bodyLeaf = new Map<AuditedEvent, string>();
  hashable.forEach((e, i) => bodyLeaf.set(e, nodeHex(rebuilt!.nodes, rebuilt!.treeIndexOf[i])));

  const report = (anchor: ChainAnchor | null): BatchAuditReport => ({
    batchId,
    outcome: findings.length ? AuditOutcome.TAMPERED : AuditOutcome.CLEAN,
    chainRoot: anchor ? anchor.root.toLowerCase() : null,
    chainLeafCount: anchor?.leafCount ?? null,
    rebuiltRoot,
    eventCount: events.length,
    findings,
  });

  if (!input.anchors.length) {
    add({ kind: TamperKind.NOT_ANCHORED, detail: `no Anchored log for batch ${batchId} on chain` });
    return report(null);
  }
  const storedRoot = hex(input.storedRoot);
  const anchor =
    input.anchors.find((a) => a.root.toLowerCase() === rebuiltRoot) ??
    input.anchors.find((a) => a.root.toLowerCase() === storedRoot) ??
    input.anchors[input.anchors.length - 1];
  const chainRoot = anchor.root.toLowerCase();

  if (storedRoot !== chainRoot)
    add({ kind: TamperKind.ROOT_MISMATCH, detail: `anchor_batch.root is ${storedRoot}, the chain anchored ${chainRoot}` });
  if (input.storedLeafCount !== anchor.leafCount) {
    add({
      kind: TamperKind.ROOT_MISMATCH,
      detail: `anchor_batch.leaf_count is ${input.storedLeafCount}, the chain anchored ${anchor.leafCount} leaves`,
    });
  }

  if (nodesCommitTo(input.nodes, chainRoot, anchor.leafCount)) {
    itemise(input.nodes, anchor.leafCount, events, bodyLeaf, add);
  } else {
    add({
      kind: TamperKind.ROOT_MISMATCH,
      detail: `the stored node array does not rebuild the anchored root ${chainRoot}; the events rebuild ${rebuiltRoot ?? 'nothing'}`,
    });
    for (const e of events) {
      if (!sameDigest(e.recomputedDigest, e.storedDigest))
        add(edited(e, e.recomputedDigest ? 'body no longer hashes to its stored event hash' : 'body no longer hashes as an EPCIS event'));
    }
  }
  if (rebuiltRoot !== chainRoot && !findings.length) {
    add({ kind: TamperKind.ROOT_MISMATCH, detail: `the events rebuild ${rebuiltRoot ?? 'nothing'}, the chain anchored ${chainRoot}` });
  }
  return report(anchor);
}

type AddFinding = (finding: Omit<TamperFinding, 'batchId'>) => void;

function itemise(
  nodes: Uint8Array,
  leafCount: number,
  events: readonly AuditedEvent[],
  bodyLeaf: Map<AuditedEvent, string>,
  add: AddFinding,
): void {
  const firstLeaf = leafCount - 1;
  const nodeCount = 2 * leafCount - 1;
  const unclaimed = new Map<string, number[]>();
  for (let t = firstLeaf; t < nodeCount; t++) {
    const leaf = nodeHex(nodes, t);
    const list = unclaimed.get(leaf);
    if (list) list.push(t);
    else unclaimed.set(leaf, [t]);
  }
  const claim = (leaf: string, preferred: number | null): number | undefined => {
    const list = unclaimed.get(leaf);
    if (!list?.length) return undefined;
    const at = preferred === null ? -1 : list.indexOf(preferred);
    return list.splice(Math.max(at, 0), 1)[0];
  };

  // First every row whose body or stored hash is still a leaf, so a later row pointing at a leaf index
  // (an insertion posing as a replacement) cannot take the leaf of a row that still proves it.
  const unmatched: AuditedEvent[] = [];
  for (const e of events) {
    const fromBody = bodyLeaf.get(e);
    const bodyIndex = fromBody === undefined ? undefined : claim(fromBody, e.leafIndex);
    if (bodyIndex !== undefined) {
      if (!sameDigest(e.recomputedDigest, e.storedDigest))
        add(edited(e, 'event_hash column changed; the body still hashes to the anchored leaf', bodyIndex));
      else if (e.leafIndex !== bodyIndex) add(edited(e, `leaf_index changed from ${bodyIndex} to ${e.leafIndex}`, bodyIndex));
      continue;
    }
    const storedIndex = sameDigest(e.recomputedDigest, e.storedDigest) ? undefined : claim(hex(leafHashOf(e.storedDigest)), e.leafIndex);
    if (storedIndex !== undefined) {
      add(
        edited(
          e,
          e.recomputedDigest ? 'body changed: it no longer hashes to its anchored event hash' : 'body no longer hashes as an EPCIS event',
          storedIndex,
        ),
      );
      continue;
    }
    unmatched.push(e);
  }

  for (const e of unmatched) {
    const t = e.leafIndex;
    const leafAtIndex = t !== null && t >= firstLeaf && t < nodeCount ? nodeHex(nodes, t) : undefined;
    if (t !== null && leafAtIndex !== undefined && unclaimed.get(leafAtIndex)!.includes(t)) {
      claim(leafAtIndex, t);
      add(edited(e, `body and event_hash both changed: the anchored leaf ${t} no longer matches the row`, t));
    } else {
      add({
        kind: TamperKind.INSERTED,
        eventId: e.eventId,
        eventHash: digestToHash(e.storedDigest),
        detail: 'the anchored root does not commit to this row',
      });
    }
  }

  const deleted = [...unclaimed.values()].flat().sort((a, b) => a - b);
  for (const t of deleted) {
    add({ kind: TamperKind.DELETED, leafIndex: t, leafHash: nodeHex(nodes, t), detail: `anchored leaf ${t} has no event row` });
  }
}

function edited(e: AuditedEvent, detail: string, leafIndex?: number): Omit<TamperFinding, 'batchId'> {
  return { kind: TamperKind.EDITED, eventId: e.eventId, eventHash: digestToHash(e.storedDigest), leafIndex, detail };
}

/**
 * True when the node array has `leafCount` leaves whose tree, rebuilt with sorted-pair keccak256 as
 * OpenZeppelin's MerkleProof does, has `root`. Stored inner nodes are ignored: only the leaves are trusted.
 */
export function nodesCommitTo(nodes: Uint8Array, root: string, leafCount: number): boolean {
  if (!Number.isSafeInteger(leafCount) || leafCount < 1 || nodes.length !== (2 * leafCount - 1) * HASH_BYTES) return false;
  const tree = nodes.slice();
  const pair = new Uint8Array(2 * HASH_BYTES);
  for (let i = leafCount - 2; i >= 0; i--) {
    const left = tree.subarray((2 * i + 1) * HASH_BYTES, (2 * i + 2) * HASH_BYTES);
    const right = tree.subarray((2 * i + 2) * HASH_BYTES, (2 * i + 3) * HASH_BYTES);
    const ordered = compare(left, right) <= 0;
    pair.set(ordered ? left : right, 0);
    pair.set(ordered ? right : left, HASH_BYTES);
    tree.set(keccak_256(pair), i * HASH_BYTES);
  }
  return hex(tree.subarray(0, HASH_BYTES)) === root.toLowerCase();
}

function nodeHex(nodes: Uint8Array, index: number): string {
  return hex(nodes.subarray(index * HASH_BYTES, (index + 1) * HASH_BYTES));
}

function sameDigest(a: Uint8Array | null, b: Uint8Array): boolean {
  return a !== null && compare(a, b) === 0;
}

function compare(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length && i < b.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.length * HASH_BYTES);
  parts.forEach((p, i) => out.set(p, i * HASH_BYTES));
  return out;
}
