/**
 * Maps one EPCIS XML event element (1.2 or 2.0 binding, already parsed into a small element tree) onto the
 * EPCIS 2.0 JSON-LD event the JSON capture path takes, so both feed the same validator and event hash.
 * The shapes follow what the CBV 2.0 reference hasher derives from the XML: attributes and child elements
 * become properties, repeated elements become arrays, namespaced elements become `prefix:local` keys.
 */
import { bareTerm, CBV, type CbvVocabulary } from './cbv-vocabulary';
import { standardPrefixOf } from 'pharmatrace-verify/cbv';
import { EPCIS_CONTEXT_PREFIXES, EPCIS_CONTEXT_TERMS } from './epcis-context.terms';
import { XSD_SEQUENCES } from './xsd.rules';
import type { EpcisXmlVersion } from './xml-event.parser';
import { EpcisErrorCode, type EpcisIssue, EpcisValidationError } from './epcis.error';

export interface XmlAttribute {
  uri: string;
  prefix: string;
  local: string;
  value: string;
}

export interface XmlElement {
  uri: string;
  prefix: string;
  local: string;
  attributes: XmlAttribute[];
  children: XmlElement[];
  text: string;
  line: number;
  column: number;
  /**
   * An event's own `<extension>`/`<baseExtension>`: the reader sees through it (its children follow it as the event's),
   * and keeps it as an empty marker so that its place and count are judged by the XSD.
   */
  wrapper?: true;
  /** An element of the event read through one of its wrappers (in EPCIS 2.0, `<baseExtension>` holds extensions). */
  wrapped?: true;
}

export type JsonObject = Record<string, unknown>;

export const XSI_NAMESPACE = 'http://www.w3.org/2001/XMLSchema-instance';

export const EVENT_TYPES: ReadonlySet<string> = new Set([
  'ObjectEvent',
  'AggregationEvent',
  'TransactionEvent',
  'TransformationEvent',
  'AssociationEvent',
]);

const REQUIRED: Readonly<Record<string, readonly string[]>> = {
  ObjectEvent: ['eventTime', 'eventTimeZoneOffset', 'action'],
  AggregationEvent: ['eventTime', 'eventTimeZoneOffset', 'action'],
  TransactionEvent: ['eventTime', 'eventTimeZoneOffset', 'bizTransactionList', 'action'],
  TransformationEvent: ['eventTime', 'eventTimeZoneOffset'],
  AssociationEvent: ['eventTime', 'eventTimeZoneOffset', 'parentID', 'action'],
};

/** An EPCIS 1.2 document is judged by the 1.2 XSD, which has neither AssociationEvent nor these elements. */
const EPCIS_12_EVENT_TYPES: ReadonlySet<string> = new Set(['ObjectEvent', 'AggregationEvent', 'TransactionEvent', 'TransformationEvent']);
const EPCIS_20_ONLY_FIELDS: ReadonlySet<string> = new Set(['certificationInfo', 'persistentDisposition', 'sensorElementList']);

const TEXT_FIELDS = new Set(['eventTime', 'recordTime', 'eventTimeZoneOffset', 'eventID', 'parentID', 'action', 'transformationID']);
const EPC_LISTS = new Set(['epcList', 'childEPCs', 'inputEPCList', 'outputEPCList']);
const QUANTITY_LISTS = new Set(['quantityList', 'childQuantityList', 'inputQuantityList', 'outputQuantityList']);
const PARTY_LISTS: Readonly<Record<string, { element: string; vocabulary: CbvVocabulary }>> = {
  bizTransactionList: { element: 'bizTransaction', vocabulary: CBV.bizTransactionType },
  sourceList: { element: 'source', vocabulary: CBV.sourceDestType },
  destinationList: { element: 'destination', vocabulary: CBV.sourceDestType },
};
const NUMERIC_SENSOR_FIELDS = new Set(['value', 'minValue', 'maxValue', 'meanValue', 'sDev', 'percRank', 'percValue']);

/** `xsi:nil="true"` (or "1"): the element stands for no value; the XSD allows it on a quantity. */
const isNil = (node: XmlElement): boolean =>
  node.attributes.some((a) => a.uri === XSI_NAMESPACE && a.local === 'nil' && ['true', '1'].includes(a.value.trim())) &&
  !node.text.trim() &&
  !node.children.length;

