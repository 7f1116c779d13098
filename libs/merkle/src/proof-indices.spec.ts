import fc from 'fast-check';
import { buildMerkleTree, getProof } from './merkle-tree';
import { proofIndices } from './proof-indices';

describe('proofIndices', () => {
  it('names exactly the nodes getProof returns (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 300 }), fc.nat(), async (n, pick) => {
        const digests = new Uint8Array(n * 32).map((_, i) => (i * 31 + n) & 0xff);
        for (let i = 0; i < n; i++) {
          digests[i * 32] = i & 0xff;
          digests[i * 32 + 1] = i >> 8;
        }
        const tree = await buildMerkleTree(digests);
        const leaf = tree.treeIndexOf[pick % n];
        const fromIndices = proofIndices(leaf).map((i) => Buffer.from(tree.nodes.subarray(i * 32, i * 32 + 32)).toString('hex'));
        expect(fromIndices).toEqual(getProof(tree.nodes, leaf).map((p) => Buffer.from(p).toString('hex')));
      }),
      { numRuns: 50 },
    );
  });

  it('is empty for a one-leaf tree', () => {
    expect(proofIndices(0)).toEqual([]);
  });
});
