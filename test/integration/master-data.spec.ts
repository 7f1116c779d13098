import { INestApplication } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { EventQueryRepository } from '@pharmatrace/persistence';
import { Client } from 'pg';
import request from 'supertest';
import {
  CAPTURE,
  createOrganization,
  gql,
  postStreamedCapture,
  startApi,
  testConfig,
  useDatabase,
  withCheckDigit,
} from '../support/platform';

/** The DSCSA-style EPCIS 1.2 document: product and location master data in its header, one commissioning event. */
const DSCSA = readFileSync(path.join(__dirname, '../fixtures/dscsa-master-data-1.2.xml'), 'utf8');
const MDA = 'urn:epcglobal:cbv:mda#';
const PRODUCT = 'urn:epc:idpat:sgtin:0312345.012345.*';
const GTIN = withCheckDigit('0031234512345');
const PLANT = 'urn:epc:id:sgln:0312345.00000.0';
const DOCK = 'urn:epc:id:sgln:0312345.00000.dock1';

const MASTER_DATA = `query($type: String!, $ids: [String!]!) {
  masterData(type: $type, ids: $ids) { type id attributes { id value } children capturedBy capturedAt } }`;
const EVENTS = `query($filter: EventFilter) { events(filter: $filter, first: 50) { edges { node { eventHash } } } }`;
const VERIFY = `query($c: String!) { verify(code: $c) { status product { gtin name strength dosageForm } } }`;

/** A 2.0 JSON-LD document: a packaging line with a station under it, and one event read at the station. */
function jsonLdDocument(serial: string) {
  return {
    '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'],
    type: 'EPCISDocument',
    schemaVersion: '2.0',
    creationDate: '2026-02-03T08:00:00Z',
    epcisHeader: {
      epcisMasterData: {
        vocabularyList: [
          {
            type: 'urn:epcglobal:epcis:vtype:ReadPoint',
            vocabularyElementList: [
              {
                id: 'urn:epc:id:sgln:0312345.00000.line1',
                attributes: [{ id: 'cbvmda:name', attribute: 'Packaging line 1' }],
                children: ['https://id.gs1.org/414/' + withCheckDigit('031234500000') + '/254/station3'],
              },
              { id: 'urn:epc:id:sgln:0312345.00000.station3', attributes: [{ id: 'cbvmda:name', attribute: 'Serialisation station' }] },
            ],
          },
        ],
      },
    },
    epcisBody: {
      eventList: [
        {
          type: 'ObjectEvent',
          eventTime: '2026-02-03T09:00:00.000Z',
          eventTimeZoneOffset: '+00:00',
          epcList: [`urn:epc:id:sgtin:0312345.012345.${serial}`],
          action: 'ADD',
          bizStep: 'commissioning',
          disposition: 'active',
          readPoint: { id: 'urn:epc:id:sgln:0312345.00000.station3' },
          ilmd: { 'cbvmda:lotNumber': 'MDLOT2', 'cbvmda:itemExpirationDate': '2028-06-30' },
        },
      ],
    },
  };
}

