import { INestApplication } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { createOrganization, postStreamedCapture, startApi, testConfig, useDatabase, withCheckDigit } from '../support/platform';

const xmlDocument = (declaration: string, serial: string, note: string) =>
  `${declaration}<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" xmlns:ex="https://example.com/ns/" schemaVersion="2.0" creationDate="2026-01-05T09:00:00Z">` +
  '<EPCISBody><EventList><ObjectEvent><eventTime>2026-01-05T10:00:00.000Z</eventTime><eventTimeZoneOffset>+01:00</eventTimeZoneOffset>' +
  `<epcList><epc>urn:epc:id:sgtin:0614141.107346.${serial}</epc></epcList><action>ADD</action>` +
  '<bizStep>commissioning</bizStep><disposition>active</disposition><readPoint><id>urn:epc:id:sgln:0614141.00777.0</id></readPoint>' +
  `<ex:note>${note}</ex:note></ObjectEvent></EventList></EPCISBody></epcis:EPCISDocument>`;

const jsonDocument = (serial: string, note: string) =>
  JSON.stringify({
    '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld', { ex: 'https://example.com/ns/' }],
    type: 'EPCISDocument',
    schemaVersion: '2.0',
    creationDate: '2026-01-05T09:00:00Z',
    epcisBody: {
      eventList: [
        {
          type: 'ObjectEvent',
          eventTime: '2026-01-05T10:00:00.000Z',
          eventTimeZoneOffset: '+01:00',
          epcList: [`urn:epc:id:sgtin:0614141.107346.${serial}`],
          action: 'ADD',
          bizStep: 'commissioning',
          disposition: 'active',
          readPoint: { id: 'urn:epc:id:sgln:0614141.00777.0' },
          'ex:note': note,
        },
      ],
    },
  });

/** Bytes where "Grün" has its ü as the single Latin-1 byte 0xFC: ill-formed as UTF-8. */
const latin1 = (text: string) => Buffer.from(text, 'latin1');

