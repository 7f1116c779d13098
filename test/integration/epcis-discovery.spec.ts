import { INestApplication } from '@nestjs/common';
import { commissioningEvent, epcisDocument, eventHashes, packingEvent, shippingEvent } from '@pharmatrace/epcis';
import request from 'supertest';
import { createOrganization, startApi, testConfig, useDatabase, withCheckDigit } from '../support/platform';

const GTIN = withCheckDigit('0061414107346');
const packUrn = (serial: string) => `urn:epc:id:sgtin:0614141.007346.${serial}`;
const packLink = (serial: string) => `https://id.gs1.org/01/${GTIN}/21/${serial}`;
const CASE_URN = 'urn:epc:id:sscc:0614141.1234567890';
const CASE_LINK = `https://id.gs1.org/00/${withCheckDigit('10614141234567890')}`;
const SITE_URN = 'urn:epc:id:sgln:0614141.00777.0';
const SITE_LINK = `https://id.gs1.org/414/${withCheckDigit('061414100777')}`;
const MAKER_GLN = withCheckDigit('061414100001');
const MAKER_PARTY = `https://id.gs1.org/417/${MAKER_GLN}`;
const DEPOT_PARTY = `https://id.gs1.org/417/${withCheckDigit('061414100888')}`;
const RIVAL_GLN = withCheckDigit('401234500001');
const RIVAL_URN = 'urn:epc:id:sgtin:4012345.011111.R1';
const RIVAL_LINK = `https://id.gs1.org/01/${withCheckDigit('0401234511111')}/21/R1`;
const RIVAL_SITE = `https://id.gs1.org/414/${RIVAL_GLN}`;
const POLISHING = 'https://rival.example/voc/BizStep-polishing';
const SHINY = 'https://rival.example/voc/Disp-shiny';
const t = (minute: number) => new Date(Date.UTC(2026, 4, 1, 8, minute));

const makerEvents = [
  commissioningEvent({
    eventTime: t(0),
    epcs: [packUrn('P1'), packUrn('P2')],
    lot: 'L1',
    expiry: '2028-01-31',
    readPoint: SITE_URN,
    bizLocation: SITE_URN,
  }),
  packingEvent({ eventTime: t(1), parent: CASE_URN, children: [packLink('P1'), packLink('P2')], bizLocation: SITE_URN }),
  // The step as a GS1 Web URI: stored as the CBV word, listed as `shipping`.
  {
    ...shippingEvent({ eventTime: t(2), epcs: [CASE_URN], from: MAKER_PARTY, to: DEPOT_PARTY }),
    bizStep: 'https://ref.gs1.org/cbv/BizStep-shipping',
  },
];
const rivalEvents = [
  commissioningEvent({ eventTime: t(3), epcs: [RIVAL_URN], lot: 'R', expiry: '2028-01-31', readPoint: RIVAL_SITE }),
  {
    type: 'ObjectEvent',
    eventTime: t(4).toISOString(),
    eventTimeZoneOffset: '+00:00',
    epcList: [RIVAL_LINK],
    action: 'OBSERVE',
    bizStep: POLISHING,
    disposition: SHINY,
    readPoint: { id: RIVAL_SITE },
    bizLocation: { id: RIVAL_SITE },
  },
];
const [commissioned, packed, shipped] = eventHashes(epcisDocument(makerEvents)).map((h) => h.hash);
const [rivalCommissioned, polished] = eventHashes(epcisDocument(rivalEvents)).map((h) => h.hash);

/** Every discovery header of the binding's 204DefaultDiscoveryResponse. */
const DISCOVERY_HEADERS = [
  'allow',
  'gs1-epcis-version',
  'gs1-epcis-min',
  'gs1-epcis-max',
  'gs1-cbv-version',
  'gs1-cbv-min',
  'gs1-cbv-max',
  'gs1-epc-format',
  'gs1-cbv-xml-format',
  'gs1-extensions',
  'gs1-vendor-version',
];

