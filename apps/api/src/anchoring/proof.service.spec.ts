import type { AnchorRepository, StoredEventView } from '@pharmatrace/persistence';
import fc from 'fast-check';
import { rootFromProof } from 'pharmatrace-verify';
import { storedEvent } from '../provenance/pack-history.fake';
import { FakeAnchors } from './proof.fake';
import { AnchorStatusEnum, ProofStatusEnum } from './proof.types';
import { ProofService } from './proof.service';

const PACK = 'https://id.gs1.org/01/00614141123452/21/1';
const events = (n: number, capturedBy = 'org-1') =>
  Array.from({ length: n }, (_, i) =>
    storedEvent(capturedBy, {
      type: 'ObjectEvent',
      action: 'OBSERVE',
      eventTime: new Date(Date.UTC(2025, 0, 1, 0, i)).toISOString(),
      epcList: [PACK],
    }),
  );

function setup() {
  const anchors = new FakeAnchors();
  return { anchors, service: new ProofService(anchors as unknown as AnchorRepository) };
}

const hex = (b: Uint8Array) => `0x${Buffer.from(b).toString('hex')}`;

describe('ProofService', () => {
  it('proves every event of a mined batch against the batch root, whatever the batch size (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 40 }), async (n) => {
        const { anchors, service } = setup();
        const batch = events(n);
        await anchors.anchor(batch, { status: 'MINED' });
        const proofs = await service.proofsFor(batch);
        expect(proofs.size).toBe(n);
        for (const e of batch) {
          const proof = proofs.get(e.id)!;
          expect(proof.eventDigest).toBe(hex(e.hash));
          expect(rootFromProof(proof.eventDigest, proof.merkleProof)).toBe(proof.root);
          expect(proof.root).toBe(hex(e.batch!.root));
        }
      }),
      { numRuns: 15 },
    );
  });

  it("does not prove one event with another's path", async () => {
    const { anchors, service } = setup();
    const batch = events(5);
    await anchors.anchor(batch, { status: 'MINED' });
    const proofs = await service.proofsFor(batch);
    const [a, b] = [proofs.get(batch[0].id)!, proofs.get(batch[1].id)!];
    expect(rootFromProof(a.eventDigest, b.merkleProof)).not.toBe(a.root);
  });

  it('leaves out events not batched, and batches sealed but not yet sent, without asking for their nodes', async () => {
    const { anchors, service } = setup();
    const [unbatched, sealed, mined] = [events(1), events(2), events(2)];
    await anchors.anchor(sealed, { status: 'SEALED', txHash: null, blockNumber: null });
    const minedBatch = await anchors.anchor(mined, { status: 'MINED' });
    const proofs = await service.proofsFor([...unbatched, ...sealed, ...mined]);
    expect([...proofs.keys()].sort()).toEqual(mined.map((e) => e.id).sort());
    expect(anchors.asked).toEqual([[minedBatch, minedBatch]]);
  });

  it('answers nothing for no anchored event', async () => {
    const { service } = setup();
    await expect(service.proofsFor(events(3))).resolves.toEqual(new Map());
  });

  it.each([
    ['SUBMITTED', ProofStatusEnum.PENDING],
    ['MINED', ProofStatusEnum.PENDING],
    ['FINAL', ProofStatusEnum.FINAL],
    ['REANCHORED', ProofStatusEnum.REANCHORED],
  ] as const)('tells a verifier a %s batch is %s', async (status, proofStatus) => {
    const { anchors, service } = setup();
    const batch = events(1);
    await anchors.anchor(batch, { status });
    await expect(service.proofsFor(batch)).resolves.toEqual(new Map([[batch[0].id, expect.objectContaining({ status, proofStatus })]]));
  });

  it("carries the batch's inline anchor, and lists every chain's anchor with the batch's own chain first", async () => {
    const { anchors, service } = setup();
    const batch = events(3);
    const anchor = (chainId: number, status: 'MINED' | 'FINAL') => ({
      chainId,
      contractAddress: `0x${String(chainId).padStart(40, '0')}`,
      status,
      txHash: `0x${String(chainId).padStart(64, '0')}`,
      blockNumber: chainId,
      blockHash: null,
      reanchorCount: 0,
    });
    const id = await anchors.anchor(batch, { status: 'FINAL', chainId: 10, txHash: '0xtx', blockNumber: 99 }, [
      anchor(1, 'MINED'),
      anchor(10, 'FINAL'),
      anchor(137, 'FINAL'),
    ]);
    const proof = (await service.proofsFor(batch)).get(batch[2].id)!;
    expect(proof).toMatchObject({ batchId: id, chainId: 10, transactionHash: '0xtx', blockNumber: 99 });
    expect(proof.anchors.map((a) => a.chainId)).toEqual([10, 1, 137]);
    expect(proof.anchors[0]).toEqual({
      chainId: 10,
      contractAddress: anchor(10, 'FINAL').contractAddress,
      transactionHash: anchor(10, 'FINAL').txHash,
      blockNumber: 10,
      blockHash: null,
      status: AnchorStatusEnum.FINAL,
      reanchorCount: 0,
    });
  });

  it('proves events of several batches in one call, each against its own root', async () => {
    const { anchors, service } = setup();
    const [first, second] = [events(3), events(4)];
    await anchors.anchor(first, { status: 'MINED' });
    await anchors.anchor(second, { status: 'FINAL' });
    const all: StoredEventView[] = [...second, ...first];
    const proofs = await service.proofsFor(all);
    for (const e of all) expect(rootFromProof(proofs.get(e.id)!.eventDigest, proofs.get(e.id)!.merkleProof)).toBe(hex(e.batch!.root));
    expect(anchors.asked).toHaveLength(1);
  });
});
