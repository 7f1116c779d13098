import { Injectable } from '@nestjs/common';
import { proofIndices } from '@pharmatrace/merkle';
import { AnchorRepository, StoredEventView } from '@pharmatrace/persistence';
import { AnchorStatusEnum, EventProofType } from './proof.types';

const hex = (b: Uint8Array) => `0x${Buffer.from(b).toString('hex')}`;

/** Merkle proofs served from each batch's stored node array: O(log n) slices, no tree rebuilt. */
@Injectable()
export class ProofService {
  constructor(private readonly anchors: AnchorRepository) {}

  async proofsFor(events: StoredEventView[]): Promise<Map<number, EventProofType>> {
    const anchored = events.filter((e) => e.batch?.txHash && e.leafIndex !== null);
    const requests = anchored.flatMap((e) => proofIndices(e.leafIndex!).map((index) => ({ batchId: e.batchId!, index })));
    const nodes = await this.anchors.nodeSlices(requests);
    const out = new Map<number, EventProofType>();
    for (const e of anchored) {
      const b = e.batch!;
      out.set(e.id, {
        eventDigest: hex(e.hash),
        merkleProof: proofIndices(e.leafIndex!).map((i) => hex(nodes.get(`${e.batchId}:${i}`)!)),
        root: hex(b.root),
        batchId: e.batchId!,
        chainId: b.chainId!,
        contractAddress: b.contractAddress!,
        transactionHash: b.txHash!,
        blockNumber: b.blockNumber!,
        status: b.status as AnchorStatusEnum,
      });
    }
    return out;
  }
}
