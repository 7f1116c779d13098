import { INestApplication } from '@nestjs/common';
import { eventHashes } from '@pharmatrace/epcis';
import request from 'supertest';
import { createOrganization, gql, startApi, testConfig, useDatabase, withCheckDigit, oneEvent } from '../support/platform';

const GTIN = withCheckDigit('0061414107346');
const SSCC = withCheckDigit('10614141234567890');
const MAKER_GLN = withCheckDigit('061414100001');
const WHOLESALER_GLN = withCheckDigit('401234500001');
const PHARMACY_GLN = withCheckDigit('950600100001');
const UNREGISTERED_GLN = withCheckDigit('777777700001');
const pack = (serial: string) => `urn:epc:id:sgtin:0614141.007346.${serial}`;
const RESULT = 'capturedCount duplicateCount eventHashes events';

const mutation = (name: string, input: string) => `mutation($input: ${input}!) { ${name}(input: $input) { ${RESULT} } }`;
const COMMISSION = mutation('commission', 'CommissionInput');
const PACK = mutation('pack', 'PackInput');
const UNPACK = mutation('unpack', 'UnpackInput');
const SHIP = mutation('ship', 'ShipInput');
const RECEIVE = mutation('receive', 'ReceiveInput');
const DECOMMISSION = mutation('decommission', 'DecommissionInput');
const STATUS = `query($code: String!) { verify(code: $code) { status } }`;