describe('master data: captured from EPCIS 1.2 and 2.0 headers, read back, in verify and in event queries (real Postgres)', () => {
  let app: INestApplication;
  let baseUrl: string;
  const orgs: Record<'maker' | 'partner' | 'stranger' | 'regulator', { apiKey: string; id: string; gln: string }> = {} as never;
  const dbUrl = useDatabase();
  afterAll(() => app?.close());

  const http = () => request(app.getHttpServer());
  const auth = (who: keyof typeof orgs) => ({ Authorization: `Bearer ${orgs[who].apiKey}` });

  async function jobOutcome(location: string, who: keyof typeof orgs = 'maker') {
    for (let i = 0; i < 400; i++) {
      const job = await http().get(location).set(auth(who));
      if (!job.body.running) return job.body;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`${location} still running`);
  }

  async function captureXml(xml: string) {
    const res = await http().post('/epcis/capture').set(auth('maker')).set('Content-Type', 'application/xml').send(xml);
    expect(res.status).toBe(202);
    return jobOutcome(res.headers.location);
  }

  async function masterData(who: keyof typeof orgs, type: string, ids: string[]) {
    const res = await gql(app, MASTER_DATA, { type, ids }, orgs[who].apiKey);
    expect(res.errors).toBeUndefined();
    return res.data.masterData as {
      type: string;
      id: string;
      attributes: { id: string; value: unknown }[];
      children: string[];
      capturedBy: string;
      capturedAt: string;
    }[];
  }

  const attributesOf = (element: { attributes: { id: string; value: unknown }[] }) =>
    Object.fromEntries(element.attributes.map((a) => [a.id, a.value]));

  async function restEvents(query: Record<string, string | string[]>, who: keyof typeof orgs = 'maker') {
    const res = await http().get('/epcis/events').query(query).set(auth(who)).set('GS1-EPC-Format', 'Never_Translates');
    expect(res.status).toBe(200);
    return (res.body.epcisBody.queryResults.resultsBody.eventList as { epcList?: string[] }[]).flatMap((e) => e.epcList ?? []);
  }

  async function graphqlEventCount(filter: Record<string, unknown>, who: keyof typeof orgs = 'maker') {
    const res = await gql(app, EVENTS, { filter }, orgs[who].apiKey);
    expect(res.errors).toBeUndefined();
    return res.data.events.edges.length as number;
  }

  beforeAll(async () => {
    app = await startApi(testConfig({ DATABASE_URL: dbUrl() }));
    await app.listen(0, '127.0.0.1');
    baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    orgs.maker = await createOrganization(app, {
      name: 'Example Pharma',
      role: 'MANUFACTURER',
      gln: withCheckDigit('031234500000'),
      companyPrefixes: ['0312345'],
    });
    orgs.partner = await createOrganization(app, { name: 'Partner Wholesale', role: 'DISTRIBUTOR', gln: withCheckDigit('095000000001') });
    orgs.stranger = await createOrganization(app, { name: 'Stranger Pharmacy', role: 'DISPENSER', gln: withCheckDigit('097000000001') });
    orgs.regulator = await createOrganization(app, { name: 'Agency', role: 'REGULATOR', gln: withCheckDigit('099000000001') });
  });

  it('captures the DSCSA 1.2 fixture over REST XML and reads back every attribute, child and structure in GraphQL', async () => {
    expect(await captureXml(DSCSA)).toMatchObject({ success: true, capturedCount: 1 });

    const [product] = await masterData('maker', 'EPCClass', [PRODUCT]);
    expect(product).toMatchObject({ type: 'urn:epcglobal:epcis:vtype:EPCClass', id: PRODUCT, children: [], capturedBy: orgs.maker.id });
    expect(attributesOf(product)).toEqual({
      [`${MDA}additionalTradeItemIdentification`]: '12345-1234-5',
      [`${MDA}additionalTradeItemIdentificationTypeCode`]: 'FDA_NDC_11',
      [`${MDA}regulatedProductName`]: 'Amoxicillin Capsules USP',
      [`${MDA}drugName`]: 'Amoxicillin',
      [`${MDA}manufacturerOfTradeItemPartyName`]: 'Example Pharma Inc.',
      [`${MDA}dosageFormType`]: 'CAPSULE',
      [`${MDA}strengthDescription`]: '500 mg',
      [`${MDA}netContentDescription`]: '100 capsules',
    });

    // Asked for by the Digital Link of the GTIN and of the plant's GLN: any spelling finds the element.
    expect((await masterData('maker', 'urn:epcglobal:epcis:vtype:EPCClass', [`https://id.gs1.org/01/${GTIN}`])).map((e) => e.id)).toEqual([
      PRODUCT,
    ]);
    const locations = await masterData('maker', 'BusinessLocation', [`https://id.gs1.org/414/${orgs.maker.gln}`, DOCK]);
    const byId = Object.fromEntries(locations.map((l) => [l.id, l]));
    expect(Object.keys(byId).sort()).toEqual([DOCK, PLANT].sort());
    expect(byId[PLANT].children).toEqual([DOCK]);
    expect(attributesOf(byId[PLANT])).toEqual({
      [`${MDA}name`]: 'Example Pharma Plant',
      [`${MDA}streetAddressOne`]: '1 Industrial Way',
      [`${MDA}city`]: 'Durham',
      [`${MDA}state`]: 'NC',
      [`${MDA}postalCode`]: '27701',
      [`${MDA}countryCode`]: 'US',
    });
    expect(attributesOf(byId[DOCK])).toEqual({
      [`${MDA}name`]: 'Shipping dock 1',
      'http://example.com/mda/address': {
        '@context': { ex: 'http://example.com/ns' },
        'ex:Address': { 'ex:Street': '1 Industrial Way, Gate B', 'ex:City': 'Durham' },
      },
    });
  });

  it('verify shows the product name, strength and dosage form of a GTIN with master data, and none without', async () => {
    const withMasterData = await gql(app, VERIFY, { c: `(01)${GTIN}(21)MD1001(10)MDLOT1(17)280630` }, orgs.stranger.apiKey);
    expect(withMasterData.data.verify.product).toEqual({
      gtin: GTIN,
      name: 'Amoxicillin Capsules USP',
      strength: '500 mg',
      dosageForm: 'CAPSULE',
    });
    const otherGtin = withCheckDigit('0031234599999');
    const without = await gql(app, VERIFY, { c: `(01)${otherGtin}(21)X1(10)L1(17)280630` }, orgs.stranger.apiKey);
    expect(without.data.verify.product).toEqual({ gtin: otherGtin, name: null, strength: null, dosageForm: null });
  });

  it('a later capture is a new version and the latest wins; the same element sent again adds no version', async () => {
    const before = (await masterData('maker', 'BusinessLocation', [DOCK]))[0];
    // Re-sent as it was (capture is idempotent): nothing changes, not even the capture time.
    expect(await captureXml(DSCSA)).toMatchObject({ success: true, capturedCount: 0, duplicateCount: 1 });
    expect((await masterData('maker', 'BusinessLocation', [DOCK]))[0]).toEqual(before);
    // Streamed (chunked body), with a new name for the dock.
    const renamed = DSCSA.replace('Shipping dock 1', 'Shipping dock 1 (north)');
    const res = await postStreamedCapture(baseUrl, { ...auth('maker'), 'Content-Type': 'application/xml' }, [Buffer.from(renamed)]);
    expect(res.status).toBe(202);
    expect(await jobOutcome(res.headers.get('location')!)).toMatchObject({ success: true });
    const after = (await masterData('maker', 'BusinessLocation', [DOCK]))[0];
    expect(attributesOf(after)[`${MDA}name`]).toBe('Shipping dock 1 (north)');
    expect(new Date(after.capturedAt).getTime()).toBeGreaterThan(new Date(before.capturedAt).getTime());
    expect((await masterData('maker', 'BusinessLocation', [DOCK])).length).toBe(1);
  });

  it('captures a 2.0 JSON-LD document with master data through GraphQL, compact attribute ids expanded', async () => {
    const res = await gql(app, CAPTURE, { document: jsonLdDocument('MD2001') }, orgs.maker.apiKey);
    expect(res.errors).toBeUndefined();
    const [line] = await masterData('maker', 'ReadPoint', ['urn:epc:id:sgln:0312345.00000.line1']);
    expect(attributesOf(line)).toEqual({ [`${MDA}name`]: 'Packaging line 1' });
    expect(line.children).toEqual([`https://id.gs1.org/414/${orgs.maker.gln}/254/station3`]);
  });

  it('captures a 2.0 JSON-LD document with master data over REST JSON, streamed', async () => {
    const document = jsonLdDocument('MD2002');
    document.epcisHeader.epcisMasterData.vocabularyList[0].vocabularyElementList[1].attributes[0].attribute = 'Station 3';
    const res = await postStreamedCapture(baseUrl, { ...auth('maker'), 'Content-Type': 'application/ld+json' }, [
      Buffer.from(JSON.stringify(document)),
    ]);
    expect(res.status).toBe(202);
    expect(await jobOutcome(res.headers.get('location')!)).toMatchObject({ success: true, capturedCount: 1 });
    const [station] = await masterData('maker', 'ReadPoint', ['urn:epc:id:sgln:0312345.00000.station3']);
    expect(attributesOf(station)).toEqual({ [`${MDA}name`]: 'Station 3' });
  });

  it('WD_bizLocation and WD_readPoint match the location and its descendants by the stored hierarchy, in REST and GraphQL', async () => {
    expect(await restEvents({ WD_bizLocation: PLANT })).toEqual([
      'urn:epc:id:sgtin:0312345.012345.MD1001',
      'urn:epc:id:sgtin:0312345.012345.MD1002',
    ]);
    expect(await restEvents({ WD_bizLocation: DOCK })).toHaveLength(2);
    expect(await restEvents({ WD_bizLocation: 'urn:epc:id:sgln:0312345.00000.dock2' })).toEqual([]);
    // EQ_bizLocation does not descend.
    expect(await restEvents({ EQ_bizLocation: PLANT })).toEqual([]);
    // The read point hierarchy: line1 → station3 (a child written as Digital Link) → both JSON-LD events.
    expect(await restEvents({ WD_readPoint: 'urn:epc:id:sgln:0312345.00000.line1' })).toEqual([
      'urn:epc:id:sgtin:0312345.012345.MD2001',
      'urn:epc:id:sgtin:0312345.012345.MD2002',
    ]);
    // BusinessLocation master data says nothing of read points.
    expect(await restEvents({ WD_readPoint: PLANT })).toEqual([]);
    expect(await graphqlEventCount({ WD_bizLocation: [PLANT] })).toBe(1);
    expect(await graphqlEventCount({ WD_readPoint: ['urn:epc:id:sgln:0312345.00000.line1'] })).toBe(2);
    expect(await graphqlEventCount({ WD_bizLocation: ['urn:epc:id:sgln:0312345.00000.dock2'] })).toBe(0);
  });

  it('EQ_ATTR_ and HASATTR_ match events whose location or product class has the attribute, in REST and GraphQL', async () => {
    expect(await restEvents({ [`EQ_ATTR_bizLocation_${MDA}name`]: 'Shipping dock 1 (north)' })).toHaveLength(2);
    expect(await restEvents({ [`EQ_ATTR_bizLocation_${MDA}name`]: 'Shipping dock 1' })).toEqual([]);
    expect(await restEvents({ 'EQ_ATTR_epcClass_cbvmda:dosageFormType': 'CAPSULE' })).toHaveLength(4);
    expect(await restEvents({ 'EQ_ATTR_epcClass_cbvmda:dosageFormType': 'TABLET' })).toEqual([]);
    expect(await restEvents({ 'EQ_ATTR_readPoint_urn:epcglobal:cbv:mda:name': 'Station 3' })).toEqual([
      'urn:epc:id:sgtin:0312345.012345.MD2001',
      'urn:epc:id:sgtin:0312345.012345.MD2002',
    ]);
    expect(await restEvents({ HASATTR_bizLocation: `${MDA}name` })).toHaveLength(2);
    expect(await restEvents({ HASATTR_bizLocation: `${MDA}sst` })).toEqual([]);
    expect(await restEvents({ HASATTR_epcClass: 'cbvmda:strengthDescription' })).toHaveLength(4);
    expect(await restEvents({ HASATTR_readPoint: `${MDA}city` })).toEqual([]);

    expect(await graphqlEventCount({ EQ_ATTR: [{ type: 'epcClass_cbvmda:strengthDescription', values: ['500 mg'] }] })).toBe(3);
    expect(await graphqlEventCount({ EQ_ATTR: [{ type: 'epcClass_cbvmda:strengthDescription', values: ['250 mg'] }] })).toBe(0);
    expect(await graphqlEventCount({ HASATTR_bizLocation: [`${MDA}countryCode`] })).toBe(0);
    expect(await graphqlEventCount({ HASATTR_readPoint: [`${MDA}name`] })).toBe(2);
  });

  it('refuses a master-data parameter it cannot read with 400 naming it', async () => {
    const res = await http().get('/epcis/events').query({ EQ_ATTR_disposition_x: 'y' }).set(auth('maker'));
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      type: 'epcisException:QueryParameterException',
      parameter: 'EQ_ATTR_disposition_x',
      rule: 'master-data-field',
    });
  });

  it('refuses bad master data with 400 naming the field: an element or an attribute without id', async () => {
    const noId = DSCSA.replace(`<VocabularyElement id="${DOCK}">`, '<VocabularyElement>');
    const res = await http().post('/epcis/capture').set(auth('maker')).set('Content-Type', 'application/xml').send(noId);
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain('/epcisHeader/epcisMasterData/vocabularyList/1/vocabularyElementList/1');
    const document = jsonLdDocument('MD2003');
    (document.epcisHeader.epcisMasterData.vocabularyList[0].vocabularyElementList[0].attributes[0] as Record<string, unknown>).id =
      undefined;
    const refused = await gql(app, CAPTURE, { document }, orgs.maker.apiKey);
    expect(refused.errors?.[0].extensions).toMatchObject({ code: 'INVALID_DOCUMENT' });
    expect(JSON.stringify(refused.errors?.[0].extensions)).toContain(
      '/epcisHeader/epcisMasterData/vocabularyList/0/vocabularyElementList/0/attributes/0',
    );
    // Streamed: reported in the job, and nothing of the document is stored.
    const streamed = await postStreamedCapture(baseUrl, { ...auth('maker'), 'Content-Type': 'application/xml' }, [
      Buffer.from(noId.replace(/MD100/g, 'MD300')),
    ]);
    expect(await jobOutcome(streamed.headers.get('location')!)).toMatchObject({
      success: false,
      errors: [{ field: '/epcisHeader/epcisMasterData/vocabularyList/1/vocabularyElementList/1/id', rule: 'required:id' }],
    });
    expect(await restEvents({ MATCH_epc: 'urn:epc:id:sgtin:0312345.012345.MD3001' })).toEqual([]);
  });

  it("read policy: the capturer's master data is read by itself, by those who may read one of its events, and by a regulator", async () => {
    expect(await masterData('stranger', 'BusinessLocation', [PLANT])).toEqual([]);
    expect(await restEvents({ WD_bizLocation: PLANT }, 'stranger')).toEqual([]);
    expect((await masterData('regulator', 'BusinessLocation', [PLANT])).map((e) => e.capturedBy)).toEqual([orgs.maker.id]);
    expect(await restEvents({ WD_bizLocation: PLANT }, 'regulator')).toHaveLength(2);

    // The partner publishes its own location master data; only it (and the regulator) read it so far.
    // The partner's own GLN (0950000 00001 + check digit) as an SGLN.
    const partnerSite = 'urn:epc:id:sgln:0950000.00001.0';
    const own = {
      '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'],
      type: 'EPCISDocument',
      schemaVersion: '2.0',
      creationDate: '2026-02-04T08:00:00Z',
      epcisHeader: {
        epcisMasterData: {
          vocabularyList: [
            {
              type: 'urn:epcglobal:epcis:vtype:BusinessLocation',
              vocabularyElementList: [{ id: partnerSite, attributes: [{ id: 'cbvmda:name', attribute: 'Partner DC' }] }],
            },
          ],
        },
      },
      epcisBody: { eventList: [] },
    };
    expect((await gql(app, CAPTURE, { document: own }, orgs.partner.apiKey)).errors).toBeUndefined();
    expect((await masterData('partner', 'BusinessLocation', [partnerSite])).map((e) => e.capturedBy)).toEqual([orgs.partner.id]);
    expect(await masterData('maker', 'BusinessLocation', [partnerSite])).toEqual([]);
    expect(await masterData('partner', 'BusinessLocation', [PLANT])).toEqual([]);

    // The maker records an event at the partner's site: the partner is party to it, so reads the maker's master data.
    const observed = {
      ...own,
      epcisHeader: undefined,
      epcisBody: {
        eventList: [
          {
            type: 'ObjectEvent',
            eventTime: '2026-02-04T09:00:00.000Z',
            eventTimeZoneOffset: '+00:00',
            epcList: ['urn:epc:id:sgtin:0312345.012345.MD1001'],
            action: 'OBSERVE',
            bizStep: 'inspecting',
            bizLocation: { id: partnerSite },
          },
        ],
      },
    };
    expect((await gql(app, CAPTURE, { document: observed }, orgs.maker.apiKey)).errors).toBeUndefined();
    expect((await masterData('partner', 'BusinessLocation', [PLANT])).map((e) => e.id)).toEqual([PLANT]);
    expect(await masterData('stranger', 'BusinessLocation', [PLANT])).toEqual([]);
    // Event filters read master data by the same rule: the maker's event at the partner's site is found by the
    // partner's master data for the partner and the regulator, never for the maker, which may not read it.
    const partnerNamed = { 'EQ_ATTR_bizLocation_cbvmda:name': 'Partner DC' };
    expect(await restEvents(partnerNamed, 'partner')).toEqual(['urn:epc:id:sgtin:0312345.012345.MD1001']);
    expect(await restEvents(partnerNamed, 'regulator')).toEqual(['urn:epc:id:sgtin:0312345.012345.MD1001']);
    expect(await restEvents(partnerNamed, 'maker')).toEqual([]);
  });

  it('decides the read rule for the capturers of what it found, not for every organization that published master data', async () => {
    // 25 other organizations have published product master data: a national registry has thousands.
    const pg = new Client({ connectionString: dbUrl() });
    await pg.connect();
    try {
      await pg.query(
        `WITH o AS (INSERT INTO organization (name, role, gln, company_prefixes)
                    SELECT 'Publisher ' || g, 'MANUFACTURER', '5' || lpad(g::text, 12, '0'), ARRAY['5' || lpad(g::text, 6, '0')]
                    FROM generate_series(1, 25) g RETURNING id, gln)
         INSERT INTO master_data (vocabulary_type, element_id, spellings, attributes, children, child_spellings, captured_by, captured_at)
         SELECT 'urn:epcglobal:epcis:vtype:EPCClass', 'urn:x:' || gln, ARRAY['urn:x:' || gln], '[]', '{}', '{}', id, now() FROM o`,
      );
    } finally {
      await pg.end();
    }
    const asked = jest.spyOn(app.get(EventQueryRepository), 'readableCapturers');
    try {
      expect(await masterData('stranger', 'BusinessLocation', [PLANT])).toEqual([]);
      // The one capturer of the plant's location, the maker (tests run GraphQL twice, compiled and not: a set).
      const decidedFor = () => [...new Set(asked.mock.calls.flatMap(([, , capturers]) => capturers))].sort();
      expect(decidedFor()).toEqual([orgs.maker.id]);
      asked.mockClear();
      // A location filter: the capturers of location master data (the maker, the partner), not the product publishers.
      expect(await restEvents({ 'EQ_ATTR_bizLocation_cbvmda:name': 'Partner DC' }, 'stranger')).toEqual([]);
      expect(decidedFor()).toEqual([orgs.maker.id, orgs.partner.id].sort());
    } finally {
      asked.mockRestore();
    }
  });

  it('refuses a masterData query without ids or with too many, naming the argument', async () => {
    const none = await gql(app, MASTER_DATA, { type: 'BusinessLocation', ids: [] }, orgs.maker.apiKey);
    expect(none.errors?.[0].extensions).toMatchObject({ code: 'INVALID_QUERY_PARAMETER', details: { parameter: 'ids' } });
    const many = await gql(
      app,
      MASTER_DATA,
      { type: 'BusinessLocation', ids: Array.from({ length: 101 }, (_, i) => `urn:x:${i}`) },
      orgs.maker.apiKey,
    );
    expect(many.errors?.[0].extensions).toMatchObject({ code: 'INVALID_QUERY_PARAMETER', details: { parameter: 'ids' } });
  });
});