describe('EPCIS 2.0 REST binding: discovery and browsing (real Postgres)', () => {
  let app: INestApplication;
  let maker: string;
  let rival: string;
  let regulator: string;
  afterAll(() => app?.close());
  const dbUrl = useDatabase();

  beforeAll(async () => {
    app = await startApi(testConfig({ DATABASE_URL: dbUrl() }));
    ({ apiKey: maker } = await createOrganization(app, {
      name: 'Maker',
      role: 'MANUFACTURER',
      gln: MAKER_GLN,
      companyPrefixes: ['0614141'],
    }));
    ({ apiKey: rival } = await createOrganization(app, {
      name: 'Rival',
      role: 'MANUFACTURER',
      gln: RIVAL_GLN,
      companyPrefixes: ['4012345'],
    }));
    ({ apiKey: regulator } = await createOrganization(app, { name: 'Regulator', role: 'REGULATOR', gln: withCheckDigit('061414100999') }));
    for (const [key, events] of [
      [maker, makerEvents],
      [rival, rivalEvents],
    ] as const) {
      for (const event of events) {
        const res = await http().post('/epcis/events').set(auth(key)).send(event);
        expect({ status: res.status, body: res.body }).toEqual({ status: 201, body: {} });
      }
    }
  });

  const http = () => request(app.getHttpServer());
  const auth = (key: string) => ({ Authorization: `Bearer ${key}` });
  const get = (url: string, key = regulator) => http().get(url).set(auth(key));
  const path = (resource: string, value: string, rest = '') => `/epcis/${resource}/${encodeURIComponent(value)}${rest}`;
  const hashesOf = (res: request.Response) => eventHashes(res.body).map((h) => h.hash);

  function expectCollection(res: request.Response, member: string[]) {
    expect({ status: res.status, body: res.body }).toEqual({
      status: 200,
      body: { '@context': 'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld', type: 'Collection', member },
    });
    expect(res.headers['content-type']).toMatch(/^application\/ld\+json/);
    expect(res.headers['gs1-epcis-version']).toBe('2.0.0');
    expect(res.headers['gs1-cbv-version']).toBe('2.0.0');
  }

  function expectProblem(res: request.Response, status: number, type: string, extra: Record<string, unknown> = {}) {
    expect({ status: res.status, type: res.body.type, ...Object.fromEntries(Object.keys(extra).map((k) => [k, res.body[k]])) }).toEqual({
      status,
      type: `epcisException:${type}`,
      ...extra,
    });
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  }

  /** Every page of a list, following `Link: <…>; rel="next"` as a client would; each page at most `perPage`. */
  async function walk(url: string, perPage: number, key = regulator): Promise<{ members: string[]; pages: number }> {
    const members: string[] = [];
    let next: string | undefined = `${url}?perPage=${perPage}`;
    let pages = 0;
    while (next) {
      const res = await get(next, key);
      expect(res.status).toBe(200);
      expect(res.body.member.length).toBeLessThanOrEqual(perPage);
      members.push(...res.body.member);
      pages++;
      next = /<([^>]+)>; rel="next"/.exec(res.headers.link ?? '')?.[1];
      expect(pages).toBeLessThan(20);
    }
    return { members, pages };
  }

  it('answers OPTIONS on every discovery and browsing path, and on capture and events, with every discovery header', async () => {
    const paths = [
      '/epcis',
      ...['eventTypes', 'epcs', 'bizSteps', 'bizLocations', 'readPoints', 'dispositions'].flatMap((r) => [
        `/epcis/${r}`,
        `/epcis/${r}/x`,
        `/epcis/${r}/x/events`,
      ]),
    ];
    for (const url of paths) {
      const res = await http().options(url);
      expect({ url, status: res.status, allow: res.headers.allow }).toEqual({ url, status: 204, allow: 'OPTIONS, GET' });
      for (const header of DISCOVERY_HEADERS)
        expect({ url, header, present: res.headers[header] !== undefined }).toEqual({ url, header, present: true });
    }
    for (const url of ['/epcis/capture', '/epcis/capture/00000000-0000-0000-0000-000000000000', '/epcis/events', '/epcis/events/x']) {
      const res = await http().options(url);
      expect(res.status).toBe(204);
      for (const header of DISCOVERY_HEADERS)
        expect({ url, header, present: res.headers[header] !== undefined }).toEqual({ url, header, present: true });
    }
    const root = await http().options('/epcis');
    expect(root.headers).toMatchObject({
      'gs1-epcis-min': '2.0.0',
      'gs1-epcis-max': '2.0.0',
      'gs1-cbv-min': '2.0.0',
      'gs1-cbv-max': '2.0.0',
      'gs1-extensions': 'pt=https://pharmatrace.org/voc/',
      'gs1-epc-format': 'No_Preference',
      'gs1-cbv-xml-format': 'No_Preference',
    });
  });

  it('GET /epcis lists the nine top-level resources; it needs an API key', async () => {
    expectCollection(await get('/epcis'), [
      'events',
      'eventTypes',
      'epcs',
      'bizSteps',
      'bizLocations',
      'readPoints',
      'dispositions',
      'capture',
      'queries',
    ]);
    expectProblem(await http().get('/epcis'), 401, 'SecurityException');
    expectProblem(await http().get('/epcis/epcs'), 401, 'SecurityException');
  });

  it('eventTypes: the five types, paged; each one has events; an unknown one is 404, a malformed one 400', async () => {
    const types = ['AggregationEvent', 'AssociationEvent', 'ObjectEvent', 'TransactionEvent', 'TransformationEvent'];
    expectCollection(await get('/epcis/eventTypes'), types);
    expect(await walk('/epcis/eventTypes', 2)).toEqual({ members: types, pages: 3 });
    expectCollection(await get('/epcis/eventTypes/ObjectEvent'), ['events']);
    const aggregations = await get('/epcis/eventTypes/AggregationEvent/events');
    expect({ status: aggregations.status, type: aggregations.body.type }).toEqual({ status: 200, type: 'EPCISQueryDocument' });
    expect(hashesOf(aggregations)).toEqual([packed]);
    expectProblem(await get(path('eventTypes', 'https://example.org/CustomEvent')), 404, 'NoSuchResourceException', {
      code: 'RESOURCE_NOT_FOUND',
    });
    expectProblem(await get('/epcis/eventTypes/Thing'), 400, 'QueryParameterException', { parameter: 'eventType' });
    expectProblem(await get('/epcis/eventTypes/ObjectEvent/events?eventType=AggregationEvent'), 400, 'QueryParameterException', {
      parameter: 'eventType',
      rule: 'path-parameter',
    });
  });

  it('epcs: every EPC of the readable events once, as stored (canonical Digital Link), paged with Link and nextPageToken', async () => {
    const all = [packLink('P1'), packLink('P2'), CASE_LINK, RIVAL_LINK];
    const whole = await get('/epcis/epcs');
    expect(whole.status).toBe(200);
    expect([...whole.body.member].sort()).toEqual([...all].sort());
    expect(whole.headers.link).toBeUndefined();
    // Pages of one, then of three: the same values in the same order, none twice.
    expect(await walk('/epcis/epcs', 1)).toEqual({ members: whole.body.member, pages: 4 });
    expect(await walk('/epcis/epcs', 3)).toEqual({ members: whole.body.member, pages: 2 });
    const first = await get('/epcis/epcs?perPage=1');
    expect(first.headers.link).toMatch(/^<\/epcis\/epcs\?perPage=1&nextPageToken=[\w-]+>; rel="next"$/);
    const token = new URL(/<([^>]+)>/.exec(first.headers.link)![1], 'http://x').searchParams.get('nextPageToken')!;
    // A token is tied to its list, and a forged one is refused.
    expectProblem(await get(`/epcis/bizSteps?nextPageToken=${token}`), 400, 'QueryParameterException', { parameter: 'nextPageToken' });
    expectProblem(await get('/epcis/epcs?nextPageToken=forged'), 400, 'QueryParameterException', { parameter: 'nextPageToken' });
    expectProblem(await get('/epcis/epcs?perPage=0'), 400, 'QueryParameterException', { parameter: 'perPage' });
    expectProblem(await get('/epcis/epcs?EQ_bizStep=shipping'), 400, 'QueryParameterException', { parameter: 'EQ_bizStep' });
  });

  it('epcs/{epc}: URN or URL-encoded Digital Link; its events in any role, filtered and paged like /events', async () => {
    for (const spelling of [packUrn('P1'), packLink('P1')]) {
      expectCollection(await get(path('epcs', spelling)), ['events']);
      // Commissioned as epcList, packed as a child.
      expect(hashesOf(await get(path('epcs', spelling, '/events')))).toEqual([commissioned, packed]);
    }
    expect(hashesOf(await get(path('epcs', CASE_URN, '/events')))).toEqual([packed, shipped]);
    expect(hashesOf(await get(path('epcs', CASE_URN, '/events?EQ_bizStep=shipping')))).toEqual([shipped]);
    const page = await get(path('epcs', CASE_URN, '/events?perPage=1'));
    expect(hashesOf(page)).toEqual([packed]);
    const next = /<([^>]+)>; rel="next"/.exec(page.headers.link)![1];
    expect(next.startsWith(`/epcis/epcs/${encodeURIComponent(CASE_URN)}/events?perPage=1&nextPageToken=`)).toBe(true);
    expect(hashesOf(await get(next))).toEqual([shipped]);
    const xml = await get(path('epcs', CASE_URN, '/events')).set('Accept', 'application/xml');
    expect(xml.headers['content-type']).toMatch(/^application\/xml/);
    expect(xml.text).toContain('EPCISQueryDocument');
  });

  it('epcs/{epc}: 400 for what is no EPC, naming the parameter; 404 for an EPC no readable event names', async () => {
    for (const bad of ['not-an-epc', 'urn:epc:id:sgtin:0614141.007346', 'https://example.org/thing']) {
      expectProblem(await get(path('epcs', bad)), 400, 'QueryParameterException', { parameter: 'epc' });
      expectProblem(await get(path('epcs', bad, '/events')), 400, 'QueryParameterException', { parameter: 'epc' });
    }
    expectProblem(await get(path('epcs', packUrn('NEVER'))), 404, 'NoSuchResourceException', { code: 'RESOURCE_NOT_FOUND' });
    expectProblem(await get(path('epcs', packUrn('NEVER'), '/events')), 404, 'NoSuchResourceException');
    // A GTIN pattern names no one EPC.
    expectProblem(await get(path('epcs', 'urn:epc:idpat:sgtin:0614141.007346.*')), 404, 'NoSuchResourceException');
  });

  it('read policy: another organization’s EPC, step, disposition and location are neither listed nor found', async () => {
    expect([...(await get('/epcis/epcs', maker)).body.member].sort()).toEqual([packLink('P1'), packLink('P2'), CASE_LINK].sort());
    expect((await get('/epcis/epcs', rival)).body.member).toEqual([RIVAL_LINK]);
    for (const spelling of [RIVAL_URN, RIVAL_LINK]) {
      expectProblem(await get(path('epcs', spelling), maker), 404, 'NoSuchResourceException');
      expectProblem(await get(path('epcs', spelling, '/events'), maker), 404, 'NoSuchResourceException');
      expectCollection(await get(path('epcs', spelling), rival), ['events']);
    }
    // Exactly as an absent EPC is answered.
    const hidden = await get(path('epcs', RIVAL_URN), maker);
    const absent = await get(path('epcs', packUrn('NEVER')), maker);
    expect(hidden.body.title).toBe(absent.body.title);
    expect((await get('/epcis/bizSteps', maker)).body.member).not.toContain(POLISHING);
    expect((await get('/epcis/dispositions', maker)).body.member).not.toContain(SHINY);
    expect((await get('/epcis/readPoints', maker)).body.member).toEqual([SITE_URN]);
    expectProblem(await get(path('bizSteps', POLISHING), maker), 404, 'NoSuchResourceException');
    expectProblem(await get(path('readPoints', RIVAL_SITE, '/events'), maker), 404, 'NoSuchResourceException');
    expect(hashesOf(await get(path('bizSteps', POLISHING, '/events'), rival))).toEqual([polished]);
  });

  it('bizSteps and dispositions: stored values once (CBV words, custom URIs as written); any CBV spelling finds one', async () => {
    const steps = await get('/epcis/bizSteps');
    expect([...steps.body.member].sort()).toEqual(['commissioning', 'packing', 'shipping', POLISHING].sort());
    expect((await walk('/epcis/bizSteps', 3)).members).toEqual(steps.body.member);
    const dispositions = await get('/epcis/dispositions');
    expect([...dispositions.body.member].sort()).toEqual(['active', 'in_progress', 'in_transit', SHINY].sort());
    for (const spelling of ['shipping', 'urn:epcglobal:cbv:bizstep:shipping', 'https://ref.gs1.org/cbv/BizStep-shipping']) {
      expectCollection(await get(path('bizSteps', spelling)), ['events']);
      expect(hashesOf(await get(path('bizSteps', spelling, '/events')))).toEqual([shipped]);
    }
    expect(hashesOf(await get(path('dispositions', 'urn:epcglobal:cbv:disp:active', '/events')))).toEqual([
      commissioned,
      rivalCommissioned,
    ]);
    expect(hashesOf(await get(path('dispositions', 'active', '/events?MATCH_epc=' + encodeURIComponent(RIVAL_URN))))).toEqual([
      rivalCommissioned,
    ]);
    expectProblem(await get(path('bizSteps', 'stocking')), 404, 'NoSuchResourceException');
    expectProblem(await get(path('dispositions', 'https://example.org/never')), 404, 'NoSuchResourceException');
    expectProblem(await get(path('bizSteps', 'Not A Step')), 400, 'QueryParameterException', { parameter: 'bizStep', rule: 'uri' });
    expectProblem(await get(path('dispositions', 'a|b')), 400, 'QueryParameterException', { parameter: 'disposition' });
    expectProblem(await get(path('bizSteps', 'shipping', '/events?EQ_bizStep=packing')), 400, 'QueryParameterException', {
      parameter: 'EQ_bizStep',
      rule: 'path-parameter',
    });
  });

  it('readPoints and bizLocations: as written; a URN finds a Digital Link and back; no URI is 400', async () => {
    expect([...(await get('/epcis/readPoints')).body.member].sort()).toEqual([SITE_URN, RIVAL_SITE].sort());
    expect([...(await get('/epcis/bizLocations')).body.member].sort()).toEqual([SITE_URN, RIVAL_SITE].sort());
    expect(await walk('/epcis/bizLocations', 1)).toEqual({ members: (await get('/epcis/bizLocations')).body.member, pages: 2 });
    for (const spelling of [SITE_URN, SITE_LINK]) {
      expectCollection(await get(path('bizLocations', spelling)), ['events']);
      expect(hashesOf(await get(path('bizLocations', spelling, '/events')))).toEqual([commissioned, packed]);
      expect(hashesOf(await get(path('readPoints', spelling, '/events')))).toEqual([commissioned]);
    }
    expect(hashesOf(await get(path('readPoints', 'urn:epc:id:sgln:4012345.00001.0', '/events')))).toEqual([rivalCommissioned, polished]);
    expectProblem(await get(path('readPoints', 'warehouse 7')), 400, 'QueryParameterException', { parameter: 'readPoint', rule: 'uri' });
    expectProblem(await get(path('bizLocations', 'shipping')), 400, 'QueryParameterException', { parameter: 'bizLocation' });
    expectProblem(await get(path('bizLocations', 'urn:epc:id:sgln:0614141.00999.0')), 404, 'NoSuchResourceException');
    expectProblem(await get(path('bizLocations', SITE_URN, '/events?GE_eventTime=yesterday')), 400, 'QueryParameterException', {
      parameter: 'GE_eventTime',
    });
  });

  it('DELETE /epcis/nextPageToken/{token}: 204 for a token this server issued, 404 NoSuchResourceException otherwise', async () => {
    const list = await get('/epcis/epcs?perPage=1');
    const events = await get('/epcis/events?perPage=1');
    for (const res of [list, events]) {
      const token = new URL(/<([^>]+)>/.exec(res.headers.link)![1], 'http://x').searchParams.get('nextPageToken')!;
      const deleted = await http().delete(`/epcis/nextPageToken/${token}`).set(auth(regulator));
      expect(deleted.status).toBe(204);
    }
    expectProblem(await http().delete('/epcis/nextPageToken/forged').set(auth(regulator)), 404, 'NoSuchResourceException', {
      code: 'PAGE_TOKEN_NOT_FOUND',
    });
    expectProblem(await http().delete('/epcis/nextPageToken/forged'), 401, 'SecurityException');
  });
});
