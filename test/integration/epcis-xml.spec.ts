import { INestApplication } from '@nestjs/common';
import { eventHashes, readEpcisXml } from '@pharmatrace/epcis';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { standardsDir } from '@pharmatrace/gs1';
import request from 'supertest';
import { createOrganization, startApi, testConfig, useDatabase, withCheckDigit, oneEvent } from '../support/platform';
import { xmlWithOwnEventIds } from '../support/stale-event-ids';

const VECTORS = path.join(standardsDir(), 'cbv-event-hash');
const XML_VECTORS = readdirSync(VECTORS).filter((f) => f.endsWith('.xml'));
const expectedHashes = (file: string) =>
  readFileSync(path.join(VECTORS, file.replace(/\.xml$/, '.hashes')), 'utf8')
    .split('\n')
    .filter(Boolean);

/** An EPCIS 1.2 document: later additions (ilmd) wrapped in <extension>, vocabulary as URNs. */
const EPCIS_12 = `<?xml version="1.0" encoding="UTF-8"?>
<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:1" xmlns:cbvmda="urn:epcglobal:cbv:mda" schemaVersion="1.2" creationDate="2026-01-05T09:00:00Z">
  <EPCISBody><EventList>
    <ObjectEvent>
      <eventTime>2026-01-05T10:00:00.000Z</eventTime><eventTimeZoneOffset>+01:00</eventTimeZoneOffset>
      <epcList><epc>urn:epc:id:sgtin:0614141.107346.V12A</epc><epc>urn:epc:id:sgtin:0614141.107346.V12B</epc></epcList>
      <action>ADD</action>
      <bizStep>urn:epcglobal:cbv:bizstep:commissioning</bizStep>
      <disposition>urn:epcglobal:cbv:disp:active</disposition>
      <readPoint><id>urn:epc:id:sgln:0614141.00777.0</id></readPoint>
      <extension><ilmd><cbvmda:lotNumber>LOT12</cbvmda:lotNumber><cbvmda:itemExpirationDate>2028-12-31</cbvmda:itemExpirationDate></ilmd></extension>
    </ObjectEvent>
    <AggregationEvent>
      <eventTime>2026-01-05T10:05:00.000Z</eventTime><eventTimeZoneOffset>+01:00</eventTimeZoneOffset>
      <parentID>urn:epc:id:sscc:0614141.1234567812</parentID>
      <childEPCs><epc>urn:epc:id:sgtin:0614141.107346.V12A</epc><epc>urn:epc:id:sgtin:0614141.107346.V12B</epc></childEPCs>
      <action>ADD</action>
      <bizStep>urn:epcglobal:cbv:bizstep:packing</bizStep>
    </AggregationEvent>
  </EventList></EPCISBody>
</epcis:EPCISDocument>`;

/**
 * The same two events as EPCIS 2.0 JSON-LD, under the EPCIS context alone: the XML binds the master-data namespace as
 * `urn:epcglobal:cbv:mda`, the context as `urn:epcglobal:cbv:mda:`, and both name one namespace.
 */
const EPCIS_12_TWIN = {
  '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'],
  type: 'EPCISDocument',
  schemaVersion: '2.0',
  creationDate: '2026-01-05T09:00:00Z',
  epcisBody: {
    eventList: [
      {
        type: 'ObjectEvent',
        eventTime: '2026-01-05T10:00:00.000Z',
        eventTimeZoneOffset: '+01:00',
        epcList: ['urn:epc:id:sgtin:0614141.107346.V12A', 'urn:epc:id:sgtin:0614141.107346.V12B'],
        action: 'ADD',
        bizStep: 'commissioning',
        disposition: 'active',
        readPoint: { id: 'urn:epc:id:sgln:0614141.00777.0' },
        ilmd: { 'cbvmda:lotNumber': 'LOT12', 'cbvmda:itemExpirationDate': '2028-12-31' },
      },
      {
        type: 'AggregationEvent',
        eventTime: '2026-01-05T10:05:00.000Z',
        eventTimeZoneOffset: '+01:00',
        parentID: 'urn:epc:id:sscc:0614141.1234567812',
        childEPCs: ['urn:epc:id:sgtin:0614141.107346.V12A', 'urn:epc:id:sgtin:0614141.107346.V12B'],
        action: 'ADD',
        bizStep: 'packing',
      },
    ],
  },
};

