import { Contract, JsonRpcProvider, sha256, toUtf8Bytes, verifyTypedData } from 'ethers';
import { ANCHOR_REGISTRY_READ_ABI } from './anchor-registry.abi';
import { rootFromProof } from './merkle-proof';

/**
 * Checks the history of an exported exception case (docs/schemas/exception-case.v1.schema.json) without trusting
 * the server that exported it: every entry's hash recomputed from its content and the previous hash (the chain), every
 * signature recovered to its stated signer over that hash, every Merkle proof folded to its root, and, given an RPC
 * URL, every root anchored on chain and accepted by the registry's `verify`. The hash is the platform's
 * `caseEntryHash` (libs/domain/src/case-record.ts), written again here because this package stands alone; the
 * integration spec holds the two to each other.
 */
export const CASE_ENTRY_HASH_PREFIX = 'pharmatrace/case-entry/v1\n';

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

function canonicalJson(value: Json | undefined): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(',')}]`;
  const keys = Object.keys(value)
    .filter((k) => value[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
}

/** The parts of an exported case this check reads. */
export interface CaseHistoryDocument {
  id: string;
  category: string;
  source: string;
  summary: string;
  parties: { counterparty: { gln: string } | null };
  items: { epc: string }[];
  /** Class quantities a receipt's case lists (absent from documents exported before they were compared). */
  quantities?: { epcClass: string; uom: string | null; shipped: number; received: number }[];
  history: {
    actor: { gln: string };
    at: string;
    action: string;
    fromState: string | null;
    toState: string;
    resolution: string | null;
    message: string | null;
    attachments: string[];
    /** ASSIGN_OWNER entries: the owner named and its side. */
    owner?: { side: string; name: string; title?: string; email?: string; phone?: string };
    hash: string | null;
    previousHash: string | null;
    signature: {
      signer: string;
      signature: string;
      typedData: {
        domain: Record<string, unknown>;
        types: Record<string, { name: string; type: string }[]>;
        message: Record<string, unknown>;
      };
    } | null;
    anchor: { status?: string; root: string; proof: string[]; anchors?: { chainId: number; contractAddress: string }[] } | null;
  }[];
}

export interface CaseHistoryReport {
  ok: boolean;
  /** Entries whose hash was anchored and checked on chain. */
  anchoredEntries: number;
  signedEntries: number;
  problems: string[];
}

/** Class quantities as hashed: by class, then unit (no unit first), each with exactly its four members. */
function hashedQuantities(quantities: NonNullable<CaseHistoryDocument['quantities']>) {
  const key = (q: { epcClass: string; uom: string | null }) => `${q.epcClass}\u0000${q.uom ?? ''}`;
  return quantities
    .map((q) => ({ epcClass: q.epcClass, uom: q.uom, shipped: q.shipped, received: q.received }))
    .sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** The hash an entry of `doc` must have, given the hash before it. */
export function caseEntryHashOf(doc: CaseHistoryDocument, index: number, previousHash: string | null): string {
  const e = doc.history[index];
  const quantities = doc.quantities?.length ? hashedQuantities(doc.quantities) : undefined;
  const record = {
    caseId: doc.id,
    actor: e.actor.gln,
    at: e.at,
    action: e.action,
    fromState: e.fromState,
    toState: e.toState,
    resolution: e.resolution,
    message: e.message,
    attachments: e.attachments,
    owner: e.owner,
    opening:
      e.action === 'OPEN'
        ? {
            category: doc.category,
            source: doc.source,
            summary: doc.summary,
            counterparty: doc.parties.counterparty?.gln ?? null,
            items: doc.items.map((i) => i.epc).sort(),
            quantities,
          }
        : undefined,
    previousHash,
  };
  return sha256(toUtf8Bytes(CASE_ENTRY_HASH_PREFIX + canonicalJson(record as unknown as Json)));
}

export async function verifyCaseHistory(doc: CaseHistoryDocument, options: { rpcUrl?: string } = {}): Promise<CaseHistoryReport> {
  const problems: string[] = [];
  let previous: string | null = null;
  let anchored = 0;
  let signed = 0;
  const provider = options.rpcUrl ? new JsonRpcProvider(options.rpcUrl, undefined, { staticNetwork: true }) : null;
  try {
    for (let i = 0; i < doc.history.length; i++) {
      const e = doc.history[i];
      const expected = caseEntryHashOf(doc, i, previous);
      if (e.previousHash !== previous)
        problems.push(`entry ${i}: previousHash ${e.previousHash} is not the hash of the entry before (${previous})`);
      if (e.hash !== expected) problems.push(`entry ${i}: hash ${e.hash} does not match its content (${expected})`);
      previous = expected;
      if (e.signature) {
        const { EIP712Domain: _, ...types } = e.signature.typedData.types;
        const message = e.signature.typedData.message;
        if (message.entryHash !== expected || message.organization !== e.actor.gln)
          problems.push(`entry ${i}: the signed message is not { organization: ${e.actor.gln}, entryHash: ${expected} }`);
        else if (verifyTypedData(e.signature.typedData.domain, types, message, e.signature.signature) !== e.signature.signer)
          problems.push(`entry ${i}: the signature does not recover ${e.signature.signer}`);
        else signed++;
      }
      if (!e.anchor) continue;
      const root = rootFromProof(expected, e.anchor.proof);
      if (root !== e.anchor.root.toLowerCase()) {
        problems.push(`entry ${i}: the Merkle proof leads to ${root}, not to root ${e.anchor.root}`);
        continue;
      }
      if (!provider) continue;
      for (const a of e.anchor.anchors ?? []) {
        const registry = new Contract(a.contractAddress, ANCHOR_REGISTRY_READ_ABI, provider);
        const [at, accepts] = (await Promise.all([registry.anchoredAt(root), registry.verify(e.anchor.proof, root, expected)])) as [
          bigint,
          boolean,
        ];
        if (at === 0n) problems.push(`entry ${i}: root ${root} is not anchored by ${a.contractAddress} on chain ${a.chainId}`);
        else if (!accepts) problems.push(`entry ${i}: ${a.contractAddress} on chain ${a.chainId} rejects the proof`);
        else anchored++;
      }
    }
  } finally {
    provider?.destroy();
  }
  return { ok: problems.length === 0, anchoredEntries: anchored, signedEntries: signed, problems };
}
