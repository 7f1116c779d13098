export enum ProblemCode {
  MALFORMED_BUNDLE = 'MALFORMED_BUNDLE',
  UNSUPPORTED_BUNDLE = 'UNSUPPORTED_BUNDLE',
  EMPTY_BUNDLE = 'EMPTY_BUNDLE',
  EVENT_HASH_MISMATCH = 'EVENT_HASH_MISMATCH',
  DIGEST_MISMATCH = 'DIGEST_MISMATCH',
  UNSUPPORTED_LEAF_ENCODING = 'UNSUPPORTED_LEAF_ENCODING',
  PROOF_MISMATCH = 'PROOF_MISMATCH',
  NOT_ANCHORED = 'NOT_ANCHORED',
  CHAIN_ID_MISMATCH = 'CHAIN_ID_MISMATCH',
  NO_REGISTRY = 'NO_REGISTRY',
  ROOT_NOT_ANCHORED = 'ROOT_NOT_ANCHORED',
  ANCHOR_BLOCK_MISMATCH = 'ANCHOR_BLOCK_MISMATCH',
  TRANSACTION_NOT_FOUND = 'TRANSACTION_NOT_FOUND',
  TRANSACTION_RECIPIENT_MISMATCH = 'TRANSACTION_RECIPIENT_MISMATCH',
  TRANSACTION_NOT_ANCHOR = 'TRANSACTION_NOT_ANCHOR',
  TRANSACTION_ROOT_MISMATCH = 'TRANSACTION_ROOT_MISMATCH',
  TRANSACTION_FAILED = 'TRANSACTION_FAILED',
  TRANSACTION_BLOCK_MISMATCH = 'TRANSACTION_BLOCK_MISMATCH',
  BLOCK_HASH_MISMATCH = 'BLOCK_HASH_MISMATCH',
  ANCHORED_LOG_MISSING = 'ANCHORED_LOG_MISSING',
  CONTRACT_REJECTS_PROOF = 'CONTRACT_REJECTS_PROOF',
  SIGNATURE_INVALID = 'SIGNATURE_INVALID',
  SIGNER_MISMATCH = 'SIGNER_MISMATCH',
  SIGNATURE_NOT_COMMITTED = 'SIGNATURE_NOT_COMMITTED',
  NO_RPC = 'NO_RPC',
  RPC_FAILED = 'RPC_FAILED',
}

/**
 * `mismatch`: the bundle contradicts itself or the chain (tampering, or a server bug); `not-anchored`: an event is
 * honest so far but has no anchor yet; `unchecked`: the chain could not be asked (no RPC URL, RPC down).
 */
export type ProblemKind = 'mismatch' | 'not-anchored' | 'unchecked';

const KIND: Readonly<Partial<Record<ProblemCode, ProblemKind>>> = {
  [ProblemCode.NOT_ANCHORED]: 'not-anchored',
  [ProblemCode.NO_RPC]: 'unchecked',
  [ProblemCode.RPC_FAILED]: 'unchecked',
};

export const kindOf = (code: ProblemCode): ProblemKind => KIND[code] ?? 'mismatch';

export interface Problem {
  code: ProblemCode;
  kind: ProblemKind;
  /** Index in `bundle.events`; absent for whole-bundle problems. */
  eventIndex?: number;
  chainId?: number;
  /** JSON pointer into the bundle of the value at fault. */
  field?: string;
  message: string;
}

export type Outcome = 'VERIFIED' | 'MISMATCH' | 'UNCHECKED' | 'NOT_ANCHORED';

/** CLI exit status per outcome: anything but 0 means "do not rely on this bundle". */
export const EXIT_CODE: Readonly<Record<Outcome, number>> = { VERIFIED: 0, MISMATCH: 1, NOT_ANCHORED: 2, UNCHECKED: 3 };

export interface AnchorReport {
  chainId: number;
  contract: string;
  transactionHash: string;
  blockNumber: number;
  /** Blocks on top of and including the anchoring block, as the RPC saw them; absent if the anchor did not verify. */
  confirmations?: number;
  outcome: Outcome;
}

export interface EventReport {
  index: number;
  eventHash: string;
  /** `ObjectEvent ADD commissioning`: for people reading the table. */
  summary: string;
  eventTime?: string;
  hashOk: boolean;
  proofOk: boolean;
  /** The recovered signer, when the event is signed and the signature holds. */
  signer?: string;
  signatureOk?: boolean;
  anchors: AnchorReport[];
  outcome: Outcome;
}

export interface VerificationReport {
  outcome: Outcome;
  ok: boolean;
  epc?: string;
  generatedAt?: string;
  events: EventReport[];
  problems: Problem[];
}

/** Worst first: one mismatch anywhere makes the whole bundle a mismatch. */
export function outcomeOf(problems: readonly Problem[]): Outcome {
  if (problems.some((p) => p.kind === 'mismatch')) return 'MISMATCH';
  if (problems.some((p) => p.kind === 'unchecked')) return 'UNCHECKED';
  if (problems.some((p) => p.kind === 'not-anchored')) return 'NOT_ANCHORED';
  return 'VERIFIED';
}
