export { ANCHOR_REGISTRY_ABI, ANCHOR_REGISTRY_BYTECODE, ANCHOR_REGISTRY_DEPLOYED_BYTECODE } from './anchor-registry.abi';
export {
  AnchorRegistryClient,
  type AnchoredEvent,
  type AnchorOverrides,
  type AnchorReceipt,
  type AnchorRegistryClientOptions,
  type BroadcastOutcome,
  type SentAnchor,
  type SignedAnchor,
  signedGasLimit,
} from './anchor-registry.client';
export { deployAnchorRegistry, type DeployAnchorRegistryOptions, type DeployedAnchorRegistry } from './anchor-registry.deployer';
export {
  ANVIL_DEFAULT_CHAIN_ID,
  ANVIL_DEFAULT_MNEMONIC,
  type AnvilAccount,
  type AnvilInstance,
  type AnvilOptions,
  resolveAnvilBinary,
  startAnvil,
  stopProcess,
} from './anvil.launcher';
export { bumpFees, type Eip1559Fees, MIN_REPLACEMENT_BUMP_PERCENT } from './fee-bump';
export { ChainError, ChainErrorCode, type ChainErrorDetails } from './chain.error';
export { probeChainId } from './json-rpc.connection';
