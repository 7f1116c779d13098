import { INestApplication } from '@nestjs/common';
import { commissioningEvent, EPCIS_CONTEXT, epcisDocument, eventHashes } from '@pharmatrace/epcis';
import fc from 'fast-check';
import request from 'supertest';
import { createOrganization, gql, startApi, testConfig, useDatabase, withCheckDigit } from '../support/platform';

/**
 * The rest of the EPCIS 2.0 query language (issue 16): each family answered alike by GET /epcis/events and GraphQL
 * `events`, each with an event it selects and one it leaves, filtered in SQL and ANDed with the read policy.
 */
const GTIN = withCheckDigit('0061414107346');
const pack = (serial: string) => `https://id.gs1.org/01/${GTIN}/21/${serial}`;
const lotClass = (lot: string) => `https://id.gs1.org/01/${GTIN}/10/${lot}`;
const NS = 'https://ns.example.com/epcis/';
const t = (minute: number) => new Date(Date.UTC(2026, 2, 1, 8, minute));
const observe = (minute: number, extra: Record<string, unknown>) => ({
  type: 'ObjectEvent',
  eventTime: t(minute).toISOString(),
  eventTimeZoneOffset: '+00:00',
  epcList: [],
  action: 'OBSERVE',
  bizStep: 'inspecting',
  ...extra,
});
const CORRECTIVE = 'urn:uuid:2b7c1c3e-7f0a-4c39-9a7e-3f1d5e9b8c11';

// 1, 2: lots, with ILMD and extension fields; the same namespace under two prefixes.
const lotA = {
  '@context': [EPCIS_CONTEXT, { ex: NS }],
  ...commissioningEvent({ eventTime: t(0), epcs: [pack('A1')], lot: 'LQ1', expiry: '2027-06-30' }),
  ilmd: { 'cbvmda:lotNumber': 'LQ1', 'cbvmda:itemExpirationDate': '2027-06-30', 'ex:batchSize': 500 },
  'ex:carrier': 'Rapid',
  'ex:shipment': { 'ex:crate': { 'ex:probe': 'P-7' } },
};
const lotB = {
  '@context': [EPCIS_CONTEXT, { acme: NS }],
  ...commissioningEvent({ eventTime: t(1), epcs: [pack('B1')], lot: 'LQ2', expiry: '2028-01-31' }),
  ilmd: { 'cbvmda:lotNumber': 'LQ2', 'cbvmda:itemExpirationDate': '2028-01-31', 'acme:batchSize': '20' },
  'acme:carrier': 'Slow',
};
// 3, 4, 5: quantities and classes.
const counted = observe(2, { quantityList: [{ epcClass: lotClass('LQ1'), quantity: 5 }] });
const weighed = observe(3, { quantityList: [{ epcClass: lotClass('LQ2'), quantity: 1.5, uom: 'KGM' }] });
const transformed = {
  type: 'TransformationEvent',
  eventTime: t(4).toISOString(),
  eventTimeZoneOffset: '+00:00',
  inputQuantityList: [{ epcClass: lotClass('LQ1'), quantity: 2 }],
  outputQuantityList: [{ epcClass: lotClass('LQ3'), quantity: 2 }],
  bizStep: 'https://ref.gs1.org/cbv/BizStep-transforming',
};
// 6, 7: sensor data, warm and cold.
const warm = {
  '@context': [EPCIS_CONTEXT, { ex: NS }],
  ...observe(5, {
    sensorElementList: [
      {
        sensorMetadata: {
          time: '2026-03-01T08:10:00Z',
          startTime: '2026-03-01T08:00:00Z',
          endTime: '2026-03-01T08:20:00Z',
          deviceID: 'urn:example:logger:1',
          bizRules: 'https://example.com/rules/cold-chain',
          'ex:calibrated': '2026-01-15',
        },
        sensorReport: [
          {
            type: 'Temperature',
            value: 25,
            uom: 'CEL',
            minValue: 20,
            maxValue: 26,
            meanValue: 24,
            sDev: 0.5,
            percRank: 50,
            percValue: 24.5,
            'ex:drift': 0.2,
          },
          {
            type: 'AbsoluteHumidity',
            stringValue: 'door open',
            booleanValue: true,
            hexBinaryValue: '0aff',
            uriValue: 'https://example.com/alarm/1',
            microorganism: 'https://www.ncbi.nlm.nih.gov/taxonomy/1496',
            chemicalSubstance: 'https://identifiers.org/inchikey:CZMRCDWAGMRECN-UGDNZRGBSA-N',
            dataProcessingMethod: 'https://example.com/method/avg',
          },
        ],
        'ex:sensorNote': 'ok',
      },
    ],
  }),
};
const cold = observe(6, {
  sensorElementList: [
    {
      sensorMetadata: { time: '2026-03-01T09:30:00Z', deviceID: 'urn:example:logger:2' },
      sensorReport: [{ type: 'Temperature', value: 2, uom: 'CEL', percRank: 10, booleanValue: false }],
    },
  ],
});
// 8: values no cast could read (no such day; an exponent numeric cannot hold), which must not fail a query.
const odd = { '@context': [EPCIS_CONTEXT, { ex: NS }], ...observe(7, { 'ex:checked': '2026-02-30T10:00:00Z', 'ex:count': '1e99999' }) };
const EVENTS = [lotA, lotB, counted, weighed, transformed, warm, cold, odd];
const declaration = {
  declarationTime: '2026-03-02T10:00:00Z',
  reason: 'incorrect_data',
  correctiveEventIDs: [CORRECTIVE],
  'acme:ticket': 'T-42',
};

