/**
 * EPCIS 1.2 and 2.0 XML capture and query documents → the EPCIS 2.0 JSON-LD document the JSON capture
 * path takes, so XML input is validated and hashed by the same code.
 */
import { documentContext, EpcisXmlEventParser } from './xml-event.parser';
import type { JsonObject } from './xml-element.mapper';
import { type Resumable, runSliced, runToEnd } from './time-slice';
import { markReadFromXml } from './xsd.rules';

/** An EPCIS 2.0 JSON-LD document (capture or query), as produced by readEpcisXml and taken by eventHashes. */
export type EpcisJsonDocument = Record<string, unknown>;

/**
 * Namespaces an event binds itself move up to the document's @context when no other binding of the same
 * prefix is in the way, which is how EPCIS JSON-LD documents usually declare them.
 */
function hoistEventNamespaces(events: JsonObject[], namespaces: Record<string, string>): void {
  for (const event of events) {
    const own = event['@context'] as Record<string, string> | undefined;
    if (!own) continue;
    if (Object.entries(own).every(([prefix, uri]) => namespaces[prefix] === undefined || namespaces[prefix] === uri)) {
      Object.assign(namespaces, own);
      delete event['@context'];
    }
  }
}

/**
 * Maps a whole EPCIS XML document (namespace `urn:epcglobal:epcis:xsd:1|2` or the matching query
 * namespace) to EPCIS 2.0 JSON-LD. Throws EpcisValidationError (MALFORMED_XML, or UNSUPPORTED_EVENT_TYPE)
 * naming the event index, the field and the rule, with the parser's line and column.
 */
export function readEpcisXml(xml: string): EpcisJsonDocument {
  return runToEnd(xmlReading(xml));
}

/** readEpcisXml in slices that leave the event loop free between them (time-slice.ts): for buffered capture bodies. */
export function readEpcisXmlSliced(xml: string): Promise<EpcisJsonDocument> {
  return runSliced(xmlReading(xml));
}

/** Characters handed to the parser between pauses: about 1 ms of parsing. */
const XML_PIECE = 16 * 1024;

function* xmlReading(xml: string): Resumable<EpcisJsonDocument> {
  const events: JsonObject[] = [];
  const parser = new EpcisXmlEventParser((event) => events.push(event));
  for (let at = 0; at < xml.length; at += XML_PIECE) {
    parser.write(xml.slice(at, at + XML_PIECE));
    yield;
  }
  const header = parser.end();
  const namespaces = { ...header.namespaces };
  hoistEventNamespaces(events, namespaces);
  const document: EpcisJsonDocument = {
    '@context': documentContext(namespaces),
    type: header.type,
    schemaVersion: '2.0',
    ...(header.creationDate === undefined ? {} : { creationDate: header.creationDate }),
    ...(header.ignoreFields ? { [header.ignoreFields.key]: header.ignoreFields.names } : {}),
    ...(header.masterData ? { epcisHeader: { epcisMasterData: { vocabularyList: header.masterData } } } : {}),
  };
  if (header.type === 'EPCISQueryDocument') {
    document.epcisBody = { queryResults: { ...header.queryResults, resultsBody: { eventList: events } } };
  } else {
    document.epcisBody = { eventList: events };
  }
  // Judged by the XSD's rules where they differ from the JSON Schema (xsd.rules.ts).
  return markReadFromXml(document);
}
