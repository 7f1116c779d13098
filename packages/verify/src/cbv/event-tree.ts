/**
 * Turns a JSON-LD EPCIS event into the (name, value, children) tree the pre-hash walks, matching the
 * shape the reference derives from the XML binding: list children get their XML element names
 * (epc, quantityElement, sensorElement), namespaced keys become `{namespace}localName`, and bare
 * vocabulary values are expanded the way the EPCIS 2.0 JSON-LD context expands them.
 */
import type { PrehashNode } from './prehash';

/** The document's `@context` value: a URL, a term map, or an array of them. */
export type DocumentContext = unknown;

/** Prefixes the EPCIS 2.0.0 JSON-LD context defines; the document's own @context may override them. */
export const STANDARD_PREFIXES: Readonly<Record<string, string>> = {
  gs1: 'https://gs1.org/voc/',
  cbv: 'https://ref.gs1.org/cbv/',
  epcis: 'https://ref.gs1.org/epcis/',
  cbvmda: 'urn:epcglobal:cbv:mda:',
};

/** Each standard namespace without its last separator, so every spelling of it finds the context's one. */
const STANDARD_STEMS: ReadonlyMap<string, string> = new Map(
  Object.entries(STANDARD_PREFIXES).map(([prefix, uri]) => [uri.slice(0, -1), prefix]),
);

/**
 * The standard prefix a namespace URI is one spelling of, if any. XML documents bind the master-data namespace
 * as `urn:epcglobal:cbv:mda` (the CBV's own spelling), the EPCIS 2.0 context as `urn:epcglobal:cbv:mda:`, and
 * some tools add a `/`; all three name one namespace, so an ILMD field hashes the same whatever the format.
 */
export function standardPrefixOf(uri: string): string | undefined {
  const last = uri.slice(-1);
  return STANDARD_STEMS.get(last === ':' || last === '/' ? uri.slice(0, -1) : uri);
}

/**
 * Which rules an event was hashed with, kept so that events stored under older rules still recompute to their
 * anchored hashes. 1: before issue 14 (standard namespaces as written, every numeric-looking text rewritten as a
 * number). 2: standard namespaces folded, text kept as written where a number would lose its meaning. 3: current, as 2
 * but an extension field named `…List` whose value is an object keeps its children's names (docs/event-hash-divergences.md, D9).
 */
export type HashRules = 1 | 2 | 3;
export const CURRENT_HASH_RULES: HashRules = 3;

/** A namespace URI as the hash names it: a standard namespace in the EPCIS 2.0 context's spelling, any other as written. */
export function canonicalNamespace(uri: string): string {
  const prefix = standardPrefixOf(uri);
  return prefix === undefined ? uri : STANDARD_PREFIXES[prefix];
}

/** Only GS1 vocabulary compact IRIs are expanded in values; user-namespace ones stay as written. */
const GS1_NAMESPACES = ['https://ref.gs1.org', 'https://gs1.org'];

/** Whether a compact IRI value in this namespace hashes expanded (GS1 vocabularies) or as written (any other). */
export function expandsInValues(namespace: string): boolean {
  return GS1_NAMESPACES.some((ns) => namespace.startsWith(ns));
}

export type Namespaces = Readonly<Record<string, string>>;

function addTerms(target: Record<string, string>, context: unknown, rules: HashRules): void {
  const canonical = rules >= 2 ? canonicalNamespace : (uri: string) => uri;
  if (Array.isArray(context)) {
    for (const entry of context) addTerms(target, entry, rules);
    return;
  }
  if (!context || typeof context !== 'object') return;
  for (const [term, definition] of Object.entries(context as Record<string, unknown>)) {
    if (term.startsWith('@')) continue;
    if (typeof definition === 'string') target[term] = canonical(definition);
    else if (definition && typeof definition === 'object' && typeof (definition as { '@id'?: unknown })['@id'] === 'string') {
      target[term] = canonical((definition as { '@id': string })['@id']);
    }
  }
}

