import { AnchorStatusEnum, EventProofType, ProofStatusEnum } from '../anchoring/proof.types';
import { anchorsOf } from './proof-anchors';

const single: EventProofType = {
  eventDigest: `0x${'11'.repeat(32)}`,
  merkleProof: [],
  root: `0x${'22'.repeat(32)}`,
  batchId: 4,
  chainId: 31337,
  contractAddress: `0x${'33'.repeat(20)}`,
  transactionHash: `0x${'44'.repeat(32)}`,
  blockNumber: 12,
  status: AnchorStatusEnum.FINAL,
  proofStatus: ProofStatusEnum.FINAL,
  anchors: [],
};

const chain = (chainId: number, fill: string, status: AnchorStatusEnum, mined = true) => ({
  chainId,
  contractAddress: `0x${fill.repeat(20)}`,
  transactionHash: mined ? `0x${fill.repeat(32)}` : null,
  blockNumber: mined ? 900 : null,
  blockHash: mined ? `0x${'ee'.repeat(32)}` : null,
  status,
  reanchorCount: 0,
});

describe('anchorsOf', () => {
  it('turns the inline anchor of a proof without an anchors list into a one-element list', () => {
    expect(anchorsOf(single)).toEqual([
      { chainId: 31337, contract: single.contractAddress, transactionHash: single.transactionHash, blockNumber: 12, status: 'FINAL' },
    ]);
  });

  it('uses the multi-chain list, leaving out chains with nothing mined or whose anchor a reorganisation dropped', () => {
    const multi = {
      ...single,
      anchors: [
        chain(1, '55', AnchorStatusEnum.MINED),
        chain(10, '77', AnchorStatusEnum.SUBMITTED, false),
        chain(137, '88', AnchorStatusEnum.REANCHORED),
      ],
    };
    expect(anchorsOf(multi)).toEqual([
      {
        chainId: 1,
        contract: `0x${'55'.repeat(20)}`,
        transactionHash: `0x${'55'.repeat(32)}`,
        blockNumber: 900,
        blockHash: `0x${'ee'.repeat(32)}`,
        status: 'MINED',
      },
    ]);
  });
});
