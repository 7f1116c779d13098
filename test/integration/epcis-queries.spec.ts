import { INestApplication } from '@nestjs/common';
import { commissioningEvent, epcisDocument, shippingEvent } from '@pharmatrace/epcis';
import request from 'supertest';
import { CAPTURE, createOrganization, gql, startApi, testConfig, useDatabase, withCheckDigit } from '../support/platform';

const GTIN = withCheckDigit('0061414107346');
const pack = (serial: string) => `https://id.gs1.org/01/${GTIN}/21/${serial}`;
const SITE = `https://id.gs1.org/414/${withCheckDigit('061414100777')}`;
const t = (minute: number) => new Date(Date.UTC(2026, 4, 1, 8, minute));

const events = [
  commissioningEvent({ eventTime: t(0), epcs: [pack('Q1'), pack('Q2'), pack('Q3')], lot: 'L1', expiry: '2028-01-31', bizLocation: SITE }),
  shippingEvent({ eventTime: t(1), epcs: [pack('Q1')] }),
  shippingEvent({ eventTime: t(2), epcs: [pack('Q2')] }),
  shippingEvent({ eventTime: t(3), epcs: [pack('Q3')] }),
];

describe('EPCIS named queries (real Postgres)', () => {
  let app: INestApplication;
  let maker: { apiKey: string; id: string };
  let other: { apiKey: string; id: string };
  afterAll(() => app?.close());
  const dbUrl = useDatabase();

  beforeAll(async () => {
    app = await startApi(testConfig({ DATABASE_URL: dbUrl() }));
    maker = await createOrganization(app, {
      name: 'Query Maker',
      role: 'MANUFACTURER',
      gln: withCheckDigit('061414100001'),
      companyPrefixes: ['0614141'],
    });
    other = await createOrganization(app, { name: 'Query Outsider', role: 'DISTRIBUTOR', gln: withCheckDigit('061414100002') });
    const captured = await gql(app, CAPTURE, { document: epcisDocument(events) }, maker.apiKey);
    expect(captured.errors).toBeUndefined();
  });

  const http = () => request(app.getHttpServer());
  const auth = (key: string) => ({ Authorization: `Bearer ${key}` });
  const create = (body: unknown, key = maker.apiKey) =>
    http().post('/epcis/queries').set(auth(key)).set('Content-Type', 'application/json').send(JSON.stringify(body));
  /** Events are served without an eventID of their own; these all have distinct event times. */
  const servedTimes = (res: request.Response) =>
    (res.body.epcisBody.queryResults.resultsBody.eventList as { eventTime: string }[]).map((e) => new Date(e.eventTime).getTime());

  it('creates a query (201, Location), serves its definition, lists it, runs it with paging, and deletes it', async () => {
    const definition = { EQ_bizStep: ['shipping'], eventType: ['ObjectEvent'] };
    const created = await create({ name: 'shipments', query: definition });
    expect(created.status).toBe(201);
    expect(created.headers.location).toBe('/epcis/queries/shipments');
    expect(created.headers['gs1-epcis-version']).toBe('2.0.0');

    const one = await http().get('/epcis/queries/shipments').set(auth(maker.apiKey));
    expect(one.status).toBe(200);
    expect(one.body).toEqual([{ name: 'shipments', query: definition }]);
    const list = await http().get('/epcis/queries').set(auth(maker.apiKey));
    expect(list.body).toEqual([{ name: 'shipments', query: definition }]);

    const page1 = await http().get('/epcis/queries/shipments/events?perPage=2').set(auth(maker.apiKey));
    expect(page1.status).toBe(200);
    expect(page1.body.epcisBody.queryResults.queryName).toBe('shipments');
    expect(page1.body.type).toBe('EPCISQueryDocument');
    // The stored query's own events only (the commissioning is not shipping), in event time order.
    expect(servedTimes(page1)).toEqual([t(1), t(2)].map(Number));
    const next = /<([^>]+)>;\s*rel="next"/.exec(page1.headers.link)![1];
    expect(next).toMatch(/^\/epcis\/queries\/shipments\/events\?/);
    const page2 = await http().get(next).set(auth(maker.apiKey));
    expect(servedTimes(page2)).toEqual([t(3)].map(Number));
    expect(page2.headers.link).toBeUndefined();

    expect((await http().delete('/epcis/queries/shipments').set(auth(maker.apiKey))).status).toBe(204);
    const gone = await http().get('/epcis/queries/shipments').set(auth(maker.apiKey));
    expect({ status: gone.status, type: gone.body.type }).toEqual({ status: 404, type: 'epcisException:NoSuchNameException' });
    expect((await http().get('/epcis/queries/shipments/events').set(auth(maker.apiKey))).status).toBe(404);
    expect((await http().delete('/epcis/queries/shipments').set(auth(maker.apiKey))).status).toBe(404);
  });

  it('keeps a query to its owner: another organization gets 404 for it and may reuse the name', async () => {
    expect((await create({ name: 'private', query: { EQ_bizStep: ['shipping'] } })).status).toBe(201);
    for (const res of [
      await http().get('/epcis/queries/private').set(auth(other.apiKey)),
      await http().get('/epcis/queries/private/events').set(auth(other.apiKey)),
      await http().delete('/epcis/queries/private').set(auth(other.apiKey)),
    ]) {
      expect({ status: res.status, type: res.body.type }).toEqual({ status: 404, type: 'epcisException:NoSuchNameException' });
    }
    expect((await http().get('/epcis/queries').set(auth(other.apiKey))).body).toEqual([]);
    expect((await create({ name: 'private', query: {} }, other.apiKey)).status).toBe(201);
    // Still the maker's own, untouched by the other's delete attempt.
    expect((await http().get('/epcis/queries/private').set(auth(maker.apiKey))).status).toBe(200);
  });

  it('applies the read policy of the caller when the query runs', async () => {
    expect((await create({ name: 'everything', query: {} }, other.apiKey)).status).toBe(201);
    const res = await http().get('/epcis/queries/everything/events').set(auth(other.apiKey));
    expect(res.status).toBe(200);
    // The outsider is party to none of the maker's events.
    expect(servedTimes(res)).toEqual([]);
    expect((await create({ name: 'everything', query: {} })).status).toBe(201);
    const mine = await http().get('/epcis/queries/everything/events').set(auth(maker.apiKey));
    expect(servedTimes(mine)).toHaveLength(4);
  });

  it('answers 409 ResourceAlreadyExistsException for a name the caller already uses', async () => {
    expect((await create({ name: 'twice', query: {} })).status).toBe(201);
    const again = await create({ name: 'twice', query: { EQ_bizStep: ['shipping'] } });
    expect({ status: again.status, type: again.body.type }).toEqual({ status: 409, type: 'epcisException:ResourceAlreadyExistsException' });
    expect(again.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('refuses a bad query when it is created, naming the parameter (400 QueryParameterException)', async () => {
    const bad = await create({ name: 'bad', query: { EQ_action: ['SHIP'] } });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ type: 'epcisException:QueryParameterException', parameter: 'EQ_action' });
    const badName = await create({ name: 'a b', query: {} });
    expect(badName.body).toMatchObject({ status: 400, type: 'epcisException:ValidationException', field: '/name' });
    expect((await http().get('/epcis/queries/bad').set(auth(maker.apiKey))).status).toBe(404);
  });

  it('refuses filters and WebSocket parameters on a plain GET of a query’s events', async () => {
    expect((await create({ name: 'plain', query: {} })).status).toBe(201);
    const filter = await http().get('/epcis/queries/plain/events?EQ_bizStep=shipping').set(auth(maker.apiKey));
    expect(filter.body).toMatchObject({ status: 400, type: 'epcisException:QueryParameterException', parameter: 'EQ_bizStep' });
    const stream = await http().get('/epcis/queries/plain/events?stream=true').set(auth(maker.apiKey));
    expect(stream.body).toMatchObject({ status: 400, parameter: 'stream', rule: 'websocket-only' });
  });

  it('answers OPTIONS with the methods of each resource', async () => {
    expect((await http().options('/epcis/queries')).headers.allow).toBe('OPTIONS, GET, POST');
    expect((await http().options('/epcis/queries/any')).headers.allow).toBe('OPTIONS, GET, DELETE');
    const events = await http().options('/epcis/queries/any/events');
    expect({ status: events.status, allow: events.headers.allow }).toEqual({ status: 204, allow: 'OPTIONS, GET' });
    expect(events.headers['gs1-epcis-version']).toBe('2.0.0');
  });

  it('refuses callers without a key', async () => {
    const res = await http().get('/epcis/queries');
    expect({ status: res.status, type: res.body.type }).toEqual({ status: 401, type: 'epcisException:SecurityException' });
  });
});
