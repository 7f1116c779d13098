import { randomBytes } from 'node:crypto';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import fc from 'fast-check';
import { rootFromProof } from 'pharmatrace-verify';
import { buildMerkleTree, getProof, leafCountOf, leafHashOf, proofToHex, sortedHashOrder, type MerkleTreeData } from './merkle-tree';
import { fromHex, hex } from './hex-codec';
import { MerkleError, MerkleErrorCode } from './merkle-error';

/** Proofs are checked by the one fold there is, the standalone verifier's (held to OpenZeppelin's in its own spec). */
const proves = (root: Uint8Array, digest: Uint8Array, proof: readonly Uint8Array[]): boolean =>
  rootFromProof(hex(digest), proofToHex(proof)) === hex(root);
const word = (n: number): string => `0x${n.toString(16).padStart(64, '0')}`;
const concat = (values: readonly Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(values.length * 32);
  values.forEach((v, i) => out.set(v, i * 32));
  return out;
};
const split = (digests: Uint8Array): Uint8Array[] =>
  Array.from({ length: digests.length / 32 }, (_, i) => digests.slice(i * 32, (i + 1) * 32));
const nodeHex = (tree: MerkleTreeData): string[] => split(tree.nodes).map(hex);

function expectMerkleError(run: () => unknown, code: MerkleErrorCode, field: string): void {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(MerkleError);
    expect(error).toMatchObject({ code, field });
    return;
  }
  throw new Error(`expected MerkleError ${code}`);
}

/**
 * Our tree against OpenZeppelin's on the same values: root, layout and leaf positions always; proofs
 * (equal to OZ's getProof, accepted by OZ's verify and ours) for the values at `proved`, all by default.
 */
async function expectSameAsOpenZeppelin(values: readonly Uint8Array[], proved: readonly number[] = values.map((_, i) => i)): Promise<void> {
  const ours = await buildMerkleTree(concat(values));
  const oz = StandardMerkleTree.of(
    values.map((v) => [hex(v)]),
    ['bytes32'],
  );
  const dump = oz.dump();
  expect(hex(ours.root)).toBe(oz.root);
  expect(nodeHex(ours)).toEqual(dump.tree);
  expect(Array.from(ours.treeIndexOf)).toEqual(dump.values.map((v) => v.treeIndex));

  const proofs = proved.map((i) => getProof(ours.nodes, ours.treeIndexOf[i]));
  expect(proofs.map(proofToHex)).toEqual(proved.map((i) => oz.getProof(i)));
  const failing = proved.filter(
    (i, k) =>
      !StandardMerkleTree.verify(oz.root, ['bytes32'], [hex(values[i])], proofToHex(proofs[k])) || !proves(ours.root, values[i], proofs[k]),
  );
  expect(failing).toEqual([]);
}

describe('known answers (from @openzeppelin/merkle-tree 1.0.8)', () => {
  it('hashes a leaf twice over its 32 bytes', () => {
    // keccak256(0x00…00) is the well-known 0x290dec…e563; the leaf is keccak256 of that.
    expect(hex(leafHashOf(new Uint8Array(32)))).toBe('0x510e4e770828ddbf7f7b00ab00a9f6adaf81c0dc9cc85f1f8249c256942d61d9');
  });

  it('builds the tree of digests 1, 2, 3', async () => {
    const tree = await buildMerkleTree(concat([1, 2, 3].map((n) => fromHex(word(n)))));
    expect(hex(tree.root)).toBe('0x6115218373392d12cc18a3d50ad2a53a2c99b391060070dfc0ebbbbe158ec944');
    expect(nodeHex(tree)).toEqual([
      '0x6115218373392d12cc18a3d50ad2a53a2c99b391060070dfc0ebbbbe158ec944',
      '0x673620737675e2755ce8269a99904022d15da8d5843f5aec205cd243ff80240a',
      '0xb5d9d894133a730aa651ef62d26b0ffa846233c74177a591a4a896adfda97d22',
      '0x2584db4a68aa8b172f70bc04e2e74541617c003374de6eb4b295e823e5beab01',
      '0x1ab0c6948a275349ae45a06aad66a8bd65ac18074615d53676c09b67809099e0',
    ]);
    expect(Array.from(tree.treeIndexOf)).toEqual([2, 4, 3]);
    expect(tree.leafCount).toBe(3);
    expect(proofToHex(getProof(tree.nodes, 4))).toEqual([
      '0x2584db4a68aa8b172f70bc04e2e74541617c003374de6eb4b295e823e5beab01',
      '0xb5d9d894133a730aa651ef62d26b0ffa846233c74177a591a4a896adfda97d22',
    ]);
  });

  it('makes a single leaf its own root with an empty proof', async () => {
    const tree = await buildMerkleTree(fromHex(word(1)));
    expect(hex(tree.root)).toBe('0xb5d9d894133a730aa651ef62d26b0ffa846233c74177a591a4a896adfda97d22');
    expect(tree.nodes.length).toBe(32);
    expect(Array.from(tree.treeIndexOf)).toEqual([0]);
    expect(getProof(tree.nodes, 0)).toEqual([]);
    expect(proves(tree.root, fromHex(word(1)), [])).toBe(true);
  });
});

