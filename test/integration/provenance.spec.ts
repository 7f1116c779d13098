import { INestApplication } from '@nestjs/common';
import {
  commissioningEvent,
  dispensingEvent,
  epcisDocument,
  packingEvent,
  receivingEvent,
  shippingEvent,
  unpackingEvent,
} from '@pharmatrace/epcis';
import { getIntrospectionQuery } from 'graphql';
import { Client } from 'pg';
import { CAPTURE, createOrganization, gql, startApi, testConfig, useDatabase, withCheckDigit } from '../support/platform';

const GTIN = withCheckDigit('0061414107346');
const pack = (serial: string) => `https://id.gs1.org/01/${GTIN}/21/${serial}`;
const sscc = (ref: string) => `urn:epc:id:sscc:0614141.${ref}`;
const ssccLink = (ref: string) => `https://id.gs1.org/00/${withCheckDigit(`${ref[0]}0614141${ref.slice(1)}`)}`;
const [CASE1, CASE2, PALLET] = ['1000000001', '1000000002', '1000000003'];
const WHOLESALER = 'urn:epc:id:pgln:0614141.00002';
const PHARMACY = 'urn:epc:id:pgln:0614141.00003';
const t = (minute: number) => new Date(Date.UTC(2026, 10, 1, 8, minute));

const PROVENANCE = `query($epc: String!) { provenance(epc: $epc) { epc visibility
  events { bizStep via }
  eventsConnection(first: 4) { totalCount edges { cursor node { bizStep } } pageInfo { hasNextPage endCursor } }
  custody { holder { name } inTransit from to shipment }
  aggregation { epc container packedAt unpackedAt packedBy { name } unpackedBy { name } }
  flags { code event actor { name } message } } }`;

