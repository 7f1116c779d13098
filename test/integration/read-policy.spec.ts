import { INestApplication } from '@nestjs/common';
import { commissioningEvent, epcisDocument, packingEvent, receivingEvent, shippingEvent } from '@pharmatrace/epcis';
import request from 'supertest';
import { CAPTURE, createOrganization, gql, startApi, testConfig, useDatabase, withCheckDigit, oneEvent } from '../support/platform';

const GTIN = withCheckDigit('0061414107346');
const RIVAL_GTIN = withCheckDigit('0095060001343');
const pack = (serial: string, gtin = GTIN) => `https://id.gs1.org/01/${gtin}/21/${serial}`;
const CASE = `https://id.gs1.org/00/${withCheckDigit('00614141000000001')}`;
const EVENT_ID = 'urn:uuid:0f7c3a52-5d1e-4e33-9c55-6b1f1f6a0c01';
const t = (minute: number) => new Date(Date.UTC(2026, 10, 1, 8, minute));
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * Every organization a pack X1 (lot L1) can be related to. The pack went maker → former → holder, and is in transit
 * from holder to pharmacy; K1 (lot L1) sits in case C1, shipped by the maker to the holder; Z1 is lot L2. The
 * grantees hold grants from the maker: on the GTIN, on lot L1, on lot L2, one expired and one revoked.
 */
const ROLES = [
  'regulator',
  'maker',
  'rival',
  'holder',
  'former',
  'bystander',
  'pharmacy',
  'stranger',
  'grantee',
  'lotGrantee',
  'otherLot',
  'expired',
  'revoked',
] as const;
type Role = (typeof ROLES)[number];
type Outcome = number | string | null;

const ORGS: Record<Role, { name: string; role: string; companyPrefixes?: string[] }> = {
  regulator: { name: 'Agency', role: 'REGULATOR' },
  maker: { name: 'ACME', role: 'MANUFACTURER', companyPrefixes: ['0614141'] },
  rival: { name: 'Rival', role: 'MANUFACTURER', companyPrefixes: ['0950600'] },
  holder: { name: 'Holder', role: 'DISTRIBUTOR' },
  former: { name: 'Former', role: 'DISTRIBUTOR' },
  bystander: { name: 'Bystander', role: 'DISTRIBUTOR' },
  pharmacy: { name: 'Pharmacy', role: 'DISPENSER' },
  stranger: { name: 'Stranger', role: 'DISPENSER' },
  grantee: { name: 'Grantee', role: 'DISPENSER' },
  lotGrantee: { name: 'LotGrantee', role: 'DISTRIBUTOR' },
  otherLot: { name: 'OtherLot', role: 'DISTRIBUTOR' },
  expired: { name: 'Expired', role: 'DISPENSER' },
  revoked: { name: 'Revoked', role: 'DISTRIBUTOR' },
};

const row = (...values: Outcome[]) => Object.fromEntries(ROLES.map((r, i) => [r, values[i]])) as Record<Role, Outcome>;
const F = 'FORBIDDEN';

/**
 * Every read path × every relation: the exact answer. A number is how many items the answer holds (a history's or
 * bundle's events, a list's items); a string is the visibility, scope, status or the pack an event names; FORBIDDEN
 * the refusal (GraphQL code or 403); 404 the answer "no such event".
 */
