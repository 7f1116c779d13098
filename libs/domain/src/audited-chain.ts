/**
 * Whether the chain an audit reached is the one the batches were anchored on. Against another chain (a second
 * anvil with the same deterministic registry address, a misrouted RPC URL) every batch would look tampered, so
 * the audit must refuse to judge instead.
 */

/** A registry on a chain, as configured or as recorded on anchored batches. */
export interface RegistryLocation {
  chainId: number;
  contractAddress: string;
}

/** The newest anchor the database holds on the reached chain and registry (FINAL preferred). */
export interface AnchorSample {
  batchId: number;
  txHash: string;
  blockHash: string;
  final: boolean;
}

export interface AuditedChainInput {
  /** The chain id the node answered and the registry the audit reads. */
  reached: RegistryLocation;
  /** CHAIN_ID when set: the chain the operator meant to reach. */
  configuredChainId?: number;
  /** Every (chain, registry) that holds MINED or FINAL anchors in the database. */
  anchoredOn: readonly RegistryLocation[];
  sample?: AnchorSample;
  /** The reached chain's receipt of the sample's transaction; null when it has none. */
  sampleReceipt?: { blockHash: string } | null;
}

export type AuditedChainJudgement = { ok: true } | { ok: false; reason: string };

const sameRegistry = (a: RegistryLocation, b: RegistryLocation) =>
  a.chainId === b.chainId && a.contractAddress.toLowerCase() === b.contractAddress.toLowerCase();
const describe = (r: RegistryLocation) => `registry ${r.contractAddress} on chain ${r.chainId}`;

export function judgeAuditedChain(input: AuditedChainInput): AuditedChainJudgement {
  const { reached } = input;
  if (input.configuredChainId !== undefined && input.configuredChainId !== reached.chainId) {
    return { ok: false, reason: `the node answers chain ${reached.chainId}, CHAIN_ID says ${input.configuredChainId}` };
  }
  if (!input.anchoredOn.length) return { ok: true };
  if (!input.anchoredOn.some((r) => sameRegistry(r, reached))) {
    return { ok: false, reason: `the batches were anchored with ${input.anchoredOn.map(describe).join(', ')}, not ${describe(reached)}` };
  }
  if (!input.sample) return { ok: false, reason: `no anchored batch names a transaction on ${describe(reached)}` };
  const { sample, sampleReceipt } = input;
  if (!sampleReceipt)
    return { ok: false, reason: `transaction ${sample.txHash} that anchored batch ${sample.batchId} is not on this chain` };
  // A FINAL anchor cannot move any more; a block hash that differs means another chain with the same history length.
  if (sample.final && sampleReceipt.blockHash.toLowerCase() !== sample.blockHash.toLowerCase()) {
    return {
      ok: false,
      reason: `batch ${sample.batchId} was final in block ${sample.blockHash}, this chain has its transaction in ${sampleReceipt.blockHash}`,
    };
  }
  return { ok: true };
}
