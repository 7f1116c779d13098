import { AbiCoder, concat, keccak256 } from 'ethers';
import { LEAF_ENCODING } from './bundle.format';

const abi = AbiCoder.defaultAbiCoder();

/** OpenZeppelin's node hash: keccak256 of the two children, smaller first. */
const nodeHash = (a: string, b: string): string => keccak256(BigInt(a) <= BigInt(b) ? concat([a, b]) : concat([b, a]));

/**
 * The root an OpenZeppelin StandardMerkleTree proof leads to from a bytes32 leaf value:
 * leaf = keccak256(keccak256(abi.encode(value))), then sorted-pair keccak up the proof.
 * Returned rather than compared so a mismatch can name the root the proof actually reaches. Written on ethers'
 * primitives because @openzeppelin/merkle-tree's public API only answers yes or no (StandardMerkleTree.verify);
 * merkle-proof.spec.ts checks it against that library's trees.
 */
export function rootFromProof(value: string, proof: readonly string[]): string {
  return proof.reduce(nodeHash, leafOf(value)).toLowerCase();
}

/** OpenZeppelin StandardMerkleTree leaf of a bytes32 value: keccak256(keccak256(abi.encode(value))). */
export function leafOf(value: string): string {
  return keccak256(keccak256(abi.encode([...LEAF_ENCODING], [value])));
}
