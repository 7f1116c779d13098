import { getBytes, Interface, isHexString, JsonRpcProvider } from 'ethers';
import * as verifier from '../../../../packages/verify/src/browser';

/** The AnchorRegistry as the standalone verifier reads it, so the browser needs no artifact from our server. */
export const ANCHOR_REGISTRY_VIEWS = new Interface(verifier.ANCHOR_REGISTRY_READ_ABI);

/** What the page displays for one event's proof; the check trusts these and nothing else our server said. */
export interface ProofInputs {
  eventDigest: string;
  merkleProof: string[];
  root: string;
  chainId: number;
  contractAddress: string;
  blockNumber: number;
}

/** The one JSON-RPC method the check needs; ethers' JsonRpcProvider has it, and so can a fake in a spec. */
export interface JsonRpcSender {
  send(method: string, params: unknown[]): Promise<unknown>;
}

export enum ChainCheckErrorCode {
  MALFORMED_PROOF = 'MALFORMED_PROOF',
}

export class ChainCheckError extends Error {
  constructor(
    readonly code: ChainCheckErrorCode,
    readonly field: string,
    readonly rule: string,
    message: string,
  ) {
    super(message);
    this.name = 'ChainCheckError';
  }
}

export enum ChainProblem {
  CHAIN_ID_MISMATCH = 'CHAIN_ID_MISMATCH',
  PROOF_DOES_NOT_REACH_ROOT = 'PROOF_DOES_NOT_REACH_ROOT',
  NO_REGISTRY = 'NO_REGISTRY',
  ROOT_NOT_ANCHORED = 'ROOT_NOT_ANCHORED',
  BLOCK_MISMATCH = 'BLOCK_MISMATCH',
  CONTRACT_REJECTS_PROOF = 'CONTRACT_REJECTS_PROOF',
}

export interface ChainCheckResult {
  ok: boolean;
  /** What the RPC answered to eth_chainId. */
  chainId: number;
  /** The block the registry says the root was anchored in; null when it never was (or no registry answered). */
  anchoredAtBlock: number | null;
  /** The root the proof leads to from the digest, computed here. */
  computedRoot: string;
  problems: { code: ChainProblem; message: string }[];
}

const BYTES32 = /^0x[0-9a-fA-F]{64}$/;

function bytes32(value: string, field: string): string {
  if (!isHexString(value) || !BYTES32.test(value)) {
    throw new ChainCheckError(
      ChainCheckErrorCode.MALFORMED_PROOF,
      field,
      'bytes32-hex',
      `${field} must be 0x and 64 hex digits, not ${JSON.stringify(value)}`,
    );
  }
  return value.toLowerCase();
}

/** The verifier's leaf of a digest the page has checked is a bytes32, naming the field when it is not. */
export function leafOf(eventDigest: string): string {
  return verifier.leafOf(bytes32(eventDigest, 'eventDigest'));
}

/** The verifier's fold (OpenZeppelin's sorted pairs), over a digest and siblings the page has checked are bytes32. */
export function rootFromProof(eventDigest: string, merkleProof: readonly string[]): string {
  return verifier.rootFromProof(
    bytes32(eventDigest, 'eventDigest'),
    merkleProof.map((sibling, i) => bytes32(sibling, `merkleProof[${i}]`)),
  );
}

async function view(rpc: JsonRpcSender, to: string, fn: 'anchoredAt' | 'verify', args: unknown[]): Promise<string> {
  const data = ANCHOR_REGISTRY_VIEWS.encodeFunctionData(fn, args);
  return String(await rpc.send('eth_call', [{ to, data }, 'latest']));
}

/**
 * Checks one event's proof against the chain itself: the RPC serves the chain the proof names, the proof folds
 * from the digest to the root, the registry anchored that root in the block the proof names, and the contract's
 * own `verify` accepts the proof. RPC failures reject; every finding about the proof is a problem in the result.
 */
export async function checkOnChain(rpc: JsonRpcSender, inputs: ProofInputs): Promise<ChainCheckResult> {
  const root = bytes32(inputs.root, 'root');
  const digest = bytes32(inputs.eventDigest, 'eventDigest');
  const computedRoot = rootFromProof(digest, inputs.merkleProof);
  const problems: ChainCheckResult['problems'] = [];
  const chainId = Number(BigInt(String(await rpc.send('eth_chainId', []))));
  if (chainId !== inputs.chainId) {
    problems.push({
      code: ChainProblem.CHAIN_ID_MISMATCH,
      message: `the RPC serves chain ${chainId}, the proof names chain ${inputs.chainId}`,
    });
    return { ok: false, chainId, anchoredAtBlock: null, computedRoot, problems };
  }
  if (computedRoot !== root) {
    problems.push({
      code: ChainProblem.PROOF_DOES_NOT_REACH_ROOT,
      message: `the proof leads from the digest to ${computedRoot}, not to root ${root}`,
    });
  }
  let anchoredAtBlock: number | null = null;
  const anchoredAt = await view(rpc, inputs.contractAddress, 'anchoredAt', [root]);
  if (getBytes(anchoredAt).length === 0) {
    problems.push({ code: ChainProblem.NO_REGISTRY, message: `no AnchorRegistry answers at ${inputs.contractAddress}` });
    return { ok: false, chainId, anchoredAtBlock, computedRoot, problems };
  }
  const block = Number(ANCHOR_REGISTRY_VIEWS.decodeFunctionResult('anchoredAt', anchoredAt)[0]);
  if (block === 0) problems.push({ code: ChainProblem.ROOT_NOT_ANCHORED, message: `the registry never anchored root ${root}` });
  else {
    anchoredAtBlock = block;
    if (block !== inputs.blockNumber) {
      problems.push({
        code: ChainProblem.BLOCK_MISMATCH,
        message: `the registry anchored the root in block ${block}, the proof names block ${inputs.blockNumber}`,
      });
    }
  }
  const verified = await view(rpc, inputs.contractAddress, 'verify', [inputs.merkleProof, root, digest]);
  if (!ANCHOR_REGISTRY_VIEWS.decodeFunctionResult('verify', verified)[0]) {
    problems.push({ code: ChainProblem.CONTRACT_REJECTS_PROOF, message: `the contract's verify(proof, root, digest) answers false` });
  }
  return { ok: problems.length === 0, chainId, anchoredAtBlock, computedRoot, problems };
}

/**
 * A provider pinned to the chain the proof names, so ethers sends no network detection of its own; the check
 * still asks eth_chainId itself. One request per call keeps the browser's network log readable.
 */
export function chainRpc(rpcUrl: string, chainId: number): JsonRpcSender & { destroy(): void } {
  return new JsonRpcProvider(rpcUrl, chainId, { staticNetwork: true, batchMaxCount: 1 });
}
