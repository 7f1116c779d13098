import { sha256 } from '@noble/hashes/sha2';
import { keccak_256 } from '@noble/hashes/sha3';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils';
import { EVENT_BATCH_DOMAIN, type TypedDataField } from './event-signature';
import type { CaseOwner, CaseSide, QuantityDifference } from './exception-case';

/**
 * The verifiable record of a case's history (issue 17): every entry is hashed over its canonical JSON and the hash of
 * the entry before it, so the history of a case is a hash chain; an entry may be signed by the acting organization
 * (EIP-712, the same domain as signed captures), and its hash is anchored on chain as a Merkle leaf.
 *
 * The hash is domain-separated (a prefix no CBV 2.0 event pre-image starts with, hashed as bytes of its own kind),
 * and case entries are sealed in batches of their own: an entry hash can neither pass as an event hash nor stand in
 * one event batch's proof.
 */
export const CASE_ENTRY_HASH_PREFIX = 'pharmatrace/case-entry/v1\n';

/** One change of a case as hashed: everything an entry says, the parties by GLN, times to the millisecond in UTC. */
export interface CaseEntryRecord {
  caseId: string;
  /** GLN of the organization that made the change. */
  actor: string;
  /** ISO 8601, UTC, milliseconds (`Date.prototype.toISOString`). */
  at: string;
  action: 'OPEN' | 'INVESTIGATE' | 'ESCALATE' | 'RESOLVE' | 'REOPEN' | 'COMMENT' | 'RECORD_FILING' | 'ASSIGN_OWNER';
  fromState: string | null;
  toState: string;
  resolution: string | null;
  message: string | null;
  /** `sha256:<64 hex>`, in the order given. */
  attachments: string[];
  /** The opening entry only: what the case was opened with, so the packs and parties are anchored too. */
  opening?: CaseOpening;
  /** ASSIGN_OWNER entries only: the owner named, and for which side (absent from every other entry, whose hash it leaves as it was). */
  owner?: CaseOwner & { side: CaseSide };
}

export interface CaseOpening {
  category: string;
  source: string;
  summary: string;
  /** GLN of the trading partner on the other side, null when none was named. */
  counterparty: string | null;
  /** Canonical EPCs (GS1 Digital Link), sorted: the order they were given in is not part of the case. */
  items: string[];
  /**
   * The class quantities a receipt's case lists, sorted by class and unit; absent when there are none (every case
   * opened by hand, and every case hashed before quantities were compared, keeps its hash).
   */
  quantities?: QuantityDifference[];
}

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/**
 * Canonical JSON: object keys sorted by UTF-16 code units, no whitespace, `undefined` members left out, strings as
 * JSON.stringify writes them. Numbers (class quantities, which may be decimal) as JSON.stringify writes them: the
 * shortest form that reads back as the same double, which is RFC 8785's number form.
 */
