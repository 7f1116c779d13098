/**
 * Incremental EPCIS XML reader on top of saxes (a maintained, namespace-aware streaming XML parser): text
 * is pushed in chunks, and each event element is built into a small tree, mapped to its JSON-LD form and
 * handed over as soon as its closing tag is read, so memory holds one event at a time, never the document.
 */
import { type SaxesAttributeNS, SaxesParser, type SaxesTagNS } from 'saxes';
import { standardPrefixOf } from 'pharmatrace-verify/cbv';
import { EPCIS_CONTEXT_TERMS } from './epcis-context.terms';
import { EpcisErrorCode, EpcisValidationError } from './epcis.error';
import { MAX_NESTING_DEPTH } from './input-limits';
import { EPCIS_CONTEXT } from './document.builder';
import { type JsonObject, mapXmlEvent, type XmlAttribute, type XmlElement, XSI_NAMESPACE } from './xml-element.mapper';
import { mapXmlMasterData } from './xml-master-data.mapper';

export type EpcisXmlVersion = '1.2' | '2.0';

const EPCIS_NAMESPACES: ReadonlyMap<string, EpcisXmlVersion> = new Map([
  ['urn:epcglobal:epcis:xsd:1', '1.2'],
  ['urn:epcglobal:epcis-query:xsd:1', '1.2'],
  ['urn:epcglobal:epcis:xsd:2', '2.0'],
  ['urn:epcglobal:epcis-query:xsd:2', '2.0'],
]);

/** Namespaces of the XML binding itself; they name no user extension, so they stay out of the JSON-LD context. */
const BINDING_NAMESPACES = new Set([
  ...EPCIS_NAMESPACES.keys(),
  'urn:epcglobal:epcis-masterdata:xsd:1',
  'urn:epcglobal:epcis-masterdata:xsd:2',
  'http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader',
  XSI_NAMESPACE,
  'http://www.w3.org/2001/XMLSchema',
]);

const ROOTS = new Set(['EPCISDocument', 'EPCISQueryDocument']);
const CAPTURE_EVENT_LIST = 'EPCISBody/EventList';
const QUERY_EVENT_LIST = 'EPCISBody/QueryResults/resultsBody/EventList';
const QUERY_RESULTS = 'EPCISBody/QueryResults';
/** Where master data stands once `<extension>` wrappers are seen through: `EPCISHeader/extension/EPCISMasterData`. */
const HEADER = 'EPCISHeader';

export interface EpcisXmlHeader {
  type: 'EPCISDocument' | 'EPCISQueryDocument';
  version: EpcisXmlVersion;
  schemaVersion?: string;
  creationDate?: string;
  /** User namespaces the root element declares, prefix → URI. */
  namespaces: Record<string, string>;
  /** Leaf fields of QueryResults (queryName, subscriptionID) in a query document. */
  queryResults?: Record<string, string>;
  /**
   * A `<prefix:ignoreFields>` element of the root or of QueryResults: the JSON-LD key it maps to and the fields it
   * names, expanded (`{namespace}local`). It applies to the events after it.
   */
  ignoreFields?: { key: string; names: string[] };
  /** The header's master data as the JSON-LD `vocabularyList` (xml-master-data.mapper.ts), once read. */
  masterData?: JsonObject[];
}

/** An ignoreFields element being read: one field name per child element, or whitespace-separated text. */
interface IgnoreFieldsElement {
  key: string;
  depth: number;
  names: string[];
}

/**
 * EPCIS 1.2 wraps later additions in `<extension>`/`<baseExtension>` (unqualified); like the reference
 * hasher, the reader sees through them, which turns a 1.2 document into the 2.0 shape.
 */
const isWrapper = (tag: SaxesTagNS): boolean => tag.uri === '' && (tag.local === 'extension' || tag.local === 'baseExtension');

export function documentContext(namespaces: Readonly<Record<string, string>>): unknown[] {
  return Object.keys(namespaces).length === 0 ? [EPCIS_CONTEXT] : [EPCIS_CONTEXT, { ...namespaces }];
}

export class EpcisXmlEventParser {
  private readonly parser = new SaxesParser({ xmlns: true, position: true });
  /** Open elements outside any event, by local name; null marks a see-through 1.2 wrapper. */
  private readonly outside: (string | null)[] = [];
  /** Open elements of the event being built; null marks a see-through wrapper. */
  private readonly inside: (XmlElement | null)[] = [];
  /** Open elements of the header's EPCISMasterData, kept as a tree until it closes: it is small and read once. */
  private readonly masterData: XmlElement[] = [];
  private outsideText = '';
  private ignoreFields: IgnoreFieldsElement | null = null;
  private eventCount = 0;
  private sawEventList = false;
  header: EpcisXmlHeader | undefined;
  context: unknown[] = [];