/** Prefix → namespace map for a document's @context, layered over `base` (the EPCIS context's prefixes by default). */
export function namespacesOf(
  context: DocumentContext,
  base: Namespaces = STANDARD_PREFIXES,
  rules: HashRules = CURRENT_HASH_RULES,
): Namespaces {
  const namespaces: Record<string, string> = { ...base };
  addTerms(namespaces, context, rules);
  return namespaces;
}

/** Where a bare vocabulary value lands once the EPCIS context's scoped @vocab applies. */
const VOCAB = {
  bizStep: 'https://ref.gs1.org/cbv/BizStep-',
  disposition: 'https://ref.gs1.org/cbv/Disp-',
  bizTransactionType: 'https://ref.gs1.org/cbv/BTT-',
  sourceDestType: 'https://ref.gs1.org/cbv/SDT-',
  errorReason: 'https://ref.gs1.org/cbv/ER-',
  component: 'https://ref.gs1.org/cbv/Comp-',
  gs1: 'https://gs1.org/voc/',
} as const;

type Scope = 'event' | 'persistentDisposition' | 'sensorElement' | 'sensorReport' | 'errorDeclaration' | 'other';

const VOCAB_POSITIONS: Partial<Record<Scope, Record<string, string>>> = {
  event: { bizStep: VOCAB.bizStep, disposition: VOCAB.disposition },
  persistentDisposition: { set: VOCAB.disposition, unset: VOCAB.disposition },
  sensorReport: { type: VOCAB.gs1, exception: VOCAB.gs1, component: VOCAB.component },
  errorDeclaration: { reason: VOCAB.errorReason },
};

const EPC_LISTS = new Set(['epcList', 'childEPCs', 'inputEPCList', 'outputEPCList']);
const QUANTITY_LISTS = new Set(['quantityList', 'childQuantityList', 'inputQuantityList', 'outputQuantityList']);
const PARTY_LISTS: Readonly<Record<string, { element: string; typeVocab: string }>> = {
  bizTransactionList: { element: 'bizTransaction', typeVocab: VOCAB.bizTransactionType },
  sourceList: { element: 'source', typeVocab: VOCAB.sourceDestType },
  destinationList: { element: 'destination', typeVocab: VOCAB.sourceDestType },
};
type EventList = { element: string | null; scope: Scope };
const EPC_LIST: EventList = { element: 'epc', scope: 'other' };
const QUANTITY_LIST: EventList = { element: 'quantityElement', scope: 'other' };
const PARTY_LIST: EventList = { element: null, scope: 'other' };
const SENSOR_LIST: EventList = { element: 'sensorElement', scope: 'sensorElement' };
/** The event-level lists whose items take an element name (null: a party list, whose entries are unnamed). */
function eventList(key: string): EventList | undefined {
  if (EPC_LISTS.has(key)) return EPC_LIST;
  if (QUANTITY_LISTS.has(key)) return QUANTITY_LIST;
  if (key in PARTY_LISTS) return PARTY_LIST;
  if (key === 'sensorElementList') return SENSOR_LIST;
  return undefined;
}
const CHILD_SCOPES: Readonly<Record<string, Scope>> = {
  persistentDisposition: 'persistentDisposition',
  errorDeclaration: 'errorDeclaration',
};
/** Fields the standard types as numbers: any spelling of their value is one number. */
const NUMERIC_FIELDS = new Set(['quantity', 'value', 'minValue', 'maxValue', 'meanValue', 'sDev', 'percRank', 'percValue']);
/** Keys the reference drops wherever they appear. */
const COMMENT_KEYS = new Set(['#text', 'rdfs:comment', 'comment']);

/** `object[key]`, but a JSON `__proto__` key is an own property that the accessor would not read. */
const ownValue = (object: Record<string, unknown>, key: string): unknown =>
  key === '__proto__' ? Object.getOwnPropertyDescriptor(object, key)?.value : object[key];

