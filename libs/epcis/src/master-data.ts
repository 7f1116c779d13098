/**
 * Master data carried in an EPCIS document's header (EPCIS 2.0 `epcisHeader.epcisMasterData.vocabularyList`; the XML
 * readers map 1.2 and 2.0 `EPCISHeader/extension/EPCISMasterData` to the same shape): vocabulary elements, their
 * attributes and children, read and checked here so that every capture path judges them alike.
 */
import { EPCIS_CONTEXT_PREFIXES } from './epcis-context.terms';
import type { EpcisIssue } from './epcis.error';
import { CAPTURE_EVENT_LIMIT } from './input-limits';

/** Vocabulary elements one document may carry: as many as events, for the same reason (bounded work per capture). */
export const MASTER_DATA_ELEMENT_LIMIT = CAPTURE_EVENT_LIMIT;

/** One attribute of a vocabulary element: its id (expanded, see canonicalAttributeId) and its value as sent. */
export interface MasterDataAttribute {
  id: string;
  /** A string or number, or a structure (an XML attribute's elements, a JSON object), kept as sent. */
  value: unknown;
}

/** One vocabulary element as a document states it. */
export interface MasterDataElement {
  /** The vocabulary type URI, e.g. `urn:epcglobal:epcis:vtype:BusinessLocation`. */
  type: string;
  id: string;
  attributes: MasterDataAttribute[];
  /** Ids of its children (the location hierarchy behind WD_readPoint and WD_bizLocation), as written. */
  children: string[];
}

/**
 * What a streamed reader (streamEpcisXmlEvents, streamEpcisJsonEvents) saw of a document outside its events, filled
 * in as it reads; once the stream ends, readMasterData takes it as the document.
 */
export interface DocumentHeaderSink {
  '@context'?: unknown;
  epcisHeader?: unknown;
}

export interface MasterDataReading {
  elements: MasterDataElement[];
  /** Every problem, each naming its field from the document's root; nothing is stored when there is one. */
  issues: EpcisIssue[];
}

const VOCABULARY_LIST = '/epcisHeader/epcisMasterData/vocabularyList';
const MDA = 'urn:epcglobal:cbv:mda';

/**
 * The CBV master-data namespace is written `urn:epcglobal:cbv:mda#` (CBV 1.x, EPCIS 1.2 documents),
 * `urn:epcglobal:cbv:mda:` (the EPCIS 2.0 context's `cbvmda:`) or with a `/`: all name one attribute, kept as the
 * CBV's own `urn:epcglobal:cbv:mda#<name>`. Other ids are kept as written.
 */
export function canonicalAttributeId(id: string): string {
  if (id.startsWith(MDA) && (id[MDA.length] === '#' || id[MDA.length] === ':' || id[MDA.length] === '/')) {
    return `${MDA}#${id.slice(MDA.length + 1)}`;
  }
  return id;
}

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** Prefixes the document's @context binds (its objects' string terms), over the EPCIS context's own. */
function prefixesOf(context: unknown): Record<string, string> {
  const prefixes: Record<string, string> = { ...EPCIS_CONTEXT_PREFIXES };
  for (const entry of Array.isArray(context) ? context : [context]) {
    if (!isRecord(entry)) continue;
    for (const [term, uri] of Object.entries(entry)) if (typeof uri === 'string') prefixes[term] = uri;
  }
  return prefixes;
}

/** A compact IRI (`cbvmda:regulatedProductName`) expanded by the document's prefixes, then made canonical. */
function expand(id: string, prefixes: Record<string, string>): string {
  const colon = id.indexOf(':');
  const prefix = colon > 0 ? id.slice(0, colon) : '';
  const uri = prefixes[prefix];
  const expanded = uri !== undefined && !id.startsWith('//', colon + 1) ? uri + id.slice(colon + 1) : id;
  return canonicalAttributeId(expanded);
}

