/**
 * The terms the EPCIS 2.0 JSON-LD context defines. The context marks them all `@protected`, so a JSON-LD processor
 * (pyld, jsonld.js, GS1's reference hasher) refuses a document whose own @context gives any of them another
 * meaning: what we write may restate one identically, never rebind it. epcis-context.terms.spec.ts keeps this list
 * equal to standards/epcis-2.0/json-ld-context/epcis-context.jsonld.
 */
import { STANDARD_PREFIXES } from 'pharmatrace-verify/cbv';

/** The context's terms that are namespace prefixes, with their namespaces. */
export const EPCIS_CONTEXT_PREFIXES: Readonly<Record<string, string>> = {
  ...STANDARD_PREFIXES,
  rdfs: 'http://www.w3.org/2000/01/rdf-schema#',
  owl: 'http://www.w3.org/2002/07/owl#',
  xsd: 'http://www.w3.org/2001/XMLSchema#',
  dcterms: 'http://purl.org/dc/terms/',
};

export const EPCIS_CONTEXT_TERMS: ReadonlySet<string> = new Set([
  'epcis',
  'cbv',
  'cbvmda',
  'gs1',
  'rdfs',
  'owl',
  'xsd',
  'dcterms',
  'id',
  'type',
  'baseURL',
  'ObjectEvent',
  'AggregationEvent',
  'TransformationEvent',
  'AssociationEvent',
  'TransactionEvent',
  'Collection',
  'member',
  'eventTime',
  'recordTime',
  'eventTimeZoneOffset',
  'action',
  'certificationInfo',
  'bizStep',
  'disposition',
  'bizLocation',
  'readPoint',
  'transformationID',
  'epcList',
  'sourceList',
  'destinationList',
  'persistentDisposition',
  'quantity',
  'epcClass',
  'uom',
  'quantityList',
  'bizTransactionList',
  'parentID',
  'childEPCs',
  'childQuantityList',
  'inputEPCList',
  'outputEPCList',
  'inputQuantityList',
  'outputQuantityList',
  'sensorElementList',
  'errorDeclaration',
  'eventID',
  'creationDate',
  'sender',
  'receiver',
  'instanceIdentifier',
  'schemaVersion',
  'ilmd',
  'EPCISDocument',
  'EPCISQueryDocument',
  'epcisHeader',
  'masterData',
  'vocabularyList',
  'epcisBody',
  'queryResults',
  'subscriptionID',
  'queryName',
  'resultsBody',
  'eventList',
  'children',
]);

/** The protected terms a @context (a URL, a term map, or an array of them) binds to anything but the EPCIS context's definition. */
export function protectedTermRedefinitions(context: unknown): string[] {
  if (Array.isArray(context)) return context.flatMap(protectedTermRedefinitions);
  if (context === null || typeof context !== 'object') return [];
  return Object.entries(context as Record<string, unknown>)
    .filter(([term, definition]) => EPCIS_CONTEXT_TERMS.has(term) && EPCIS_CONTEXT_PREFIXES[term] !== definition)
    .map(([term]) => term);
}