//                                         regulator    maker        rival  holder              former              bystander pharmacy            stranger grantee      lotGrantee   otherLot expired revoked
const MATRIX: Record<string, Record<Role, Outcome>> = {
  provenance: row('FULL:6', 'FULL:6', F, 'PARTY_EVENTS:3', 'PARTY_EVENTS:3', F, 'PARTY_EVENTS:1', F, 'FULL:6', 'FULL:6', F, F, F),
  proofBundle: row(6, 6, F, 3, 3, F, 1, F, 6, 6, F, F, F),
  'GET /proofs/{epc}': row(6, 6, F, 3, 3, F, 1, F, 6, 6, F, F, F),
  'GET /proofs?epc=': row(6, 6, F, 3, 3, F, 1, F, 6, 6, F, F, F),
  events: row(11, 9, 1, 5, 3, 0, 1, 0, 8, 7, 1, 0, 0),
  'GET /epcis/events': row(11, 9, 1, 5, 3, 0, 1, 0, 8, 7, 1, 0, 0),
  'GET /epcis/events/{hash}': row(200, 200, 404, 404, 404, 404, 404, 404, 200, 200, 404, 404, 404),
  'GET /epcis/events/{eventID}': row('R1', 'Z1', 'R1', 404, 404, 404, 404, 404, 'Z1', 404, 'Z1', 404, 404),
  'verify custodian|container': row(
    'Holder|C1',
    'Holder|C1',
    'null|null',
    'Holder|C1',
    'null|null',
    'null|null',
    'null|null',
    'null|null',
    'Holder|C1',
    'Holder|C1',
    'null|null',
    'null|null',
    'null|null',
  ),
  'verify status': row(
    'RECALLED',
    'RECALLED',
    'RECALLED',
    'RECALLED',
    'RECALLED',
    'RECALLED',
    'RECALLED',
    'RECALLED',
    'RECALLED',
    'RECALLED',
    'RECALLED',
    'RECALLED',
    'RECALLED',
  ),
  lot: row('ALL:3', 'ALL:3', F, 'OWN_CUSTODY:2', F, F, F, F, 'ALL:3', 'ALL:3', F, F, F),
  alerts: row(3, 3, 0, 1, 0, 0, 0, 0, 3, 2, 1, 0, 0),
};

