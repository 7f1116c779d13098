import type { BundleAnchor } from 'pharmatrace-verify';
import { AnchorStatusEnum, type EventProofType } from '../anchoring/proof.types';

interface ProofAnchor {
  chainId: number;
  contractAddress: string;
  transactionHash: string | null;
  blockNumber: number | null;
  blockHash?: string | null;
  status: string;
}

/**
 * The anchors a verifier can read back: every chain of the proof's `anchors` list, or the proof's single inline
 * anchor for batches that have no list. A chain still waiting for a mined transaction, or whose anchor a
 * reorganisation dropped (being re-anchored), has nothing on chain to check yet and is left out.
 */
export function anchorsOf(proof: EventProofType): BundleAnchor[] {
  const anchors: ProofAnchor[] = proof.anchors?.length ? proof.anchors : [proof];
  return anchors
    .filter((a) => a.transactionHash && a.blockNumber && a.status !== AnchorStatusEnum.REANCHORED)
    .map((a) => ({
      chainId: a.chainId,
      contract: a.contractAddress,
      transactionHash: a.transactionHash!,
      blockNumber: a.blockNumber!,
      ...(a.blockHash ? { blockHash: a.blockHash } : {}),
      status: a.status,
    }));
}