/** Stands for the EPCIS context's own meaning of a term that is not a prefix, which no namespace may take over. */
const PROTECTED = '';

/**
 * The `prefix:` keys an event may use: the document's prefixes, plus any the event's own elements bind,
 * which the mapped event then declares in its own `@context`. A standard namespace always takes its EPCIS
 * context prefix (`cbvmda:`, however the XML binds it), and a user namespace never takes a term of that context,
 * so the JSON-LD we write never redefines a protected term.
 */
export class NamespaceScope {
  readonly declared: Record<string, string> = {};

  constructor(private readonly document: Readonly<Record<string, string>>) {}

  private bound(prefix: string): string | undefined {
    return (
      this.declared[prefix] ??
      this.document[prefix] ??
      EPCIS_CONTEXT_PREFIXES[prefix] ??
      (EPCIS_CONTEXT_TERMS.has(prefix) ? PROTECTED : undefined)
    );
  }

  key(uri: string, prefix: string, local: string): string {
    if (!uri) return local;
    const standard = standardPrefixOf(uri);
    if (standard !== undefined) return `${standard}:${local}`;
    if (prefix && this.bound(prefix) === uri) return `${prefix}:${local}`;
    if (prefix && this.bound(prefix) === undefined) {
      this.declared[prefix] = uri;
      return `${prefix}:${local}`;
    }
    // Default namespace, or a prefix rebound to another URI: reuse or invent a prefix for this URI.
    const existing = Object.entries({ ...this.document, ...this.declared }).find(([p, u]) => u === uri && this.bound(p) === uri);
    if (existing) return `${existing[0]}:${local}`;
    let n = 1;
    while (this.bound(`ns${n}`) !== undefined) n++;
    this.declared[`ns${n}`] = uri;
    return `ns${n}:${local}`;
  }
}

export function xmlIssueError(code: EpcisErrorCode, message: string, issue: EpcisIssue): EpcisValidationError {
  return new EpcisValidationError(code, message, [issue]);
}

class EventMapper {
  constructor(
    private readonly eventIndex: number,
    private readonly scope: NamespaceScope,
    private readonly version: EpcisXmlVersion,
  ) {}

  fail(node: XmlElement, field: string, rule: string, message: string): never {
    throw xmlIssueError(EpcisErrorCode.MALFORMED_XML, `event ${this.eventIndex} (${field || '/'}): ${message}`, {
      eventIndex: this.eventIndex,
      field,
      rule,
      message,
      line: node.line,
      column: node.column,
    });
  }

  text(node: XmlElement, field: string): string {
    if (node.children.length > 0) this.fail(node, field, 'type:string', `<${node.local}> must hold text, not elements`);
    return node.text.trim();
  }

  requiredText(node: XmlElement, field: string): string {
    const text = this.text(node, field);
    if (!text) this.fail(node, field, `minLength:1`, `<${node.local}> must not be empty`);
    return text;
  }

  number(node: XmlElement, text: string, field: string): number {
    const value = Number(text);
    if (!text || !Number.isFinite(value)) this.fail(node, field, 'type:number', `"${text}" is not a number`);
    return value;
  }

  keyOf(node: { uri: string; prefix: string; local: string }): string {
    return this.scope.key(node.uri, node.prefix, node.local);
  }

  /** A user extension element: text, or an object of its attributes and children (repeated names → arrays). */
  extension(node: XmlElement): unknown {
    const attributes = node.attributes.filter((a) => a.uri !== XSI_NAMESPACE);
    if (node.children.length === 0 && attributes.length === 0) return node.text.trim();
    // The hash model unwraps "…List" properties into items named without the suffix, so such a list maps to an array.
    const item = node.local.endsWith('List') ? node.local.slice(0, -4) : undefined;
    if (item && attributes.length === 0 && node.children.every((c) => c.uri === node.uri && c.local === item)) {
      return node.children.map((c) => this.extension(c));
    }
    const object: JsonObject = {};
    for (const attribute of attributes) object[this.keyOf(attribute)] = attribute.value;
    this.addChildren(object, node.children, (child) => this.extension(child));
    const text = node.text.trim();
    if (text) object['#text'] = text;
    return object;
  }