describe('typed pharmaceutical flow mutations write standard EPCIS events through the capture service', () => {
  let app: INestApplication;
  let maker: string;
  let wholesaler: string;
  let pharmacy: string;
  afterAll(() => app?.close());
  const dbUrl = useDatabase();

  beforeAll(async () => {
    app = await startApi(testConfig({ DATABASE_URL: dbUrl() }));
    maker = (await createOrganization(app, { name: 'Maker', role: 'MANUFACTURER', gln: MAKER_GLN, companyPrefixes: ['0614141'] })).apiKey;
    wholesaler = (
      await createOrganization(app, { name: 'Wholesaler', role: 'DISTRIBUTOR', gln: WHOLESALER_GLN, companyPrefixes: ['4012345'] })
    ).apiKey;
    pharmacy = (await createOrganization(app, { name: 'Pharmacy', role: 'DISPENSER', gln: PHARMACY_GLN, companyPrefixes: ['9506001'] }))
      .apiKey;
  });

  async function run(query: string, input: unknown, key: string, field: string) {
    const res = await gql(app, query, { input }, key);
    expect(res.errors).toBeUndefined();
    const result = res.data[field];
    expect(result.capturedCount).toBe(result.events.length);
    // The hashes returned are those of the events returned, so the result is self-checking.
    const recomputed = eventHashes({
      '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'],
      epcisBody: { eventList: result.events },
    });
    expect(recomputed.map((h) => h.hash)).toEqual(result.eventHashes);
    return result;
  }
  const stored = async (hash: string) => {
    const res = await request(app.getHttpServer())
      .get(`/epcis/events/${encodeURIComponent(hash)}`)
      .set('Authorization', `Bearer ${maker}`)
      .set('GS1-EPC-Format', 'Never_Translates');
    expect(res.status).toBe(200);
    return oneEvent(res.body);
  };

  it('runs commission → pack → ship → receive → unpack → ship → receive → dispense / decommission / destroy', async () => {
    const commissioned = await run(
      COMMISSION,
      { gtin: GTIN, serials: ['A1', 'A2', 'A3'], lot: 'LOT-9', expiry: '2028-06-30', location: MAKER_GLN },
      maker,
      'commission',
    );
    expect(commissioned.events[0]).toMatchObject({
      type: 'ObjectEvent',
      action: 'ADD',
      bizStep: 'commissioning',
      epcList: [pack('A1'), pack('A2'), pack('A3')],
      bizLocation: { id: 'urn:epc:id:sgln:0614141.00001.0' },
      ilmd: { 'cbvmda:lotNumber': 'LOT-9', 'cbvmda:itemExpirationDate': '2028-06-30' },
    });
    expect(await stored(commissioned.eventHashes[0])).toMatchObject(commissioned.events[0]);

    const packed = await run(PACK, { parent: SSCC, children: [pack('A1'), pack('A2')] }, maker, 'pack');
    expect(packed.events[0]).toMatchObject({
      type: 'AggregationEvent',
      action: 'ADD',
      parentID: 'urn:epc:id:sscc:0614141.1234567890',
      childEPCs: [pack('A1'), pack('A2')],
    });

    const shipped = await run(SHIP, { epcs: ['urn:epc:id:sscc:0614141.1234567890'], to: WHOLESALER_GLN }, maker, 'ship');
    expect(shipped.events[0]).toMatchObject({
      bizStep: 'shipping',
      sourceList: [{ type: 'owning_party', source: 'urn:epc:id:pgln:0614141.00001' }],
      destinationList: [{ type: 'owning_party', destination: 'urn:epc:id:pgln:4012345.00001' }],
    });
    expect((await gql(app, STATUS, { code: `https://id.gs1.org/01/${GTIN}/21/A1` }, maker)).data?.verify.status).toBe('IN_TRANSIT');

    const received = await run(RECEIVE, { epcs: ['urn:epc:id:sscc:0614141.1234567890'], from: MAKER_GLN }, wholesaler, 'receive');
    expect(received.events[0]).toMatchObject({ bizStep: 'receiving', bizLocation: { id: 'urn:epc:id:sgln:4012345.00001.0' } });

    const unpacked = await run(UNPACK, { parent: 'urn:epc:id:sscc:0614141.1234567890' }, wholesaler, 'unpack');
    expect(unpacked.events[0]).toMatchObject({ type: 'AggregationEvent', action: 'DELETE', bizStep: 'unpacking' });
    expect(unpacked.events[0].childEPCs).toBeUndefined();

    await run(SHIP, { epcs: [pack('A1')], to: PHARMACY_GLN }, wholesaler, 'ship');
    await run(RECEIVE, { epcs: [pack('A1')] }, pharmacy, 'receive');
    // Dispensing and destroying are the verify-then-decommission mutations of the verification feature.
    const dispensed = await gql(
      app,
      `mutation($c: String!) { dispense(code: $c) { status } }`,
      { c: `https://id.gs1.org/01/${GTIN}/21/A1` },
      pharmacy,
    );
    expect(dispensed.data.dispense.status).toBe('DISPENSED');

    const decommissioned = await run(DECOMMISSION, { epcs: [pack('A2')], reason: 'expired' }, wholesaler, 'decommission');
    expect(decommissioned.events[0]).toMatchObject({ action: 'DELETE', bizStep: 'decommissioning', disposition: 'expired' });
    const destroyed = await gql(app, `mutation($c: String!) { destroy(code: $c) { status } }`, { c: pack('A3') }, maker);
    expect(destroyed.data.destroy.status).toBe('DESTROYED');

    const statuses = await Promise.all(
      ['A1', 'A2', 'A3'].map((s) => gql(app, STATUS, { code: `https://id.gs1.org/01/${GTIN}/21/${s}` }, maker)),
    );
    expect(statuses.map((r) => r.data?.verify.status)).toEqual(['DISPENSED', 'DECOMMISSIONED', 'DESTROYED']);
  });

  it.each([
    [
      'commission: GTIN under no registered prefix',
      COMMISSION,
      { gtin: withCheckDigit('0077777770001'), serials: ['X'], lot: 'L', expiry: '2028-01-01', location: MAKER_GLN },
      'gtin',
      'UNKNOWN_COMPANY_PREFIX',
    ],
    [
      'commission: expiry not an ISO date',
      COMMISSION,
      { gtin: GTIN, serials: ['X'], lot: 'L', expiry: '30/06/2028', location: MAKER_GLN },
      'expiry',
      'format:date',
    ],
    [
      'commission: location neither GLN nor SGLN',
      COMMISSION,
      { gtin: GTIN, serials: ['X'], lot: 'L', expiry: '2028-01-01', location: 'urn:epc:id:sscc:0614141.1234567890' },
      'location',
      'sgln',
    ],
    ['ship: receiving GLN under no registered prefix', SHIP, { epcs: [pack('A1')], to: UNREGISTERED_GLN }, 'to', 'UNKNOWN_COMPANY_PREFIX'],
    ['ship: GLN with a bad check digit', SHIP, { epcs: [pack('A1')], to: '0614141000010' }, 'to', 'gln'],
    ['pack: parent is not an SSCC', PACK, { parent: pack('A1'), children: [pack('A2')] }, 'parent', 'sscc'],
    [
      'decommission: reason is not a CBV disposition',
      DECOMMISSION,
      { epcs: [pack('A1')], reason: 'lost-in-sofa' },
      'reason',
      'cbv-disposition',
    ],
  ])('%s → INVALID_FLOW_INPUT naming field and rule', async (_name, query, input, field, rule) => {
    const res = await gql(app, query, { input }, maker);
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'INVALID_FLOW_INPUT', details: { field, rule } });
  });

  it('keeps role rules: only a manufacturer commissions, only a dispenser holding a pack dispenses it', async () => {
    const commission = await gql(
      app,
      COMMISSION,
      { input: { gtin: GTIN, serials: ['Z'], lot: 'L', expiry: '2028-01-01', location: WHOLESALER_GLN } },
      wholesaler,
    );
    expect(commission.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    await run(COMMISSION, { gtin: GTIN, serials: ['B1'], lot: 'LOT-9', expiry: '2028-06-30', location: MAKER_GLN }, maker, 'commission');
    const dispense = (key: string) => gql(app, `mutation($c: String!) { dispense(code: $c) { status } }`, { c: pack('B1') }, key);
    expect((await dispense(maker)).errors?.[0].extensions).toMatchObject({
      code: 'CAPTURE_FORBIDDEN',
      details: { issues: [{ eventIndex: 0, field: '/epcList/0', rule: 'NOT_AUTHORIZED_ROLE' }] },
    });
    expect((await dispense(pharmacy)).errors?.[0].extensions).toMatchObject({
      code: 'CAPTURE_FORBIDDEN',
      details: { issues: [{ rule: 'NOT_CUSTODIAN' }] },
    });
  });
});
