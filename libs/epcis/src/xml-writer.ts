/**
 * EPCIS 2.0 JSON-LD → EPCIS 2.0 XML, for partners that take query answers in XML. The inverse of
 * readEpcisXml as far as the event hash sees: writing then reading gives the same hashes.
 */
import { CBV, type CbvVocabulary } from './cbv-vocabulary';
import { type CbvValueForm, cbvValue } from './identifier-format';
import { EpcisErrorCode, EpcisValidationError } from './epcis.error';
import { namespacesOf, type Namespaces } from 'pharmatrace-verify/cbv';
import { eventsOf } from './event.model';
import type { EpcisJsonDocument } from './xml-reader';
import { XSD_SEQUENCES } from './xsd.rules';

export interface WriteEpcisXmlOptions {
  /** Root element; by default the one matching the document's `type`. */
  root?: 'EPCISDocument' | 'EPCISQueryDocument';
  /** How CBV values (bizStep, disposition, types, error reasons) are written (GS1-CBV-XML-Format); URNs by default. */
  cbvForm?: CbvValueForm;
}

type Json = Record<string, unknown>;

const CAPTURE_NAMESPACE = 'urn:epcglobal:epcis:xsd:2';
const QUERY_NAMESPACE = 'urn:epcglobal:epcis-query:xsd:2';

const EPC_LISTS = new Set(['epcList', 'childEPCs', 'inputEPCList', 'outputEPCList']);
const QUANTITY_LISTS = new Set(['quantityList', 'childQuantityList', 'inputQuantityList', 'outputQuantityList']);
const PARTY_LISTS: Readonly<Record<string, { element: string; vocabulary: CbvVocabulary }>> = {
  bizTransactionList: { element: 'bizTransaction', vocabulary: CBV.bizTransactionType },
  sourceList: { element: 'source', vocabulary: CBV.sourceDestType },
  destinationList: { element: 'destination', vocabulary: CBV.sourceDestType },
};

/** Element order of each event type in the EPCIS 2.0 XML schema. */
const ORDER: Readonly<Record<string, readonly string[]>> = Object.fromEntries(
  Object.entries(XSD_SEQUENCES).map(([type, ranks]) => [type, [...ranks.keys()]]),
);

