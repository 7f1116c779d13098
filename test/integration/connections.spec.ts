import { INestApplication } from '@nestjs/common';
import { commissioningEvent, epcisDocument, eventHashes } from '@pharmatrace/epcis';
import { CAPTURE, createOrganization, gql, startApi, testConfig, useDatabase, withCheckDigit } from '../support/platform';

const GTIN = withCheckDigit('0061414107346');
const pack = (serial: string) => `https://id.gs1.org/01/${GTIN}/21/${serial}`;
const t = (minute: number) => new Date(Date.UTC(2026, 10, 1, 8, minute));
const SERIALS = ['P1', 'P2', 'P3', 'P4', 'P5', 'P6', 'P7'];
const EVENTS = SERIALS.map((s, i) => commissioningEvent({ eventTime: t(i), epcs: [pack(s)], lot: 'L1', expiry: '2028-06-30' }));

const PAGE_INFO = 'pageInfo { hasNextPage hasPreviousPage startCursor endCursor }';
const EVENTS_QUERY = `query($first: Int, $after: String, $last: Int, $before: String) {
  events(first: $first, after: $after, last: $last, before: $before) { edges { cursor node { eventHash } } ${PAGE_INFO} } }`;
const LOT_QUERY = `query($first: Int, $after: String, $last: Int, $before: String) { lot(gtin: "${GTIN}", lot: "L1") {
  packs(first: $first, after: $after, last: $last, before: $before) { edges { cursor node { serial } } ${PAGE_INFO} } } }`;
const PROVENANCE_QUERY = `query($first: Int, $last: Int) { provenance(epc: "${pack('P1')}") {
  eventsConnection(first: $first, last: $last) { edges { cursor } } } }`;
const DIRECTORY_QUERY = `query($first: Int, $after: String, $last: Int, $before: String) {
  organizationDirectory(first: $first, after: $after, last: $last, before: $before) { edges { cursor node { name } } ${PAGE_INFO} } }`;
const AUDIT_QUERY = `query($first: Int, $after: String, $last: Int, $before: String) {
  auditLog(first: $first, after: $after, last: $last, before: $before) { edges { cursor node { id } } ${PAGE_INFO} } }`;

