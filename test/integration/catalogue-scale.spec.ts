import {
  ApiKeyRepository,
  EventQueryRepository,
  OrganizationRepository,
  overlappingPrefixes,
  Sql,
  VIEWS_SQL,
} from '@pharmatrace/persistence';
import { companyPrefixCandidates } from '@pharmatrace/gs1';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { useDatabase, withCheckDigit } from '../support/platform';
import { analyzedPlan, indexesRead, type PlanNode, recordingDataSource, rowsRead, textArray } from '../support/query-plan';

const GTIN = withCheckDigit('0061414107346');
const MANUFACTURER = '00000000-0000-4000-8000-00000000000a';
const pack = (serial: string) => `https://id.gs1.org/01/${GTIN}/21/${serial}`;
/** A national catalogue: tens of thousands of products and hundreds of thousands of lots, recalled ones among them. */
const OTHER_PRODUCTS = 20_000;
const OTHER_LOTS = 50_000;
const OTHER_ORGANIZATIONS = 20_000;

/**
 * Issue 18: `product.gtin` and `lot.gtin` are char(14). A GTIN compared with them as text (from a text[] parameter, or
 * cut out of an EPC by substring) cannot use their keys, and the statement reads the whole catalogue: with a bench's
 * 20 products nobody sees it, with a nation's every verification did (16 scans took 412 ms against 50,000 products
 * and 200,000 lots). Here the catalogue is large and each read must find its product and lot by key.
 */