/**
 * The vocabulary elements of an EPCIS 2.0 JSON-LD document (or of `{ '@context', epcisHeader }` for a streamed one).
 * A vocabulary without a type, an element without an id or an attribute without an id is an issue naming its
 * field; so are more than MASTER_DATA_ELEMENT_LIMIT elements.
 */
export function readMasterData(document: unknown): MasterDataReading {
  const elements: MasterDataElement[] = [];
  const issues: EpcisIssue[] = [];
  const issue = (field: string, rule: string, message: string) => issues.push({ eventIndex: null, field, rule, message });
  if (!isRecord(document)) return { elements, issues };
  const header = document.epcisHeader;
  const masterData = isRecord(header) ? header.epcisMasterData : undefined;
  const list = isRecord(masterData) ? masterData.vocabularyList : undefined;
  if (list === undefined) return { elements, issues };
  if (!Array.isArray(list)) {
    issue(VOCABULARY_LIST, 'type:array', 'vocabularyList must be an array of vocabularies');
    return { elements, issues };
  }
  const prefixes = prefixesOf(document['@context']);
  for (const [v, vocabulary] of list.entries()) {
    const at = `${VOCABULARY_LIST}/${v}`;
    if (!isRecord(vocabulary)) {
      issue(at, 'type:object', 'a vocabulary must be an object with a type');
      continue;
    }
    const type = vocabulary.type;
    if (typeof type !== 'string' || !type) {
      issue(`${at}/type`, 'required:type', 'a vocabulary must have a type (a URI such as urn:epcglobal:epcis:vtype:BusinessLocation)');
      continue;
    }
    const members = vocabulary.vocabularyElementList ?? [];
    if (!Array.isArray(members)) {
      issue(`${at}/vocabularyElementList`, 'type:array', 'vocabularyElementList must be an array of elements');
      continue;
    }
    for (const [e, member] of members.entries()) {
      const element = readElement(type, member, `${at}/vocabularyElementList/${e}`, prefixes, issue);
      if (element) elements.push(element);
    }
  }
  if (elements.length > MASTER_DATA_ELEMENT_LIMIT) {
    issue(VOCABULARY_LIST, 'max-items', `holds ${elements.length} vocabulary elements; at most ${MASTER_DATA_ELEMENT_LIMIT} are accepted`);
  }
  return { elements: issues.length ? [] : elements, issues };
}

function readElement(
  type: string,
  member: unknown,
  at: string,
  prefixes: Record<string, string>,
  issue: (field: string, rule: string, message: string) => void,
): MasterDataElement | null {
  if (!isRecord(member)) {
    issue(at, 'type:object', 'a vocabulary element must be an object with an id');
    return null;
  }
  const id = member.id;
  if (typeof id !== 'string' || !id) {
    issue(`${at}/id`, 'required:id', 'a vocabulary element must have an id (a URI)');
    return null;
  }
  const attributes: MasterDataAttribute[] = [];
  const given = member.attributes ?? [];
  if (!Array.isArray(given)) issue(`${at}/attributes`, 'type:array', 'attributes must be an array of { id, attribute }');
  for (const [a, attribute] of (Array.isArray(given) ? given : []).entries()) {
    const attributeId = isRecord(attribute) ? attribute.id : undefined;
    if (typeof attributeId !== 'string' || !attributeId) {
      issue(`${at}/attributes/${a}/id`, 'required:id', `an attribute of ${id} must have an id (a URI)`);
      continue;
    }
    attributes.push({ id: expand(attributeId, prefixes), value: (attribute as Record<string, unknown>).attribute ?? null });
  }
  const children = member.children ?? [];
  if (!Array.isArray(children) || children.some((c) => typeof c !== 'string' || !c)) {
    issue(`${at}/children`, 'type:array', `the children of ${id} must be an array of ids (URIs)`);
    return null;
  }
  return { type, id, attributes, children: children as string[] };
}