describe('provenance: custody chain, aggregation history and contradictions', () => {
  let app: INestApplication;
  const orgs: Record<string, { apiKey: string; id: string }> = {};
  afterAll(() => app?.close());
  const dbUrl = useDatabase();
  const capture = async (who: string, events: Record<string, unknown>[]) => {
    const res = await gql(app, CAPTURE, { document: epcisDocument(events) }, orgs[who].apiKey);
    expect(res.errors).toBeUndefined();
    return res.data.captureEpcisDocument.eventHashes as string[];
  };
  const provenance = (epc: string, who = 'regulator') => gql(app, PROVENANCE, { epc }, orgs[who].apiKey);

  beforeAll(async () => {
    app = await startApi(testConfig({ DATABASE_URL: dbUrl() }));
    orgs.maker = await createOrganization(app, {
      name: 'ACME Pharma',
      role: 'MANUFACTURER',
      gln: withCheckDigit('061414100001'),
      companyPrefixes: ['0614141'],
    });
    orgs.wholesaler = await createOrganization(app, { name: 'Wholesale Ltd', role: 'DISTRIBUTOR', gln: withCheckDigit('061414100002') });
    orgs.pharmacy = await createOrganization(app, { name: 'Corner Pharmacy', role: 'DISPENSER', gln: withCheckDigit('061414100003') });
    orgs.regulator = await createOrganization(app, { name: 'Medicines Agency', role: 'REGULATOR', gln: withCheckDigit('061414100004') });
  });

  it('follows a pack from pallet to case to pack, repacked between two shipments, with custody intervals and no flags', async () => {
    const [, , , ship1] = await capture('maker', [
      commissioningEvent({ eventTime: t(0), epcs: [pack('A1'), pack('A2')], lot: 'L1', expiry: '2028-06-30' }),
      packingEvent({ eventTime: t(1), parent: sscc(CASE1), children: [pack('A1'), pack('A2')] }),
      packingEvent({ eventTime: t(2), parent: sscc(PALLET), children: [sscc(CASE1)] }),
      shippingEvent({ eventTime: t(3), epcs: [sscc(PALLET)], to: WHOLESALER }),
    ]);
    const [, , , , ship2] = await capture('wholesaler', [
      receivingEvent({ eventTime: t(4), epcs: [sscc(PALLET)] }),
      unpackingEvent({ eventTime: t(5), parent: sscc(PALLET), children: [sscc(CASE1)] }),
      unpackingEvent({ eventTime: t(6), parent: sscc(CASE1) }),
      packingEvent({ eventTime: t(7), parent: sscc(CASE2), children: [pack('A1')] }),
      shippingEvent({ eventTime: t(8), epcs: [sscc(CASE2)], from: WHOLESALER, to: PHARMACY }),
    ]);
    await capture('pharmacy', [
      receivingEvent({ eventTime: t(9), epcs: [sscc(CASE2)] }),
      unpackingEvent({ eventTime: t(10), parent: sscc(CASE2) }),
    ]);

    const res = await provenance(pack('A1'));
    expect(res.errors).toBeUndefined();
    const p = res.data.provenance;
    expect(p.visibility).toBe('FULL');
    expect(p.events.map((e: any) => e.bizStep)).toEqual([
      'commissioning',
      'packing',
      'packing',
      'shipping',
      'receiving',
      'unpacking',
      'unpacking',
      'packing',
      'shipping',
      'receiving',
      'unpacking',
    ]);
    expect(p.custody).toEqual([
      { holder: { name: 'ACME Pharma' }, inTransit: false, from: t(0).toISOString(), to: t(3).toISOString(), shipment: null },
      { holder: null, inTransit: true, from: t(3).toISOString(), to: t(4).toISOString(), shipment: ship1 },
      { holder: { name: 'Wholesale Ltd' }, inTransit: false, from: t(4).toISOString(), to: t(8).toISOString(), shipment: ship1 },
      { holder: null, inTransit: true, from: t(8).toISOString(), to: t(9).toISOString(), shipment: ship2 },
      { holder: { name: 'Corner Pharmacy' }, inTransit: false, from: t(9).toISOString(), to: null, shipment: ship2 },
    ]);
    expect(p.aggregation.map((a: any) => [a.epc, a.container, a.packedAt, a.unpackedAt, a.packedBy.name, a.unpackedBy?.name])).toEqual([
      [pack('A1'), ssccLink(CASE1), t(1).toISOString(), t(6).toISOString(), 'ACME Pharma', 'Wholesale Ltd'],
      [ssccLink(CASE1), ssccLink(PALLET), t(2).toISOString(), t(5).toISOString(), 'ACME Pharma', 'Wholesale Ltd'],
      [pack('A1'), ssccLink(CASE2), t(7).toISOString(), t(10).toISOString(), 'Wholesale Ltd', 'Corner Pharmacy'],
    ]);
    expect(p.flags).toEqual([]);

    expect(p.eventsConnection.totalCount).toBe(11);
    expect(p.eventsConnection.pageInfo.hasNextPage).toBe(true);
    const next = await gql(
      app,
      `query($epc: String!, $after: String) { provenance(epc: $epc) { eventsConnection(first: 4, after: $after) { edges { node { bizStep } } pageInfo { hasNextPage } } } }`,
      { epc: pack('A1'), after: p.eventsConnection.pageInfo.endCursor },
      orgs.regulator.apiKey,
    );
    expect(next.data.provenance.eventsConnection.edges.map((e: any) => e.node.bizStep)).toEqual([
      'receiving',
      'unpacking',
      'unpacking',
      'packing',
    ]);
  });

  it('refuses contradictions at capture; what a history still shows is flagged for display, and reading records no alert', async () => {
    await capture('maker', [
      commissioningEvent({ eventTime: t(20), epcs: [pack('B1'), pack('B2'), pack('B3')], lot: 'L2', expiry: '2028-06-30' }),
      shippingEvent({ eventTime: t(22), epcs: [pack('B3')], to: PHARMACY }),
    ]);
    const refused = (who: string, events: Record<string, unknown>[]) =>
      gql(app, CAPTURE, { document: epcisDocument(events) }, orgs[who].apiKey);
    const stray = await refused('wholesaler', [receivingEvent({ eventTime: t(21), epcs: [pack('B1')] })]);
    expect(stray.errors?.[0].extensions).toMatchObject({ code: 'CAPTURE_FORBIDDEN', details: { issues: [{ rule: 'NOT_DESTINATION' }] } });
    const rogue = await refused('wholesaler', [shippingEvent({ eventTime: t(21), epcs: [pack('B2')], to: PHARMACY })]);
    expect(rogue.errors?.[0].extensions).toMatchObject({ code: 'CAPTURE_FORBIDDEN', details: { issues: [{ rule: 'NOT_CUSTODIAN' }] } });
    const [, , late] = await capture('pharmacy', [
      receivingEvent({ eventTime: t(23), epcs: [pack('B3')] }),
      dispensingEvent({ eventTime: t(24), epcs: [pack('B3')] }),
      {
        type: 'ObjectEvent',
        eventTime: t(25).toISOString(),
        eventTimeZoneOffset: '+00:00',
        epcList: [pack('B3')],
        action: 'OBSERVE',
        bizStep: 'inspecting',
      },
    ]);

    for (const serial of ['B1', 'B2']) expect((await provenance(pack(serial))).data.provenance.flags).toEqual([]);
    for (let read = 0; read < 2; read++) {
      const res = await provenance(pack('B3'));
      expect(res.errors).toBeUndefined();
      expect(res.data.provenance.flags).toEqual([
        { code: 'EVENT_AFTER_DISPENSE', event: late, actor: { name: 'Corner Pharmacy' }, message: expect.any(String) },
      ]);
    }
    const db = new Client({ connectionString: dbUrl() });
    await db.connect();
    try {
      // A read never writes: contradictions are the capture rules' business, not a side effect of someone looking.
      const { rows } = await db.query(`SELECT code FROM alert WHERE code = ANY($1)`, [
        ['RECEIVED_WITHOUT_SHIPMENT', 'SHIPPED_BY_NON_HOLDER', 'EVENT_AFTER_DISPENSE'],
      ]);
      expect(rows).toEqual([]);
    } finally {
      await db.end();
    }
  });

  it('shows a distributor only the events it is party to, and refuses a pack it never touched', async () => {
    const partial = await provenance(pack('A2'), 'wholesaler');
    expect(partial.errors).toBeUndefined();
    expect(partial.data.provenance.visibility).toBe('PARTY_EVENTS');
    // The wholesaler captured the receipt and the unpacking; the maker's shipment names it as destination.
    expect(partial.data.provenance.events.map((e: any) => e.bizStep)).toEqual(['shipping', 'receiving', 'unpacking', 'unpacking']);
    expect(partial.data.provenance.custody.map((c: any) => c.holder?.name ?? 'transit')).toEqual(['transit', 'Wholesale Ltd']);

    const refused = await provenance(pack('A2'), 'pharmacy');
    expect(refused.data).toBeNull();
    expect(refused.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  it('enforces the GraphQL Armor limits on depth and aliases, and still answers the full introspection query', async () => {
    const nested = (n: number): string => (n === 0 ? 'name' : `ofType { ${nested(n - 1)} }`);
    const deep = await gql(app, `{ __type(name: "Query") { fields { type { ${nested(9)} } } } }`, {}, orgs.regulator.apiKey);
    expect(deep.errors?.[0].message).toMatch(/depth limit of 10/i);
    const aliased = await gql(app, `{ ${Array.from({ length: 16 }, (_, i) => `m${i}: me { id }`).join(' ')} }`, {}, orgs.regulator.apiKey);
    expect(aliased.errors?.[0].message).toMatch(/aliases limit of 15/i);
    const introspection = await gql(app, getIntrospectionQuery(), {}, orgs.regulator.apiKey);
    expect(introspection.errors).toBeUndefined();
    expect(introspection.data.__schema.queryType.name).toBe('Query');
  });
});
