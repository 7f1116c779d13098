import { INestApplication } from '@nestjs/common';
import { commissioningEvent, epcisDocument, eventHash, EPCIS_CONTEXT, writeEpcisXml } from '@pharmatrace/epcis';
import type { AddressInfo } from 'node:net';
import { Client } from 'pg';
import request from 'supertest';
import { createOrganization, postStreamedCapture, gql, startApi, testConfig, useDatabase, withCheckDigit } from '../support/platform';

/**
 * A hash-form eventID (`ni:///sha-256;…?ver=CBV2.0`) must be the event's own CBV 2.0 hash: any other is refused,
 * 400 EVENT_ID_MISMATCH naming the event and /eventID, on every capture path, and nothing is stored.
 */
const pack = (serial: string) => `urn:epc:id:sgtin:0614141.107346.${serial}`;
const commissioning = (serial: string) =>
  commissioningEvent({ eventTime: '2026-01-05T10:00:00.000Z', epcs: [pack(serial)], lot: 'L1', expiry: '2028-12-31' });
/** Another pack's event, whose hash a wrong eventID borrows. */
const OTHER_HASH = eventHash(commissioning('EIDX'), [EPCIS_CONTEXT]).hash;

/** Two events, the second carrying `eventID`. */
const documentWith = (serial: string, eventID: string) =>
  epcisDocument([commissioning(`${serial}A`), { ...commissioning(`${serial}B`), eventID }], '2026-01-05T09:00:00Z');

describe('hash-form event ids (real Postgres)', () => {
  let app: INestApplication;
  let maker: { apiKey: string };
  let base: string;
  afterAll(() => app?.close());
  const dbUrl = useDatabase();

  beforeAll(async () => {
    app = await startApi(testConfig({ DATABASE_URL: dbUrl() }));
    maker = await createOrganization(app, {
      name: 'EventID Maker',
      role: 'MANUFACTURER',
      gln: withCheckDigit('061414100001'),
      companyPrefixes: ['0614141'],
    });
    const server = app.getHttpServer();
    if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  const http = () => request(app.getHttpServer());
  const auth = () => ({ Authorization: `Bearer ${maker.apiKey}` });
  const CAPTURE = `mutation($doc: JSON!) { captureEpcisDocument(document: $doc) { capturedCount duplicateCount eventHashes } }`;

  async function storedEvents(): Promise<number> {
    const db = new Client({ connectionString: dbUrl() });
    await db.connect();
    try {
      return Number((await db.query('SELECT count(*) FROM event')).rows[0].count);
    } finally {
      await db.end();
    }
  }

  async function jobOf(location: string) {
    for (let i = 0; i < 400; i++) {
      const job = await http().get(location).set(auth());
      if (!job.body.running) return job.body;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`${location} still running`);
  }

  const refusal = { code: 'EVENT_ID_MISMATCH', eventIndex: 1, field: '/eventID', rule: 'eventID:hash' };

  it("GraphQL: another event's hash as eventID is refused, naming the event and field", async () => {
    const res = await gql(app, CAPTURE, { doc: documentWith('EID1', OTHER_HASH) }, maker.apiKey);
    expect(res.errors?.[0].extensions).toMatchObject({
      code: 'EVENT_ID_MISMATCH',
      details: { issues: [{ eventIndex: 1, field: '/eventID', rule: 'eventID:hash' }] },
    });
    expect(await storedEvents()).toBe(0);
  });

  it.each([
    ['a malformed hash', 'ni:///sha-256;abc?ver=CBV2.0'],
    ['a hash without its version', OTHER_HASH.replace('?ver=CBV2.0', '')],
  ])('REST JSON: %s as eventID is a 400 before any job', async (_, id) => {
    const res = await http()
      .post('/epcis/capture')
      .set(auth())
      .set('Content-Type', 'application/ld+json')
      .send(JSON.stringify(documentWith('EID2', id)));
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      type: 'epcisException:ValidationException',
      issues: [expect.objectContaining({ eventIndex: 1, field: '/eventID' })],
      code: 'EVENT_ID_MISMATCH',
    });
    expect(await storedEvents()).toBe(0);
  });

  it('REST XML: the same refusal', async () => {
    const xml = writeEpcisXml(documentWith('EID3', OTHER_HASH), '2.0');
    const res = await http().post('/epcis/capture').set(auth()).set('Content-Type', 'application/xml').send(xml);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      code: 'EVENT_ID_MISMATCH',
      issues: [expect.objectContaining({ eventIndex: 1, field: '/eventID', rule: 'eventID:hash' })],
    });
    expect(await storedEvents()).toBe(0);
  });

  it('streamed (chunked) JSON: the job fails with the refusal and stores nothing', async () => {
    const body = new TextEncoder().encode(JSON.stringify(documentWith('EID4', OTHER_HASH)));
    const res = await postStreamedCapture(base, { ...auth(), 'Content-Type': 'application/ld+json' }, [body]);
    expect(res.status).toBe(202);
    const job = await jobOf(res.headers.get('location')!);
    expect(job).toMatchObject({ success: false, errors: [expect.objectContaining({ ...refusal, status: 400 })] });
    expect(await storedEvents()).toBe(0);
  });

  it('an event whose hash-form eventID is its own hash (hex in any case) is stored and found by it', async () => {
    const event = commissioning('EID5B');
    const own = eventHash(event, [EPCIS_CONTEXT]).hash;
    const doc = epcisDocument(
      [{ ...event, eventID: own.replace(/;([0-9a-f]+)/, (_, hex: string) => `;${hex.toUpperCase()}`) }],
      '2026-01-05T09:00:00Z',
    );
    const res = await gql(app, CAPTURE, { doc }, maker.apiKey);
    expect(res.data.captureEpcisDocument).toMatchObject({ capturedCount: 1, eventHashes: [own] });
    const found = await http().get('/epcis/events').query({ EQ_eventID: own }).set(auth());
    expect(found.body.epcisBody.queryResults.resultsBody.eventList).toHaveLength(1);
  });
});
