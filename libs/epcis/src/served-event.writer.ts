/**
 * The JSON-LD we serve (query answers, single events, proof bundles), written from stored bodies. Whatever @context
 * an event was captured with (XML binds `cbvmda` as `urn:epcglobal:cbv:mda`, older captures carried that binding
 * into their JSON-LD), what we write is valid for any JSON-LD processor and rehashes to the stored hash with GS1's
 * reference hasher:
 * - the EPCIS 2.0 context comes first, and no term it protects is ever bound to anything else;
 * - a standard namespace is written under its own prefix (`cbvmda:`), restated identically where used, because the
 *   reference hasher resolves only prefixes it finds inline;
 * - a query document carries one @context for all its events: the reference hashes an event's own @context as if
 *   it were a field;
 * - fields its capture declared out of the hash (ignoreFields) are left out: they are the sender's bookkeeping, not
 *   the event, and what remains rehashes to the stored hash with no declaration to carry;
 * - an event declared in error is served with the latest declaration as its errorDeclaration, as EPCIS serves a
 *   corrected event; the hash leaves errorDeclaration out, so it still rehashes to the stored hash.
 */
import { expandsInValues, extensionFieldName, namespacesOf, standardPrefixOf } from 'pharmatrace-verify/cbv';
import { EPCIS_CONTEXT } from './document.builder';
import { EPCIS_CONTEXT_PREFIXES, EPCIS_CONTEXT_TERMS } from './epcis-context.terms';

type JsonObject = Record<string, unknown>;

/** A stored event as the writer takes it. */
export interface StoredEvent {
  /** The event as captured, with the @context it was captured under. */
  body: JsonObject;
  /** Expanded names of the fields its capture left out of the hash. */
  ignoreFields?: readonly string[];
  /** The latest error declaration of it, if it was declared in error. */
  errorDeclaration?: unknown;
  /**
   * When the repository recorded it, served as the event's `recordTime` (the hash leaves it out), in place of any the
   * capturer wrote: the record time is the repository's, and clients poll GE_recordTime by it.
   */
  recordTime?: Date;
}

export interface ServedEvents {
  /** The @context of the document that carries `events`. */
  context: unknown[];
  /** The events, without an @context of their own. */
  events: JsonObject[];
}

interface ContextParts {
  urls: string[];
  terms: Record<string, string>;
}

/** URLs and prefix definitions of a @context; keyword entries (`@vocab`…) name no prefix and take no part in the hash. */
function contextParts(context: unknown, into: ContextParts): ContextParts {
  if (Array.isArray(context)) {
    for (const entry of context) contextParts(entry, into);
  } else if (typeof context === 'string') {
    into.urls.push(context);
  } else if (context !== null && typeof context === 'object') {
    for (const [term, definition] of Object.entries(context as JsonObject)) {
      if (term.startsWith('@')) continue;
      const id = typeof definition === 'string' ? definition : (definition as { '@id'?: unknown } | null)?.['@id'];
      if (typeof id === 'string') into.terms[term] = id;
    }
  }
  return into;
}

interface Renames {
  keys: Map<string, string>;
  values: Map<string, string>;
}

function renamed(text: string, renames: Map<string, string>): string {
  const colon = text.indexOf(':');
  if (colon <= 0 || text.startsWith('//', colon + 1)) return text;
  const prefix = renames.get(text.slice(0, colon));
  return prefix === undefined ? text : prefix + text.slice(colon);
}

/** Rewrites prefixed keys (and, for namespaces whose values the hash expands, prefixed values) under new prefixes. */
function rewrite(value: unknown, renames: Renames): unknown {
  if (typeof value === 'string') return renames.values.size ? renamed(value, renames.values) : value;
  if (Array.isArray(value)) return value.map((item) => rewrite(item, renames));
  if (value === null || typeof value !== 'object') return value;
  const object: JsonObject = {};
  for (const [key, item] of Object.entries(value as JsonObject)) object[renamed(key, renames.keys)] = rewrite(item, renames);
  return object;
}

/** Prefixes of the keys and values an event uses. */
function usedPrefixes(value: unknown, into: Set<string>): Set<string> {
  const add = (text: string) => {
    const colon = text.indexOf(':');
    if (colon > 0) into.add(text.slice(0, colon));
  };
  if (typeof value === 'string') add(value);
  else if (Array.isArray(value)) for (const item of value) usedPrefixes(item, into);
  else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value as JsonObject)) {
      add(key);
      usedPrefixes(item, into);
    }
  }
  return into;
}