describe('against @openzeppelin/merkle-tree', () => {
  it('matches on 1, 2 and 3 leaves in either input order', async () => {
    const [a, b, c] = [7, 8, 9].map((n) => fromHex(word(n)));
    for (const values of [[a], [a, b], [b, a], [a, b, c], [c, b, a]]) await expectSameAsOpenZeppelin(values);
  });

  it('matches OpenZeppelin on duplicate digests, each copy keeping its own provable leaf', async () => {
    const [a, b] = [5, 6].map((n) => fromHex(word(n)));
    await expectSameAsOpenZeppelin([a, a]);
    await expectSameAsOpenZeppelin([a, b, a, a, b]);
  });

  // OpenZeppelin needs ~3 ms per proof (getProof re-verifies; its keccak is slow), so large batches
  // check a sample of proofs and small batches check every one, to keep the suite well under 20 s.
  it('matches root, layout and sampled proofs for random batches of 1 to 5,000 digests', async () => {
    const batch = fc.integer({ min: 1, max: 5000 }).chain((n) => fc.uint8Array({ minLength: n * 32, maxLength: n * 32 }));
    const picks = fc.array(fc.nat(), { minLength: 1, maxLength: 25 });
    await fc.assert(
      fc.asyncProperty(batch, picks, async (digests, pick) => {
        const values = split(digests);
        await expectSameAsOpenZeppelin(values, [...new Set([0, values.length - 1, ...pick.map((p) => p % values.length)])]);
      }),
      { numRuns: 4, examples: [[new Uint8Array(randomBytes(5000 * 32)), [1234, 4321]]] },
    );
  }, 30_000);

  it('serves every proof exactly as OpenZeppelin does for random batches of 1 to 300 digests', async () => {
    const batch = fc.integer({ min: 1, max: 300 }).chain((n) => fc.uint8Array({ minLength: n * 32, maxLength: n * 32 }));
    await fc.assert(
      fc.asyncProperty(batch, (digests) => expectSameAsOpenZeppelin(split(digests))),
      { numRuns: 15 },
    );
  });

  it('matches on batches drawn from a small pool, so duplicates are frequent', async () => {
    const pool = [1, 2, 3, 4].map((n) => fromHex(word(n)));
    const batch = fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 40 });
    await fc.assert(
      fc.asyncProperty(batch, (picks) => expectSameAsOpenZeppelin(picks.map((p) => pool[p]))),
      { numRuns: 30 },
    );
  });
});

describe('sortedHashOrder', () => {
  it('orders hashes sharing long prefixes bytewise, ties by input position', () => {
    // Bytes limited to 0 and 1 make most hashes share the leading bits packed into the sort key.
    const hashes = fc.array(
      fc.uint8Array({ minLength: 32, maxLength: 32 }).map((h) => h.map((b) => b & 1)),
      { minLength: 1, maxLength: 300 },
    );
    fc.assert(
      fc.property(hashes, (list) => {
        const expected = list.map((_, i) => i).sort((a, b) => Buffer.compare(list[a], list[b]) || a - b);
        expect(Array.from(sortedHashOrder(concat(list), list.length))).toEqual(expected);
      }),
    );
  });
});

