import { INestApplication } from '@nestjs/common';
import {
  commissioningEvent,
  dispensingEvent,
  epcisDocument,
  eventHashes,
  packingEvent,
  receivingEvent,
  shippingEvent,
  unpackingEvent,
} from '@pharmatrace/epcis';
import request from 'supertest';
import { createOrganization, gql, startApi, testConfig, useDatabase, withCheckDigit } from '../support/platform';

const GTIN = withCheckDigit('0061414107346');
const OTHER_GTIN = withCheckDigit('0061414199999');
const packUrn = (serial: string) => `urn:epc:id:sgtin:0614141.007346.${serial}`;
const packLink = (serial: string) => `https://id.gs1.org/01/${GTIN}/21/${serial}`;
const CASE_URN = 'urn:epc:id:sscc:0614141.1234567890';
const CASE_LINK = `https://id.gs1.org/00/${withCheckDigit('10614141234567890')}`;
const SITE_URN = 'urn:epc:id:sgln:0614141.00777.0';
const SITE_LINK = `https://id.gs1.org/414/${withCheckDigit('061414100777')}`;
const DEPOT_URN = 'urn:epc:id:sgln:0614141.00888.0';
const DEPOT_LINK = `https://id.gs1.org/414/${withCheckDigit('061414100888')}`;
const DEPOT_GLN = withCheckDigit('061414100888');
const DEPOT_PARTY = `https://id.gs1.org/417/${DEPOT_GLN}`;
const t = (minute: number) => new Date(Date.UTC(2026, 4, 1, 8, minute));
const DECLARED_ID = 'urn:uuid:5d0e6a6e-4b7a-4d43-9a3e-0c5f1f1e2a01';
const MAKER_PARTY = `https://id.gs1.org/417/${withCheckDigit('061414100001')}`;
/** DEPOT_PARTY as a PGLN URN (company prefix 0614141). */
const DEPOT_PGLN_URN = `urn:epc:id:pgln:0614141.${DEPOT_GLN.slice(7, 12)}`;
const PO = 'urn:epcglobal:cbv:bt:0614141000012:PO-77';

const first = [
  commissioningEvent({
    eventTime: t(0),
    epcs: [packUrn('P1'), packUrn('P2'), packUrn('P3')],
    lot: 'L1',
    expiry: '2028-01-31',
    bizLocation: SITE_URN,
    readPoint: SITE_URN,
  }),
  packingEvent({ eventTime: t(1), parent: CASE_URN, children: [packLink('P1'), packLink('P2')], bizLocation: SITE_URN }),
  {
    ...shippingEvent({ eventTime: t(2), epcs: [CASE_URN], from: MAKER_PARTY, to: DEPOT_PARTY }),
    bizTransactionList: [{ type: 'po', bizTransaction: PO }],
  },
  receivingEvent({ eventTime: t(3), epcs: [CASE_URN], bizLocation: DEPOT_URN }),
];
const second = [
  unpackingEvent({ eventTime: t(4), parent: CASE_URN }),
  {
    type: 'TransformationEvent',
    eventTime: t(5).toISOString(),
    eventTimeZoneOffset: '+00:00',
    inputEPCList: [packUrn('P3')],
    outputEPCList: [packLink('P4')],
    inputQuantityList: [{ epcClass: 'urn:epc:class:lgtin:0614141.007346.L1', quantity: 1 }],
    bizStep: 'https://ref.gs1.org/cbv/BizStep-transforming',
  },
  dispensingEvent({ eventTime: t(6), epcs: [packLink('P1')], bizLocation: DEPOT_URN }),
  {
    type: 'ObjectEvent',
    eventID: DECLARED_ID,
    eventTime: t(7).toISOString(),
    eventTimeZoneOffset: '+00:00',
    epcList: [],
    quantityList: [{ epcClass: `https://id.gs1.org/01/${OTHER_GTIN}/10/LX`, quantity: 5 }],
    action: 'OBSERVE',
    bizStep: 'inspecting',
  },
];
const hashes = [...eventHashes(epcisDocument(first)), ...eventHashes(epcisDocument(second))].map((h) => h.hash);
const e = (...numbers: number[]) => numbers.map((n) => hashes[n - 1]);

const EVENTS = `query($filter: EventFilter, $first: Int, $after: String) {
  events(filter: $filter, first: $first, after: $after) {
    edges { cursor node { eventHash eventID eventType eventTime event } }
    pageInfo { hasNextPage endCursor }
  }
}`;