  constructor(private readonly onEvent: (event: JsonObject, index: number) => void) {
    this.parser.on('opentag', (tag) => this.open(tag));
    this.parser.on('closetag', (tag) => this.close(tag));
    this.parser.on('text', (text) => this.text(text));
    this.parser.on('cdata', (text) => this.text(text));
    this.parser.on('error', (error) => {
      throw this.syntaxError(error.message);
    });
  }

  get events(): number {
    return this.eventCount;
  }

  write(chunk: string): void {
    this.parser.write(chunk);
  }

  /** Ends the input; throws if the document is incomplete or holds no event list. */
  end(): EpcisXmlHeader {
    this.parser.close();
    if (!this.header) throw this.structureError('', 'required:root', 'the input holds no XML element');
    if (!this.sawEventList) {
      const path = this.header.type === 'EPCISQueryDocument' ? QUERY_EVENT_LIST : CAPTURE_EVENT_LIST;
      throw this.structureError(`/${path}`, 'required:EventList', `<${this.header.type}> has no ${path}`);
    }
    return this.header;
  }

  private syntaxError(message: string): EpcisValidationError {
    return new EpcisValidationError(EpcisErrorCode.MALFORMED_XML, `malformed XML: ${message}`, [
      {
        eventIndex: this.inside.length > 0 ? this.eventCount : null,
        field: '',
        rule: 'xml-syntax',
        message,
        line: this.parser.line,
        column: this.parser.column,
      },
    ]);
  }

  private structureError(field: string, rule: string, message: string): EpcisValidationError {
    return new EpcisValidationError(EpcisErrorCode.MALFORMED_XML, message, [
      {
        eventIndex: null,
        field,
        rule,
        message,
        line: this.parser.line,
        column: this.parser.column,
      },
    ]);
  }

  private path(): string {
    return this.outside
      .slice(1)
      .filter((name) => name !== null)
      .join('/');
  }

  private open(tag: SaxesTagNS): void {
    // Checked before the element is kept: mapping an event to JSON recurses, and ~1,700 levels overflowed the stack.
    if (this.outside.length + this.inside.length + this.masterData.length >= MAX_NESTING_DEPTH) {
      throw this.structureError('', 'max-depth', `elements are nested more than ${MAX_NESTING_DEPTH} levels deep`);
    }
    if (this.inside.length > 0) {
      this.openInEvent(tag);
      return;
    }
    if (this.outside.length === 0) {
      this.openRoot(tag);
      return;
    }
    if (this.masterData.length > 0 || (tag.uri === '' && tag.local === 'EPCISMasterData' && this.path() === HEADER)) {
      const element = this.element(tag);
      this.masterData.at(-1)?.children.push(element);
      this.masterData.push(element);
      return;
    }
    this.outsideText = '';
    if (isWrapper(tag)) {
      this.outside.push(null);
      return;
    }
    const path = this.path();
    if (path === CAPTURE_EVENT_LIST || path === QUERY_EVENT_LIST) {
      this.inside.push(this.element(tag));
      return;
    }
    if (tag.local === 'ignoreFields' && tag.uri && !BINDING_NAMESPACES.has(tag.uri) && (path === '' || path === QUERY_RESULTS)) {
      this.ignoreFields = { key: this.ignoreFieldsKey(tag), depth: this.outside.length + 1, names: [] };
    }
    this.outside.push(tag.local);
    const now = this.path();
    if (now === CAPTURE_EVENT_LIST || now === QUERY_EVENT_LIST) this.sawEventList = true;
  }

  private openRoot(tag: SaxesTagNS): void {
    const version = EPCIS_NAMESPACES.get(tag.uri);
    if (!version || !ROOTS.has(tag.local)) {
      throw this.structureError(
        '',
        'root-element',
        `root element {${tag.uri}}${tag.local} is not an EPCIS 1.2 or 2.0 EPCISDocument or EPCISQueryDocument`,
      );
    }
    const namespaces: Record<string, string> = {};
    for (const [prefix, uri] of Object.entries(tag.ns ?? {})) {
      // Standard namespaces are named by the EPCIS context itself, and its terms are not ours to rebind: a
      // user namespace bound to one of them gets another prefix where it is used (NamespaceScope).
      if (!prefix || BINDING_NAMESPACES.has(uri) || standardPrefixOf(uri) !== undefined || EPCIS_CONTEXT_TERMS.has(prefix)) continue;
      namespaces[prefix] = uri;
    }
    const attribute = (name: string) => Object.values(tag.attributes).find((a) => a.uri === '' && a.local === name)?.value;
    this.header = {
      type: tag.local as EpcisXmlHeader['type'],
      version,
      schemaVersion: attribute('schemaVersion'),
      creationDate: attribute('creationDate'),
      namespaces,
      ...(tag.local === 'EPCISQueryDocument' ? { queryResults: {} } : {}),
    };
    this.context = documentContext(namespaces);
    this.outside.push(tag.local);
  }