describe('proofs', () => {
  const treeAndIndex = fc
    .integer({ min: 2, max: 300 })
    .chain((n) =>
      fc.tuple(fc.uint8Array({ minLength: n * 32, maxLength: n * 32 }), fc.nat({ max: n - 1 }), fc.nat(), fc.integer({ min: 0, max: 255 })),
    );

  it('lead from their digest to the root; no longer with any flipped bit, another digest, or a missing or extra sibling', async () => {
    await fc.assert(
      fc.asyncProperty(treeAndIndex, fc.integer({ min: 0, max: 7 }), async ([digests, i, pick, byte], bit) => {
        const tree = await buildMerkleTree(digests);
        const digest = digests.slice(i * 32, (i + 1) * 32);
        const proof = getProof(tree.nodes, tree.treeIndexOf[i]);
        expect(proves(tree.root, digest, proof)).toBe(true);

        const tampered = proof.map((p) => p.slice());
        tampered[pick % tampered.length][byte % 32] ^= 1 << bit;
        expect(proves(tree.root, digest, tampered)).toBe(false);

        const otherDigest = digest.slice();
        otherDigest[byte % 32] ^= 1 << bit;
        expect(proves(tree.root, otherDigest, proof)).toBe(false);

        expect(proves(tree.root, digest, proof.slice(1))).toBe(false);
        expect(proves(tree.root, digest, [...proof, proof[0]])).toBe(false);
      }),
      { numRuns: 50 },
    );
  });

  it('do not lead to another root', async () => {
    const tree = await buildMerkleTree(concat([1, 2].map((n) => fromHex(word(n)))));
    const proof = getProof(tree.nodes, tree.treeIndexOf[0]);
    expect(proves(fromHex(word(0)), fromHex(word(1)), proof)).toBe(false);
  });

  it('leafHashOf throws a typed error on a digest that is not 32 bytes', () => {
    expectMerkleError(() => leafHashOf(new Uint8Array(20)), MerkleErrorCode.BAD_LEAF_LENGTH, 'digest');
  });
});

describe('input checks', () => {
  it('refuses an empty batch and a batch that is not whole digests', async () => {
    await expect(buildMerkleTree(new Uint8Array(0))).rejects.toMatchObject({ code: MerkleErrorCode.EMPTY_TREE, field: 'digests' });
    await expect(buildMerkleTree(new Uint8Array(65))).rejects.toMatchObject({ code: MerkleErrorCode.BAD_LEAF_LENGTH, field: 'digests' });
  });

  it('refuses node buffers that are not 2n − 1 nodes, and indexes that are not leaves', async () => {
    expectMerkleError(() => leafCountOf(new Uint8Array(64)), MerkleErrorCode.BAD_NODES_LENGTH, 'nodes');
    expectMerkleError(() => getProof(new Uint8Array(0), 0), MerkleErrorCode.BAD_NODES_LENGTH, 'nodes');
    expectMerkleError(() => getProof(new Uint8Array(97), 2), MerkleErrorCode.BAD_NODES_LENGTH, 'nodes');
    const tree = await buildMerkleTree(new Uint8Array(3 * 32));
    expect(leafCountOf(tree.nodes)).toBe(3);
    for (const index of [0, 1, 5, -1, 2.5]) {
      expectMerkleError(() => getProof(tree.nodes, index), MerkleErrorCode.INDEX_OUT_OF_RANGE, 'treeIndex');
    }
    expect(getProof(tree.nodes, 2)).toHaveLength(1);
  });
});

describe('hex codec', () => {
  it('round-trips bytes through 0x-prefixed lowercase hex', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => expect(fromHex(hex(bytes))).toEqual(bytes)));
    expect(hex(Uint8Array.of(0xab, 0x01))).toBe('0xab01');
    expect(fromHex('AB01')).toEqual(Uint8Array.of(0xab, 0x01));
  });

  it('refuses odd lengths and non-hex digits', () => {
    for (const bad of ['0x1', '0xzz', 'g0']) expectMerkleError(() => fromHex(bad, 'root'), MerkleErrorCode.BAD_HEX, 'root');
  });
});
