import { INestApplication } from '@nestjs/common';
import {
  EPCIS_CONTEXT,
  eventHash,
  eventHashes,
  eventIgnoreFields,
  eventsOf,
  protectedTermRedefinitions,
  readEpcisXml,
} from '@pharmatrace/epcis';
import { standardsDir } from '@pharmatrace/gs1';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { createOrganization, gql, startApi, testConfig, useDatabase, withCheckDigit, oneEvent } from '../support/platform';
import { expandJsonLd } from '../support/json-ld.processor';
import { withOwnEventIds, xmlWithOwnEventIds } from '../support/stale-event-ids';

/**
 * Every stored hash is recomputed from what we serve (query answers, single events, GraphQL, proof bundles), and what
 * we serve is JSON-LD a processor accepts: the EPCIS context first, no protected term rebound, one @context per query
 * document (GS1's reference hasher hashes an event's own @context as a field).
 */
const VECTORS = path.join(standardsDir(), 'cbv-event-hash');
const JSON_VECTORS = readdirSync(VECTORS).filter((f) => f.endsWith('.jsonld'));
const XML_VECTORS = readdirSync(VECTORS).filter((f) => f.endsWith('.xml'));

/** A DSCSA commissioning in XML, cbvmda bound as the CBV spells it (no trailing colon). */
const COMMISSIONING_XML = `<?xml version="1.0" encoding="UTF-8"?>
<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" xmlns:cbvmda="urn:epcglobal:cbv:mda" schemaVersion="2.0" creationDate="2026-01-05T09:00:00Z">
  <EPCISBody><EventList>
    <ObjectEvent>
      <eventTime>2026-01-05T10:00:00.000Z</eventTime><eventTimeZoneOffset>+01:00</eventTimeZoneOffset>
      <epcList><epc>urn:epc:id:sgtin:0614141.107346.SRV1</epc></epcList>
      <action>ADD</action><bizStep>urn:epcglobal:cbv:bizstep:commissioning</bizStep><disposition>urn:epcglobal:cbv:disp:active</disposition>
      <ilmd><cbvmda:lotNumber>LOTS1</cbvmda:lotNumber><cbvmda:itemExpirationDate>2028-12-31</cbvmda:itemExpirationDate></ilmd>
    </ObjectEvent>
  </EventList></EPCISBody>
</epcis:EPCISDocument>`;

/** Its JSON-LD twin under the EPCIS context alone. */
const COMMISSIONING_JSON = {
  '@context': [EPCIS_CONTEXT],
  type: 'EPCISDocument',
  schemaVersion: '2.0',
  creationDate: '2026-01-05T09:00:00Z',
  epcisBody: {
    eventList: [
      {
        type: 'ObjectEvent',
        eventTime: '2026-01-05T10:00:00.000Z',
        eventTimeZoneOffset: '+01:00',
        epcList: ['urn:epc:id:sgtin:0614141.107346.SRV1'],
        action: 'ADD',
        bizStep: 'commissioning',
        disposition: 'active',
        ilmd: { 'cbvmda:lotNumber': 'LOTS1', 'cbvmda:itemExpirationDate': '2028-12-31' },
      },
    ],
  },
};

/** A JSON-LD capture rebinding cbvmda as older XML captures were stored; a second pack, so it is not a duplicate. */
const REBOUND_JSON = {
  ...COMMISSIONING_JSON,
  '@context': [EPCIS_CONTEXT, { cbvmda: 'urn:epcglobal:cbv:mda', ex: 'https://ex.example/a/' }],
  epcisBody: {
    eventList: [
      {
        ...COMMISSIONING_JSON.epcisBody.eventList[0],
        epcList: ['urn:epc:id:sgtin:0614141.107346.SRV2'],
        'ex:note': 'one',
      },
    ],
  },
};

/** A second user namespace under the same prefix, so a query answer holding both must rename one. */
const OTHER_EX_JSON = {
  ...REBOUND_JSON,
  '@context': [EPCIS_CONTEXT, { ex: 'https://ex.example/b/' }],
  epcisBody: {
    eventList: [{ ...REBOUND_JSON.epcisBody.eventList[0], epcList: ['urn:epc:id:sgtin:0614141.107346.SRV3'], 'ex:note': 'two' }],
  },
};

