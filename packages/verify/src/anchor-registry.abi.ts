/**
 * The AnchorRegistry functions and event that anyone checking an anchor reads, written out so that neither this package
 * nor the explorer page needs an artifact from our server; anchor-registry.abi.spec.ts holds them to the compiled
 * contract's ABI.
 */
export const ANCHOR_REGISTRY_READ_ABI = [
  'function anchor(bytes32 root, uint256 batchId, uint256 leafCount)',
  'function anchoredAt(bytes32 root) view returns (uint256)',
  'function verify(bytes32[] proof, bytes32 root, bytes32 eventDigest) pure returns (bool)',
  'event Anchored(bytes32 indexed root, uint256 indexed batchId, uint256 leafCount)',
];