class ContextMerger {
  readonly urls = new Set<string>([EPCIS_CONTEXT]);
  readonly terms: Record<string, string> = {};

  private free(prefix: string, taken: ReadonlySet<string>): string {
    for (let n = 2; ; n++) {
      const candidate = `${prefix}${n}`;
      if (this.terms[candidate] === undefined && !EPCIS_CONTEXT_TERMS.has(candidate) && !taken.has(candidate)) return candidate;
    }
  }

  /** The event under the merged context, its prefixes renamed where they would clash, without its ignored fields. */
  add(event: JsonObject, ignoreFields: readonly string[]): JsonObject {
    const { '@context': own, ...kept } = event;
    const rest = ignoreFields.length ? withoutIgnored(kept, own, new Set(ignoreFields)) : kept;
    const parts = contextParts(own, { urls: [], terms: {} });
    for (const url of parts.urls) this.urls.add(url);
    const taken = usedPrefixes(rest, new Set(Object.keys(parts.terms)));
    const renames: Renames = { keys: new Map(), values: new Map() };
    for (const [prefix, uri] of Object.entries(parts.terms)) {
      const standard = standardPrefixOf(uri);
      if (standard !== undefined) {
        if (standard === prefix) continue;
        renames.keys.set(prefix, standard);
        if (expandsInValues(EPCIS_CONTEXT_PREFIXES[standard])) renames.values.set(prefix, standard);
      } else if (EPCIS_CONTEXT_PREFIXES[prefix] === uri) {
        continue;
      } else if (EPCIS_CONTEXT_TERMS.has(prefix) || (this.terms[prefix] !== undefined && this.terms[prefix] !== uri)) {
        // A user namespace must not take a protected term, nor a prefix another event binds otherwise. Its values
        // hash as written (only GS1 vocabularies expand), so only its keys move.
        const existing = Object.entries(this.terms).find(([, u]) => u === uri)?.[0];
        const target = existing ?? this.free(prefix, taken);
        this.terms[target] = uri;
        renames.keys.set(prefix, target);
      } else {
        this.terms[prefix] = uri;
      }
    }
    return renames.keys.size ? (rewrite(rest, renames) as JsonObject) : rest;
  }

  context(events: JsonObject[]): unknown[] {
    const used = new Set<string>();
    for (const event of events) usedPrefixes(event, used);
    const terms: Record<string, string> = {};
    // Standard prefixes are restated with the EPCIS context's own definition: legal for a protected term, and
    // the only way a hasher that reads inline prefixes alone resolves them.
    for (const [prefix, uri] of Object.entries(EPCIS_CONTEXT_PREFIXES)) if (used.has(prefix)) terms[prefix] = uri;
    for (const [prefix, uri] of Object.entries(this.terms)) if (used.has(prefix)) terms[prefix] = uri;
    return Object.keys(terms).length ? [...this.urls, terms] : [...this.urls];
  }
}

/** Top-level fields whose expanded name is ignored (stored names are expanded, so they match whatever the prefix). */
function withoutIgnored(event: JsonObject, context: unknown, ignored: ReadonlySet<string>): JsonObject {
  const namespaces = namespacesOf(context);
  return Object.fromEntries(Object.entries(event).filter(([key]) => !ignored.has(extensionFieldName(key, namespaces) ?? key)));
}

/** Stored events in one document. */
export function servedEvents(stored: readonly StoredEvent[]): ServedEvents {
  const merger = new ContextMerger();
  const events = stored.map(({ body, ignoreFields = [], errorDeclaration, recordTime }) => {
    const event = merger.add(body, ignoreFields);
    return {
      ...event,
      ...(recordTime === undefined ? {} : { recordTime: recordTime.toISOString() }),
      ...(errorDeclaration === undefined ? {} : { errorDeclaration }),
    };
  });
  return { context: merger.context(events), events };
}

/**
 * One stored event on its own, with the @context it needs. A proof bundle passes no ignoreFields: it shows the event
 * as captured and carries the declaration beside it for the verifier.
 */
export function servedEvent(stored: StoredEvent): JsonObject {
  const { context, events } = servedEvents([stored]);
  return { '@context': context, ...events[0] };
}
