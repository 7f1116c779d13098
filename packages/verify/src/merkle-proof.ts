import { processProof } from '@openzeppelin/merkle-tree/dist/core';
import { standardLeafHash } from '@openzeppelin/merkle-tree/dist/hashes';
import { LEAF_ENCODING } from './bundle.format';

/**
 * The root an OpenZeppelin StandardMerkleTree proof leads to from a bytes32 leaf value:
 * leaf = keccak256(keccak256(abi.encode(value))), then sorted-pair keccak up the proof.
 * Returned rather than compared so a mismatch can name the root the proof actually reaches.
 */
export function rootFromProof(value: string, proof: readonly string[]): string {
  return processProof(standardLeafHash([...LEAF_ENCODING], [value]), [...proof]).toLowerCase();
}