  addChildren(target: JsonObject, children: XmlElement[], map: (child: XmlElement) => unknown): void {
    const grouped = new Map<string, unknown[]>();
    for (const child of children) {
      const key = this.keyOf(child);
      const values = grouped.get(key) ?? [];
      values.push(map(child));
      grouped.set(key, values);
    }
    for (const [key, values] of grouped) target[key] = values.length === 1 ? values[0] : values;
  }

  /** Namespaced attributes of a standard element are extension properties of its JSON object. */
  addExtensionAttributes(target: JsonObject, node: XmlElement): void {
    for (const attribute of node.attributes) {
      if (attribute.uri && attribute.uri !== XSI_NAMESPACE) target[this.keyOf(attribute)] = attribute.value;
    }
  }

  /** Splits a standard element's children into the named standard ones and namespaced extensions. */
  structure(node: XmlElement, field: string, standard: Readonly<Record<string, (child: XmlElement, path: string) => unknown>>): JsonObject {
    const object: JsonObject = {};
    this.addExtensionAttributes(object, node);
    const extensions: XmlElement[] = [];
    for (const child of node.children) {
      if (child.uri) {
        extensions.push(child);
        continue;
      }
      const map = standard[child.local];
      if (!map) this.fail(child, `${field}/${child.local}`, 'unknown-element', `<${child.local}> is not allowed in <${node.local}>`);
      if (child.local in object) this.fail(child, `${field}/${child.local}`, 'maxOccurs:1', `<${child.local}> appears more than once`);
      const value = map(child, `${field}/${child.local}`);
      // A nil element (xsi:nil, where the XSD allows it) says the value is absent.
      if (value !== undefined) object[child.local] = value;
    }
    this.addChildren(object, extensions, (child) => this.extension(child));
    return object;
  }

  epcs(node: XmlElement, field: string): string[] {
    return node.children.map((child, i) => {
      if (child.uri || child.local !== 'epc')
        this.fail(child, `${field}/${i}`, 'unknown-element', `expected <epc>, found <${child.local}>`);
      return this.requiredText(child, `${field}/${i}`);
    });
  }

  quantities(node: XmlElement, field: string): JsonObject[] {
    return node.children.map((child, i) => {
      const path = `${field}/${i}`;
      if (child.uri || child.local !== 'quantityElement')
        this.fail(child, path, 'unknown-element', `expected <quantityElement>, found <${child.local}>`);
      const element = this.structure(child, path, {
        epcClass: (c, p) => this.requiredText(c, p),
        quantity: (c, p) => (isNil(c) ? undefined : this.number(c, this.text(c, p), p)),
        uom: (c, p) => this.requiredText(c, p),
      });
      if (element.epcClass === undefined)
        this.fail(child, `${path}/epcClass`, 'required:epcClass', 'a quantityElement needs an <epcClass>');
      return element;
    });
  }

  parties(node: XmlElement, field: string): JsonObject[] {
    const { element, vocabulary } = PARTY_LISTS[node.local];
    return node.children.map((child, i) => {
      const path = `${field}/${i}`;
      if (child.uri || child.local !== element) this.fail(child, path, 'unknown-element', `expected <${element}>, found <${child.local}>`);
      const entry: JsonObject = {};
      const type = child.attributes.find((a) => !a.uri && a.local === 'type');
      if (type) entry.type = bareTerm(type.value.trim(), vocabulary);
      entry[element] = this.requiredText(child, `${path}/${element}`);
      this.addExtensionAttributes(entry, child);
      return entry;
    });
  }

  location(node: XmlElement, field: string): JsonObject {
    const location = this.structure(node, field, { id: (c, p) => this.requiredText(c, p) });
    if (location.id === undefined) this.fail(node, `${field}/id`, 'required:id', `<${node.local}> needs an <id>`);
    return location;
  }

  /** sensorMetadata and sensorReport carry their fields as attributes. */
  sensorFields(node: XmlElement, field: string): JsonObject {
    const object: JsonObject = {};
    for (const attribute of node.attributes) {
      if (attribute.uri === XSI_NAMESPACE) continue;
      if (attribute.uri) {
        object[this.keyOf(attribute)] = attribute.value;
      } else if (NUMERIC_SENSOR_FIELDS.has(attribute.local)) {
        object[attribute.local] = this.number(node, attribute.value.trim(), `${field}/${attribute.local}`);
      } else if (attribute.local === 'booleanValue') {
        const text = attribute.value.trim();
        if (!['true', 'false', '1', '0'].includes(text))
          this.fail(node, `${field}/booleanValue`, 'type:boolean', `"${text}" is not a boolean`);
        object.booleanValue = text === 'true' || text === '1';
      } else {
        object[attribute.local] = attribute.value.trim();
      }
    }
    this.addChildren(object, node.children, (child) => this.extension(child));
    return object;
  }

