import { INestApplication } from '@nestjs/common';
import { commissioningEvent, epcisDocument, packingEvent, receivingEvent, shippingEvent, unpackingEvent } from '@pharmatrace/epcis';
import { Client } from 'pg';
import {
  ADMIN_TOKEN,
  ADD_LICENCE,
  CAPTURE,
  createOrganization,
  gql,
  startApi,
  testConfig,
  useDatabase,
  withCheckDigit,
} from '../support/platform';

const GTIN = withCheckDigit('0061414107346');
const pack = (serial: string) => `https://id.gs1.org/01/${GTIN}/21/${serial}`;
const sscc = (ref: string) => `urn:epc:id:sscc:0614141.${ref}`;
const pgln = (gln: string) => `urn:epc:id:pgln:0614141.${gln.slice(7, 12)}`;
const start = Date.now() - 2 * 3_600_000;
const t = (minute: number) => new Date(start + minute * 60_000);

const CREATE_ORG = `mutation($input: CreateOrganizationInput!) { createOrganization(input: $input) { organization { id } } }`;
const LICENCES = `{ organizations { name licences { type issuingAuthority number status valid verifiedBy } } }`;

describe('trading partners: company prefixes, lot numbers, licences and flags', () => {
  let app: INestApplication;
  let alerting: INestApplication | undefined;
  const orgs: Record<string, { apiKey: string; id: string; gln: string }> = {};
  const dbUrl = useDatabase();
  afterAll(async () => {
    await alerting?.close();
    await app?.close();
  });
  const capture = (who: string, events: Record<string, unknown>[], on = app) =>
    gql(on, CAPTURE, { document: epcisDocument(events) }, orgs[who].apiKey);
  const captured = async (who: string, events: Record<string, unknown>[]) => {
    const res = await capture(who, events);
    expect(res.errors).toBeUndefined();
  };
  const alerts = async (code: string) => {
    const db = new Client({ connectionString: dbUrl() });
    await db.connect();
    try {
      // A stored event's alert names it (details.eventId); a refused attempt's has no event to name.
      return (
        await db.query(`SELECT epc, actor_id AS "actorId", details ? 'eventId' AS stored FROM alert WHERE code = $1 ORDER BY id`, [code])
      ).rows;
    } finally {
      await db.end();
    }
  };

  beforeAll(async () => {
    app = await startApi(testConfig({ DATABASE_URL: dbUrl() }));
    orgs.regulator = await createOrganization(app, { name: 'Medicines Agency', role: 'REGULATOR', gln: withCheckDigit('061414100009') });
    orgs.maker = await createOrganization(app, {
      name: 'ACME Pharma',
      role: 'MANUFACTURER',
      gln: withCheckDigit('061414100001'),
      companyPrefixes: ['0614141'],
    });
    orgs.wholesaler = await createOrganization(app, {
      name: 'Northern Wholesale',
      role: 'DISTRIBUTOR',
      gln: withCheckDigit('061414100002'),
    });
    orgs.pharmacy = await createOrganization(app, { name: 'Corner Pharmacy', role: 'DISPENSER', gln: withCheckDigit('061414100003') });
    orgs.unlicensed = await createOrganization(app, {
      name: 'Grey Market Ltd',
      role: 'DISTRIBUTOR',
      gln: withCheckDigit('061414100004'),
      licensed: false,
    });
  });

  describe('company prefixes', () => {
    it.each([
      ['the same prefix', ['0614141'], '0614141'],
      ['one that begins a registered prefix', ['061414'], '061414'],
      ['one a registered prefix begins', ['06141415'], '06141415'],
    ])('refuses %s with COMPANY_PREFIX_OVERLAP, naming the prefix and its holder', async (_, companyPrefixes, prefix) => {
      const res = await gql(
        app,
        CREATE_ORG,
        { input: { name: 'Copycat', role: 'MANUFACTURER', gln: withCheckDigit('095060000001'), companyPrefixes } },
        ADMIN_TOKEN,
      );
      expect(res.errors?.[0].extensions).toMatchObject({
        code: 'COMPANY_PREFIX_OVERLAP',
        details: { field: 'companyPrefixes', rule: 'prefix-overlap', prefix, conflictsWith: '0614141', organizationId: orgs.maker.id },
      });
      expect(res.errors?.[0].message).toContain('ACME Pharma\'s "0614141"');
    });

    it('refuses two overlapping prefixes in one request, accepts a neighbour, and lets only one of two racing registrations through', async () => {
      const within = await gql(
        app,
        CREATE_ORG,
        { input: { name: 'Twin', role: 'MANUFACTURER', gln: withCheckDigit('095060000002'), companyPrefixes: ['9506000', '95060001'] } },
        ADMIN_TOKEN,
      );
      expect(within.errors?.[0].extensions).toMatchObject({
        code: 'COMPANY_PREFIX_OVERLAP',
        details: { prefix: '9506000', conflictsWith: '95060001', organizationId: null },
      });
      const neighbour = await gql(
        app,
        CREATE_ORG,
        { input: { name: 'Neighbour', role: 'MANUFACTURER', gln: withCheckDigit('061414200001'), companyPrefixes: ['0614142'] } },
        ADMIN_TOKEN,
      );
      expect(neighbour.errors).toBeUndefined();
      const race = await Promise.all(
        ['095060000003', '095060000004', '095060000005'].map((g, i) =>
          gql(
            app,
            CREATE_ORG,
            {
              input: {
                name: `Racer ${i}`,
                role: 'MANUFACTURER',
                gln: withCheckDigit(g),
                companyPrefixes: [['9506000', '950600', '95060009'][i]],
              },
            },
            ADMIN_TOKEN,
          ),
        ),
      );
      expect(race.filter((r) => !r.errors)).toHaveLength(1);
      expect(race.filter((r) => r.errors).map((r) => r.errors![0].extensions!.code)).toEqual([
        'COMPANY_PREFIX_OVERLAP',
        'COMPANY_PREFIX_OVERLAP',
      ]);
    });
  });

  it('refuses at commissioning a lot number recallLot would refuse: INVALID_DOCUMENT on /ilmd/cbvmda:lotNumber', async () => {
    const res = await capture('maker', [commissioningEvent({ eventTime: t(0), epcs: [pack('BAD1')], lot: 'LOT#1', expiry: '2028-06-30' })]);
    expect(res.errors?.[0].extensions).toMatchObject({
      code: 'INVALID_DOCUMENT',
      details: { issues: [{ eventIndex: 0, field: '/ilmd/cbvmda:lotNumber', rule: 'may contain only GS1 character set 82' }] },
    });
    // The same rule recallLot applies (once the product exists, its lots can be named).
    await captured('maker', [commissioningEvent({ eventTime: t(0), epcs: [pack('OK0')], lot: 'L0', expiry: '2028-06-30' })]);
    const recall = await gql(app, `mutation { recallLot(gtin: "${GTIN}", lot: "LOT#1", reason: "test") { packs } }`, {}, orgs.maker.apiKey);
    expect(recall.errors?.[0].extensions).toMatchObject({
      code: 'INVALID_RECALL',
      details: { field: 'lot', rule: 'may contain only GS1 character set 82' },
    });
    const tooLong = await capture('maker', [
      commissioningEvent({ eventTime: t(0), epcs: [pack('BAD2')], lot: 'L'.repeat(21), expiry: '2028-06-30' }),
    ]);
    expect(tooLong.errors?.[0].extensions?.details.issues[0]).toMatchObject({
      field: '/ilmd/cbvmda:lotNumber',
      rule: 'data must be 1-20 characters long, got 21',
    });
  });

  describe('licences', () => {
    it('are declared by their holder, verified by a regulator only, and public in the directory', async () => {
      const input = {
        type: 'State wholesale licence',
        issuingAuthority: 'Ohio Board of Pharmacy',
        number: 'WDD-0001',
        validFrom: '2025-01-01T00:00:00Z',
        validUntil: '2099-01-01T00:00:00Z',
      };
      const added = await gql(app, ADD_LICENCE, { input }, orgs.unlicensed.apiKey);
      expect(added.data.addLicence).toMatchObject({ status: 'PENDING', valid: false });
      const id = added.data.addLicence.id;
      const again = await gql(app, ADD_LICENCE, { input }, orgs.unlicensed.apiKey);
      expect(again.errors?.[0].extensions?.code).toBe('LICENCE_EXISTS');
      const backwards = await gql(
        app,
        ADD_LICENCE,
        { input: { ...input, number: 'X', validUntil: '2024-01-01T00:00:00Z' } },
        orgs.unlicensed.apiKey,
      );
      expect(backwards.errors?.[0].extensions).toMatchObject({
        code: 'INVALID_LICENCE',
        details: { field: 'validUntil', rule: 'must be after validFrom' },
      });

      const verify = `mutation($id: ID!) { verifyLicence(id: $id) { status valid verifiedBy } }`;
      const bySelf = await gql(app, verify, { id }, orgs.unlicensed.apiKey);
      expect(bySelf.errors?.[0].extensions?.code).toBe('FORBIDDEN');
      const byMaker = await gql(app, verify, { id }, orgs.maker.apiKey);
      expect(byMaker.errors?.[0].extensions?.code).toBe('FORBIDDEN');
      const unknown = await gql(app, verify, { id: 'no-such-licence' }, orgs.regulator.apiKey);
      expect(unknown.errors?.[0].extensions?.code).toBe('UNKNOWN_LICENCE');
      expect((await gql(app, verify, { id }, orgs.regulator.apiKey)).data.verifyLicence).toEqual({
        status: 'VERIFIED',
        valid: true,
        verifiedBy: orgs.regulator.id,
      });

      const directory = await gql(app, LICENCES, {}, orgs.pharmacy.apiKey);
      expect(directory.data.organizations.find((o: any) => o.name === 'Grey Market Ltd').licences).toEqual([
        {
          type: 'State wholesale licence',
          issuingAuthority: 'Ohio Board of Pharmacy',
          number: 'WDD-0001',
          status: 'VERIFIED',
          valid: true,
          verifiedBy: orgs.regulator.id,
        },
      ]);
      expect(directory.data.organizations.find((o: any) => o.name === 'Medicines Agency').licences).toEqual([]);

      const reject = `mutation($id: ID!) { rejectLicence(id: $id, reason: "registration lapsed") { status valid rejectionReason } }`;
      expect((await gql(app, reject, { id }, orgs.regulator.apiKey)).data.rejectLicence).toEqual({
        status: 'REJECTED',
        valid: false,
        rejectionReason: 'registration lapsed',
      });
    });

    it('refuse a shipment addressed to an organization without a valid licence: CAPTURE_FORBIDDEN, rule UNLICENSED_TRADING_PARTNER', async () => {
      await captured('maker', [commissioningEvent({ eventTime: t(1), epcs: [pack('U1'), pack('U2')], lot: 'L1', expiry: '2028-06-30' })]);
      const res = await capture('maker', [shippingEvent({ eventTime: t(2), epcs: [pack('U1')], to: pgln(orgs.unlicensed.gln) })]);
      expect(res.errors?.[0].extensions).toMatchObject({
        code: 'CAPTURE_FORBIDDEN',
        details: { issues: [{ eventIndex: 0, field: '/epcList/0', rule: 'UNLICENSED_TRADING_PARTNER' }] },
      });
      expect(res.errors?.[0].message).toContain(`(${orgs.unlicensed.gln})`);
      expect(await alerts('UNLICENSED_TRADING_PARTNER')).toEqual([{ epc: pack('U1'), actorId: orgs.maker.id, stored: false }]);
      const state = await gql(
        app,
        `query($c: String!) { verify(code: $c) { status custodian { name } } }`,
        { c: pack('U1') },
        orgs.regulator.apiKey,
      );
      expect(state.data.verify).toMatchObject({ status: 'ACTIVE', custodian: { name: 'ACME Pharma' } });
    });

    it('refuse a receipt from a shipper whose licence was withdrawn while the goods were on the road', async () => {
      await captured('maker', [shippingEvent({ eventTime: t(3), epcs: [pack('U2')], to: pgln(orgs.wholesaler.gln) })]);
      await captured('wholesaler', [receivingEvent({ eventTime: t(4), epcs: [pack('U2')] })]);
      await captured('wholesaler', [shippingEvent({ eventTime: t(5), epcs: [pack('U2')], to: pgln(orgs.pharmacy.gln) })]);
      const licences = await gql(app, `{ organizations { id licences { id } } }`, {}, orgs.regulator.apiKey);
      const [{ id }] = licences.data.organizations.find((o: any) => o.id === orgs.wholesaler.id).licences;
      await gql(app, `mutation($id: ID!) { rejectLicence(id: $id, reason: "suspended") { status } }`, { id }, orgs.regulator.apiKey);

      const res = await capture('pharmacy', [receivingEvent({ eventTime: t(6), epcs: [pack('U2')] })]);
      expect(res.errors?.[0].extensions).toMatchObject({
        code: 'CAPTURE_FORBIDDEN',
        details: { issues: [{ eventIndex: 0, rule: 'UNLICENSED_TRADING_PARTNER' }] },
      });
      await gql(app, `mutation($id: ID!) { verifyLicence(id: $id) { status } }`, { id }, orgs.regulator.apiKey);
      await captured('pharmacy', [receivingEvent({ eventTime: t(6), epcs: [pack('U2')] })]);
    });

    it('under LICENCE_ENFORCEMENT=alert, store the shipment and record an UNLICENSED_TRADING_PARTNER alert', async () => {
      alerting = await startApi(testConfig({ DATABASE_URL: dbUrl(), LICENCE_ENFORCEMENT: 'alert' }));
      const res = await capture('maker', [shippingEvent({ eventTime: t(7), epcs: [pack('U1')], to: pgln(orgs.unlicensed.gln) })], alerting);
      expect(res.errors).toBeUndefined();
      expect(res.data.captureEpcisDocument.capturedCount).toBe(1);
      expect((await alerts('UNLICENSED_TRADING_PARTNER')).filter((a: any) => a.stored)).toEqual([
        { epc: pack('U1'), actorId: orgs.maker.id, stored: true },
      ]);
    });
  });

  it("the demo's clean flow raises no flag on its pallet, cases or packs, and records no alert", async () => {
    const packs = Array.from({ length: 1000 }, (_, i) => pack(`D${String(i).padStart(4, '0')}`));
    const cases = Array.from({ length: 10 }, (_, i) => sscc(`${i}00000000${i}`));
    const pallet = sscc('9000000099');
    await captured('maker', [
      ...Array.from({ length: 10 }, (_, i) =>
        commissioningEvent({ eventTime: t(10 + i), epcs: packs.slice(i * 100, i * 100 + 100), lot: 'LD1', expiry: '2028-06-30' }),
      ),
      ...cases.map((c, i) => packingEvent({ eventTime: t(20 + i), parent: c, children: packs.slice(i * 100, i * 100 + 100) })),
      packingEvent({ eventTime: t(30), parent: pallet, children: cases }),
      shippingEvent({ eventTime: t(31), epcs: [pallet], from: pgln(orgs.maker.gln), to: pgln(orgs.wholesaler.gln) }),
    ]);
    await captured('wholesaler', [
      receivingEvent({ eventTime: t(32), epcs: [pallet], from: pgln(orgs.maker.gln), to: pgln(orgs.wholesaler.gln) }),
      unpackingEvent({ eventTime: t(33), parent: pallet }),
      shippingEvent({ eventTime: t(34), epcs: [cases[0]], from: pgln(orgs.wholesaler.gln), to: pgln(orgs.pharmacy.gln) }),
    ]);
    await captured('pharmacy', [
      receivingEvent({ eventTime: t(35), epcs: [cases[0]], from: pgln(orgs.wholesaler.gln), to: pgln(orgs.pharmacy.gln) }),
    ]);

    const read = `query($e: String!) { provenance(epc: $e) { flags { code } custody { holder { name } inTransit } } }`;
    for (const [epc, holder] of [
      [pallet, 'Northern Wholesale'],
      [cases[0], 'Corner Pharmacy'],
      [cases[1], 'Northern Wholesale'],
      [packs[7], 'Corner Pharmacy'],
      [packs[999], 'Northern Wholesale'],
    ]) {
      const res = await gql(app, read, { e: epc }, orgs.regulator.apiKey);
      expect(res.errors).toBeUndefined();
      expect(res.data.provenance.flags).toEqual([]);
      expect(res.data.provenance.custody.at(-1)).toEqual({ holder: { name: holder }, inTransit: false });
    }
    const demo = new Set(
      [...packs, ...cases, pallet].map((e) =>
        e.replace(/^urn:epc:id:sscc:0614141\.(\d)(\d{9})$/, (_, x, r) => `https://id.gs1.org/00/${withCheckDigit(`${x}0614141${r}`)}`),
      ),
    );
    const db = new Client({ connectionString: dbUrl() });
    await db.connect();
    try {
      const { rows } = await db.query(`SELECT code, epc FROM alert`);
      expect(rows.filter((a) => demo.has(a.epc))).toEqual([]);
    } finally {
      await db.end();
    }
  });
});