describe('served JSON-LD rehashes to every stored hash (real Postgres)', () => {
  let app: INestApplication;
  let maker: { apiKey: string };
  const stored = new Set<string>();
  /**
   * Each stored hash's event as it was captured, with its document's context, and the IRIs of the fields its document
   * declared out of the hash (served events leave them out): what the served event must mean.
   */
  const captured = new Map<string, { event: Record<string, unknown>; ignored: string[] }>();
  afterAll(() => app?.close());
  const dbUrl = useDatabase();

  const http = () => request(app.getHttpServer());
  const auth = () => ({ Authorization: `Bearer ${maker.apiKey}` });

  /** Whether the capture job stored the document: a few vectors name identifiers the platform refuses. */
  async function capture(body: string | object, type: string): Promise<boolean> {
    const res = await http()
      .post('/epcis/capture')
      .set(auth())
      .set('Content-Type', type)
      .send(typeof body === 'string' ? body : JSON.stringify(body));
    // Refused before the 202 by the GS1 rules (an identifier the platform refuses): nothing stored.
    if (res.status === 400 && res.body.code === 'INVALID_DOCUMENT') return false;
    expect(res.status).toBe(202);
    for (let i = 0; i < 200; i++) {
      const job = await http().get(res.headers.location).set(auth());
      if (!job.body.running) return job.body.success === true;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`${res.headers.location} still running`);
  }

  beforeAll(async () => {
    app = await startApi(testConfig({ DATABASE_URL: dbUrl() }));
    maker = await createOrganization(app, {
      name: 'Served Maker',
      role: 'MANUFACTURER',
      gln: withCheckDigit('061414100001'),
      companyPrefixes: ['0614141', '4012345', '4000001', '4047023'],
    });
    // The fourth item: a JSON-LD document meaning what an XML one says, to compare served events with.
    const documents: [object, string, string[], object?][] = [
      ...JSON_VECTORS.map((f): [object, string, string[]] => {
        const doc = withOwnEventIds(JSON.parse(readFileSync(path.join(VECTORS, f), 'utf8')));
        return [doc, 'application/ld+json', eventHashes(doc).map((h) => h.hash)];
      }),
      ...XML_VECTORS.map((f): [object, string, string[]] => {
        const xml = xmlWithOwnEventIds(readFileSync(path.join(VECTORS, f), 'utf8'));
        return [{ xml }, 'application/xml', eventHashes(readEpcisXml(xml)).map((h) => h.hash)];
      }),
      [{ xml: COMMISSIONING_XML }, 'application/xml', eventHashes(COMMISSIONING_JSON).map((h) => h.hash), COMMISSIONING_JSON],
      [REBOUND_JSON, 'application/ld+json', eventHashes(REBOUND_JSON).map((h) => h.hash)],
      [OTHER_EX_JSON, 'application/ld+json', eventHashes(OTHER_EX_JSON).map((h) => h.hash)],
    ];
    for (const [doc, type, hashes, twin] of documents) {
      if (!(await capture('xml' in doc ? (doc as { xml: string }).xml : doc, type))) continue;
      const read = (twin ?? ('xml' in doc ? readEpcisXml((doc as { xml: string }).xml) : doc)) as Record<string, unknown>;
      const ignored = eventIgnoreFields(read);
      eventsOf(read).forEach((event, i) => {
        stored.add(hashes[i]);
        // A later document holding an event already stored is a duplicate: what is kept is the first one's body.
        if (captured.has(hashes[i])) return;
        const iris = ignored[i].map((name) => name.replace(/^\{(.*)\}/, '$1'));
        captured.set(hashes[i], { event: { '@context': read['@context'], ...(event as Record<string, unknown>) }, ignored: iris });
      });
    }
  });

  it('stored the events of every XML vector and of most JSON-LD ones', () => {
    expect(stored.size).toBeGreaterThanOrEqual(30);
    for (const f of XML_VECTORS) {
      for (const { hash } of eventHashes(readEpcisXml(readFileSync(path.join(VECTORS, f), 'utf8')))) expect(stored).toContain(hash);
    }
  });

  it('captured the XML commissioning with the hash of its JSON-LD twin under the EPCIS context alone', async () => {
    const [hash] = eventHashes(COMMISSIONING_JSON).map((h) => h.hash);
    const res = await http()
      .get(`/epcis/events/${encodeURIComponent(hash)}`)
      .set(auth());
    expect(res.status).toBe(200);
    expect(oneEvent(res.body).ilmd).toEqual({ 'cbvmda:lotNumber': 'LOTS1', 'cbvmda:itemExpirationDate': '2028-12-31' });
  });

  it('GET /epcis/events: one query document whose events rehash to the stored hashes, valid JSON-LD', async () => {
    const hashes = [...stored];
    const res = await http().get('/epcis/events').query({ EQ_eventID: hashes, perPage: 1000 }).set(auth());
    expect(res.status).toBe(200);
    const events = eventsOf(res.body) as Record<string, unknown>[];
    expect(events.length).toBe(hashes.length);
    expect(res.body['@context'][0]).toBe(EPCIS_CONTEXT);
    expect(protectedTermRedefinitions(res.body['@context'])).toEqual([]);
    expect(events.filter((e) => '@context' in e)).toEqual([]);
    expect(
      eventHashes(res.body)
        .map((h) => h.hash)
        .sort(),
    ).toEqual(hashes.sort());
    await expect(expandJsonLd(res.body)).resolves.toHaveLength(1);
  });

  it('GET /epcis/events/{hash} and GraphQL events: each event alone rehashes to its stored hash', async () => {
    const hashes = [...stored];
    for (const hash of hashes) {
      const res = await http()
        .get(`/epcis/events/${encodeURIComponent(hash)}`)
        .set(auth());
      const one = oneEvent(res.body);
      expect(protectedTermRedefinitions(one['@context'])).toEqual([]);
      expect(eventHash(one, one['@context']).hash).toBe(hash);
    }
    const answer = await gql(
      app,
      `query($ids: [String!]) { events(filter: { EQ_eventID: $ids }, first: 1000) { edges { node { eventHash event } } } }`,
      { ids: hashes },
      maker.apiKey,
    );
    const nodes = answer.data.events.edges.map((e: { node: { eventHash: string; event: Record<string, unknown> } }) => e.node);
    expect(nodes.length).toBe(hashes.length);
    for (const { eventHash: hash, event } of nodes) {
      expect(protectedTermRedefinitions(event['@context'])).toEqual([]);
      expect(eventHash(event, event['@context']).hash).toBe(hash);
      await expect(expandJsonLd(event)).resolves.toHaveLength(1);
    }
  });

  /**
   * The expanded graph of the event captured under `hash`, without the fields its document declared ignored; null
   * when the captured document is not JSON-LD a processor accepts (it rebinds a protected term of the EPCIS context,
   * as XML namespaces read as they are written and REBOUND_JSON do), so there is no meaning to compare with.
   */
  async function meant(hash: string, { keepIgnored = false } = {}): Promise<unknown[] | null> {
    const { event, ignored } = captured.get(hash)!;
    let expanded: Record<string, unknown>[];
    try {
      expanded = (await expandJsonLd(event)) as Record<string, unknown>[];
    } catch (e) {
      if (/redefine a protected term/.test((e as Error).message)) return null;
      throw e;
    }
    if (!keepIgnored) for (const iri of ignored) delete expanded[0][iri];
    return expanded;
  }

  /** The record time is the repository's, not part of what was captured (nor of the hash): compared on its own. */
  const RECORD_TIME = 'https://ref.gs1.org/epcis/recordTime';
  const withoutRecordTime = (expanded: unknown[] | null) => {
    if (expanded) delete (expanded[0] as Record<string, unknown>)[RECORD_TIME];
    return expanded;
  };

  it('a JSON-LD processor (jsonld.js) reads each served event as the event captured: the same expanded graph', async () => {
    expect(captured.size).toBe(stored.size);
    // The record times GraphQL reports, to hold the REST binding's recordTime to.
    const listed = await gql(app, `{ events(first: 1000) { edges { node { eventHash recordTime } } } }`, {}, maker.apiKey);
    const recorded = new Map<string, string>(listed.data.events.edges.map((e: any) => [e.node.eventHash, e.node.recordTime]));
    let compared = 0;
    for (const hash of captured.keys()) {
      // As captured: the binding's default answer writes identifiers as Digital Links, another graph (same hash).
      const res = await http()
        .get(`/epcis/events/${encodeURIComponent(hash)}`)
        .set(auth())
        .set('GS1-EPC-Format', 'Never_Translates');
      expect(res.status).toBe(200);
      expect([hash, oneEvent(res.body).recordTime]).toEqual([hash, new Date(recorded.get(hash)!).toISOString()]);
      const served = withoutRecordTime(await expandJsonLd(oneEvent(res.body)));
      const expected = withoutRecordTime(await meant(hash));
      if (expected === null) continue;
      expect({ hash, expanded: served }).toEqual({ hash, expanded: expected });
      compared++;
    }
    // Every JSON-LD vector is valid JSON-LD; the XML vectors (read as their namespaces are written) and REBOUND_JSON
    // are the only ones left out.
    expect(compared).toBeGreaterThanOrEqual(20);
  });

  it('proof bundles: every event rehashes to its eventHash, with a valid context', async () => {
    let compared = 0;
    // One captured as XML (compared with its JSON-LD twin), one in a form a JSON-LD processor refuses, one from a
    // JSON-LD vector whose ignored fields the bundle shows.
    for (const epc of [
      'urn:epc:id:sgtin:0614141.107346.SRV1',
      'urn:epc:id:sgtin:0614141.107346.SRV2',
      'https://id.gs1.org/00/040123451111111127',
    ]) {
      const res = await http()
        .get(`/proofs/${encodeURIComponent(epc)}`)
        .set(auth());
      expect(res.status).toBe(200);
      expect(res.body.events.length).toBeGreaterThan(0);
      for (const entry of res.body.events) {
        expect(protectedTermRedefinitions(entry.event['@context'])).toEqual([]);
        expect(eventHash(entry.event, entry.event['@context'], { ignoreFields: entry.ignoreFields }).hash).toBe(entry.eventHash);
        const served = await expandJsonLd(entry.event);
        // A bundle shows the event as stored, ignored fields included: they are part of what its leaf commits to.
        const expected = await meant(entry.eventHash, { keepIgnored: true });
        if (expected === null) continue;
        expect(served).toEqual(expected);
        compared++;
      }
    }
    expect(compared).toBeGreaterThanOrEqual(2);
  });
});