  private element(tag: SaxesTagNS): XmlElement {
    const attributes: XmlAttribute[] = [];
    for (const a of Object.values(tag.attributes) as SaxesAttributeNS[]) {
      if (a.prefix === 'xmlns' || a.name === 'xmlns') continue;
      attributes.push({ uri: a.uri, prefix: a.prefix, local: a.local, value: a.value });
    }
    return {
      uri: tag.uri,
      prefix: tag.prefix,
      local: tag.local,
      attributes,
      children: [],
      text: '',
      line: this.parser.line,
      column: this.parser.column,
    };
  }

  private currentEventElement(): XmlElement {
    for (let i = this.inside.length - 1; ; i--) {
      const element = this.inside[i];
      if (element) return element;
    }
  }

  private openInEvent(tag: SaxesTagNS): void {
    if (isWrapper(tag)) {
      // The event's own wrappers are marked where they stand, for the XSD's order and count (EventMapper).
      if (this.inside.length === 1) this.currentEventElement().children.push({ ...this.element(tag), wrapper: true });
      this.inside.push(null);
      return;
    }
    const element = this.element(tag);
    const parent = this.currentEventElement();
    if (parent === this.inside[0] && this.inside[this.inside.length - 1] === null) element.wrapped = true;
    parent.children.push(element);
    this.inside.push(element);
  }

  private close(tag: SaxesTagNS): void {
    if (this.inside.length > 0) {
      const element = this.inside.pop();
      if (this.inside.length === 0 && element) {
        const index = this.eventCount++;
        this.onEvent(mapXmlEvent(element, index, this.header?.namespaces ?? {}, this.header?.version ?? '2.0'), index);
      }
      return;
    }
    if (this.masterData.length > 0) {
      const element = this.masterData.pop()!;
      if (this.masterData.length === 0 && this.header) {
        this.header.masterData = mapXmlMasterData(element, this.header.namespaces, this.header.version);
      }
      return;
    }
    if (this.ignoreFields && this.outside.length >= this.ignoreFields.depth) {
      this.closeInIgnoreFields(this.ignoreFields);
    } else if (!tag.uri && this.path() === `${QUERY_RESULTS}/${tag.local}` && tag.local !== 'resultsBody' && this.header?.queryResults) {
      this.header.queryResults[tag.local] = this.outsideText.trim();
    }
    this.outside.pop();
  }

  /** The JSON-LD key of an ignoreFields element: its own prefix, bound in the document's context if it is not yet. */
  private ignoreFieldsKey(tag: SaxesTagNS): string {
    const namespaces = this.header!.namespaces;
    const bound = Object.entries(namespaces).find(([, uri]) => uri === tag.uri)?.[0];
    if (bound) return `${bound}:ignoreFields`;
    let prefix = tag.prefix && !EPCIS_CONTEXT_TERMS.has(tag.prefix) && namespaces[tag.prefix] === undefined ? tag.prefix : '';
    for (let n = 1; !prefix; n++) if (namespaces[`ns${n}`] === undefined) prefix = `ns${n}`;
    namespaces[prefix] = tag.uri;
    return `${prefix}:ignoreFields`;
  }

  /** A field name as written in the XML (a QName) → `{namespace}local` by the bindings in scope, or as written. */
  private expandedName(qname: string): string {
    const colon = qname.indexOf(':');
    if (colon <= 0) return qname;
    const uri = this.parser.resolve(qname.slice(0, colon));
    return uri === undefined ? qname : `{${uri}}${qname.slice(colon + 1)}`;
  }

  private closeInIgnoreFields(element: IgnoreFieldsElement): void {
    const text = this.outsideText.trim();
    if (this.outside.length > element.depth) {
      if (text) element.names.push(this.expandedName(text));
      this.outsideText = '';
      return;
    }
    if (!element.names.length)
      element.names.push(
        ...text
          .split(/\s+/)
          .filter(Boolean)
          .map((n) => this.expandedName(n)),
      );
    this.header!.ignoreFields = { key: element.key, names: element.names };
    this.ignoreFields = null;
  }

  private text(text: string): void {
    if (this.inside.length > 0) {
      const top = this.inside[this.inside.length - 1];
      if (top) top.text += text;
    } else if (this.masterData.length > 0) {
      this.masterData[this.masterData.length - 1].text += text;
    } else {
      this.outsideText += text;
    }
  }
}