const QUERY = `query($filter: EventFilter) { events(filter: $filter, first: 100) { edges { node { eventHash } } } }`;

describe('event queries: the rest of the EPCIS 2.0 query language, REST and GraphQL alike', () => {
  let app: INestApplication;
  let regulator: string;
  let stranger: string;
  const dbUrl = useDatabase();
  afterAll(() => app?.close());
  const hashes = EVENTS.map((event) => eventHashes(epcisDocument([event]))[0].hash);
  const e = (...numbers: number[]) => numbers.map((n) => hashes[n - 1]);

  beforeAll(async () => {
    app = await startApi(testConfig({ DATABASE_URL: dbUrl() }));
    const { apiKey: maker } = await createOrganization(app, {
      name: 'Maker',
      role: 'MANUFACTURER',
      gln: withCheckDigit('061414100001'),
      companyPrefixes: ['0614141'],
    });
    ({ apiKey: regulator } = await createOrganization(app, { name: 'Regulator', role: 'REGULATOR', gln: withCheckDigit('061414100999') }));
    ({ apiKey: stranger } = await createOrganization(app, { name: 'Elsewhere', role: 'DISPENSER', gln: withCheckDigit('061414100555') }));
    for (const event of [...EVENTS, { ...lotB, errorDeclaration: declaration }]) {
      const res = await request(app.getHttpServer()).post('/epcis/events').set('Authorization', `Bearer ${maker}`).send(event);
      expect([res.status, res.body]).toEqual([201, {}]);
    }
  });

  const rest = async (query: Record<string, string | string[]>, key = regulator) => {
    const res = await request(app.getHttpServer()).get('/epcis/events').query(query).set('Authorization', `Bearer ${key}`);
    expect([res.status, res.body.detail]).toEqual([200, undefined]);
    return eventHashes(res.body).map((h) => h.hash);
  };
  const graph = async (filter: Record<string, unknown>, key = regulator) => {
    const res = await gql(app, QUERY, { filter }, key);
    expect(res.errors).toBeUndefined();
    return res.data.events.edges.map((edge: { node: { eventHash: string } }) => edge.node.eventHash);
  };
  /** The same query by REST parameters and by GraphQL `parameters` (binding names), and each answer. */
  const byName = async (query: Record<string, string | string[]>) => [
    await rest(query),
    await graph({ parameters: Object.entries(query).map(([name, v]) => ({ name, values: Array.isArray(v) ? v : v === '' ? [] : [v] })) }),
  ];
  const refused = async (query: Record<string, string>) => {
    const res = await request(app.getHttpServer()).get('/epcis/events').query(query).set('Authorization', `Bearer ${regulator}`);
    return [res.status, res.body.type, res.body.parameter, res.body.rule];
  };

  describe('MATCH_inputEPCClass, MATCH_outputEPCClass, MATCH_anyEPCClass (and MATCH_epcClass on its own lists)', () => {
    it.each([
      ['MATCH_inputEPCClass', lotClass('LQ1'), () => e(5)],
      ['MATCH_outputEPCClass', 'urn:epc:class:lgtin:0614141.007346.LQ3', () => e(5)],
      ['MATCH_outputEPCClass', lotClass('LQ1'), () => []],
      ['MATCH_anyEPCClass', lotClass('LQ1'), () => e(3, 5)],
      ['MATCH_epcClass', lotClass('LQ1'), () => e(3)],
    ])('%s=%s', async (name, value, expected) => {
      expect(await rest({ [name]: value })).toEqual(expected());
      expect(await graph({ [name]: [value] })).toEqual(expected());
    });
  });

  describe('EQ_/GT_/GE_/LT_/LE_quantity, with or without a unit', () => {
    it('compares quantities of any list, in any unit or converted to the one asked', async () => {
      expect(await rest({ EQ_quantity: '5' })).toEqual(e(3));
      expect(await graph({ EQ_quantity: 5 })).toEqual(e(3));
      expect(await rest({ GT_quantity: '1.5', LT_quantity: '5' })).toEqual(e(5));
      expect(await graph({ GE_quantity: 1.5, LE_quantity: 2 })).toEqual(e(4, 5));
      expect(await byName({ EQ_quantity_GRM: '1500' })).toEqual([e(4), e(4)]);
      expect(await byName({ GT_quantity_KGM: '1.5' })).toEqual([[], []]);
    });
  });

  describe('error declarations', () => {
    it('EXISTS_errorDeclaration, EQ_errorReason, EQ_correctiveEventID, GE_/LT_errorDeclarationTime match the latest declaration', async () => {
      expect(await rest({ EXISTS_errorDeclaration: '' })).toEqual(e(2));
      expect(await graph({ EXISTS_errorDeclaration: true })).toEqual(e(2));
      expect(await graph({ EXISTS_errorDeclaration: false, EQ_bizStep: ['commissioning'] })).toEqual(e(1, 2));
      expect(await rest({ EQ_errorReason: 'urn:epcglobal:cbv:er:incorrect_data' })).toEqual(e(2));
      expect(await graph({ EQ_errorReason: ['did_not_occur'] })).toEqual([]);
      expect(await rest({ EQ_correctiveEventID: `urn:uuid:other|${CORRECTIVE}` })).toEqual(e(2));
      expect(await rest({ GE_errorDeclarationTime: '2026-03-02T11:00:00+01:00', LT_errorDeclarationTime: '2026-03-02T10:00:01Z' })).toEqual(
        e(2),
      );
      expect(await graph({ GE_errorDeclarationTime: '2026-03-02T10:00:01Z' })).toEqual([]);
    });
  });

  describe('sensor data', () => {
    it('EXISTS_sensorElementList, sensor times, and attributes of the metadata or reports', async () => {
      expect(await rest({ EXISTS_sensorElementList: 'true' })).toEqual(e(6, 7));
      expect(await graph({ EXISTS_sensorElementList: true })).toEqual(e(6, 7));
      expect(await rest({ GE_time: '2026-03-01T09:00:00Z' })).toEqual(e(7));
      expect(await graph({ LT_time: '2026-03-01T09:00:00Z' })).toEqual(e(6));
      expect(await rest({ GE_startTime: '2026-03-01T08:00:00Z', LT_endTime: '2026-03-01T08:30:00Z' })).toEqual(e(6));
      expect(await rest({ EQ_type: 'https://gs1.org/voc/AbsoluteHumidity' })).toEqual(e(6));
      expect(await graph({ EQ_type: ['Temperature'] })).toEqual(e(6, 7));
      expect(await rest({ EQ_deviceID: 'urn:example:logger:2|urn:example:logger:9' })).toEqual(e(7));
      expect(await graph({ EQ_bizRules: ['https://example.com/rules/cold-chain'] })).toEqual(e(6));
      expect(await rest({ EQ_dataProcessingMethod: 'https://example.com/method/avg' })).toEqual(e(6));
      expect(await graph({ EQ_microorganism: ['https://www.ncbi.nlm.nih.gov/taxonomy/1496'] })).toEqual(e(6));
      expect(await rest({ EQ_chemicalSubstance: 'https://identifiers.org/inchikey:none' })).toEqual([]);
      expect(await graph({ EQ_stringValue: ['door open'], EQ_uriValue: ['https://example.com/alarm/1'] })).toEqual(e(6));
      expect(await rest({ EQ_hexBinaryValue: '0AFF' })).toEqual(e(6));
      expect(await rest({ EQ_booleanValue: 'false' })).toEqual(e(7));
      expect(await graph({ EQ_booleanValue: true })).toEqual(e(6));
      expect(await graph({ GE_percRank: 20 })).toEqual(e(6));
    });

    it('measures by unit, converted from the unit they were written in (TCR-53 step 26)', async () => {
      // 25 °C is 298.15 K; 2 °C is 275.15 K.
      expect(await byName({ EQ_type: 'Temperature', GE_value_KEL: '290' })).toEqual([e(6), e(6)]);
      expect(await byName({ EQ_value_KEL: '298.15' })).toEqual([e(6), e(6)]);
      expect(await byName({ LT_value_FAH: '40' })).toEqual([e(7), e(7)]);
      expect(await byName({ GE_minValue_CEL: '20', LE_maxValue_CEL: '26', GT_meanValue_CEL: '23', LT_sDev_CEL: '1' })).toEqual([
        e(6),
        e(6),
      ]);
      expect(await byName({ GE_percValue_CEL: '25' })).toEqual([[], []]);
      expect(await byName({ GE_value_KGM: '0' })).toEqual([[], []]);
    });
  });

  describe('ILMD fields', () => {
    it('EQ_, EXISTS_ and comparisons on cbvmda and extension ILMD fields, by prefix or namespace', async () => {
      expect(await byName({ 'EQ_ILMD_cbvmda:lotNumber': 'LQ2' })).toEqual([e(2), e(2)]);
      expect(await byName({ 'EQ_ILMD_urn:epcglobal:cbv:mda#lotNumber': 'LQ9|LQ1' })).toEqual([e(1), e(1)]);
      expect(await byName({ 'GT_ILMD_cbvmda:itemExpirationDate': '2027-12-31' })).toEqual([e(2), e(2)]);
      expect(await byName({ 'LE_ILMD_cbvmda:itemExpirationDate': '2027-06-30' })).toEqual([e(1), e(1)]);
      // A number written as a number (lot A) or as text (lot B), under either prefix of the namespace.
      expect(await byName({ [`GE_ILMD_${NS}batchSize`]: '100' })).toEqual([e(1), e(1)]);
      expect(await byName({ 'EQ_ILMD_https://ns.example.com/epcis#batchSize': '20.0' })).toEqual([e(2), e(2)]);
      expect(await byName({ 'EXISTS_ILMD_acme:batchSize': '' })).toEqual([e(2), e(2)]);
      expect(await byName({ 'EXISTS_ILMD_cbvmda:bestBeforeDate': '' })).toEqual([[], []]);
    });

    it('read policy: an organization that may read none of them gets none', async () => {
      expect(await rest({ 'EQ_ILMD_cbvmda:lotNumber': 'LQ1' }, stranger)).toEqual([]);
      expect(await graph({ parameters: [{ name: 'EQ_ILMD_cbvmda:lotNumber', values: ['LQ1'] }] }, stranger)).toEqual([]);
    });
  });

  describe('extension fields: top level, INNER_, and within the error declaration, sensor element, metadata and report', () => {
    it.each([
      [{ 'EQ_ex:carrier': 'Rapid' }, () => e(1)],
      [{ 'EQ_https://ns.example.com/epcis#carrier': 'Rapid|Slow' }, () => e(1, 2)],
      [{ 'EXISTS_acme:carrier': '' }, () => e(2)],
      [{ 'EXISTS_ex:crate': '' }, () => []],
      [{ 'EXISTS_INNER_ex:crate': '' }, () => e(1)],
      [{ 'EQ_INNER_ex:probe': 'P-7' }, () => e(1)],
      [{ 'EQ_INNER_ex:probe': 'P-8' }, () => []],
      [{ 'EQ_ERROR_DECLARATION_https://ns.example.com/epcis/ticket': 'T-42' }, () => e(2)],
      [{ 'EQ_ERROR_DECLARATION_ex:ticket': 'T-42' }, () => []],
      [{ 'EQ_SENSORELEMENT_ex:sensorNote': 'ok' }, () => e(6)],
      [{ 'GT_SENSORMETADATA_ex:calibrated': '2026-01-01' }, () => e(6)],
      [{ 'LT_SENSORREPORT_ex:drift': '0.1' }, () => []],
      [{ 'LE_SENSORREPORT_ex:drift': '0.2' }, () => e(6)],
      [{ 'GT_ex:checked': '2026-01-01T00:00:00Z' }, () => []],
      [{ 'EQ_ex:checked': '2026-02-30T10:00:00Z' }, () => e(8)],
      [{ 'GE_ex:count': '1' }, () => []],
      [{ 'EQ_ex:count': '1e99999' }, () => e(8)],
    ])('%j', async (query, expected) => {
      expect(await byName(query)).toEqual([expected(), expected()]);
    });
  });

  it('property: any value of any new parameter is answered 200 or 400, never 500', async () => {
    const names = [
      'EQ_ILMD_cbvmda:lotNumber',
      'GT_ILMD_cbvmda:itemExpirationDate',
      `LE_ILMD_${NS}batchSize`,
      'EQ_INNER_ex:probe',
      'GE_SENSORMETADATA_ex:calibrated',
      'EQ_quantity_KGM',
      'LT_quantity',
      'GE_value_CEL',
      'EQ_type',
      'EQ_hexBinaryValue',
      'GE_time',
      'EQ_errorReason',
      'LT_errorDeclarationTime',
      'EXISTS_errorDeclaration',
      'MATCH_anyEPCClass',
    ];
    const value = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.constantFrom('1e9999', '-0', '2027-02-30', '2026-02-29T10:00:00Z', '0000-01-01T00:00:00Z', 'NaN', '|', '20.0', '0AFF'),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...names), value, async (name, v) => {
        const res = await request(app.getHttpServer())
          .get('/epcis/events')
          .query({ [name]: v })
          .set('Authorization', `Bearer ${regulator}`);
        return res.status === 200 || (res.status === 400 && res.body.parameter === name);
      }),
      { numRuns: 150, seed: 16 },
    );
  });

  it.each([
    [{ 'GT_ILMD_cbvmda:lotNumber': 'LQ1' }, 'GT_ILMD_cbvmda:lotNumber', 'comparable-value'],
    [{ 'EQ_ILMD_lot#': 'x' }, 'EQ_ILMD_lot#', 'field-name'],
    [{ GE_value: '1' }, 'GE_value', 'uom'],
    [{ EQ_quantity: 'many' }, 'EQ_quantity', 'number'],
    [{ EQ_booleanValue: 'yes' }, 'EQ_booleanValue', 'boolean'],
    [{ GE_time: 'today' }, 'GE_time', 'format:date-time'],
    [{ 'HASATTR_urn:x#y': 'x' }, 'HASATTR_urn:x#y', 'master-data-field'],
  ])('refuses %j with 400 naming the parameter and rule, in REST and GraphQL', async (query, parameter, rule) => {
    expect(await refused(query)).toEqual([400, 'epcisException:QueryParameterException', parameter, rule]);
    const [name, value] = Object.entries(query)[0];
    const viaGraph = await gql(app, QUERY, { filter: { parameters: [{ name, values: [value] }] } }, regulator);
    expect(viaGraph.errors?.[0].extensions).toMatchObject({ code: 'INVALID_QUERY_PARAMETER', details: { parameter, rule } });
  });
});
