/**
 * Proof bundle, format version 1: everything needed to check a pack's history against public chains, in one JSON
 * document. Shared by the server (which writes it) and the verifier (which trusts none of it).
 */
export const BUNDLE_FORMAT = 'pharmatrace-proof-bundle';
export const BUNDLE_VERSION = 1;

/** OpenZeppelin StandardMerkleTree leaf types; v1 trees hold one bytes32 per leaf, the event digest. */
export const LEAF_ENCODING = ['bytes32'] as const;

export type Hex = `0x${string}`;

/** The hash rules of a bundle event that names none (BundleEvent.hashRules). */
export const UNNAMED_HASH_RULES: 1 | 2 | 3 = 2;

export interface BundleMerkle {
  leafEncoding: string[];
  /** The leaf value: the 32 bytes of the CBV 2.0 event hash. */
  value: string;
  /** Sibling hashes, leaf to root (OpenZeppelin order, sorted-pair hashing). */
  proof: string[];
  root: string;
}

export interface BundleAnchor {
  chainId: number;
  /** The AnchorRegistry holding the root. */
  contract: string;
  transactionHash: string;
  blockNumber: number;
  /** Hash of the anchoring block, when the server recorded it: pins the anchor to one branch of the chain. */
  blockHash?: string;
  /** The server's view when it wrote the bundle (MINED, FINAL…); informative only, the verifier reads the chain. */
  status: string;
}

/** EIP-712 attestation of an event; `message` must name the event's hash or digest. */
export interface BundleSignature {
  signer: string;
  signature: string;
  typedData: {
    domain: Record<string, unknown>;
    types: Record<string, { name: string; type: string }[]>;
    primaryType: string;
    message: Record<string, unknown>;
  };
}

export interface BundleEvent {
  /** The EPCIS 2.0 JSON-LD event as captured, with the `@context` of its document. */
  event: Record<string, unknown>;
  /** `ni:///sha-256;<hex>?ver=CBV2.0` */
  eventHash: string;
  /**
   * Extension fields the event's capture declared out of its hash (`{namespace}local`, or `prefix:local` by the
   * event's @context); absent when none. A standard field here is malformed: it never leaves the hash.
   */
  ignoreFields?: string[];
  /**
   * The event-hash rules the event was hashed with (cbv/event-tree.ts HashRules). Absent: UNNAMED_HASH_RULES (2), the
   * rules current when this field was introduced, so that bundles written then still verify.
   */
  hashRules?: 1 | 2 | 3;
  /** The EPC through which the event reaches the bundle's EPC (the pack, or the case or pallet holding it). */
  via?: string;
  /** Absent while the event waits to be sealed into a batch. */
  merkle?: BundleMerkle;
  /** Empty while the event's batch is not mined: the event is then reported NOT ANCHORED. */
  anchors: BundleAnchor[];
  signature?: BundleSignature;
}

export interface ProofBundle {
  format: typeof BUNDLE_FORMAT;
  version: typeof BUNDLE_VERSION;
  generatedAt: string;
  /** Canonical GS1 Digital Link of the pack, case or pallet. */
  epc: string;
  events: BundleEvent[];
}
