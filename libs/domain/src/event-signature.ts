import { keccak_256 } from '@noble/hashes/sha3';

/**
 * EIP-712 typed data by which an organization signs the events of one capture document (issue 6).
 *
 * The message holds the CBV 2.0 event digests, which are also the Merkle leaves anchored on chain: the anchor
 * commits to exactly what was signed, and a signature over the digests attests the events' whole content.
 *
 * The domain has no chainId and no verifyingContract on purpose: the signature attests events, it authorises no
 * transaction a chain could replay, and one batch may be anchored on several chains or re-anchored on another,
 * which must not invalidate the manufacturer's signature. `version` names this message layout; a new layout is a
 * new version, and stored signatures keep the version they were made with.
 */
export const EVENT_BATCH_VERSION = '1';

export interface TypedDataField {
  name: string;
  type: string;
}

export const EVENT_BATCH_DOMAIN = { name: 'pharmatrace', version: EVENT_BATCH_VERSION } as const;

export const EVENT_BATCH_PRIMARY_TYPE = 'EventBatch';

/** The types to sign with, e.g. `wallet.signTypedData(EVENT_BATCH_DOMAIN, EVENT_BATCH_TYPES, message)`. */
export const EVENT_BATCH_TYPES: { EventBatch: TypedDataField[] } = {
  EventBatch: [
    { name: 'organization', type: 'string' },
    { name: 'eventHashes', type: 'bytes32[]' },
  ],
};

/** The domain's type as eth_signTypedData_v4 payloads list it; ethers derives it itself and refuses it in `types`. */
export const EIP712_DOMAIN_TYPE: TypedDataField[] = [
  { name: 'name', type: 'string' },
  { name: 'version', type: 'string' },
];

// A type alias, not an interface, so it stays assignable to the bundle's `Record<string, unknown>` message.
export type EventBatchMessage = {
  /** GLN of the organization capturing the document. */
  organization: string;
  /** The 32-byte digests of the document's CBV 2.0 event hashes, in document order, as lowercase 0x hex. */
  eventHashes: string[];
};

/** A complete eth_signTypedData_v4 payload: what a proof bundle carries so anyone can recover the signer. */
export interface EventBatchTypedData {
  domain: { name: string; version: string };
  types: Record<string, TypedDataField[]>;
  primaryType: typeof EVENT_BATCH_PRIMARY_TYPE;
  message: EventBatchMessage;
}

export enum EventSignatureErrorCode {
  MALFORMED_DIGEST = 'MALFORMED_DIGEST',
  MALFORMED_GLN = 'MALFORMED_GLN',
}

export class EventSignatureError extends Error {
  constructor(
    readonly code: EventSignatureErrorCode,
    readonly field: string,
    readonly rule: string,
    message: string,
  ) {
    super(message);
    this.name = 'EventSignatureError';
  }
}

const GLN = /^\d{13}$/;

function requireGln(gln: string): void {
  if (!GLN.test(gln)) {
    throw new EventSignatureError(
      EventSignatureErrorCode.MALFORMED_GLN,
      'organization',
      'pattern:13-digits',
      `organization must be a 13-digit GLN, got "${gln}"`,
    );
  }
}

function requireDigest(digest: Uint8Array, index: number): void {
  if (!(digest instanceof Uint8Array) || digest.length !== 32) {
    throw new EventSignatureError(
      EventSignatureErrorCode.MALFORMED_DIGEST,
      `eventHashes/${index}`,
      'length:32',
      `event digest ${index} must be 32 bytes, got ${digest?.length}`,
    );
  }
}

function hex32(digest: Uint8Array, index: number): string {
  requireDigest(digest, index);
  let out = '0x';
  for (const byte of digest) out += byte.toString(16).padStart(2, '0');
  return out;
}

/** The message an organization signs over a document's event digests (document order, duplicates kept). */
export function eventBatchMessage(gln: string, digests: readonly Uint8Array[]): EventBatchMessage {
  requireGln(gln);
  return { organization: gln, eventHashes: digests.map(hex32) };
}

/** The full typed data of a signed document, self-describing so a verifier needs nothing of ours. */
export function eventBatchTypedData(gln: string, digests: readonly Uint8Array[]): EventBatchTypedData {
  return {
    domain: { ...EVENT_BATCH_DOMAIN },
    types: {
      EIP712Domain: EIP712_DOMAIN_TYPE.map((f) => ({ ...f })),
      EventBatch: EVENT_BATCH_TYPES.EventBatch.map((f) => ({ ...f })),
    },
    primaryType: EVENT_BATCH_PRIMARY_TYPE,
    message: eventBatchMessage(gln, digests),
  };
}

const utf8 = (text: string) => new TextEncoder().encode(text);
const DOMAIN_SEPARATOR = keccak_256(
  concat([
    keccak_256(utf8('EIP712Domain(string name,string version)')),
    keccak_256(utf8(EVENT_BATCH_DOMAIN.name)),
    keccak_256(utf8(EVENT_BATCH_DOMAIN.version)),
  ]),
);
const EVENT_BATCH_TYPEHASH = keccak_256(utf8('EventBatch(string organization,bytes32[] eventHashes)'));

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * The EIP-712 signing digest of `eventBatchTypedData(gln, digests)`, the 32 bytes an organization's key signs.
 * Written out rather than taken from ethers' TypedDataEncoder, which hex-encodes every array element: for a
 * document of 10,000 events ethers took 1,112 ms, this takes 54 ms (Node 20, 2-core EPYC). The spec
 * checks it against ethers and against an encoding written from the EIP.
 */
export function eventBatchDigest(gln: string, digests: readonly Uint8Array[]): Uint8Array {
  requireGln(gln);
  const packed = new Uint8Array(32 * digests.length);
  digests.forEach((digest, index) => {
    requireDigest(digest, index);
    packed.set(digest, 32 * index);
  });
  const structHash = keccak_256(concat([EVENT_BATCH_TYPEHASH, keccak_256(utf8(gln)), keccak_256(packed)]));
  return keccak_256(concat([Uint8Array.of(0x19, 0x01), DOMAIN_SEPARATOR, structHash]));
}