const escapeText = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const escapeAttribute = (text: string): string => escapeText(text).replace(/"/g, '&quot;');

function scalarText(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

const isRecord = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);

class EventWriter {
  /** Prefixes this event uses, declared on the root (or on the event when the event rebinds them). */
  readonly used = new Set<string>();

  constructor(
    private readonly namespaces: Namespaces,
    private readonly eventIndex: number,
    private readonly cbvForm: CbvValueForm,
  ) {}

  cbv(value: unknown, vocabulary: CbvVocabulary): string {
    return cbvValue(scalarText(value), vocabulary, this.cbvForm);
  }

  fail(field: string, rule: string, message: string): never {
    throw new EpcisValidationError(EpcisErrorCode.MALFORMED_DOCUMENT, `event ${this.eventIndex} (${field}): ${message}`, [
      { eventIndex: this.eventIndex, field, rule, message },
    ]);
  }

  /** XML name for a JSON key; `prefix:local` keys need the prefix bound in the @context. */
  name(key: string, field: string): string {
    const colon = key.indexOf(':');
    if (colon < 0) return key;
    const prefix = key.slice(0, colon);
    if (this.namespaces[prefix] === undefined || key.slice(colon + 1).startsWith('//')) {
      this.fail(field, 'unbound-prefix', `"${key}" has no namespace prefix declared in @context`);
    }
    this.used.add(prefix);
    return key;
  }

  leaf(name: string, value: unknown): string {
    return `<${name}>${escapeText(scalarText(value))}</${name}>`;
  }

  /** A user extension value: arrays repeat the element, objects nest, `#text` is the element's own text. */
  extension(key: string, value: unknown, field: string): string {
    if (Array.isArray(value)) return value.map((item, i) => this.extension(key, item, `${field}/${i}`)).join('');
    const name = this.name(key, field);
    if (!isRecord(value)) return this.leaf(name, value);
    let inner = '';
    for (const [k, v] of Object.entries(value)) {
      if (k === '#text') inner += escapeText(scalarText(v));
      else if (!k.startsWith('@')) inner += this.extension(k, v, `${field}/${k}`);
    }
    return `<${name}>${inner}</${name}>`;
  }

  extensions(object: Json, skip: ReadonlySet<string>, field: string): string {
    return Object.entries(object)
      .filter(([k]) => !skip.has(k) && !k.startsWith('@'))
      .map(([k, v]) => this.extension(k, v, `${field}/${k}`))
      .join('');
  }

  list<T>(value: unknown): T[] {
    if (value === undefined) return [];
    return (Array.isArray(value) ? value : [value]) as T[];
  }

  sensorAttributes(object: Json, field: string, rewrite: (key: string, value: string) => string): string {
    let attributes = '';
    for (const [key, value] of Object.entries(object)) {
      if (isRecord(value) || Array.isArray(value)) continue;
      const name = key.includes(':') ? this.name(key, `${field}/${key}`) : key;
      attributes += ` ${name}="${escapeAttribute(rewrite(key, scalarText(value)))}"`;
    }
    return attributes;
  }

  /** Bare measurement types and components name GS1 Web Vocabulary and CBV terms; XML writes them as compact URIs. */
  sensorReportValue(key: string, value: string): string {
    if (key === 'type' && /^[A-Za-z0-9_]+$/.test(value)) {
      this.used.add('gs1');
      return `gs1:${value}`;
    }
    if (key === 'component' && /^[A-Za-z0-9_]+$/.test(value)) {
      this.used.add('cbv');
      return `cbv:Comp-${value}`;
    }
    return value;
  }

  sensorElement(element: Json, field: string): string {
    let xml = '';
    if (isRecord(element.sensorMetadata)) {
      xml += `<sensorMetadata${this.sensorAttributes(element.sensorMetadata, `${field}/sensorMetadata`, (_, v) => v)}/>`;
    }
    this.list<Json>(element.sensorReport).forEach((report, i) => {
      xml += `<sensorReport${this.sensorAttributes(report, `${field}/sensorReport/${i}`, (k, v) => this.sensorReportValue(k, v))}/>`;
    });
    xml += this.extensions(element, new Set(['sensorMetadata', 'sensorReport']), field);
    return `<sensorElement>${xml}</sensorElement>`;
  }

  field(key: string, value: unknown): string {
    const field = `/${key}`;
    if (EPC_LISTS.has(key))
      return `<${key}>${this.list(value)
        .map((epc) => this.leaf('epc', epc))
        .join('')}</${key}>`;
    if (QUANTITY_LISTS.has(key)) {
      const items = this.list<Json>(value).map((q, i) => {
        const parts = ['epcClass', 'quantity', 'uom'].filter((k) => q[k] !== undefined).map((k) => this.leaf(k, q[k]));
        return `<quantityElement>${parts.join('')}${this.extensions(q, new Set(['epcClass', 'quantity', 'uom']), `${field}/${i}`)}</quantityElement>`;
      });
      return `<${key}>${items.join('')}</${key}>`;
    }
    if (key in PARTY_LISTS) {
      const { element, vocabulary } = PARTY_LISTS[key];
      const items = this.list<Json>(value).map((entry, i) => {
        const type = entry.type === undefined ? '' : ` type="${escapeAttribute(this.cbv(entry.type, vocabulary))}"`;
        const extra = this.sensorAttributes(
          Object.fromEntries(Object.entries(entry).filter(([k]) => k.includes(':'))),
          `${field}/${i}`,
          (_, v) => v,
        );
        return `<${element}${type}${extra}>${escapeText(scalarText(entry[element]))}</${element}>`;
      });
      return `<${key}>${items.join('')}</${key}>`;
    }
    switch (key) {
      case 'bizStep':
        return this.leaf(key, this.cbv(value, CBV.bizStep));
      case 'disposition':
        return this.leaf(key, this.cbv(value, CBV.disposition));
      case 'certificationInfo':
        return this.list(value)
          .map((v) => this.leaf(key, v))
          .join('');
      case 'readPoint':
      case 'bizLocation': {
        const location = value as Json;
        return `<${key}>${this.leaf('id', location.id)}${this.extensions(location, new Set(['id']), field)}</${key}>`;
      }
      case 'persistentDisposition': {
        const pd = value as Json;
        const parts = ['set', 'unset'].flatMap((k) => this.list(pd[k]).map((v) => this.leaf(k, this.cbv(v, CBV.disposition))));
        return `<${key}>${parts.join('')}</${key}>`;
      }
      case 'errorDeclaration': {
        const declaration = value as Json;
        let xml = declaration.declarationTime === undefined ? '' : this.leaf('declarationTime', declaration.declarationTime);
        if (declaration.reason !== undefined) xml += this.leaf('reason', this.cbv(declaration.reason, CBV.errorReason));
        if (declaration.correctiveEventIDs !== undefined) {
          const ids = this.list(declaration.correctiveEventIDs)
            .map((id) => this.leaf('correctiveEventID', id))
            .join('');
          xml += `<correctiveEventIDs>${ids}</correctiveEventIDs>`;
        }
        xml += this.extensions(declaration, new Set(['declarationTime', 'reason', 'correctiveEventIDs']), field);
        return `<${key}>${xml}</${key}>`;
      }
      case 'sensorElementList':
        return `<${key}>${this.list<Json>(value)
          .map((e, i) => this.sensorElement(e, `${field}/${i}`))
          .join('')}</${key}>`;
      case 'ilmd':
        return `<ilmd>${this.extensions(value as Json, new Set(), field)}</ilmd>`;
      default:
        return this.leaf(key, value);
    }
  }

  event(event: Json): string {
    const type = scalarText(event.type);
    const order = ORDER[type];
    if (!order) this.fail('/type', 'enum', `"${type}" is not an EPCIS 2.0 event type`);
    const standard = new Set(['type', ...order]);
    const body = order
      .filter((k) => event[k] !== undefined)
      .map((k) => this.field(k, event[k]))
      .join('');
    return body + this.extensions(event, standard, '');
  }
}

function namespaceDeclarations(prefixes: Iterable<string>, namespaces: Namespaces, skip: (prefix: string) => boolean): string {
  let xml = '';
  for (const prefix of [...prefixes].sort()) {
    if (!skip(prefix)) xml += ` xmlns:${prefix}="${escapeAttribute(namespaces[prefix])}"`;
  }
  return xml;
}

/**
 * Writes an EPCIS 2.0 JSON-LD document (capture or query) as EPCIS 2.0 XML. Only `version: '2.0'` exists;
 * the parameter keeps call sites explicit about the binding they produce.
 */
export function writeEpcisXml(document: EpcisJsonDocument, version: '2.0', options: WriteEpcisXmlOptions = {}): string {
  if (version !== '2.0')
    throw new EpcisValidationError(EpcisErrorCode.MALFORMED_DOCUMENT, `unsupported EPCIS XML version ${String(version)}`);
  const events = eventsOf(document);
  const root = options.root ?? (document.type === 'EPCISQueryDocument' ? 'EPCISQueryDocument' : 'EPCISDocument');
  const rootPrefix = root === 'EPCISQueryDocument' ? 'epcisq' : 'epcis';
  const namespaces = namespacesOf(document['@context']);
  const used = new Set<string>();
  const eventXml = events.map((event, index) => {
    const eventNamespaces = event['@context'] === undefined ? namespaces : namespacesOf(event['@context'], namespaces);
    const writer = new EventWriter(eventNamespaces, index, options.cbvForm ?? 'urn');
    const body = writer.event(event);
    const own = [...writer.used].filter((p) => eventNamespaces[p] !== namespaces[p]);
    for (const prefix of writer.used) if (!own.includes(prefix)) used.add(prefix);
    const type = String(event.type);
    return `<${type}${namespaceDeclarations(own, eventNamespaces, () => false)}>${body}</${type}>`;
  });
  const eventList = `<EventList>${eventXml.join('')}</EventList>`;
  let body: string;
  if (root === 'EPCISQueryDocument') {
    const results = isRecord(document.epcisBody) && isRecord(document.epcisBody.queryResults) ? document.epcisBody.queryResults : {};
    const subscription =
      results.subscriptionID === undefined ? '' : `<subscriptionID>${escapeText(scalarText(results.subscriptionID))}</subscriptionID>`;
    const queryName = escapeText(scalarText(results.queryName ?? 'SimpleEventQuery'));
    body = `<QueryResults>${subscription}<queryName>${queryName}</queryName><resultsBody>${eventList}</resultsBody></QueryResults>`;
  } else {
    body = eventList;
  }
  const declarations = namespaceDeclarations(used, namespaces, (p) => p === rootPrefix);
  const creationDate = document.creationDate === undefined ? '' : ` creationDate="${escapeAttribute(scalarText(document.creationDate))}"`;
  const rootNamespace = root === 'EPCISQueryDocument' ? QUERY_NAMESPACE : CAPTURE_NAMESPACE;
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<${rootPrefix}:${root} xmlns:${rootPrefix}="${rootNamespace}"${declarations} schemaVersion="2.0"${creationDate}>` +
    `<EPCISBody>${body}</EPCISBody></${rootPrefix}:${root}>\n`
  );
}
