import { buildMerkleTree, HASH_BYTES } from '@pharmatrace/merkle';
import type { ChainAnchorRow, StoredEventView } from '@pharmatrace/persistence';

type BatchStatus = NonNullable<StoredEventView['batch']>['status'];

/**
 * AnchorRepository's proof material in memory, over real Merkle trees: `anchor` seals events into a batch as the
 * anchoring worker does (setting each event's batch, leaf index and the batch row a read joins), and proofMaterial
 * answers the stored nodes asked for, as hex.
 */
export class FakeAnchors {
  private readonly nodes = new Map<number, Uint8Array>();
  readonly chainAnchors = new Map<number, ChainAnchorRow[]>();
  private nextBatch = 1;
  /** The batch ids each proofMaterial call asked for. */
  readonly asked: number[][] = [];

  async anchor(
    events: StoredEventView[],
    batch: { status: BatchStatus; chainId?: number; contractAddress?: string; txHash?: string | null; blockNumber?: number | null },
    anchors: Omit<ChainAnchorRow, 'batchId'>[] = [],
  ): Promise<number> {
    const batchId = this.nextBatch++;
    const digests = new Uint8Array(events.length * HASH_BYTES);
    events.forEach((e, i) => digests.set(e.hash, i * HASH_BYTES));
    const tree = await buildMerkleTree(digests);
    this.nodes.set(batchId, tree.nodes);
    this.chainAnchors.set(
      batchId,
      anchors.map((a) => ({ ...a, batchId })),
    );
    events.forEach((e, i) => {
      e.batchId = batchId;
      e.leafIndex = tree.treeIndexOf[i];
      e.batch = {
        status: batch.status,
        root: Buffer.from(tree.root),
        leafCount: tree.leafCount,
        chainId: batch.chainId ?? 31337,
        contractAddress: batch.contractAddress ?? '0x5FbDB2315678afecb367f032d93F642f64180aa3',
        txHash: batch.txHash === undefined ? `0x${'ab'.repeat(32)}` : batch.txHash,
        blockNumber: batch.blockNumber === undefined ? 7 : batch.blockNumber,
        checkedOnChain: false,
      };
    });
    return batchId;
  }

  async proofMaterial(batchIds: number[], requests: { batchId: number; index: number }[]) {
    this.asked.push(batchIds);
    const nodes = new Map<string, string>();
    for (const { batchId, index } of requests) {
      const all = this.nodes.get(batchId)!;
      nodes.set(`${batchId}:${index}`, `0x${Buffer.from(all.subarray(index * HASH_BYTES, (index + 1) * HASH_BYTES)).toString('hex')}`);
    }
    const anchors = new Map<number, ChainAnchorRow[]>();
    for (const id of new Set(batchIds)) if (this.chainAnchors.get(id)?.length) anchors.set(id, this.chainAnchors.get(id)!);
    return { nodes, anchors };
  }
}
