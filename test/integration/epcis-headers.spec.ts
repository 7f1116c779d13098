import { INestApplication } from '@nestjs/common';
import {
  commissioningEvent,
  destroyingEvent,
  epcisDocument,
  eventHashes,
  hashDigest,
  readEpcisXml,
  statusChangeEvent,
} from '@pharmatrace/epcis';
import { EventRepository } from '@pharmatrace/persistence';
import type { AddressInfo } from 'node:net';
import { Client } from 'pg';
import request from 'supertest';
import { createOrganization, postStreamedCapture, startApi, testConfig, useDatabase, withCheckDigit, oneEvent } from '../support/platform';

/** A GLN under a company prefix no organization here declares: no URN can be written for it without a guess. */
const FOREIGN_GLN = withCheckDigit('952123400000');
const URN = 'urn:epc:id:sgtin:0614141.107346.2017';
const URN_AS_DL = 'https://id.gs1.org/01/10614141073464/21/2017';
const READ_POINT = 'urn:epc:id:sgln:0614141.00777.0';
const READ_POINT_AS_DL = `https://id.gs1.org/414/${withCheckDigit('061414100777')}`;
const FOREIGN_LOCATION = `https://id.gs1.org/414/${FOREIGN_GLN}`;

const pack = (serial: string) => `urn:epc:id:sgtin:0614141.107346.${serial}`;
const commission = (serial: string, eventTime = '2026-02-01T10:00:00.000Z') =>
  commissioningEvent({ eventTime, epcs: [pack(serial)], lot: 'LOT7', expiry: '2028-01-31' });