class TreeBuilder {
  constructor(
    private readonly namespaces: Namespaces,
    private readonly rules: HashRules,
    private readonly ignoredAtTop: ReadonlySet<string> = new Set(),
  ) {}

  expandKey(key: string): string {
    const colon = key.indexOf(':');
    if (colon <= 0) return key;
    const namespace = this.namespaces[key.slice(0, colon)];
    return namespace === undefined ? key : `{${namespace}}${key.slice(colon + 1)}`;
  }

  expandValue(value: string, vocab: string | undefined): string {
    const colon = value.indexOf(':');
    if (colon < 0) return vocab && value ? vocab + value : value;
    const namespace = this.namespaces[value.slice(0, colon)];
    const rest = value.slice(colon + 1);
    if (namespace === undefined || rest.startsWith('//')) return value;
    return expandsInValues(namespace) ? namespace + rest : value;
  }

  scalar(value: unknown, vocab?: string): string {
    if (typeof value === 'string') return this.expandValue(value, vocab);
    if (typeof value === 'boolean') return value ? 'true' : 'false';
    // The reference stringifies JSON null with Python's str(), i.e. 'None'.
    if (value === null) return 'None';
    return String(value);
  }

  /** One node per value; arrays spread into siblings of the same name. Appends to `out`, which saves a list per level. */
  nodes(name: string, value: unknown, scope: Scope, vocab: string | undefined, out: PrehashNode[]): PrehashNode[] {
    if (Array.isArray(value)) {
      for (const item of value) this.nodes(name, item, scope, vocab, out);
      return out;
    }
    if (value !== null && typeof value === 'object') {
      const text = (value as Record<string, unknown>)['#text'];
      out.push({
        name,
        value: text === undefined ? '' : this.scalar(text),
        children: this.children(value as Record<string, unknown>, scope, []),
      });
      return out;
    }
    const node: PrehashNode = { name, value: this.scalar(value, vocab), children: [] };
    if (typeof value === 'number' || NUMERIC_FIELDS.has(name)) node.numeric = true;
    out.push(node);
    return out;
  }

  children(object: Record<string, unknown>, scope: Scope, out: PrehashNode[]): PrehashNode[] {
    const ignored = scope === 'event' && this.ignoredAtTop.size > 0;
    for (const key of Object.keys(object)) {
      if (COMMENT_KEYS.has(key) || key.startsWith('@')) continue;
      if (ignored && this.ignoredAtTop.has(this.expandKey(key))) continue;
      this.property(key, ownValue(object, key), scope, out);
    }
    return out;
  }

  property(key: string, value: unknown, scope: Scope, out: PrehashNode[]): void {
    const list = scope === 'event' ? eventList(key) : undefined;
    if (list) {
      out.push({
        name: key,
        value: '',
        children: list.element ? this.nodes(list.element, value, list.scope, undefined, []) : this.partyEntries(key, value),
      });
      return;
    }
    if (scope === 'sensorElement' && key === 'sensorReport') {
      this.nodes(key, value, 'sensorReport', undefined, out);
      return;
    }
    const childScope = (scope === 'event' && CHILD_SCOPES[key]) || 'other';
    const name = this.expandKey(key);
    const vocab = VOCAB_POSITIONS[scope]?.[key];
    // Like the reference, any other "…List" property wraps its items in elements named without the suffix. Since rules
    // 3 not an extension field whose value is an object: its JSON-LD names the children itself, as its XML twin does
    // (`<ex:sensorList><ex:probe>1</ex:probe>…` is `"ex:sensorList": {"ex:probe": [1, …]}`), and the reference, which
    // hashes the XML without a wrapping element, would give the two formats two hashes (D9).
    const named = this.rules >= 3 && name.startsWith('{') && value !== null && typeof value === 'object' && !Array.isArray(value);
    if (!name.endsWith('List') || named) {
      this.nodes(name, value, childScope, vocab, out);
      return;
    }
    // The items are typed (numeric or not) by the list's name, then take the element's.
    const items = this.nodes(name, value, childScope, vocab, []);
    const element = name.slice(0, -4);
    for (const item of items) item.name = element;
    out.push({ name, value: '', children: items });
  }