describe('event queries: GET /epcis/events and GraphQL events share one filter and one repository', () => {
  let app: INestApplication;
  let key: string;
  let between: Date;
  let makerKey: string;
  afterAll(() => app?.close());
  const dbUrl = useDatabase();

  beforeAll(async () => {
    app = await startApi(testConfig({ DATABASE_URL: dbUrl() }));
    const { apiKey: maker } = await createOrganization(app, {
      name: 'Maker',
      role: 'MANUFACTURER',
      gln: withCheckDigit('061414100001'),
      companyPrefixes: ['0614141'],
    });
    makerKey = maker;
    const { apiKey: depot } = await createOrganization(app, { name: 'Depot pharmacy', role: 'DISPENSER', gln: DEPOT_GLN });
    // Queries are a regulator's, who reads every event whoever recorded it.
    ({ apiKey: key } = await createOrganization(app, { name: 'Regulator', role: 'REGULATOR', gln: withCheckDigit('061414100999') }));
    // Whoever holds the packs records what happens to them: the depot once it received the case.
    const byDepot = new Set([first[3], second[0], second[2]]);
    const capture = (event: (typeof first)[number]) =>
      request(app.getHttpServer())
        .post('/epcis/events')
        .set('Authorization', `Bearer ${byDepot.has(event) ? depot : maker}`)
        .send(event);
    // Two captures with a known instant between them, for the record-time filters.
    for (const event of first) expect((await capture(event)).status).toBe(201);
    await new Promise((r) => setTimeout(r, 30));
    between = new Date();
    await new Promise((r) => setTimeout(r, 30));
    for (const event of second) expect((await capture(event)).status).toBe(201);
  });

  const rest = async (query: Record<string, string | string[]>) => {
    const res = await request(app.getHttpServer()).get('/epcis/events').query(query).set('Authorization', `Bearer ${key}`);
    expect(res.status).toBe(200);
    return eventHashes(res.body).map((h) => h.hash);
  };
  const graph = async (filter: Record<string, unknown>) => {
    const res = await gql(app, EVENTS, { filter }, key);
    expect(res.errors).toBeUndefined();
    return res.data.events.edges.map((edge: { node: { eventHash: string } }) => edge.node.eventHash);
  };

  const cases: [string, Record<string, string | string[]>, () => string[]][] = [
    ['no filter', {}, () => e(1, 2, 3, 4, 5, 6, 7, 8)],
    ['eventType', { eventType: 'AggregationEvent' }, () => e(2, 5)],
    ['eventType, comma-separated', { eventType: 'TransformationEvent,AggregationEvent' }, () => e(2, 5, 6)],
    ['GE_eventTime + LT_eventTime', { GE_eventTime: t(2).toISOString(), LT_eventTime: '2026-05-01T10:04:00+02:00' }, () => e(3, 4)],
    ['GE_recordTime', { GE_recordTime: '__between__' }, () => e(5, 6, 7, 8)],
    ['LT_recordTime', { LT_recordTime: '__between__' }, () => e(1, 2, 3, 4)],
    ['EQ_action', { EQ_action: 'DELETE' }, () => e(5)],
    ['EQ_bizStep, bare word', { EQ_bizStep: 'shipping' }, () => e(3)],
    ['EQ_bizStep, CBV URN against a Web URI', { EQ_bizStep: 'urn:epcglobal:cbv:bizstep:transforming' }, () => e(6)],
    ['EQ_disposition', { EQ_disposition: 'https://ref.gs1.org/cbv/Disp-dispensed' }, () => e(7)],
    ['EQ_readPoint, Digital Link against a URN', { EQ_readPoint: SITE_LINK }, () => e(1)],
    ['EQ_bizLocation', { EQ_bizLocation: [DEPOT_LINK, 'urn:example:nowhere'] }, () => e(4, 7)],
    ['MATCH_epc (epcList, childEPCs, and children an unpacking released)', { MATCH_epc: packUrn('P1') }, () => e(1, 2, 5, 7)],
    ['MATCH_epc, GTIN pattern', { MATCH_epc: 'urn:epc:idpat:sgtin:0614141.007346.*' }, () => e(1, 2, 5, 7)],
    ['MATCH_parentID', { MATCH_parentID: CASE_LINK }, () => e(2, 5)],
    ['MATCH_inputEPC', { MATCH_inputEPC: packLink('P3') }, () => e(6)],
    ['MATCH_outputEPC', { MATCH_outputEPC: packUrn('P4') }, () => e(6)],
    ['MATCH_anyEPC', { MATCH_anyEPC: CASE_URN }, () => e(2, 3, 4, 5)],
    ['MATCH_epcClass, LGTIN URN against a Digital Link', { MATCH_epcClass: `urn:epc:class:lgtin:0614141.099999.LX` }, () => e(8)],
    ['MATCH_anyEPCClass, /01/<gtin> matches every lot', { MATCH_anyEPCClass: `https://id.gs1.org/01/${GTIN}` }, () => e(6)],
    // The standard's MATCH_epcClass reads quantityList and childQuantityList, not a transformation's inputQuantityList.
    ['MATCH_epcClass, not inputQuantityList', { MATCH_epcClass: `https://id.gs1.org/01/${GTIN}` }, () => []],
    ['MATCH_epcClass, idpat', { MATCH_epcClass: 'urn:epc:idpat:sgtin:0614141.099999.*' }, () => e(8)],
    ['EQ_eventID, declared', { EQ_eventID: DECLARED_ID }, () => e(8)],
    ['EQ_eventID, hash', { EQ_eventID: '__hash3__' }, () => e(3)],
    ['filters combine with AND', { eventType: 'ObjectEvent', EQ_bizStep: 'receiving' }, () => e(4)],
    // The binding's style for multiple values (openapi.yaml: pipeDelimited); once answered 200 with no events.
    ['eventType, pipe-delimited', { eventType: 'TransformationEvent|AggregationEvent' }, () => e(2, 5, 6)],
    ['EQ_bizStep, pipe-delimited', { EQ_bizStep: 'shipping|receiving' }, () => e(3, 4)],
    ['EQ_readPoint, pipe-delimited', { EQ_readPoint: `urn:example:nowhere|${SITE_LINK}` }, () => e(1)],
    ['EQ_bizLocation, pipe-delimited', { EQ_bizLocation: `${DEPOT_LINK}|urn:example:nowhere` }, () => e(4, 7)],
  ];
  const resolve = (query: Record<string, string | string[]>) =>
    Object.fromEntries(
      Object.entries(query).map(([k, v]) => [k, v === '__between__' ? between.toISOString() : v === '__hash3__' ? hashes[2] : v]),
    );

  it.each(cases)('%s: REST and GraphQL return the same events, in event-time order', async (_name, query, expected) => {
    const params = resolve(query);
    expect(await rest(params)).toEqual(expected());
    const filter = Object.fromEntries(
      Object.entries(params).map(([k, v]) => [
        k,
        k.startsWith('GE_') || k.startsWith('LT_') ? v : Array.isArray(v) ? v : k === 'eventType' ? String(v).split(',') : [v],
      ]),
    );
    expect(await graph(filter)).toEqual(expected());
  });

  it('EQ_bizTransaction_<type>, EQ_source_<type>, EQ_destination_<type>: types and values in any spelling, REST and GraphQL alike', async () => {
    const cases: [Record<string, string>, string[]][] = [
      [{ EQ_bizTransaction_po: PO }, e(3)],
      [{ 'EQ_bizTransaction_urn:epcglobal:cbv:btt:po': PO }, e(3)],
      [{ 'EQ_bizTransaction_https://ref.gs1.org/cbv/BTT-po': `urn:example:other|${PO}` }, e(3)],
      [{ EQ_bizTransaction_desadv: PO }, []],
      [{ EQ_destination_owning_party: DEPOT_PGLN_URN }, e(3)],
      [{ EQ_source_owning_party: MAKER_PARTY, EQ_bizTransaction_po: PO }, e(3)],
      [{ EQ_source_possessing_party: MAKER_PARTY }, []],
    ];
    for (const [query, expected] of cases) expect([query, await rest(query)]).toEqual([query, expected]);
    expect(
      await graph({
        EQ_bizTransaction: [{ type: 'po', values: [PO] }],
        EQ_destination: [{ type: 'owning_party', values: [DEPOT_PGLN_URN] }],
      }),
    ).toEqual(e(3));
    expect(await graph({ EQ_source: [{ type: 'possessing_party', values: [MAKER_PARTY] }] })).toEqual([]);
  });

  it('orders by eventTime or recordTime either way, keeps the first N (eventCountLimit) across pages, refuses more than maxEventCount', async () => {
    const all = e(1, 2, 3, 4, 5, 6, 7, 8);
    const reversed = [...all].reverse();
    expect(await rest({ orderBy: 'eventTime' })).toEqual(reversed);
    expect(await rest({ orderBy: 'eventTime', orderDirection: 'ASC' })).toEqual(all);
    // Captured one by one in this order: record time runs as event time does.
    expect(await rest({ orderBy: 'recordTime', orderDirection: 'ASC' })).toEqual(all);
    expect(await rest({ orderBy: 'recordTime' })).toEqual(reversed);
    expect(await rest({ orderBy: 'eventTime', eventCountLimit: '1' })).toEqual(e(8));
    expect(await rest({ orderBy: 'eventTime', orderDirection: 'DESC', EQ_bizStep: 'shipping|receiving', eventCountLimit: '1' })).toEqual(
      e(4),
    );
    expect(await rest({ maxEventCount: '8' })).toEqual(all);

    const pages: string[][] = [];
    let url: string | undefined = '/epcis/events?orderBy=eventTime&orderDirection=ASC&eventCountLimit=3&perPage=2';
    while (url) {
      const res: request.Response = await request(app.getHttpServer()).get(url).set('Authorization', `Bearer ${key}`);
      pages.push(eventHashes(res.body).map((h) => h.hash));
      url = /<([^>]+)>;\s*rel="next"/.exec(res.headers.link ?? '')?.[1];
    }
    expect(pages).toEqual([e(1, 2), e(3)]);

    const tooLarge = await request(app.getHttpServer()).get('/epcis/events?maxEventCount=7').set('Authorization', `Bearer ${key}`);
    expect([tooLarge.status, tooLarge.body.type, tooLarge.body.maxEventCount]).toEqual([413, 'epcisException:QueryTooLargeException', 7]);
    const viaGraph = await gql(app, EVENTS, { filter: { orderBy: 'recordTime', eventCountLimit: 2 } }, key);
    expect(viaGraph.data.events.edges.map((edge: { node: { eventHash: string } }) => edge.node.eventHash)).toEqual(e(8, 7));
    expect(viaGraph.data.events.pageInfo.hasNextPage).toBe(false);
    expect((await gql(app, EVENTS, { filter: { maxEventCount: 2 } }, key)).errors?.[0].extensions).toMatchObject({
      code: 'QUERY_TOO_LARGE',
    });
    expect((await gql(app, EVENTS, { filter: { eventCountLimit: 2 } }, key)).errors?.[0].extensions).toMatchObject({
      code: 'INVALID_QUERY_PARAMETER',
      details: { parameter: 'eventCountLimit', rule: 'needs-order-by' },
    });
  });

  it("serves each event's recordTime, the repository's, in JSON-LD and XML, as GraphQL reports it", async () => {
    const listed = await gql(app, `{ events(first: 100) { edges { node { eventHash recordTime } } } }`, {}, key);
    const recorded = listed.data.events.edges.map((edge: { node: { recordTime: string } }) => new Date(edge.node.recordTime).toISOString());
    expect(recorded).toHaveLength(8);
    const json = await request(app.getHttpServer()).get('/epcis/events').set('Authorization', `Bearer ${key}`);
    expect(json.body.epcisBody.queryResults.resultsBody.eventList.map((ev: { recordTime: string }) => ev.recordTime)).toEqual(recorded);
    const xml = await request(app.getHttpServer())
      .get('/epcis/events')
      .set('Accept', 'application/xml')
      .set('Authorization', `Bearer ${key}`);
    expect(xml.status).toBe(200);
    expect([...xml.text.matchAll(/<recordTime>([^<]+)<\/recordTime>/g)].map((m) => new Date(m[1]).toISOString())).toEqual(recorded);
  });

  it('pages through GET /epcis/events with Link rel="next": 3 pages, no duplicates, no gaps', async () => {
    const pages: string[][] = [];
    let url: string | undefined = '/epcis/events?perPage=3';
    while (url) {
      const res: request.Response = await request(app.getHttpServer()).get(url).set('Authorization', `Bearer ${key}`);
      expect(res.status).toBe(200);
      pages.push(eventHashes(res.body).map((h) => h.hash));
      url = /<([^>]+)>;\s*rel="next"/.exec(res.headers.link ?? '')?.[1];
    }
    expect(pages.map((p) => p.length)).toEqual([3, 3, 2]);
    expect(pages.flat()).toEqual(hashes);
  });

  it('ties a page token to its query and says until when it reads (GS1-Next-Page-Token-Expires)', async () => {
    const get = (url: string) => request(app.getHttpServer()).get(url).set('Authorization', `Bearer ${key}`);
    const first = await get('/epcis/events?perPage=2&eventType=ObjectEvent');
    const expires = Date.parse(first.headers['gs1-next-page-token-expires']);
    expect(expires - Date.now()).toBeGreaterThan(23 * 3600 * 1000);
    const token = new URL(`http://h${/<([^>]+)>;\s*rel="next"/.exec(first.headers.link)![1]}`).searchParams.get('nextPageToken')!;
    expect((await get(`/epcis/events?eventType=ObjectEvent&perPage=5&nextPageToken=${token}`)).status).toBe(200);
    const other = await get(`/epcis/events?perPage=2&nextPageToken=${token}`);
    expect(other.status).toBe(400);
    expect(other.body).toMatchObject({ parameter: 'nextPageToken', rule: 'page-token-query' });
    // The last page has no next token, and so no expiry either.
    const last = await get('/epcis/events?perPage=1000');
    expect(last.headers['gs1-next-page-token-expires']).toBeUndefined();
  });

  it('pages through GraphQL events with first/after cursors, and filters apply on every page', async () => {
    const seen: string[] = [];
    let after: string | undefined;
    for (let page = 0; page < 3; page++) {
      const res = await gql(app, EVENTS, { first: 3, after }, key);
      expect(res.errors).toBeUndefined();
      const { edges, pageInfo } = res.data.events;
      seen.push(...edges.map((edge: { node: { eventHash: string } }) => edge.node.eventHash));
      expect(pageInfo.hasNextPage).toBe(page < 2);
      expect(pageInfo.endCursor).toBe(edges[edges.length - 1].cursor);
      after = pageInfo.endCursor;
    }
    expect(seen).toEqual(hashes);
    const filtered = await gql(app, EVENTS, { filter: { MATCH_anyEPC: [CASE_URN] }, first: 2 }, key);
    const rest2 = await gql(
      app,
      EVENTS,
      { filter: { MATCH_anyEPC: [CASE_URN] }, first: 2, after: filtered.data.events.pageInfo.endCursor },
      key,
    );
    expect(
      [...filtered.data.events.edges, ...rest2.data.events.edges].map((x: { node: { eventHash: string } }) => x.node.eventHash),
    ).toEqual(e(2, 3, 4, 5));
    expect(rest2.data.events.pageInfo.hasNextPage).toBe(false);
  });

  it('returns events exactly as captured, with the declared eventID kept', async () => {
    const res = await gql(app, EVENTS, { filter: { EQ_eventID: [DECLARED_ID] } }, key);
    const node = res.data.events.edges[0].node;
    expect(node).toMatchObject({ eventID: DECLARED_ID, eventType: 'ObjectEvent', eventHash: hashes[7] });
    expect(node.event).toMatchObject(second[3]);
  });

  it.each([
    [{ GE_eventTime: '2026-05-01' }, 'GE_eventTime', 'format:date-time'],
    [{ eventType: 'MagicEvent' }, 'eventType', 'enum'],
    [{ EQ_action: 'MOVE' }, 'EQ_action', 'enum'],
    [{ perPage: '0' }, 'perPage', 'range'],
    [{ perPage: '1001' }, 'perPage', 'range'],
    [{ nextPageToken: 'bm9wZQ' }, 'nextPageToken', 'page-token'],
    [{ MATCH_epc: 'not-an-epc' }, 'MATCH_epc', 'epc'],
    [{ MATCH_epcClass: CASE_URN }, 'MATCH_epcClass', 'epc-class'],
    [{ EQ_eventID: 'ni:///sha-256;zz?ver=CBV2.0' }, 'EQ_eventID', 'event-hash'],
    [{ EQ_ILMD_lotNumber: 'x' }, 'EQ_ILMD_lotNumber', 'supported-parameter'],
    [{ orderBy: 'quantity' }, 'orderBy', 'order-by'],
    [{ orderBy: 'eventTime', orderDirection: 'UP' }, 'orderDirection', 'enum'],
    [{ eventCountLimit: '2' }, 'eventCountLimit', 'needs-order-by'],
    [{ orderBy: 'eventTime', eventCountLimit: '2', maxEventCount: '2' }, 'eventCountLimit', 'exclusive'],
    [{ maxEventCount: '0' }, 'maxEventCount', 'range'],
  ])('refuses %j with 400 QueryParameterException naming the parameter and rule, in REST and GraphQL', async (query, parameter, rule) => {
    const res = await request(app.getHttpServer()).get('/epcis/events').query(query).set('Authorization', `Bearer ${key}`);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ type: 'epcisException:QueryParameterException', parameter, rule });
    // Page and order parameters are arguments of their own in GraphQL, checked in their own tests.
    const scalar = ['orderBy', 'orderDirection', 'eventCountLimit', 'maxEventCount'].some((p) => p in query);
    if (scalar || parameter === 'EQ_ILMD_lotNumber' || parameter === 'perPage' || parameter === 'nextPageToken') return;
    const [name, value] = Object.entries(query)[0];
    const graphValue = name.startsWith('GE_') ? value : [value];
    const viaGraph = await gql(app, EVENTS, { filter: { [name]: graphValue } }, key);
    expect(viaGraph.errors?.[0].extensions).toMatchObject({ code: 'INVALID_QUERY_PARAMETER', details: { parameter, rule } });
  });

  it('refuses a bad page size or cursor in GraphQL too', async () => {
    expect((await gql(app, EVENTS, { first: 0 }, key)).errors?.[0].extensions).toMatchObject({
      code: 'INVALID_QUERY_PARAMETER',
      details: { parameter: 'perPage' },
    });
    expect((await gql(app, EVENTS, { after: 'bm9wZQ' }, key)).errors?.[0].extensions).toMatchObject({
      code: 'INVALID_QUERY_PARAMETER',
      details: { parameter: 'nextPageToken' },
    });
    expect((await gql(app, EVENTS, {})).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });

  // Last: it captures events of its own, which the tests above do not expect.
  it('EQ_transformationID and EQ_persistentDisposition_set/_unset, in any spelling, REST and GraphQL alike', async () => {
    const commissioned = commissioningEvent({ eventTime: t(20), epcs: [packUrn('P10'), packUrn('P11')], lot: 'L2', expiry: '2028-01-31' });
    const held = {
      type: 'ObjectEvent',
      eventTime: t(21).toISOString(),
      eventTimeZoneOffset: '+00:00',
      epcList: [packUrn('P10')],
      action: 'OBSERVE',
      bizStep: 'inspecting',
      persistentDisposition: { set: ['https://ref.gs1.org/cbv/Disp-in_progress'], unset: ['active'] },
    };
    const transformed = {
      type: 'TransformationEvent',
      eventTime: t(22).toISOString(),
      eventTimeZoneOffset: '+00:00',
      transformationID: 'urn:example:transformation:42',
      inputEPCList: [packUrn('P11')],
      outputQuantityList: [{ epcClass: 'urn:epc:class:lgtin:0614141.007346.L3', quantity: 1 }],
      bizStep: 'https://ref.gs1.org/cbv/BizStep-transforming',
    };
    for (const event of [commissioned, held, transformed]) {
      const res = await request(app.getHttpServer()).post('/epcis/events').set('Authorization', `Bearer ${makerKey}`).send(event);
      expect([res.status, res.body]).toEqual([201, {}]);
    }
    const [heldHash, transformedHash] = eventHashes(epcisDocument([held, transformed])).map((h) => h.hash);
    expect(await rest({ EQ_transformationID: 'urn:example:transformation:42' })).toEqual([transformedHash]);
    expect(await rest({ EQ_transformationID: 'urn:example:transformation:41' })).toEqual([]);
    expect(await rest({ EQ_persistentDisposition_set: 'in_progress' })).toEqual([heldHash]);
    expect(await rest({ EQ_persistentDisposition_unset: 'https://ref.gs1.org/cbv/Disp-active|expired' })).toEqual([heldHash]);
    expect(await rest({ EQ_persistentDisposition_set: 'active' })).toEqual([]);
    expect(await graph({ EQ_persistentDisposition_unset: ['active'], EQ_transformationID: ['urn:example:transformation:42'] })).toEqual([]);
    expect(await graph({ EQ_transformationID: ['urn:example:transformation:42'] })).toEqual([transformedHash]);
  });
});