describe('EPCIS REST binding headers: EPC and CBV formats, proceed captures, capture jobs (real Postgres)', () => {
  let app: INestApplication;
  let maker: { apiKey: string; id: string };
  let base: string;
  /** The stored hash of the one event the format tests serve. */
  let storedHash: string;
  afterAll(() => app?.close());
  const dbUrl = useDatabase();

  const http = () => request(app.getHttpServer());
  const auth = () => ({ Authorization: `Bearer ${maker.apiKey}` });
  const sql = async (text: string, values: unknown[] = []) => {
    const c = new Client({ connectionString: dbUrl() });
    await c.connect();
    try {
      return (await c.query(text, values)).rows;
    } finally {
      await c.end();
    }
  };
  const storedHashes = async (hashes: string[]) =>
    (await sql(`SELECT count(*) FROM event WHERE event_hash = ANY($1::bytea[])`, [hashes.map((h) => Buffer.from(hashDigest(h)))]))[0].count;

  /** A buffered JSON-LD capture with these headers. */
  const postCapture = (document: unknown, headers: Record<string, string>) =>
    http()
      .post('/epcis/capture')
      .set({ ...auth(), ...headers, 'Content-Type': 'application/ld+json' })
      .send(JSON.stringify(document));

  async function finished(location: string) {
    for (let i = 0; i < 200; i++) {
      const res = await http().get(location).set(auth());
      expect(res.status).toBe(200);
      if (!res.body.running) return res.body;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`${location} still running`);
  }

  beforeAll(async () => {
    app = await startApi(testConfig({ DATABASE_URL: dbUrl() }));
    maker = await createOrganization(app, {
      name: 'Header Maker',
      role: 'MANUFACTURER',
      gln: withCheckDigit('061414100001'),
      companyPrefixes: ['0614141'],
    });
    const server = app.getHttpServer();
    if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    // Captured in URNs, with one location whose company prefix is nobody's.
    const event = {
      ...commissioningEvent({ eventTime: '2026-01-10T09:00:00.000Z', epcs: [URN], lot: 'LOT1', expiry: '2028-01-31' }),
      readPoint: { id: READ_POINT },
      bizLocation: { id: FOREIGN_LOCATION },
    };
    const document = epcisDocument([event]);
    storedHash = eventHashes(document)[0].hash;
    const res = await http().post('/epcis/capture').set(auth()).set('Content-Type', 'application/ld+json').send(JSON.stringify(document));
    expect(res.status).toBe(202);
    const job = await finished(res.headers.location);
    expect(job).toMatchObject({ success: true, capturedCount: 1, eventIDs: [storedHash], eventIDCount: 1 });
  });

  const query = (headers: Record<string, string>) => http().get('/epcis/events').query({ EQ_eventID: storedHash }).set(auth()).set(headers);
  const servedEventOf = (res: request.Response, xml: boolean) => {
    const document = xml ? readEpcisXml(res.text) : res.body;
    const [hash] = eventHashes(document).map((h) => h.hash);
    const [event] = (xml ? document : res.body).epcisBody.queryResults.resultsBody.eventList as Record<string, any>[];
    return { event, hash };
  };

  const FORMATS: { header?: string; answered: string; epc: string; readPoint: string; untranslated: string }[] = [
    // The binding's default for an EPCIS 2.0 answer when the header is absent.
    { answered: 'Always_GS1_Digital_Link', epc: URN_AS_DL, readPoint: READ_POINT_AS_DL, untranslated: '0' },
    {
      header: 'Always_GS1_Digital_Link',
      answered: 'Always_GS1_Digital_Link',
      epc: URN_AS_DL,
      readPoint: READ_POINT_AS_DL,
      untranslated: '0',
    },
    // The foreign location stays a Digital Link: the answer says it is not all URNs, and how many were left.
    { header: 'Always_EPC_URN', answered: 'No_Preference', epc: URN, readPoint: READ_POINT, untranslated: '1' },
    { header: 'Never_Translates', answered: 'Never_Translates', epc: URN, readPoint: READ_POINT, untranslated: '0' },
    { header: 'No_Preference', answered: 'Never_Translates', epc: URN, readPoint: READ_POINT, untranslated: '0' },
  ];

  it.each(
    FORMATS.flatMap((f) => [
      { ...f, xml: false },
      { ...f, xml: true },
    ]),
  )(
    'GS1-EPC-Format $header (xml: $xml): identifiers served as asked, the header says which, the event still rehashes to the stored hash',
    async ({ header, answered, epc, readPoint, untranslated, xml }) => {
      const res = await query({ ...(header ? { 'GS1-EPC-Format': header } : {}), ...(xml ? { Accept: 'application/xml' } : {}) });
      expect(res.status).toBe(200);
      expect(res.headers['gs1-epc-format']).toBe(answered);
      expect(res.headers['x-pharmatrace-untranslated-epcs']).toBe(untranslated);
      const { event, hash } = servedEventOf(res, xml);
      expect(event.epcList).toEqual([epc]);
      expect(event.readPoint.id).toBe(readPoint);
      expect(event.bizLocation.id).toBe(FOREIGN_LOCATION);
      expect(hash).toBe(storedHash);
    },
  );

  it('serves GET /epcis/events/{id} in the asked format too, rehashing to the stored hash', async () => {
    const url = `/epcis/events/${encodeURIComponent(storedHash)}`;
    const urn = await http().get(url).set(auth()).set('GS1-EPC-Format', 'Always_EPC_URN');
    expect(urn.status).toBe(200);
    expect(oneEvent(urn.body).epcList).toEqual([URN]);
    const dl = await http().get(url).set(auth());
    expect(dl.headers['gs1-epc-format']).toBe('Always_GS1_Digital_Link');
    expect(oneEvent(dl.body).epcList).toEqual([URN_AS_DL]);
    for (const body of [urn.body, dl.body]) expect(eventHashes(body).map((h) => h.hash)).toEqual([storedHash]);
  });

  it.each([
    { header: undefined, answered: 'Always_URN', bizStep: 'urn:epcglobal:cbv:bizstep:commissioning' },
    { header: 'No_Preference', answered: 'Always_URN', bizStep: 'urn:epcglobal:cbv:bizstep:commissioning' },
    { header: 'Always_URN', answered: 'Always_URN', bizStep: 'urn:epcglobal:cbv:bizstep:commissioning' },
    { header: 'Always_Web_URI', answered: 'Always_Web_URI', bizStep: 'https://ref.gs1.org/cbv/BizStep-commissioning' },
    { header: 'Never_Translates', answered: 'Never_Translates', bizStep: 'urn:epcglobal:cbv:bizstep:commissioning' },
  ])('GS1-CBV-XML-Format $header: CBV values of XML answers in that form, still the stored hash', async ({ header, answered, bizStep }) => {
    const res = await query({ Accept: 'application/xml', ...(header ? { 'GS1-CBV-XML-Format': header } : {}) });
    expect(res.status).toBe(200);
    expect(res.headers['gs1-cbv-xml-format']).toBe(answered);
    expect(res.text).toContain(`<bizStep>${bizStep}</bizStep>`);
    expect(servedEventOf(res, true).hash).toBe(storedHash);
  });

  it('leaves JSON-LD answers without a CBV XML format: the header is for XML only', async () => {
    const res = await query({ 'GS1-CBV-XML-Format': 'Always_URN' });
    expect(res.status).toBe(200);
    expect(res.headers['gs1-cbv-xml-format']).toBeUndefined();
    expect(servedEventOf(res, false).event.bizStep).toBe('commissioning');
  });

  it.each([
    ['GS1-EPC-Format', 'Always_Barcode'],
    ['GS1-CBV-XML-Format', 'Sometimes'],
    ['GS1-Capture-Error-Behaviour', 'all'],
  ])('refuses %s: %s with a 400 ValidationException naming the header', async (header, value) => {
    const res = await query({ [header]: value });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ type: 'epcisException:ValidationException', code: 'INVALID_HEADER', header, rule: 'enum' });
  });

  it('takes a capture written in either EPC syntax whatever GS1-EPC-Format says, as the binding leaves the server to read both', async () => {
    const document = epcisDocument([commission('H1')]);
    const res = await postCapture(document, { 'GS1-EPC-Format': 'Always_GS1_Digital_Link' });
    expect(res.status).toBe(202);
    expect(await finished(res.headers.location)).toMatchObject({ success: true, capturedCount: 1 });
  });

  it('sends the full discovery headers on OPTIONS /epcis/capture and /epcis/capture/{id}', async () => {
    for (const [url, allow] of [
      ['/epcis/capture', 'OPTIONS, GET, POST'],
      ['/epcis/capture/00000000-0000-0000-0000-000000000000', 'OPTIONS, GET'],
    ]) {
      const res = await http().options(url);
      expect(res.status).toBe(204);
      expect(res.headers).toMatchObject({
        allow,
        'gs1-epcis-version': '2.0.0',
        'gs1-epcis-min': '2.0.0',
        'gs1-epcis-max': '2.0.0',
        'gs1-cbv-version': '2.0.0',
        'gs1-cbv-min': '2.0.0',
        'gs1-cbv-max': '2.0.0',
        'gs1-epc-format': 'No_Preference',
        'gs1-cbv-xml-format': 'No_Preference',
        'gs1-extensions': 'pt=https://pharmatrace.org/voc/',
        'gs1-vendor-version': expect.any(String),
        'gs1-epcis-capture-limit': expect.stringMatching(/^\d+$/),
        'gs1-epcis-capture-file-size-limit': expect.stringMatching(/^\d+$/),
        'gs1-capture-error-behaviour': 'all',
      });
    }
  });

  /** Good (0, 3), refused by the schema (1), refused by the state rules (2: P1 commissioned again), a duplicate of 0 (4). */
  const mixed = (prefix: string) =>
    epcisDocument([
      commission(`${prefix}1`),
      { ...commission(`${prefix}2`), action: 'SOMETIMES' },
      commission(`${prefix}1`, '2026-02-01T11:00:00.000Z'),
      commission(`${prefix}3`),
      commission(`${prefix}1`),
    ]);

  async function expectProceeded(location: string, document: unknown) {
    const hashes = eventHashes(document).map((h) => h.hash);
    const job = await finished(location);
    expect(job).toMatchObject({
      running: false,
      success: false,
      captureErrorBehaviour: 'proceed',
      capturedCount: 2,
      duplicateCount: 1,
      refusedCount: 2,
      eventIDs: [hashes[0], hashes[3], hashes[4]],
      eventIDCount: 3,
    });
    expect(job.errors).toEqual([
      expect.objectContaining({ type: 'epcisException:ValidationException', eventIndex: 1, field: '/action', status: 400 }),
      expect.objectContaining({ code: 'CAPTURE_CONFLICT', eventIndex: 2, field: '/epcList/0', rule: 'SERIAL_EXISTS', status: 409 }),
    ]);
    // What the job reports stored is stored; what it reports refused is not.
    expect(Number(await storedHashes([hashes[0], hashes[3]]))).toBe(2);
    expect(Number(await storedHashes([hashes[1], hashes[2]]))).toBe(0);
    // eventIDs page by eventIDsOffset.
    const paged = await http().get(location).query({ eventIDsOffset: 1 }).set(auth());
    expect(paged.body).toMatchObject({ eventIDs: [hashes[3], hashes[4]], eventIDCount: 3 });
    expect((await http().get(location).query({ eventIDsOffset: '-1' }).set(auth())).status).toBe(400);
  }

  it('GS1-Capture-Error-Behaviour: proceed stores the valid events of a buffered document and reports each refused one', async () => {
    const document = mixed('PB');
    const res = await postCapture(document, { 'GS1-Capture-Error-Behaviour': 'proceed' });
    expect(res.status).toBe(202);
    await expectProceeded(res.headers.location, document);
  });

  it('GS1-Capture-Error-Behaviour: proceed does the same for a streamed document', async () => {
    const document = mixed('PS');
    const res = await postStreamedCapture(
      base,
      { ...auth(), 'Content-Type': 'application/ld+json', 'GS1-Capture-Error-Behaviour': 'proceed' },
      [new TextEncoder().encode(JSON.stringify(document))],
    );
    expect(res.status).toBe(202);
    await expectProceeded(res.headers.get('location')!, document);
  });

  it('GS1-Capture-Error-Behaviour: proceed refuses a chain of events, each allowed only by a refused one, in one pass', async () => {
    const [a, b] = [pack('CHAIN1'), pack('CHAIN2')];
    const at = (minute: number) => `2026-02-01T10:${String(minute).padStart(2, '0')}:00.000Z`;
    const document = epcisDocument([
      commissioningEvent({ eventTime: at(0), epcs: [a, b], lot: 'LOT7', expiry: '2028-01-31' }),
      destroyingEvent({ eventTime: at(1), epcs: [a] }),
      statusChangeEvent({ eventTime: at(2), epcs: [b], bizStep: 'holding', disposition: 'non_sellable_other' }),
      // Refused by the destroyed pack; applied to the locked one, it made the next event valid.
      statusChangeEvent({ eventTime: at(3), epcs: [a, b], bizStep: 'stocking', disposition: 'active' }),
      destroyingEvent({ eventTime: at(4), epcs: [b] }),
    ]);
    const stores = jest.spyOn(app.get(EventRepository), 'capture');
    try {
      const res = await postCapture(document, { 'GS1-Capture-Error-Behaviour': 'proceed' });
      expect(res.status).toBe(202);
      const job = await finished(res.headers.location);
      expect(job).toMatchObject({ capturedCount: 3, refusedCount: 2 });
      expect(job.errors).toEqual([
        expect.objectContaining({ code: 'CAPTURE_CONFLICT', eventIndex: 3, field: '/epcList/0', rule: 'PACK_INACTIVE' }),
        expect.objectContaining({ code: 'CAPTURE_CONFLICT', eventIndex: 4, field: '/epcList/0', rule: 'PACK_INACTIVE' }),
      ]);
      // The chunk refused, then stored without both: two attempts, where a refused event applied in part took three.
      expect(stores).toHaveBeenCalledTimes(2);
    } finally {
      stores.mockRestore();
    }
  });

  it('runs rollback by default: the same mix is refused before the 202 and nothing of it is stored', async () => {
    const document = mixed('PR');
    const res = await http().post('/epcis/capture').set(auth()).set('Content-Type', 'application/ld+json').send(JSON.stringify(document));
    // The schema refusal is found before the 202 under rollback.
    expect(res.status).toBe(400);
    expect(Number(await storedHashes(eventHashes(document).map((h) => h.hash)))).toBe(0);
  });

  it('refuses a signed capture under proceed: a signature covers the whole document', async () => {
    const res = await http()
      .post('/epcis/capture')
      .set(auth())
      .set('GS1-Capture-Error-Behaviour', 'proceed')
      .set('X-Pharmatrace-Signature', '0x00')
      .set('Content-Type', 'application/ld+json')
      .send(JSON.stringify(epcisDocument([commission('SG1')])));
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'INVALID_HEADER', header: 'GS1-Capture-Error-Behaviour', rule: 'signed-rollback' });
  });
});
