/**
 * CBV 2.0 event hash (`ni:///sha-256;<hex>?ver=CBV2.0`), the part of the repository's libs/epcis the verifier
 * needs to recompute a hash from the event a bundle shows. A copy, so the published package depends on nothing
 * in the repository: event-tree.ts, prehash.ts, epc-normaliser.ts and timestamp.ts are libs/epcis/src's files
 * verbatim (bar the check-digit import), and event-hash.parity.spec.ts fails as soon as the two disagree on
 * the reference vectors, the official examples or random events.
 */
import { hash } from 'node:crypto';
import { CURRENT_HASH_RULES, type DocumentContext, eventTree, type HashRules, namespacesOf } from './event-tree';
import { prehashOfTree } from './prehash';

export interface EventHashResult {
  hash: string;
  prehash: string;
}

const HASH_PREFIX = 'ni:///sha-256;';
const HASH_SUFFIX = '?ver=CBV2.0';
const HASH_PATTERN = /^ni:\/\/\/sha-256;([0-9a-fA-F]{64})\?ver=CBV2\.0$/;

/**
 * Hash of one event. `context` is the enclosing document's `@context`, needed to resolve namespaced extension
 * keys (`example:myField` → `{https://ns.example.com/epcis/}myField`); `ignoreFields` the extension fields its
 * capture declared out of the hash; `rules` those it was hashed with (a bundle's hashRules). Throws on a value that is
 * not an event.
 */
export function eventHash(
  event: object,
  context?: DocumentContext,
  ignoreFields: readonly string[] = [],
  rules: HashRules = CURRENT_HASH_RULES,
): EventHashResult {
  if (event === null || typeof event !== 'object' || Array.isArray(event)) throw new TypeError('an event must be a JSON object');
  if (typeof (event as { type?: unknown }).type !== 'string') throw new TypeError('an event must name its type');
  const prehash = prehashOfTree(
    eventTree(event as Record<string, unknown>, namespacesOf(context, undefined, rules), ignoreFields, rules),
    rules,
  );
  return { hash: HASH_PREFIX + hash('sha256', prehash, 'hex') + HASH_SUFFIX, prehash };
}

/** The 32 digest bytes behind a CBV 2.0 SHA-256 event hash; throws on anything else. */
export function hashDigest(hash: string): Uint8Array {
  const match = typeof hash === 'string' ? HASH_PATTERN.exec(hash) : null;
  if (!match) throw new TypeError(`malformed event hash: ${String(hash).slice(0, 100)}`);
  return new Uint8Array(Buffer.from(match[1], 'hex'));
}
