export { MerkleError, MerkleErrorCode } from './merkle-error';
export { fromHex, hex } from './hex-codec';
export { HASH_BYTES, buildMerkleTree, getProof, leafCountOf, leafHashOf, proofToHex, type MerkleTreeData } from './merkle-tree';
export { proofIndices } from './proof-indices';
