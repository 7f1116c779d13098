/**
 * EPCIS XML is judged by the rules of the EPCIS XSD, JSON-LD by the JSON Schema. The XML reader enforces what only the
 * XSD says (the element order below, nil quantities). Where the two agree, the JSON Schema judges the JSON-LD an XML
 * document maps to; what only the XSD allows (and the XML reader has already checked the shape of) is taken out of the
 * copy the schema sees, never out of the document stored and hashed:
 * - `persistentDisposition` on every event type (the JSON Schema has it on ObjectEvent and TransformationEvent only);
 * - a `sensorReport` without `type` (optional in the XSD);
 * - an event without the EPCs the JSON Schema requires (`epcList`, `childEPCs`, inputs and outputs: optional in the
 *   XSD), judged as if it held an empty list, or a stand-in EPC where the JSON Schema wants at least one.
 */
type JsonObject = Record<string, unknown>;

const BASE_SEQUENCE = ['eventTime', 'recordTime', 'eventTimeZoneOffset', 'eventID', 'errorDeclaration', 'certificationInfo'];
/**
 * The order of each event type's standard elements in the EPCIS 2.0 XSD (EPCglobal-epcis-2_0.xsd). EPCIS 1.2 puts
 * some of them in <baseExtension>/<extension> wrappers; seen through, as the reader sees them, their order is the
 * same, so one sequence per type judges both versions (the reader) and orders what we write (the writer).
 */
export const XSD_SEQUENCES: Readonly<Record<string, ReadonlyMap<string, number>>> = Object.fromEntries(
  Object.entries({
    ObjectEvent: [
      'epcList',
      'action',
      'bizStep',
      'disposition',
      'readPoint',
      'bizLocation',
      'bizTransactionList',
      'quantityList',
      'sourceList',
      'destinationList',
      'sensorElementList',
      'persistentDisposition',
      'ilmd',
    ],
    AggregationEvent: [
      'parentID',
      'childEPCs',
      'action',
      'bizStep',
      'disposition',
      'readPoint',
      'bizLocation',
      'bizTransactionList',
      'childQuantityList',
      'sourceList',
      'destinationList',
      'sensorElementList',
      'persistentDisposition',
    ],
    TransactionEvent: [
      'bizTransactionList',
      'parentID',
      'epcList',
      'action',
      'bizStep',
      'disposition',
      'readPoint',
      'bizLocation',
      'quantityList',
      'sourceList',
      'destinationList',
      'sensorElementList',
      'persistentDisposition',
    ],
    TransformationEvent: [
      'inputEPCList',
      'inputQuantityList',
      'outputEPCList',
      'outputQuantityList',
      'transformationID',
      'bizStep',
      'disposition',
      'readPoint',
      'bizLocation',
      'bizTransactionList',
      'sourceList',
      'destinationList',
      'sensorElementList',
      'persistentDisposition',
      'ilmd',
    ],
    AssociationEvent: [
      'parentID',
      'childEPCs',
      'childQuantityList',
      'action',
      'bizStep',
      'disposition',
      'readPoint',
      'bizLocation',
      'bizTransactionList',
      'sourceList',
      'destinationList',
      'sensorElementList',
      'persistentDisposition',
    ],
  }).map(([type, own]) => [type, new Map([...BASE_SEQUENCE, ...own].map((name, rank) => [name, rank]))]),
);

/** Documents read from XML carry this mark (not enumerable: it is never serialised). */
const READ_FROM_XML = Symbol('pharmatrace.readFromXml');

/** Marks `document` as read from EPCIS XML, so validators judge it by the XSD's rules. */
export function markReadFromXml<T extends object>(document: T): T {
  Object.defineProperty(document, READ_FROM_XML, { value: true, enumerable: false });
  return document;
}

export const isReadFromXml = (document: unknown): boolean =>
  document !== null && typeof document === 'object' && (document as { [READ_FROM_XML]?: boolean })[READ_FROM_XML] === true;

const PERSISTENT_DISPOSITION_IN_SCHEMA = new Set(['ObjectEvent', 'TransformationEvent']);
/** EPC lists the JSON Schema requires of an event type and the XSD does not (minOccurs="0"). */
const OPTIONAL_IN_XSD: Readonly<Record<string, string>> = { ObjectEvent: 'epcList', TransactionEvent: 'epcList' };
/** Where the JSON Schema wants at least one EPC or quantity and the XSD none: [EPC list, quantity list]. */
const NONEMPTY_IN_SCHEMA: Readonly<Record<string, [string, string][]>> = {
  AggregationEvent: [['childEPCs', 'childQuantityList']],
  AssociationEvent: [['childEPCs', 'childQuantityList']],
  TransformationEvent: [
    ['inputEPCList', 'inputQuantityList'],
    ['outputEPCList', 'outputQuantityList'],
  ],
};
/** Any EPC the JSON Schema accepts, standing for the absent ones the XSD accepts. */
const STAND_IN_EPC = 'urn:epc:id:sgtin:0614141.107346.0';
/** Any value the JSON Schema accepts as a sensor report type, standing for an absent one the XSD accepts. */
const STAND_IN_TYPE = 'Temperature';

function judgedEvent(event: unknown): unknown {
  if (event === null || typeof event !== 'object' || Array.isArray(event)) return event;
  const { persistentDisposition, ...rest } = event as JsonObject;
  const judged: JsonObject =
    PERSISTENT_DISPOSITION_IN_SCHEMA.has(String(rest.type)) && persistentDisposition !== undefined
      ? { ...rest, persistentDisposition }
      : rest;
  const list = OPTIONAL_IN_XSD[String(judged.type)];
  if (list && judged[list] === undefined) judged[list] = [];
  for (const [epcs, quantities] of NONEMPTY_IN_SCHEMA[String(judged.type)] ?? []) {
    if (judged[epcs] === undefined && judged[quantities] === undefined) judged[epcs] = [STAND_IN_EPC];
  }
  if (Array.isArray(judged.sensorElementList)) {
    judged.sensorElementList = judged.sensorElementList.map((element) => {
      if (element === null || typeof element !== 'object' || !Array.isArray((element as JsonObject).sensorReport)) return element;
      const reports = ((element as JsonObject).sensorReport as unknown[]).map((report) =>
        report !== null && typeof report === 'object' && !('type' in report) ? { type: STAND_IN_TYPE, ...report } : report,
      );
      return { ...(element as JsonObject), sensorReport: reports };
    });
  }
  return judged;
}

/** The copy of an XML-read document the JSON Schema judges; any other document as it is. */
export function schemaView(document: unknown): unknown {
  if (!isReadFromXml(document)) return document;
  const doc = document as JsonObject;
  const body = doc.epcisBody as JsonObject | undefined;
  if (Array.isArray(body?.eventList)) return { ...doc, epcisBody: { ...body, eventList: body.eventList.map(judgedEvent) } };
  const results = body?.queryResults as JsonObject | undefined;
  const resultsBody = results?.resultsBody as JsonObject | undefined;
  if (Array.isArray(resultsBody?.eventList)) {
    return {
      ...doc,
      epcisBody: {
        ...body,
        queryResults: { ...results, resultsBody: { ...resultsBody, eventList: resultsBody.eventList.map(judgedEvent) } },
      },
    };
  }
  return document;
}
