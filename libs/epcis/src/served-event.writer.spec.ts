import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { standardsDir } from '@pharmatrace/gs1';
import { EPCIS_CONTEXT } from './document.builder';
import { protectedTermRedefinitions } from './epcis-context.terms';
import { eventHash, eventHashes, eventIgnoreFields } from './event-hash';
import { eventsOf } from './event.model';
import { servedEvent, servedEvents } from './served-event.writer';
import { readEpcisXml } from './xml-reader';

const STANDARDS = standardsDir();
const readJson = (file: string): Record<string, unknown> => JSON.parse(readFileSync(file, 'utf8'));

/** What a JSON-LD 1.1 processor refuses or the reference hasher misreads in a served document. */
function servedContextProblems(document: { '@context': unknown; events: Record<string, unknown>[] }): string[] {
  const context = document['@context'];
  return [
    ...(Array.isArray(context) && context[0] === EPCIS_CONTEXT ? [] : ['the EPCIS context does not come first']),
    ...protectedTermRedefinitions(context).map((term) => `redefines protected term ${term}`),
    ...document.events.flatMap((event, i) => ('@context' in event ? [`event ${i} carries its own @context`] : [])),
  ];
}

const hashDocuments: [string, Record<string, unknown>][] = [
  ...readdirSync(path.join(STANDARDS, 'cbv-event-hash'))
    .filter((f) => f.endsWith('.jsonld'))
    .map((f): [string, Record<string, unknown>] => [f, readJson(path.join(STANDARDS, 'cbv-event-hash', f))]),
  ...readdirSync(path.join(STANDARDS, 'cbv-event-hash'))
    .filter((f) => f.endsWith('.xml'))
    .map((f): [string, Record<string, unknown>] => [f, readEpcisXml(readFileSync(path.join(STANDARDS, 'cbv-event-hash', f), 'utf8'))]),
  ...readdirSync(path.join(STANDARDS, 'epcis-2.0', 'examples'))
    .filter((f) => f.endsWith('.jsonld'))
    .map((f): [string, Record<string, unknown>] => [f, readJson(path.join(STANDARDS, 'epcis-2.0', 'examples', f))]),
];

/** The stored body of each event: capture keeps the document's @context with an event that has none. */
const storedBodies = (doc: Record<string, unknown>) =>
  (eventsOf(doc) as Record<string, unknown>[]).map((e) => (e['@context'] ? e : { '@context': doc['@context'], ...e }));

const queryDocument = (served: { context: unknown[]; events: Record<string, unknown>[] }) => ({
  '@context': served.context,
  type: 'EPCISQueryDocument',
  schemaVersion: '2.0',
  creationDate: '2024-01-01T00:00:00Z',
  epcisBody: { queryResults: { queryName: 'SimpleEventQuery', resultsBody: { eventList: served.events } } },
});