  /** Each entry is an unnamed node: type first, then the id, then any extension fields. */
  partyEntries(listKey: string, value: unknown): PrehashNode[] {
    const { element, typeVocab } = PARTY_LISTS[listKey];
    const entries = Array.isArray(value) ? value : [value];
    return entries.map((entry) => {
      if (entry === null || typeof entry !== 'object') {
        return { name: '', value: '', children: this.nodes(element, entry, 'other', undefined, []) };
      }
      const { type, [element]: id, ...rest } = entry as Record<string, unknown>;
      const children: PrehashNode[] = [];
      if (type !== undefined) this.nodes('type', type, 'other', typeVocab, children);
      if (id !== undefined) this.nodes(element, id, 'other', undefined, children);
      return { name: '', value: '', children: this.children(rest, 'other', children) };
    });
  }
}

/** Whether a key declares ignored fields: `ignoreFields`, or `<prefix>:ignoreFields` in any namespace. */
export const isIgnoreFieldsKey = (key: string): boolean => key === 'ignoreFields' || key.endsWith(':ignoreFields');

/**
 * Extension fields a document declares as not part of the event's identity (repositories use it for their own
 * bookkeeping fields): an `ignoreFields` or `<prefix>:ignoreFields` array at the document's top level or in its
 * `epcisBody.queryResults`.
 */
export function declaredIgnoreFields(document: Record<string, unknown>): string[] {
  const body = document.epcisBody as { queryResults?: unknown } | undefined;
  const queryResults = body !== null && typeof body === 'object' ? body.queryResults : undefined;
  const fields: string[] = [];
  for (const holder of [document, queryResults]) {
    if (holder === null || typeof holder !== 'object' || Array.isArray(holder)) continue;
    for (const [key, value] of Object.entries(holder as Record<string, unknown>)) {
      if (isIgnoreFieldsKey(key) && Array.isArray(value)) fields.push(...value.filter((v): v is string => typeof v === 'string'));
    }
  }
  return fields;
}

/**
 * The expanded name (`{namespace}local`) of a field an ignoreFields declaration may name: only an extension field,
 * in a namespace that is none of the standard ones. Null for a standard field (`epcList`, `cbvmda:lotNumber`…),
 * which no declaration can take out of the hash. A prefix the context does not bind stays as written, as the key
 * it names does.
 */
export function extensionFieldName(name: string, namespaces: Namespaces): string | null {
  if (name.startsWith('{')) {
    const close = name.indexOf('}');
    if (close < 0 || close === name.length - 1) return null;
    return standardPrefixOf(name.slice(1, close)) === undefined ? name : null;
  }
  const colon = name.indexOf(':');
  if (colon <= 0 || colon === name.length - 1) return null;
  const namespace = namespaces[name.slice(0, colon)];
  if (namespace === undefined) return name;
  return standardPrefixOf(namespace) === undefined ? `{${namespace}}${name.slice(colon + 1)}` : null;
}

export function eventTree(
  event: Record<string, unknown>,
  namespaces: Namespaces,
  ignoreFields: readonly string[] = [],
  rules: HashRules = CURRENT_HASH_RULES,
): PrehashNode {
  const eventNamespaces = event['@context'] === undefined ? namespaces : namespacesOf(event['@context'], namespaces, rules);
  const expand = new TreeBuilder(eventNamespaces, rules);
  // A declaration naming a standard field is refused at capture; here it simply has no effect, so neither a
  // document nor a bundle can take an event's standard data out of its identity.
  const ignored = ignoreFields.flatMap((f) => extensionFieldName(f, eventNamespaces) ?? []);
  const builder = new TreeBuilder(eventNamespaces, rules, new Set(ignored.map((f) => expand.expandKey(f))));
  const type = typeof event.type === 'string' ? event.type : '';
  return { name: type, value: '', children: builder.children(event, 'event', []) };
}