export function canonicalJson(value: Json | undefined): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(',')}]`;
  const keys = Object.keys(value)
    .filter((k) => value[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
}

const HASH = /^0x[0-9a-f]{64}$/;
const hexOf = (bytes: Uint8Array) => `0x${bytesToHex(bytes)}`;

/** The pre-image of an entry's hash: the prefix, then the canonical JSON of the entry with the previous entry's hash. */
export function caseEntryPreimage(entry: CaseEntryRecord, previousHash: string | null): string {
  if (previousHash !== null && !HASH.test(previousHash))
    throw new Error(`previousHash must be 0x and 64 lowercase hex, got ${previousHash}`);
  if (entry.opening) {
    const { quantities, ...opening } = entry.opening;
    entry = {
      ...entry,
      opening: {
        ...opening,
        items: [...opening.items].sort(),
        ...(quantities?.length ? { quantities: sortedQuantities(quantities) } : {}),
      },
    };
  }
  return CASE_ENTRY_HASH_PREFIX + canonicalJson({ ...entry, previousHash } as unknown as Json);
}

/** Class quantities in the order they are hashed: by class, then unit (no unit first). */
export function sortedQuantities(quantities: readonly QuantityDifference[]): QuantityDifference[] {
  const key = (q: QuantityDifference) => `${q.epcClass}\u0000${q.uom ?? ''}`;
  return [...quantities]
    .map((q) => ({ epcClass: q.epcClass, uom: q.uom, shipped: q.shipped, received: q.received }))
    .sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** SHA-256 of the pre-image, 0x-hex: the chain link, the value an organization signs, and the Merkle leaf value. */
export function caseEntryHash(entry: CaseEntryRecord, previousHash: string | null): string {
  return hexOf(sha256(new TextEncoder().encode(caseEntryPreimage(entry, previousHash))));
}

export type ChainCheck = { ok: true; head: string | null } | { ok: false; index: number; reason: string };

/** Whether `hashes` are the chain of `entries` (oldest first): the first entry whose stored hash does not follow. */
export function checkCaseChain(entries: readonly { record: CaseEntryRecord; hash: string; previousHash: string | null }[]): ChainCheck {
  let previous: string | null = null;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
    if (e.previousHash !== previous)
      return { ok: false, index: i, reason: `previousHash is ${e.previousHash}, the entry before is ${previous}` };
    const expected = caseEntryHash(e.record, previous);
    if (e.hash !== expected) return { ok: false, index: i, reason: `hash is ${e.hash}, the entry hashes to ${expected}` };
    previous = e.hash;
  }
  return { ok: true, head: previous };
}

/** EIP-712: what an organization signs for an entry it makes, in the domain of signed captures. */
export const CASE_ENTRY_PRIMARY_TYPE = 'CaseEntry';

export const CASE_ENTRY_TYPES: { CaseEntry: TypedDataField[] } = {
  CaseEntry: [
    { name: 'organization', type: 'string' },
    { name: 'entryHash', type: 'bytes32' },
  ],
};

export interface CaseEntryTypedData {
  domain: { name: string; version: string };
  types: Record<string, TypedDataField[]>;
  primaryType: typeof CASE_ENTRY_PRIMARY_TYPE;
  message: { organization: string; entryHash: string };
}

export function caseEntryTypedData(gln: string, entryHash: string): CaseEntryTypedData {
  return {
    domain: { ...EVENT_BATCH_DOMAIN },
    types: {
      EIP712Domain: [
        { name: 'name', type: 'string' },
        { name: 'version', type: 'string' },
      ],
      CaseEntry: CASE_ENTRY_TYPES.CaseEntry.map((f) => ({ ...f })),
    },
    primaryType: CASE_ENTRY_PRIMARY_TYPE,
    message: { organization: gln, entryHash },
  };
}

const utf8 = (text: string) => new TextEncoder().encode(text);
const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};
const DOMAIN_SEPARATOR = keccak_256(
  concat(
    keccak_256(utf8('EIP712Domain(string name,string version)')),
    keccak_256(utf8(EVENT_BATCH_DOMAIN.name)),
    keccak_256(utf8(EVENT_BATCH_DOMAIN.version)),
  ),
);
const CASE_ENTRY_TYPEHASH = keccak_256(utf8('CaseEntry(string organization,bytes32 entryHash)'));

/** The EIP-712 digest of `caseEntryTypedData(gln, entryHash)`: the 32 bytes the organization's key signs. */
export function caseEntryDigest(gln: string, entryHash: string): Uint8Array {
  if (!HASH.test(entryHash)) throw new Error(`entryHash must be 0x and 64 lowercase hex, got ${entryHash}`);
  const structHash = keccak_256(concat(CASE_ENTRY_TYPEHASH, keccak_256(utf8(gln)), hexToBytes(entryHash.slice(2))));
  return keccak_256(concat(Uint8Array.of(0x19, 0x01), DOMAIN_SEPARATOR, structHash));
}
