import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { AbiCoder, hexlify, keccak256, toUtf8Bytes } from 'ethers';
import fc from 'fast-check';
import {
  ANCHOR_REGISTRY_VIEWS,
  ChainCheckError,
  ChainProblem,
  checkOnChain,
  JsonRpcSender,
  leafOf,
  ProofInputs,
  rootFromProof,
} from './chain-check';

const digest = (label: string) => keccak256(toUtf8Bytes(label));
const CONTRACT = `0x${'ab'.repeat(20)}`;

/** A registry that anchored `anchored` roots, judging proofs with OpenZeppelin's own verifier. */
function fakeChain(chainId: number, anchored: Record<string, number>, registryAt = CONTRACT): JsonRpcSender {
  const abi = AbiCoder.defaultAbiCoder();
  return {
    async send(method, params) {
      if (method === 'eth_chainId') return `0x${chainId.toString(16)}`;
      const [{ to, data }] = params as [{ to: string; data: string }];
      if (to !== registryAt) return '0x';
      const call = ANCHOR_REGISTRY_VIEWS.parseTransaction({ data })!;
      if (call.name === 'anchoredAt') return abi.encode(['uint256'], [anchored[call.args[0]] ?? 0]);
      const [proof, root, value] = call.args;
      return abi.encode(['bool'], [StandardMerkleTree.verify(root, ['bytes32'], [value], [...proof])]);
    },
  };
}

function treeOf(labels: string[]) {
  const tree = StandardMerkleTree.of(
    labels.map((l) => [digest(l)]),
    ['bytes32'],
  );
  const inputs = (i: number): ProofInputs => ({
    eventDigest: digest(labels[i]),
    merkleProof: tree.getProof(i),
    root: tree.root,
    chainId: 31337,
    contractAddress: CONTRACT,
    blockNumber: 42,
  });
  return { tree, inputs };
}

describe('leafOf / rootFromProof', () => {
  it('matches OpenZeppelin StandardMerkleTree leaves and roots (known answer)', () => {
    const { tree } = treeOf(['a', 'b', 'c']);
    expect(leafOf(digest('a'))).toBe(tree.leafHash([digest('a')]));
    // Independent of any tree code: the standard leaf of bytes32 zero.
    expect(leafOf(`0x${'00'.repeat(32)}`)).toBe(keccak256(keccak256(new Uint8Array(32))));
    for (let i = 0; i < 3; i++) expect(rootFromProof(digest(['a', 'b', 'c'][i]), tree.getProof(i))).toBe(tree.root);
  });

  it('reaches the root for every leaf of any tree, and not for another digest', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string(), { minLength: 1, maxLength: 20 }), fc.nat(), (labels, pick) => {
        const { tree } = treeOf(labels);
        const i = pick % labels.length;
        expect(rootFromProof(digest(labels[i]), tree.getProof(i))).toBe(tree.root);
        expect(rootFromProof(digest(`${labels[i]}!`), tree.getProof(i))).not.toBe(tree.root);
      }),
      { numRuns: 50 },
    );
  });

  it('refuses a proof element that is not 32 bytes of hex, naming it', () => {
    expect(() => rootFromProof(digest('a'), ['0x1234'])).toThrow(ChainCheckError);
    expect(() => rootFromProof(digest('a'), ['0x1234'])).toThrow(expect.objectContaining({ field: 'merkleProof[0]', rule: 'bytes32-hex' }));
    expect(() => leafOf(hexlify(new Uint8Array(31)))).toThrow(expect.objectContaining({ field: 'eventDigest' }));
  });
});

describe('checkOnChain', () => {
  const { tree, inputs } = treeOf(['e1', 'e2', 'e3', 'e4', 'e5']);

  it('accepts a proof of a root the registry anchored in the named block', async () => {
    const result = await checkOnChain(fakeChain(31337, { [tree.root]: 42 }), inputs(3));
    expect(result).toEqual({ ok: true, chainId: 31337, anchoredAtBlock: 42, computedRoot: tree.root, problems: [] });
  });

  it.each([
    ['a tampered digest', { eventDigest: digest('forged') }, [ChainProblem.PROOF_DOES_NOT_REACH_ROOT, ChainProblem.CONTRACT_REJECTS_PROOF]],
    ['another block', { blockNumber: 41 }, [ChainProblem.BLOCK_MISMATCH]],
    [
      'a root never anchored',
      { root: digest('other root') },
      [ChainProblem.PROOF_DOES_NOT_REACH_ROOT, ChainProblem.ROOT_NOT_ANCHORED, ChainProblem.CONTRACT_REJECTS_PROOF],
    ],
    ['another contract', { contractAddress: `0x${'cd'.repeat(20)}` }, [ChainProblem.NO_REGISTRY]],
    ['another chain', { chainId: 1 }, [ChainProblem.CHAIN_ID_MISMATCH]],
  ])('rejects %s, naming why', async (_, change, problems) => {
    const result = await checkOnChain(fakeChain(31337, { [tree.root]: 42 }), { ...inputs(1), ...change });
    expect(result.ok).toBe(false);
    expect(result.problems.map((p) => p.code)).toEqual(problems);
  });
});