interface Page {
  edges: { cursor: string; node: Record<string, string> }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

/**
 * Every GraphQL connection pages both ways with one PageInfo type (issue 16): walking back from the end with
 * last/before visits what first/after visits, page by page in the list's own order, through each repository's SQL.
 */
describe('GraphQL connections: forward and backward keyset paging, one PageInfo', () => {
  let app: INestApplication;
  let regulator: string;
  afterAll(() => app?.close());
  const dbUrl = useDatabase();

  beforeAll(async () => {
    app = await startApi(testConfig({ DATABASE_URL: dbUrl() }));
    const maker = await createOrganization(app, {
      name: 'ACME Pharma',
      role: 'MANUFACTURER',
      gln: withCheckDigit('061414100001'),
      companyPrefixes: ['0614141'],
    });
    ({ apiKey: regulator } = await createOrganization(app, { name: 'Agency', role: 'REGULATOR', gln: withCheckDigit('061414100999') }));
    for (let i = 0; i < 4; i++)
      await createOrganization(app, { name: `Pharmacy ${i}`, role: 'DISPENSER', gln: withCheckDigit(`06141410010${i}`) });
    const made = await gql(app, CAPTURE, { document: epcisDocument(EVENTS) }, maker.apiKey);
    expect(made.errors).toBeUndefined();
  });

  const page = async (query: string, vars: Record<string, unknown>, token: string, pick: (data: any) => Page) => {
    const res = await gql(app, query, vars, token);
    expect(res.errors).toBeUndefined();
    return pick(res.data);
  };
  const walk = async (query: string, token: string, pick: (data: any) => Page, key: string, size: number) => {
    const forward: string[] = [];
    for (let after: string | null = null, guard = 0; guard < 50; guard++) {
      const p: Page = await page(query, { first: size, after }, token, pick);
      forward.push(...p.edges.map((e) => e.node[key]));
      expect(p.pageInfo.hasPreviousPage).toBe(after !== null);
      expect(p.pageInfo.startCursor).toBe(p.edges[0]?.cursor ?? null);
      if (!p.pageInfo.hasNextPage) break;
      after = p.pageInfo.endCursor;
    }
    const backward: string[] = [];
    for (let before: string | null = null, guard = 0; guard < 50; guard++) {
      const p: Page = await page(query, { last: size, before }, token, pick);
      backward.unshift(...p.edges.map((e) => e.node[key]));
      expect(p.pageInfo.hasNextPage).toBe(before !== null);
      expect(p.pageInfo.endCursor).toBe(p.edges.at(-1)?.cursor ?? null);
      if (!p.pageInfo.hasPreviousPage) break;
      before = p.pageInfo.startCursor;
    }
    return { forward, backward };
  };

  it.each([1, 2, 3, 7, 10])('events: %i a page, both ways, in event-time order', async (size) => {
    const { forward, backward } = await walk(EVENTS_QUERY, regulator, (d) => d.events, 'eventHash', size);
    expect(forward).toEqual(eventHashes(epcisDocument(EVENTS)).map((h) => h.hash));
    expect(backward).toEqual(forward);
  });

  it.each([1, 3, 8])('lot packs: %i a page, both ways, in EPC order', async (size) => {
    const { forward, backward } = await walk(LOT_QUERY, regulator, (d) => d.lot.packs, 'serial', size);
    expect(forward).toEqual(SERIALS);
    expect(backward).toEqual(forward);
  });

  it.each([1, 2, 4])('audit log: %i a page, both ways, newest first', async (size) => {
    const { forward, backward } = await walk(AUDIT_QUERY, regulator, (d) => d.auditLog, 'id', size);
    expect(forward.length).toBeGreaterThanOrEqual(6);
    expect(forward.map(Number)).toEqual([...forward.map(Number)].sort((a, b) => b - a));
    expect(backward).toEqual(forward);
  });

  it.each([1, 2, 7])('organization directory: %i a page, both ways, oldest first', async (size) => {
    const { forward, backward } = await walk(DIRECTORY_QUERY, regulator, (d) => d.organizationDirectory, 'name', size);
    expect(forward).toEqual([
      'ACME Pharma',
      'Licensing Authority (test support)',
      'Agency',
      'Pharmacy 0',
      'Pharmacy 1',
      'Pharmacy 2',
      'Pharmacy 3',
    ]);
    expect(backward).toEqual(forward);
  });

  it('the last page without a cursor is the end of the list', async () => {
    const last = await page(EVENTS_QUERY, { last: 2 }, regulator, (d) => d.events);
    expect(last.edges.map((e) => e.node.eventHash)).toEqual(
      eventHashes(epcisDocument(EVENTS))
        .map((h) => h.hash)
        .slice(-2),
    );
    expect(last.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
  });

  it.each([
    [EVENTS_QUERY, { first: 2, last: 2 }, 'last'],
    [LOT_QUERY, { after: 'x', before: 'y' }, 'before'],
    [AUDIT_QUERY, { first: 1, before: 'y' }, 'before'],
    [DIRECTORY_QUERY, { last: 1, after: 'y' }, 'last'],
  ])('refuses paging both ways at once with INVALID_PAGE_ARGUMENTS (%#)', async (query, vars, field) => {
    const res = await gql(app, query, vars, regulator);
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'INVALID_PAGE_ARGUMENTS', details: { field, rule: 'one-direction' } });
  });

  it.each([
    ['lot packs', LOT_QUERY, { first: 0 }, (d: any) => d?.lot?.packs, 'INVALID_LOT_QUERY'],
    ['provenance events', PROVENANCE_QUERY, { last: 501 }, (d: any) => d?.provenance?.eventsConnection, 'INVALID_PROVENANCE_PAGE'],
  ])('%s, a field resolver, answers its own typed code for a bad page, not INTERNAL_SERVER_ERROR', async (_, query, vars, pick, code) => {
    const res = await gql(app, query as string, vars as Record<string, unknown>, regulator);
    expect((pick as (d: unknown) => unknown)(res.data) ?? null).toBeNull();
    expect(res.errors?.[0].extensions?.code).toBe(code);
  });

  it('refuses eventCountLimit with last: it counts from the start of the order', async () => {
    const res = await gql(
      app,
      `query { events(last: 2, filter: { orderBy: "eventTime", eventCountLimit: 3 }) { edges { cursor } } }`,
      {},
      regulator,
    );
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'INVALID_QUERY_PARAMETER', details: { parameter: 'eventCountLimit' } });
  });
});