describe('read policy: every read path × every relation to a pack, and owner-granted access', () => {
  let app: INestApplication;
  const orgs = {} as Record<Role, { apiKey: string; id: string; gln: string }>;
  let commissioning: string;
  /** The server's clock runs this far ahead of the wall clock: moved on to let a grant expire. */
  let ahead = 0;
  const dbUrl = useDatabase();
  afterAll(() => app?.close());

  const as = (role: Role) => orgs[role].apiKey;
  const pgln = (role: Role) => `https://id.gs1.org/417/${orgs[role].gln}`;
  const capture = async (role: Role, events: Record<string, unknown>[]) => {
    const res = await gql(app, CAPTURE, { document: epcisDocument(events) }, as(role));
    expect(res.errors).toBeUndefined();
    return res.data.captureEpcisDocument.eventHashes as string[];
  };
  const grant = async (grantee: Role, extra: Record<string, unknown> = {}) => {
    const input = { grantee: orgs[grantee].id, gtin: GTIN, validUntil: new Date(Date.now() + ahead + 30 * DAY).toISOString(), ...extra };
    const res = await gql(
      app,
      `mutation($input: GrantReadAccessInput!) { grantReadAccess(input: $input) { id active } }`,
      { input },
      as('maker'),
    );
    expect(res.errors).toBeUndefined();
    return res.data.grantReadAccess as { id: string; active: boolean };
  };

  beforeAll(async () => {
    app = await startApi(testConfig({ DATABASE_URL: dbUrl() }), { clock: () => new Date(Date.now() + ahead) });
    for (const [i, role] of ROLES.entries()) {
      const gln = role === 'rival' ? withCheckDigit('095060000001') : withCheckDigit(`06141410${String(i).padStart(4, '0')}`);
      orgs[role] = await createOrganization(app, { ...ORGS[role], gln });
    }
    // The rival declares the same eventID as one of the maker's events, earlier.
    await capture('rival', [
      { ...commissioningEvent({ eventTime: t(-1), epcs: [pack('R1', RIVAL_GTIN)], lot: 'R', expiry: '2028-06-30' }), eventID: EVENT_ID },
    ]);
    [commissioning] = await capture('maker', [
      commissioningEvent({
        eventTime: t(0),
        epcs: [pack('X1'), pack('Y1'), pack('K1')],
        lot: 'L1',
        expiry: '2028-06-30',
        bizLocation: 'urn:epc:id:sgln:0614141.00000.0',
      }),
      { ...commissioningEvent({ eventTime: t(1), epcs: [pack('Z1')], lot: 'L2', expiry: '2028-06-30' }), eventID: EVENT_ID },
      packingEvent({ eventTime: t(2), parent: CASE, children: [pack('K1')] }),
      shippingEvent({ eventTime: t(3), epcs: [pack('X1')], to: pgln('former') }),
      shippingEvent({ eventTime: t(4), epcs: [CASE], to: pgln('holder') }),
    ]);
    await capture('former', [
      receivingEvent({ eventTime: t(5), epcs: [pack('X1')] }),
      shippingEvent({ eventTime: t(6), epcs: [pack('X1')], to: pgln('holder') }),
    ]);
    await capture('holder', [
      receivingEvent({ eventTime: t(7), epcs: [pack('X1')] }),
      receivingEvent({ eventTime: t(8), epcs: [CASE] }),
      shippingEvent({ eventTime: t(9), epcs: [pack('X1')], to: pgln('pharmacy') }),
    ]);
    for (const lot of ['L1', 'L2']) {
      const res = await gql(
        app,
        `mutation { recallLot(gtin: "${GTIN}", lot: "${lot}", reason: "contamination") { packs } }`,
        {},
        as('maker'),
      );
      expect(res.errors).toBeUndefined();
    }
    await grant('grantee');
    await grant('lotGrantee', { lot: 'L1' });
    await grant('otherLot', { lot: 'L2' });
    await grant('expired', { validUntil: new Date(Date.now() + HOUR).toISOString() });
    const { id } = await grant('revoked');
    expect((await gql(app, `mutation { revokeReadAccess(id: "${id}") { active } }`, {}, as('maker'))).data.revokeReadAccess).toEqual({
      active: false,
    });
    ahead = 2 * HOUR;
  });

  const code = (res: { errors?: { extensions?: Record<string, any> }[] }) => res.errors?.[0]?.extensions?.code;
  const http = (role: Role, path: string) =>
    request(app.getHttpServer())
      .get(path)
      .set('Authorization', `Bearer ${as(role)}`);
  const restCount = async (role: Role, path: string) => {
    const res = await http(role, path);
    return res.status === 200 ? res.body.events.length : res.status === 403 ? res.body.title : res.status;
  };
  const verify = async (role: Role, serial: string) => {
    const res = await gql(app, `{ verify(code: "${pack(serial)}") { status custodian { name } container } }`, {}, as(role));
    expect(res.errors).toBeUndefined();
    return res.data.verify as { status: string; custodian: { name: string } | null; container: string | null };
  };

  const ask: Record<string, (role: Role) => Promise<Outcome>> = {
    provenance: async (role) => {
      const res = await gql(app, `{ provenance(epc: "${pack('X1')}") { visibility events { eventHash } } }`, {}, as(role));
      return code(res) ?? `${res.data.provenance.visibility}:${res.data.provenance.events.length}`;
    },
    proofBundle: async (role) => {
      const res = await gql(app, `{ proofBundle(epc: "${pack('X1')}") }`, {}, as(role));
      return code(res) ?? res.data.proofBundle.events.length;
    },
    'GET /proofs/{epc}': (role) => restCount(role, `/proofs/${encodeURIComponent(pack('X1'))}`),
    'GET /proofs?epc=': (role) => restCount(role, `/proofs?epc=${encodeURIComponent(pack('X1'))}`),
    events: async (role) => {
      const res = await gql(app, `{ events(first: 100) { edges { cursor } } }`, {}, as(role));
      return code(res) ?? res.data.events.edges.length;
    },
    'GET /epcis/events': async (role) => {
      const res = await http(role, '/epcis/events');
      return res.status === 200 ? res.body.epcisBody.queryResults.resultsBody.eventList.length : res.status;
    },
    'GET /epcis/events/{hash}': async (role) => (await http(role, `/epcis/events/${encodeURIComponent(commissioning)}`)).status,
    'GET /epcis/events/{eventID}': async (role) => {
      const res = await http(role, `/epcis/events/${encodeURIComponent(EVENT_ID)}`);
      return res.status === 200 ? (oneEvent(res.body).epcList as string[]).map((epc) => epc.split('/').pop()).join(',') : res.status;
    },
    'verify custodian|container': async (role) => {
      const [x1, k1] = [await verify(role, 'X1'), await verify(role, 'K1')];
      return `${x1.custodian?.name ?? null}|${k1.container === CASE ? 'C1' : k1.container}`;
    },
    'verify status': async (role) => (await verify(role, 'X1')).status,
    lot: async (role) => {
      const res = await gql(app, `{ lot(gtin: "${GTIN}", lot: "L1") { scope packs { edges { cursor } } } }`, {}, as(role));
      return code(res) ?? `${res.data.lot.scope}:${res.data.lot.packs.edges.length}`;
    },
    alerts: async (role) => {
      const res = await gql(app, `{ alerts(filter: { code: ["LOT_RECALLED"] }) { edges { node { code } } } }`, {}, as(role));
      return code(res) ?? res.data.alerts.edges.length;
    },
  };

  for (const [path, expected] of Object.entries(MATRIX)) {
    it(`${path}: ${ROLES.map((r) => `${r} → ${expected[r]}`).join(', ')}`, async () => {
      const got = {} as Record<Role, Outcome>;
      for (const role of ROLES) got[role] = await ask[path](role);
      expect(got).toEqual(expected);
    });
  }

  it('refuses a proof bundle with the code and status provenance refuses with, naming no one', async () => {
    const res = await http('stranger', `/proofs/${encodeURIComponent(pack('X1'))}`);
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ title: 'FORBIDDEN', query: 'history' });
    expect(JSON.stringify(res.body)).not.toMatch(/ACME|Holder|Former|Pharmacy/);
  });

  it('answers an event the caller may not read as the EPCIS binding answers an absent one', async () => {
    const unreadable = await http('stranger', `/epcis/events/${encodeURIComponent(commissioning)}`);
    const absent = await http('stranger', `/epcis/events/${encodeURIComponent('urn:uuid:00000000-0000-4000-8000-000000000000')}`);
    expect(unreadable.status).toBe(404);
    expect(unreadable.body.type).toMatch(/NoSuchResourceException/);
    const shape = ({ type, title, status, code }: Record<string, unknown>) => ({ type, title, status, code });
    expect(shape(unreadable.body)).toEqual(shape(absent.body));
  });

  describe('owner-granted access', () => {
    const GRANT = `mutation($input: GrantReadAccessInput!) { grantReadAccess(input: $input) { id gtin lot active grantor { name } grantee { name } } }`;
    const REVOKE = `mutation($id: ID!) { revokeReadAccess(id: $id) { id active revokedAt revokedBy { name } } }`;
    const future = () => new Date(Date.now() + ahead + DAY).toISOString();
    const provenanceOf = async (role: Role) => {
      const res = await gql(app, `{ provenance(epc: "${pack('X1')}") { visibility } }`, {}, as(role));
      return code(res) ?? res.data.provenance.visibility;
    };

    it('is obeyed from the next read, and so is its revocation; both stay on record', async () => {
      expect(await provenanceOf('bystander')).toBe('FORBIDDEN');
      const given = await gql(
        app,
        GRANT,
        { input: { grantee: orgs.bystander.gln, gtin: GTIN.slice(1), lot: 'L1', validUntil: future() } },
        as('maker'),
      );
      expect(given.errors).toBeUndefined();
      expect(given.data.grantReadAccess).toMatchObject({
        gtin: GTIN,
        lot: 'L1',
        active: true,
        grantor: { name: 'ACME' },
        grantee: { name: 'Bystander' },
      });
      expect(await provenanceOf('bystander')).toBe('FULL');
      const { id } = given.data.grantReadAccess;
      const revoked = await gql(app, REVOKE, { id }, as('maker'));
      expect(revoked.errors).toBeUndefined();
      expect(revoked.data.revokeReadAccess).toMatchObject({ id, active: false, revokedBy: { name: 'ACME' } });
      expect(await provenanceOf('bystander')).toBe('FORBIDDEN');
      // A second revocation changes nothing: the first one's time stays.
      expect((await gql(app, REVOKE, { id }, as('maker'))).data.revokeReadAccess.revokedAt).toBe(revoked.data.revokeReadAccess.revokedAt);
      const listed = await gql(app, `{ readGrants { id active revokedAt } }`, {}, as('bystander'));
      expect(listed.data.readGrants).toEqual([{ id, active: false, revokedAt: revoked.data.revokeReadAccess.revokedAt }]);
    });

    it('lists the grants an organization gave or received, expired and revoked ones included, and none to others', async () => {
      const list = async (role: Role) => (await gql(app, `{ readGrants { lot active grantee { name } } }`, {}, as(role))).data.readGrants;
      const given = await list('maker');
      expect(given.map((g: any) => `${g.grantee.name}:${g.lot}:${g.active}`).sort()).toEqual([
        'Bystander:L1:false',
        'Expired:null:false',
        'Grantee:null:true',
        'LotGrantee:L1:true',
        'OtherLot:L2:true',
        'Revoked:null:false',
      ]);
      expect(await list('lotGrantee')).toEqual([{ lot: 'L1', active: true, grantee: { name: 'LotGrantee' } }]);
      expect(await list('rival')).toEqual([]);
    });

    it.each([
      ['another manufacturer', 'rival', { grantee: 'bystander', gtin: GTIN }, 'GRANT_FORBIDDEN'],
      ['a GTIN nobody commissioned', 'maker', { grantee: 'bystander', gtin: withCheckDigit('0061414199999') }, 'GRANT_FORBIDDEN'],
      ['a distributor', 'holder', { grantee: 'bystander', gtin: GTIN }, 'FORBIDDEN'],
      ['a bad GTIN', 'maker', { grantee: 'bystander', gtin: '00614141073460' }, 'INVALID_GRANT:gtin'],
      ['a bad lot', 'maker', { grantee: 'bystander', gtin: GTIN, lot: 'L 1' }, 'INVALID_GRANT:lot'],
      ['an unknown grantee', 'maker', { grantee: withCheckDigit('999999900000'), gtin: GTIN }, 'INVALID_GRANT:grantee'],
      ['a grantee that is no id', 'maker', { grantee: 'Bystander', gtin: GTIN }, 'INVALID_GRANT:grantee'],
      ['itself', 'maker', { grantee: 'maker', gtin: GTIN }, 'INVALID_GRANT:grantee'],
      [
        'a period already over',
        'maker',
        { grantee: 'bystander', gtin: GTIN, validUntil: '2020-01-01T00:00:00Z' },
        'INVALID_GRANT:validUntil',
      ],
      [
        'a period ending before it starts',
        'maker',
        { grantee: 'bystander', gtin: GTIN, validFrom: '2099-01-02T00:00:00Z', validUntil: '2099-01-01T00:00:00Z' },
        'INVALID_GRANT:validUntil',
      ],
    ])('refuses a grant by %s', async (_, who, input: Record<string, string>, expected) => {
      const grantee = Object.hasOwn(orgs, input.grantee) ? orgs[input.grantee as Role].id : input.grantee;
      const res = await gql(app, GRANT, { input: { validUntil: future(), ...input, grantee } }, as(who as Role));
      const { code: got, details } = res.errors?.[0]?.extensions ?? {};
      expect(details?.field ? `${got}:${details.field}` : got).toBe(expected);
      // A refusal names the caller at most: never the GTIN's manufacturer to another organization.
      if (who !== 'maker') expect(res.errors?.[0]?.message).not.toMatch(/ACME/);
    });

    it("refuses to revoke another manufacturer's grant, or a made-up id, alike", async () => {
      const { id } = await grant('bystander', { lot: 'L2' });
      for (const [who, grantId] of [
        ['rival', id],
        ['maker', '00000000-0000-4000-8000-000000000000'],
        ['maker', 'not-an-id'],
      ] as const) {
        const res = await gql(app, REVOKE, { id: grantId }, as(who));
        expect([who, grantId, code(res)]).toEqual([who, grantId, 'GRANT_NOT_FOUND']);
      }
      expect((await gql(app, REVOKE, { id }, as('maker'))).data.revokeReadAccess.active).toBe(false);
    });
  });
});