describe('EPCIS XML over the REST binding: capture (2.0 and 1.2) and XML query answers (real Postgres)', () => {
  let app: INestApplication;
  let maker: { apiKey: string };
  afterAll(() => app?.close());
  const dbUrl = useDatabase();

  beforeAll(async () => {
    app = await startApi(testConfig({ DATABASE_URL: dbUrl() }));
    // The vectors commission GTINs under these prefixes.
    maker = await createOrganization(app, {
      name: 'Vector Maker',
      role: 'MANUFACTURER',
      gln: withCheckDigit('061414100001'),
      companyPrefixes: ['0614141', '4012345', '4000001', '4047023'],
    });
  });

  const http = () => request(app.getHttpServer());
  const auth = () => ({ Authorization: `Bearer ${maker.apiKey}` });
  const postXml = (xml: string, type = 'application/xml') => http().post('/epcis/capture').set(auth()).set('Content-Type', type).send(xml);

  async function succeeded(res: request.Response) {
    expect(res.status).toBe(202);
    for (let i = 0; i < 200; i++) {
      const job = await http().get(res.headers.location).set(auth());
      if (!job.body.running) {
        expect(job.body).toMatchObject({ success: true, errors: [] });
        return;
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`${res.headers.location} still running`);
  }

  /** Asks for the events by hash in XML and reads the answer back with readEpcisXml. */
  async function hashesServedAsXml(hashes: string[]): Promise<string[]> {
    const res = await http().get('/epcis/events').query({ EQ_eventID: hashes }).set(auth()).set('Accept', 'application/xml');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/xml/);
    const document = readEpcisXml(res.text);
    expect(document.type).toBe('EPCISQueryDocument');
    return eventHashes(document).map((h) => h.hash);
  }

  it('has the XML vectors to capture', () => {
    expect(XML_VECTORS.length).toBeGreaterThanOrEqual(8);
  });

  it.each(XML_VECTORS)('captures %s as XML; the stored events have the published hashes, served back in XML', async (file) => {
    const expected = expectedHashes(file);
    const xml = readFileSync(path.join(VECTORS, file), 'utf8');
    const type = file.startsWith('epcisDoc') ? 'application/xml' : 'text/xml';
    const own = xmlWithOwnEventIds(xml);
    // A vector whose hash-form eventIDs are not its published hashes is refused as it is.
    if (own !== xml) expect((await postXml(xml, type)).body).toMatchObject({ status: 400, code: 'EVENT_ID_MISMATCH' });
    await succeeded(await postXml(own, type));
    expect((await hashesServedAsXml(expected)).sort()).toEqual([...new Set(expected)].sort());
    const one = await http()
      .get(`/epcis/events/${encodeURIComponent(expected[0])}`)
      .set(auth())
      .set('Accept', 'text/xml');
    expect(one.status).toBe(200);
    expect(eventHashes(readEpcisXml(one.text)).map((h) => h.hash)).toEqual([expected[0]]);
  });

  it('captures an EPCIS 1.2 XML document with the hashes of its EPCIS 2.0 JSON-LD twin', async () => {
    const expected = eventHashes(EPCIS_12_TWIN).map((h) => h.hash);
    await succeeded(await postXml(EPCIS_12));
    expect((await hashesServedAsXml(expected)).sort()).toEqual([...expected].sort());
    const json = await http()
      .get(`/epcis/events/${encodeURIComponent(expected[0])}`)
      .set(auth())
      .set('Accept', 'application/json');
    expect(oneEvent(json.body).ilmd).toEqual({ 'cbvmda:lotNumber': 'LOT12', 'cbvmda:itemExpirationDate': '2028-12-31' });
  });

  const XML_EXAMPLES = path.join(standardsDir(), 'epcis-2.0', 'xml-examples');
  const eventExamples = [
    'Example-PersistentDisposition.xml',
    'WithSensorData/SensorDataExamples.xml',
    'WithErrorDeclaration/ErrorDeclarationAndCorrectiveEvent.xml',
  ];

  it.each(eventExamples)('accepts the XSD-valid official example %s past validation (202), as the XSD would', async (file) => {
    const res = await postXml(xmlWithOwnEventIds(readFileSync(path.join(XML_EXAMPLES, file), 'utf8')));
    expect(res.status).toBe(202);
  });

  it('refuses an XML event whose elements break the XSD order, naming the element', async () => {
    const res = await postXml(
      EPCIS_12.replace(
        '<action>ADD</action>\n      <bizStep>urn:epcglobal:cbv:bizstep:commissioning</bizStep>',
        '<bizStep>urn:epcglobal:cbv:bizstep:commissioning</bizStep><action>ADD</action>',
      ),
    );
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ type: 'epcisException:ValidationException', rule: 'xsd:sequence', line: expect.any(Number) });
    expect(res.body.detail).toContain('<action> must come before <bizStep>');
  });

  it('picks the representation with the highest q', async () => {
    const json = await http().get('/epcis/events').set(auth()).set('Accept', 'application/xml;q=0.5, application/json');
    expect(json.headers['content-type']).toMatch(/^application\/json/);
    const xml = await http().get('/epcis/events').set(auth()).set('Accept', 'application/json;q=0.2, application/xml');
    expect(xml.headers['content-type']).toMatch(/^application\/xml/);
  });

  it('refuses malformed XML with 400 ValidationException naming the line and column', async () => {
    const xml = EPCIS_12.replace(
      '<action>ADD</action>\n      <bizStep>urn:epcglobal:cbv:bizstep:packing',
      '<action>ADD</acton>\n      <bizStep>urn:epcglobal:cbv:bizstep:packing',
    );
    const res = await postXml(xml);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      type: 'epcisException:ValidationException',
      rule: 'xml-syntax',
      line: 17,
      column: expect.any(Number),
    });
    expect(res.body.detail).toMatch(/line 17, column \d+/);
    const notEpcis = await postXml('<order><item/></order>');
    expect(notEpcis.status).toBe(400);
    expect(notEpcis.body).toMatchObject({ type: 'epcisException:ValidationException', rule: 'root-element', line: 1 });
  });
});