  sensorElements(node: XmlElement, field: string): JsonObject[] {
    return node.children.map((child, i) => {
      const path = `${field}/${i}`;
      if (child.uri || child.local !== 'sensorElement')
        this.fail(child, path, 'unknown-element', `expected <sensorElement>, found <${child.local}>`);
      const element: JsonObject = {};
      const reports: JsonObject[] = [];
      const extensions: XmlElement[] = [];
      for (const part of child.children) {
        if (part.uri) extensions.push(part);
        else if (part.local === 'sensorMetadata') element.sensorMetadata = this.sensorFields(part, `${path}/sensorMetadata`);
        else if (part.local === 'sensorReport') reports.push(this.sensorFields(part, `${path}/sensorReport/${reports.length}`));
        else this.fail(part, `${path}/${part.local}`, 'unknown-element', `<${part.local}> is not allowed in <sensorElement>`);
      }
      if (reports.length === 0)
        this.fail(child, `${path}/sensorReport`, 'required:sensorReport', 'a sensorElement needs at least one <sensorReport>');
      element.sensorReport = reports;
      this.addChildren(element, extensions, (c) => this.extension(c));
      return element;
    });
  }

  persistentDisposition(node: XmlElement, field: string): JsonObject {
    const object: JsonObject = {};
    for (const child of node.children) {
      if (child.uri || (child.local !== 'set' && child.local !== 'unset')) {
        this.fail(child, `${field}/${child.local}`, 'unknown-element', `<${child.local}> is not allowed in <persistentDisposition>`);
      }
      const list = (object[child.local] ??= []) as string[];
      list.push(bareTerm(this.requiredText(child, `${field}/${child.local}`), CBV.disposition));
    }
    return object;
  }

  errorDeclaration(node: XmlElement, field: string): JsonObject {
    const declaration = this.structure(node, field, {
      declarationTime: (c, p) => this.requiredText(c, p),
      reason: (c, p) => bareTerm(this.requiredText(c, p), CBV.errorReason),
      correctiveEventIDs: (c, p) =>
        c.children.map((id, i) => {
          if (id.uri || id.local !== 'correctiveEventID')
            this.fail(id, `${p}/${i}`, 'unknown-element', `expected <correctiveEventID>, found <${id.local}>`);
          return this.requiredText(id, `${p}/${i}`);
        }),
    });
    if (declaration.declarationTime === undefined) {
      this.fail(node, `${field}/declarationTime`, 'required:declarationTime', 'an errorDeclaration needs a <declarationTime>');
    }
    return declaration;
  }

  ilmd(node: XmlElement): JsonObject {
    const object: JsonObject = {};
    this.addChildren(object, node.children, (child) => this.extension(child));
    return object;
  }

