import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import fc from 'fast-check';
import { rootFromProof } from './merkle-proof';

const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => `0x${Buffer.from(b).toString('hex')}`);

describe('rootFromProof', () => {
  it('reaches the OpenZeppelin StandardMerkleTree root from every leaf of random trees', () => {
    fc.assert(
      fc.property(fc.uniqueArray(bytes32, { minLength: 1, maxLength: 40 }), (values) => {
        const tree = StandardMerkleTree.of(
          values.map((v) => [v]),
          ['bytes32'],
        );
        for (const [i, [v]] of tree.entries()) expect(rootFromProof(v, tree.getProof(i))).toBe(tree.root);
      }),
      { numRuns: 30 },
    );
  });

  it('reaches another root once any proof element changes', () => {
    fc.assert(
      fc.property(fc.uniqueArray(bytes32, { minLength: 2, maxLength: 40 }), fc.nat(), fc.nat(), (values, leaf, element) => {
        const tree = StandardMerkleTree.of(
          values.map((v) => [v]),
          ['bytes32'],
        );
        const i = leaf % values.length;
        const proof = tree.getProof(i);
        const k = element % proof.length;
        proof[k] = `0x${(BigInt(proof[k]) ^ 1n).toString(16).padStart(64, '0')}`;
        expect(rootFromProof(values[i], proof)).not.toBe(tree.root);
      }),
      { numRuns: 30 },
    );
  });

  it('matches a known answer: a one-leaf root is keccak256(keccak256(abi.encode(value)))', () => {
    expect(rootFromProof(`0x${'ab'.repeat(32)}`, [])).toBe('0xda3cbdb11b9992efff8480118052300c383f2df80454c77fa86afc1e55fd2123');
  });
});