describe('encodings of captured documents over REST (real Postgres)', () => {
  let app: INestApplication;
  let maker: { apiKey: string };
  afterAll(() => app?.close());
  const dbUrl = useDatabase();

  beforeAll(async () => {
    app = await startApi(testConfig({ DATABASE_URL: dbUrl() }));
    maker = await createOrganization(app, {
      name: 'Encodings Maker',
      role: 'MANUFACTURER',
      gln: withCheckDigit('061414100001'),
      companyPrefixes: ['0614141'],
    });
  });

  const http = () => request(app.getHttpServer());
  const auth = () => ({ Authorization: `Bearer ${maker.apiKey}` });
  /** Sends the bytes as they are (superagent would otherwise serialise a Buffer under a JSON Content-Type as JSON). */
  const raw = (req: request.Test, type: string, body: Buffer) =>
    req
      .set(auth())
      .set('Content-Type', type)
      .serialize((bytes: Buffer) => bytes as any)
      .send(body);
  const capture = (body: Buffer, type: string) => raw(http().post('/epcis/capture'), type, body);

  async function jobOf(location: string) {
    for (let i = 0; i < 400; i++) {
      const job = await http().get(location).set(auth());
      if (!job.body.running) return job.body;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`${location} still running`);
  }

  /** The note of the event on `serial`, as the query answers it in JSON. */
  async function storedNote(serial: string): Promise<unknown> {
    const res = await http()
      .get('/epcis/events')
      .query({ MATCH_epc: `urn:epc:id:sgtin:0614141.107346.${serial}` })
      .set(auth());
    expect(res.status).toBe(200);
    const events = res.body.epcisBody.queryResults.resultsBody.eventList;
    expect(events).toHaveLength(1);
    return events[0]['ex:note'];
  }

  async function captured(res: request.Response) {
    expect(res.status).toBe(202);
    expect(await jobOf(res.headers.location)).toMatchObject({ success: true, errors: [] });
  }

  it('honours encoding="ISO-8859-1": "Grün" is stored and read back as "Grün"', async () => {
    await captured(await capture(latin1(xmlDocument('<?xml version="1.0" encoding="ISO-8859-1"?>', 'ENC1', 'Grün')), 'application/xml'));
    expect(await storedNote('ENC1')).toBe('Grün');
  });

  it('reads a UTF-16 document with its byte-order mark', async () => {
    const body = Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from(xmlDocument('<?xml version="1.0" encoding="UTF-16"?>', 'ENC2', 'Grün 😀'), 'utf16le'),
    ]);
    await captured(await capture(body, 'application/xml'));
    expect(await storedNote('ENC2')).toBe('Grün 😀');
  });

  it('takes the Content-Type charset when the document declares none', async () => {
    await captured(await capture(latin1(xmlDocument('', 'ENC3', 'Grün')), 'text/xml; charset=ISO-8859-1'));
    expect(await storedNote('ENC3')).toBe('Grün');
  });

  it('refuses invalid UTF-8 in an XML extension value: 400 INVALID_ENCODING with the byte offset', async () => {
    const text = xmlDocument('<?xml version="1.0" encoding="UTF-8"?>', 'ENC4', 'Grün');
    const res = await capture(latin1(text), 'application/xml');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      code: 'INVALID_ENCODING',
      rule: 'encoding',
      offset: text.indexOf('ü'),
      encoding: 'UTF-8',
      type: 'epcisException:ValidationException',
    });
  });

  it('refuses invalid UTF-8 in JSON-LD (read by the binding): 400 INVALID_ENCODING with the byte offset', async () => {
    const text = jsonDocument('ENC5', 'Grün');
    const res = await capture(latin1(text), 'application/ld+json');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'INVALID_ENCODING', rule: 'encoding', offset: text.indexOf('ü') });
  });

  it('refuses invalid UTF-8 in application/json (read by the platform parser), REST and GraphQL: 400 INVALID_ENCODING', async () => {
    const text = jsonDocument('ENC6', 'Grün');
    const rest = await capture(latin1(text), 'application/json');
    expect(rest.status).toBe(400);
    expect(rest.body).toMatchObject({ code: 'INVALID_ENCODING', rule: 'encoding', offset: text.indexOf('ü') });
    const operation = JSON.stringify({
      query: 'mutation($d: JSON!) { captureEpcisDocument(document: $d) { capturedCount } }',
      variables: { d: JSON.parse(text) },
    });
    const graphql = await raw(http().post('/graphql'), 'application/json', latin1(operation));
    expect(graphql.status).toBe(400);
    expect(graphql.body.errors[0].extensions).toMatchObject({
      code: 'INVALID_ENCODING',
      details: { rule: 'encoding', offset: operation.indexOf('ü') },
    });
  });

  it('still stores "Grün" sent as UTF-8 JSON', async () => {
    await captured(await capture(Buffer.from(jsonDocument('ENC7', 'Grün')), 'application/json'));
    expect(await storedNote('ENC7')).toBe('Grün');
  });

  it('refuses an encoding it does not read: 415 UNSUPPORTED_MEDIA_TYPE naming it', async () => {
    const declared = await capture(Buffer.from(xmlDocument('<?xml version="1.0" encoding="Shift_JIS"?>', 'ENC8', 'x')), 'application/xml');
    expect(declared.status).toBe(415);
    expect(declared.body).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE', rule: 'encoding', encoding: 'Shift_JIS' });
    const charset = await capture(Buffer.from(jsonDocument('ENC8', 'x')), 'application/ld+json; charset=iso-8859-1');
    expect(charset.status).toBe(415);
    expect(charset.body).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE', rule: 'encoding', encoding: 'iso-8859-1' });
  });

  describe('streamed (a body of unknown length)', () => {
    let base: string;
    beforeAll(async () => {
      const server = app.getHttpServer();
      if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });

    /** Sent chunked, one byte at a time, so every multi-byte character is cut between chunks. */
    async function streamed(body: Buffer, type: string) {
      const res = await postStreamedCapture(
        base,
        { ...auth(), 'Content-Type': type },
        [...body].map((b) => new Uint8Array([b])),
      );
      expect(res.status).toBe(202);
      return jobOf(res.headers.get('location')!);
    }

    it('reads ISO-8859-1 and UTF-16 cut into single bytes', async () => {
      expect(
        await streamed(latin1(xmlDocument('<?xml version="1.0" encoding="ISO-8859-1"?>', 'ENC9', 'Grün')), 'application/xml'),
      ).toMatchObject({ success: true });
      expect(await storedNote('ENC9')).toBe('Grün');
      const utf16 = Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(xmlDocument('', 'ENC10', 'Grün 😀'), 'utf16le').swap16()]);
      expect(await streamed(utf16, 'application/xml')).toMatchObject({ success: true });
      expect(await storedNote('ENC10')).toBe('Grün 😀');
    });

    it('fails the job on invalid UTF-8, naming the rule and the byte offset', async () => {
      const text = jsonDocument('ENC11', 'Grün');
      const job = await streamed(latin1(text), 'application/ld+json');
      expect(job).toMatchObject({
        success: false,
        errors: [expect.objectContaining({ code: 'INVALID_DOCUMENT', rule: 'encoding', offset: text.indexOf('ü') })],
      });
    });
  });
});