  standardField(event: JsonObject, child: XmlElement): void {
    const name = child.local;
    const field = `/${name}`;
    if (this.version === '1.2' && EPCIS_20_ONLY_FIELDS.has(name)) {
      this.fail(child, field, 'xsd:1.2', `<${name}> is EPCIS 2.0: the EPCIS 1.2 XSD has no such element (send an EPCIS 2.0 document)`);
    }
    if (name === 'certificationInfo') {
      const value = this.requiredText(child, field);
      const previous = event.certificationInfo;
      event.certificationInfo = previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value];
      return;
    }
    if (name in event) this.fail(child, field, 'maxOccurs:1', `<${name}> appears more than once`);
    if (TEXT_FIELDS.has(name)) event[name] = this.requiredText(child, field);
    else if (name === 'bizStep') event.bizStep = bareTerm(this.requiredText(child, field), CBV.bizStep);
    else if (name === 'disposition') event.disposition = bareTerm(this.requiredText(child, field), CBV.disposition);
    else if (EPC_LISTS.has(name)) event[name] = this.epcs(child, field);
    else if (QUANTITY_LISTS.has(name)) event[name] = this.quantities(child, field);
    else if (name in PARTY_LISTS) event[name] = this.parties(child, field);
    else if (name === 'readPoint' || name === 'bizLocation') event[name] = this.location(child, field);
    else if (name === 'sensorElementList') event[name] = this.sensorElements(child, field);
    else if (name === 'persistentDisposition') event[name] = this.persistentDisposition(child, field);
    else if (name === 'errorDeclaration') event[name] = this.errorDeclaration(child, field);
    else if (name === 'ilmd') event[name] = this.ilmd(child);
    else this.fail(child, field, 'unknown-element', `<${name}> is not an element of ${event.type as string}`);
  }

  event(node: XmlElement): JsonObject {
    if (node.uri || !EVENT_TYPES.has(node.local)) {
      throw xmlIssueError(EpcisErrorCode.UNSUPPORTED_EVENT_TYPE, `event ${this.eventIndex}: <${node.local}> is not an EPCIS event type`, {
        eventIndex: this.eventIndex,
        field: '/type',
        rule: 'enum',
        message: `unsupported event element <${node.local}>`,
        line: node.line,
        column: node.column,
      });
    }
    if (this.version === '1.2' && !EPCIS_12_EVENT_TYPES.has(node.local)) {
      this.fail(node, '/type', 'xsd:1.2', `<${node.local}> is an EPCIS 2.0 event: the EPCIS 1.2 XSD has no such event`);
    }
    const event: JsonObject = { type: node.local };
    this.addExtensionAttributes(event, node);
    const extensions: XmlElement[] = [];
    const sequence = XSD_SEQUENCES[node.local];
    let last: XmlElement | undefined;
    const wrappers = new Set<string>();
    // What ends the event's standard elements: its first extension element standing in the event itself (the XSD's
    // xsd:any comes last), or in EPCIS 2.0 its <extension>, the last standard element. Elements read through a wrapper
    // are judged by where the wrapper stands.
    let trailing: XmlElement | undefined;
    for (const child of node.children) {
      if (child.uri) {
        extensions.push(child);
        if (!child.wrapped) trailing ??= child;
        continue;
      }
      if (child.wrapper) {
        if (wrappers.has(child.local))
          this.fail(child, `/${child.local}`, 'maxOccurs:1', `<${child.local}> appears more than once in <${node.local}>`);
        wrappers.add(child.local);
      }
      if (trailing && !child.wrapped) {
        const name = `${trailing.prefix ? `${trailing.prefix}:` : ''}${trailing.local}`;
        this.fail(
          child,
          `/${child.local}`,
          'xsd:sequence',
          `<${child.local}> must come before <${name}> in <${node.local}> (EPCIS XSD element order)`,
        );
      }
      if (child.wrapper) {
        if (this.version === '2.0' && child.local === 'extension') trailing = child;
        continue;
      }
      const rank = sequence.get(child.local);
      if (rank !== undefined && last && rank < sequence.get(last.local)!) {
        this.fail(
          child,
          `/${child.local}`,
          'xsd:sequence',
          `<${child.local}> must come before <${last.local}> in <${node.local}> (EPCIS XSD element order)`,
        );
      }
      if (rank !== undefined) last = child;
      this.standardField(event, child);
    }
    this.addChildren(event, extensions, (child) => this.extension(child));
    for (const name of REQUIRED[node.local]) {
      if (event[name] === undefined) this.fail(node, `/${name}`, `required:${name}`, `<${node.local}> has no <${name}>`);
    }
    return event;
  }
}

/**
 * The JSON-LD event for one XML event element. Prefixes the event binds itself (absent from, or bound
 * differently in, `documentNamespaces`) are declared in the event's own `@context`.
 */
export function mapXmlEvent(
  node: XmlElement,
  eventIndex: number,
  documentNamespaces: Readonly<Record<string, string>>,
  version: EpcisXmlVersion,
): JsonObject {
  const scope = new NamespaceScope(documentNamespaces);
  const event = new EventMapper(eventIndex, scope, version).event(node);
  return Object.keys(scope.declared).length === 0 ? event : { '@context': scope.declared, ...event };
}

/**
 * A user extension element outside any event (the content of a master-data attribute), mapped as an event's
 * extension is; prefixes it binds that the document does not are left in `scope.declared`.
 */
export function mapXmlExtension(node: XmlElement, scope: NamespaceScope, version: EpcisXmlVersion): unknown {
  return new EventMapper(-1, scope, version).extension(node);
}
