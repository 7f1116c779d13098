import { INestApplication } from '@nestjs/common';
import { commissioningEvent, epcisDocument, receivingEvent, shippingEvent } from '@pharmatrace/epcis';
import request from 'supertest';
import { CAPTURE, createOrganization, gql, startApi, testConfig, useDatabase, withCheckDigit } from '../support/platform';

const GTIN = withCheckDigit('0061414107346');
const pack = (serial: string) => `https://id.gs1.org/01/${GTIN}/21/${serial}`;
const t = (minute: number) => new Date(Date.UTC(2026, 10, 1, 8, minute));
const ROLES = ['regulator', 'maker', 'rival', 'wholesaler', 'pharmacy'] as const;
type Role = (typeof ROLES)[number];
type Outcome = number | string | 'FORBIDDEN';

/**
 * The read-policy matrix: every role × every read query. A number is how many items the answer holds (lists are
 * filtered to what the role may read); a string is the visibility or scope; FORBIDDEN is the refusal.
 */
const MATRIX: Record<string, Record<Role, Outcome>> = {
  provenance: { regulator: 'FULL:3', maker: 'FULL:3', rival: 'FORBIDDEN', wholesaler: 'PARTY_EVENTS:2', pharmacy: 'FORBIDDEN' },
  events: { regulator: 4, maker: 4, rival: 0, wholesaler: 3, pharmacy: 0 },
  'GET /epcis/events': { regulator: 4, maker: 4, rival: 0, wholesaler: 3, pharmacy: 0 },
  'GET /epcis/events/{id}': { regulator: 200, maker: 200, rival: 'FORBIDDEN', wholesaler: 'FORBIDDEN', pharmacy: 'FORBIDDEN' },
  lot: { regulator: 'ALL:2', maker: 'ALL:2', rival: 'FORBIDDEN', wholesaler: 'OWN_CUSTODY:2', pharmacy: 'FORBIDDEN' },
  alerts: { regulator: 1, maker: 1, rival: 0, wholesaler: 1, pharmacy: 0 },
  organizations: { regulator: 5, maker: 5, rival: 5, wholesaler: 5, pharmacy: 5 },
  verify: { regulator: 'ACTIVE', maker: 'ACTIVE', rival: 'ACTIVE', wholesaler: 'ACTIVE', pharmacy: 'ACTIVE' },
};

describe('read policy: every role × every read query', () => {
  let app: INestApplication;
  const orgs = {} as Record<Role, { apiKey: string; id: string }>;
  let commissioning: string;
  afterAll(() => app?.close());
  const dbUrl = useDatabase();

  beforeAll(async () => {
    app = await startApi(testConfig({ DATABASE_URL: dbUrl() }));
    orgs.regulator = await createOrganization(app, { name: 'Agency', role: 'REGULATOR', gln: withCheckDigit('061414100004') });
    orgs.maker = await createOrganization(app, { name: 'ACME', role: 'MANUFACTURER', gln: withCheckDigit('061414100001'), companyPrefixes: ['0614141'] });
    orgs.rival = await createOrganization(app, { name: 'Rival', role: 'MANUFACTURER', gln: withCheckDigit('095060000001'), companyPrefixes: ['0950600'] });
    orgs.wholesaler = await createOrganization(app, { name: 'Wholesale', role: 'DISTRIBUTOR', gln: withCheckDigit('061414100002') });
    orgs.pharmacy = await createOrganization(app, { name: 'Pharmacy', role: 'DISPENSER', gln: withCheckDigit('061414100003') });
    const made = await gql(app, CAPTURE, { document: epcisDocument([
      commissioningEvent({ eventTime: t(0), epcs: [pack('X1'), pack('Y1')], lot: 'L1', expiry: '2028-06-30', bizLocation: 'urn:epc:id:sgln:0614141.00001.0' }),
      shippingEvent({ eventTime: t(1), epcs: [pack('X1')], to: 'urn:epc:id:pgln:0614141.00002' }),
    ]) }, orgs.maker.apiKey);
    commissioning = made.data.captureEpcisDocument.eventHashes[0];
    const got = await gql(app, CAPTURE, { document: epcisDocument([
      receivingEvent({ eventTime: t(2), epcs: [pack('X1')] }),
      // Y1 was never shipped: reading its provenance raises RECEIVED_WITHOUT_SHIPMENT (actor: wholesaler, recipient: maker).
      receivingEvent({ eventTime: t(3), epcs: [pack('Y1')] }),
    ]) }, orgs.wholesaler.apiKey);
    expect(got.errors).toBeUndefined();
    expect((await gql(app, `{ provenance(epc: "${pack('Y1')}") { flags { code } } }`, {}, orgs.regulator.apiKey)).data.provenance.flags).toEqual([{ code: 'RECEIVED_WITHOUT_SHIPMENT' }]);
  });

  const code = (res: { errors?: { extensions?: Record<string, any> }[] }) => res.errors?.[0]?.extensions?.code;
  const http = (role: Role, path: string) => request(app.getHttpServer()).get(path).set('Authorization', `Bearer ${orgs[role].apiKey}`);

  const ask: Record<string, (role: Role) => Promise<Outcome>> = {
    provenance: async (role) => {
      const res = await gql(app, `{ provenance(epc: "${pack('X1')}") { visibility events { eventHash } } }`, {}, orgs[role].apiKey);
      return code(res) ?? `${res.data.provenance.visibility}:${res.data.provenance.events.length}`;
    },
    events: async (role) => {
      const res = await gql(app, `{ events(first: 100) { edges { cursor } } }`, {}, orgs[role].apiKey);
      return code(res) ?? res.data.events.edges.length;
    },
    'GET /epcis/events': async (role) => {
      const res = await http(role, '/epcis/events');
      return res.status === 200 ? res.body.epcisBody.queryResults.resultsBody.eventList.length : res.body.title ?? res.status;
    },
    'GET /epcis/events/{id}': async (role) => {
      const res = await http(role, `/epcis/events/${encodeURIComponent(commissioning)}`);
      return res.status === 403 ? 'FORBIDDEN' : res.status;
    },
    lot: async (role) => {
      const res = await gql(app, `{ lot(gtin: "${GTIN}", lot: "L1") { scope packs { edges { cursor } } } }`, {}, orgs[role].apiKey);
      return code(res) ?? `${res.data.lot.scope}:${res.data.lot.packs.edges.length}`;
    },
    alerts: async (role) => {
      const res = await gql(app, `{ alerts { edges { node { code } } } }`, {}, orgs[role].apiKey);
      return code(res) ?? res.data.alerts.edges.length;
    },
    organizations: async (role) => {
      const res = await gql(app, `{ organizations { id } }`, {}, orgs[role].apiKey);
      return code(res) ?? res.data.organizations.length;
    },
    verify: async (role) => {
      const res = await gql(app, `{ verify(code: "${pack('X1')}") { status } }`, {}, orgs[role].apiKey);
      return code(res) ?? res.data.verify.status;
    },
  };

  for (const [query, expected] of Object.entries(MATRIX)) {
    it(`${query}: ${ROLES.map((r) => `${r} → ${expected[r]}`).join(', ')}`, async () => {
      const got: Record<string, Outcome> = {};
      for (const role of ROLES) got[role] = await ask[query](role);
      expect(got).toEqual(expected);
    });
  }

  it('answers a forbidden single event on the EPCIS binding as a 403 SecurityException problem', async () => {
    const res = await http('pharmacy', `/epcis/events/${encodeURIComponent(commissioning)}`);
    expect(res.status).toBe(403);
    expect(res.body.type).toMatch(/SecurityException/);
  });
});