describe('reads by key however large the product catalogue (real Postgres)', () => {
  let pg: Client;
  afterAll(() => pg?.end());
  const dbUrl = useDatabase();
  beforeAll(async () => {
    pg = new Client({ connectionString: dbUrl() });
    await pg.connect();
    // Rows this test reads, without the organizations and events their keys point to.
    await pg.query(`SET session_replication_role = replica`);
    await pg.query(
      `INSERT INTO product (gtin, name) SELECT lpad((90000000000000 + g)::text, 14, '0'), 'other' FROM generate_series(1, $1::int) g`,
      [OTHER_PRODUCTS],
    );
    await pg.query(`INSERT INTO product (gtin, name, manufacturer_id) VALUES ($1, 'ours', $2)`, [GTIN, MANUFACTURER]);
    await pg.query(
      `INSERT INTO lot (gtin, lot, status)
       SELECT lpad((90000000000000 + g % $2::int)::text, 14, '0'), 'R' || g, 'RECALLED' FROM generate_series(1, $1::int) g`,
      [OTHER_LOTS, OTHER_PRODUCTS],
    );
    await pg.query(`INSERT INTO lot (gtin, lot, status) VALUES ($1, 'L1', 'RECALLED')`, [GTIN]);
    await pg.query(
      `INSERT INTO pack_state (epc, kind, gtin, serial, lot, expiry, status, last_event_id, last_event_time)
       SELECT $1 || 'S' || i, 'sgtin', $2, 'S' || i, 'L1', '2030-01-31', 'ACTIVE', 1, now() FROM generate_series(1, 2) AS i`,
      [pack(''), GTIN],
    );
    await pg.query(`INSERT INTO event_epc (epc, event_time, event_id, role) VALUES ($1, now(), 1, 'epc')`, [pack('S1')]);
    // A national registry: tens of thousands of organizations with company prefixes (7 to 9 digits here).
    await pg.query(
      `INSERT INTO organization (name, role, gln, company_prefixes)
       SELECT 'Org ' || g, 'DISPENSER', '8' || lpad(g::text, 12, '0'), ARRAY[(7000000 + g)::text, (700000000 + g)::text]
       FROM generate_series(1, $1::int) g`,
      [OTHER_ORGANIZATIONS],
    );
    await pg.query(
      `INSERT INTO organization (id, name, role, gln, company_prefixes) VALUES ($1, 'Maker', 'MANUFACTURER', '0614141000012', '{0614141}')`,
      [MANUFACTURER],
    );
    // Each with its key; a few revoked, as the revoked-key poll of every API process looks for.
    await pg.query(`INSERT INTO api_key (organization_id, name, hash) SELECT id, 'default', sha256(id::text::bytea) FROM organization`);
    await pg.query(
      `UPDATE api_key SET revoked_at = now(), revoked_by = 'OPERATOR' WHERE organization_id IN (SELECT id FROM organization ORDER BY gln LIMIT 3)`,
    );
    await pg.query(`RESET session_replication_role`);
    for (const table of ['product', 'lot', 'pack_state', 'event_epc', 'organization', 'api_key']) await pg.query(`ANALYZE ${table}`);
  });

  const literal = (values: (string | null)[]) => textArray(pg, values);

  it("verification's generic plan reads one product row and one lot row a pack, and still sees the recall", async () => {
    await pg.query(`SET plan_cache_mode = force_generic_plan`);
    await pg.query(`PREPARE views(text[], text[], text[]) AS ${VIEWS_SQL}`);
    const args = `${literal([pack('S1'), pack('S2')])}, ${literal([GTIN, GTIN])}, ${literal([null, null])}`;
    const {
      rows: [row],
    } = await pg.query(`EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE views(${args})`);
    const plan = row['QUERY PLAN'][0].Plan as PlanNode;
    expect(rowsRead(plan, 'product')).toBe(2);
    expect(rowsRead(plan, 'lot')).toBe(2);
    const { rows } = await pg.query(`EXECUTE views(${args})`);
    expect(rows[0].views.map((v: unknown[]) => [(v[2] as unknown[])[0], v[3]])).toEqual([
      ['ours', true],
      ['ours', true],
    ]);
  });

  it("a key's registered company prefix is read through the organizations holding its candidates", async () => {
    const candidates = companyPrefixCandidates(GTIN.slice(1));
    const db = new DataSource({ type: 'postgres', url: dbUrl() });
    await db.initialize();
    try {
      expect([...(await new OrganizationRepository(db).registeredCompanyPrefixes(candidates))]).toEqual(['0614141']);
    } finally {
      await db.destroy();
    }
    // The repository's statement: the GIN index finds the one organization, not the 20,000 read whole.
    await pg.query(`SET enable_seqscan = off`);
    const {
      rows: [row],
    } = await pg.query(
      `EXPLAIN (ANALYZE, FORMAT JSON) SELECT DISTINCT p FROM organization o CROSS JOIN LATERAL unnest(o.company_prefixes) p
       WHERE o.company_prefixes && $1::text[] AND p = ANY($1::text[])`,
      [candidates],
    );
    await pg.query(`RESET enable_seqscan`);
    expect(rowsRead(row['QUERY PLAN'][0].Plan as PlanNode, 'organization')).toBe(1);
  });

  it('a registration reads the registered prefixes its own can overlap, not the registry', async () => {
    // '7000001' begins the 9-digit prefixes of organizations 100 to 199, and organization 1 holds it itself.
    const statements: { sql: string; params: unknown[] }[] = [];
    const recording = {
      query: async (sql: string, params: unknown[] = []) => {
        statements.push({ sql, params });
        return (await pg.query(sql, params)).rows;
      },
    };
    const shown = await overlappingPrefixes(recording, ['7000001']);
    // One statement registered them all, at one time: their order is the ids'.
    expect(shown.map((r) => r.prefix).sort()).toEqual(['7000001', ...Array.from({ length: 100 }, (_, i) => String(700000100 + i))]);
    await pg.query(`SET enable_seqscan = off`);
    const plan = await analyzedPlan(pg, statements[0].sql, statements[0].params);
    await pg.query(`RESET enable_seqscan`);
    // The leading parts and the range, each an index read (a BitmapOr), then each holder by key.
    expect(indexesRead(plan).sort()).toEqual(['organization_company_prefix_pkey', 'organization_company_prefix_pkey', 'organization_pkey']);
    expect([rowsRead(plan, 'organization_company_prefix'), rowsRead(plan, 'organization')]).toEqual([101, 101]);
  });

  it("an event query's manufacturer visibility finds the product of each EPC by key", async () => {
    // The read policy's condition alone, on a stand-in for the event row (visibility reads only these columns).
    const sql = new Sql();
    new EventQueryRepository({} as DataSource).visibility(sql, {
      organizationId: MANUFACTURER,
      glnPatterns: [],
      readerKeys: [`c:${MANUFACTURER}`],
      ownGtins: true,
      granted: [],
    });
    const query = `SELECT count(*) AS n
      FROM (SELECT 1::bigint, (SELECT record_time FROM event_epc LIMIT 1), now(), NULL::uuid, NULL::text, NULL::text, '{}'::jsonb)
        AS e(id, record_time, event_time, captured_by, read_point, biz_location, body)
      WHERE ${sql.where.join(' AND ')}`;
    const {
      rows: [row],
    } = await pg.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${query}`, sql.params);
    expect(rowsRead(row['QUERY PLAN'][0].Plan as PlanNode, 'product')).toBeLessThanOrEqual(1);
    expect((await pg.query(query, sql.params)).rows[0].n).toBe('1');
  });

  it('the directory reads a page, a search and a brand owner through its indexes, and the revoked-key poll only revoked keys', async () => {
    const { db, statements } = await recordingDataSource(dbUrl());
    try {
      const organizations = new OrganizationRepository(db);
      // Deep in the registry: the page after the 15,000th organization reads its 51 rows, not the 15,000 before it.
      const {
        rows: [deep],
      } = await pg.query(`SELECT id FROM organization ORDER BY created_at, id OFFSET 14999 LIMIT 1`);
      const page = await organizations.page({}, 50, deep.id);
      expect(page.organizations.map((o) => o.name)).toHaveLength(50);
      // Text anywhere in the name or GLN: "Org 1234" is in 11 names of 20,001.
      const found = await organizations.page({ search: 'org 1234' }, 50, null);
      expect(found.organizations.map((o) => o.name).sort()).toEqual(
        ['Org 1234', ...Array.from({ length: 10 }, (_, i) => `Org 1234${i}`)].sort(),
      );
      const owner = await organizations.page({ companyPrefixes: companyPrefixCandidates(GTIN.slice(1)) }, 50, null);
      expect(owner.organizations.map((o) => o.name)).toEqual(['Maker']);
      const revoked = await new ApiKeyRepository(db).revokedSince(new Date(0));
      expect(revoked).toHaveLength(3);
      expect(statements).toHaveLength(4);
      // At 20,000 rows a sequential scan still costs the planner less than a GIN index; what is checked here is that
      // each statement can be answered by its index (the owner's, before the subquery fence, walked the whole
      // directory index even so), which the planner takes as the registry grows.
      await pg.query(`SET enable_seqscan = off`);
      const plans: PlanNode[] = [];
      for (const s of statements) plans.push(await analyzedPlan(pg, s.sql, s.params));
      await pg.query(`RESET enable_seqscan`);
      expect(plans.map((plan) => indexesRead(plan).sort())).toEqual([
        ['organization_directory_idx', 'organization_pkey'],
        ['organization_search_idx'],
        ['organization_company_prefixes_idx'],
        ['api_key_revoked_idx'],
      ]);
      expect(plans.map((plan, i) => rowsRead(plan, i === 3 ? 'api_key' : 'organization'))).toEqual([51 + 1, 11, 1, 3]);
    } finally {
      await db.destroy();
    }
  });
});
