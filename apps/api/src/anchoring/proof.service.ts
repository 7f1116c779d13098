import { Injectable } from '@nestjs/common';
import { proofIndices } from '@pharmatrace/merkle';
import { AnchorRepository, StoredEventView } from '@pharmatrace/persistence';
import { AnchorStatusEnum, ChainAnchorType, EventProofType, ProofStatusEnum } from './proof.types';

const hex = (b: Uint8Array) => `0x${Buffer.from(b).toString('hex')}`;

function proofStatusOf(status: AnchorStatusEnum): ProofStatusEnum {
  if (status === AnchorStatusEnum.FINAL) return ProofStatusEnum.FINAL;
  if (status === AnchorStatusEnum.REANCHORED) return ProofStatusEnum.REANCHORED;
  return ProofStatusEnum.PENDING;
}

/** Merkle proofs served from each batch's stored node array: O(log n) slices, no tree rebuilt. */
@Injectable()
export class ProofService {
  constructor(private readonly anchors: AnchorRepository) {}

  async proofsFor(events: StoredEventView[]): Promise<Map<number, EventProofType>> {
    const anchored = events.filter((e) => e.batch?.txHash && e.leafIndex !== null);
    const requests = anchored.flatMap((e) => proofIndices(e.leafIndex!).map((index) => ({ batchId: e.batchId!, index })));
    const { nodes, anchors: chainAnchors } = await this.anchors.proofMaterial(
      anchored.map((e) => e.batchId!),
      requests,
    );
    const out = new Map<number, EventProofType>();
    for (const e of anchored) {
      const b = e.batch!;
      const status = b.status as AnchorStatusEnum;
      const anchors: ChainAnchorType[] = (chainAnchors.get(e.batchId!) ?? [])
        .map((a) => ({
          chainId: a.chainId,
          contractAddress: a.contractAddress,
          transactionHash: a.txHash,
          blockNumber: a.blockNumber,
          blockHash: a.blockHash,
          status: a.status as AnchorStatusEnum,
          reanchorCount: a.reanchorCount,
        }))
        .sort((x, y) => Number(y.chainId === b.chainId) - Number(x.chainId === b.chainId));
      out.set(e.id, {
        eventDigest: hex(e.hash),
        merkleProof: proofIndices(e.leafIndex!).map((i) => nodes.get(`${e.batchId}:${i}`)!),
        root: hex(b.root),
        batchId: e.batchId!,
        chainId: b.chainId!,
        contractAddress: b.contractAddress!,
        transactionHash: b.txHash!,
        blockNumber: b.blockNumber!,
        status,
        proofStatus: proofStatusOf(status),
        anchors,
      });
    }
    return out;
  }
}