describe('served JSON-LD', () => {
  it.each(hashDocuments)('%s: one query document of its stored events rehashes to every event hash, with a valid context', (_, doc) => {
    const ignored = eventIgnoreFields(doc);
    const served = servedEvents(storedBodies(doc).map((body, i) => ({ body, ignoreFields: ignored[i] })));
    expect(servedContextProblems({ '@context': served.context, events: served.events })).toEqual([]);
    expect(eventHashes(queryDocument(served))).toEqual(eventHashes(doc));
  });

  it.each(hashDocuments)('%s: each stored event served alone rehashes to its hash', (_, doc) => {
    const expected = eventHashes(doc);
    const ignored = eventIgnoreFields(doc);
    storedBodies(doc).forEach((body, i) => {
      const event = servedEvent({ body, ignoreFields: ignored[i] });
      expect(servedContextProblems({ '@context': event['@context'], events: [] })).toEqual([]);
      expect(eventHash(event, event['@context'])).toEqual(expected[i]);
    });
  });

  const event = (extra: Record<string, unknown>) => ({
    type: 'ObjectEvent',
    eventTime: '2024-01-01T10:00:00.000Z',
    eventTimeZoneOffset: '+00:00',
    epcList: ['urn:epc:id:sgtin:0614141.107346.2018'],
    action: 'OBSERVE',
    ...extra,
  });

  it('rewrites a body captured with cbvmda bound to urn:epcglobal:cbv:mda (older XML captures) without rebinding the term', () => {
    const body = { '@context': [EPCIS_CONTEXT, { cbvmda: 'urn:epcglobal:cbv:mda' }], ...event({ ilmd: { 'cbvmda:lotNumber': 'L1' } }) };
    const served = servedEvent({ body });
    expect(served['@context']).toEqual([EPCIS_CONTEXT, { cbvmda: 'urn:epcglobal:cbv:mda:' }]);
    expect(eventHash(served, served['@context'])).toEqual(eventHash(body, body['@context']));
  });

  it('moves a standard namespace bound under another prefix to its own prefix', () => {
    const body = {
      '@context': [EPCIS_CONTEXT, { mda: 'urn:epcglobal:cbv:mda/', g: 'https://gs1.org/voc/' }],
      ...event({ ilmd: { 'mda:lotNumber': 'L1' }, 'g:x': 'g:Temperature' }),
    };
    const served = servedEvent({ body });
    expect(served).toMatchObject({ ilmd: { 'cbvmda:lotNumber': 'L1' }, 'gs1:x': 'gs1:Temperature' });
    expect(served['@context']).toEqual([EPCIS_CONTEXT, { cbvmda: 'urn:epcglobal:cbv:mda:', gs1: 'https://gs1.org/voc/' }]);
    expect(eventHash(served, served['@context'])).toEqual(eventHash(body, body['@context']));
  });

  it('gives a user namespace bound to a protected term, or to a prefix another event binds otherwise, a prefix of its own', () => {
    const a = { '@context': [EPCIS_CONTEXT, { gs1: 'https://user.example/a/' }], ...event({ 'gs1:note': 'x' }) };
    const b = { '@context': { ex: 'https://user.example/b/' }, ...event({ 'ex:note': 'ex:y' }) };
    const c = { '@context': { ex: 'https://user.example/c/' }, ...event({ 'ex:note': 'ex:y' }) };
    const served = servedEvents([a, b, c].map((body) => ({ body })));
    expect(served.events.map((e) => Object.keys(e).filter((k) => k.includes(':')))).toEqual([['gs12:note'], ['ex:note'], ['ex2:note']]);
    // A user namespace's values hash as written, so they stay as written.
    expect(served.events[2]['ex2:note']).toBe('ex:y');
    expect(served.context).toEqual([
      EPCIS_CONTEXT,
      { gs12: 'https://user.example/a/', ex: 'https://user.example/b/', ex2: 'https://user.example/c/' },
    ]);
    expect(eventHashes(queryDocument(served)).map((r) => r.hash)).toEqual([a, b, c].map((e) => eventHash(e, e['@context']).hash));
  });

  it('leaves out the fields the capture declared out of the hash, and only those', () => {
    const doc = readJson(path.join(STANDARDS, 'cbv-event-hash', 'epcisDocHavingEventWithIgnoreFields.jsonld'));
    const [first] = storedBodies(doc);
    const ignored = eventIgnoreFields(doc)[0];
    expect(ignored).toEqual(['{https://repository-x.example.com/}hash', '{https://ns.example.com/epcis/}captureID']);
    const served = servedEvent({ body: first, ignoreFields: ignored });
    expect(Object.keys(served).filter((k) => k.includes(':'))).toEqual([]);
    expect(servedEvent({ body: first })).toMatchObject({
      'repository-x:hash': expect.any(String),
      'example:captureID': expect.any(String),
    });
  });

  it('serves an event declared in error with its latest declaration, which the hash leaves out', () => {
    const body = { '@context': [EPCIS_CONTEXT], ...event({}) };
    const errorDeclaration = { declarationTime: '2024-02-01T00:00:00Z', reason: 'incorrect_data', correctiveEventIDs: ['urn:uuid:1'] };
    const served = servedEvent({ body, errorDeclaration });
    expect(served.errorDeclaration).toEqual(errorDeclaration);
    expect(eventHash(served, served['@context'])).toEqual(eventHash(body, body['@context']));
  });
});
