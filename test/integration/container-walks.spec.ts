import { LOCK_STATES_SQL, QUARANTINE_HOLDS_SQL, VIEWS_SQL, WIDEN_STATE_SPANS_SQL } from '@pharmatrace/persistence';
import { Client } from 'pg';
import { useDatabase, withCheckDigit } from '../support/platform';
import { type PlanNode, rowsRead, textArray } from '../support/query-plan';

const GTIN = withCheckDigit('0061414107346');
const pack = (serial: string) => `https://id.gs1.org/01/${GTIN}/21/${serial}`;
/** Cases' EPCs are this and a number: only their being a pack's container matters here. */
const CASE_PREFIX = 'urn:epc:id:sscc:0614141.1';
const LOOSE_PACKS = 1_000;
const CONTAINED_PACKS = 20_000;
const PACKS_PER_CASE = 10;

/**
 * Issue 18: verification (VIEWS_SQL) and capture (QUARANTINE_HOLDS_SQL) walk up the containers a pack sits in. The
 * statistics Postgres plans with lag behind the data: here they are taken while no pack sits in a container, then
 * 20,000 packs are packed into cases, as a day of capture does before autovacuum analyzes again. Each walk must still
 * read one pack_state row per pack and level, not every contained pack (a plan that hashed them all made each
 * verification 100 times dearer while capture ran beside it). Capture's lock walk likewise reads by key the EPCs a
 * document names, however many.
 */
describe('container walks whatever the statistics say (real Postgres)', () => {
  let pg: Client;
  // Declared before the database's own hook, so the connection ends before the database is dropped.
  afterAll(() => pg?.end());
  const dbUrl = useDatabase();
  beforeAll(async () => {
    pg = new Client({ connectionString: dbUrl() });
    await pg.connect();
    const insertPacks = (from: number, count: number, container: string) =>
      pg.query(
        `INSERT INTO pack_state (epc, kind, gtin, serial, lot, expiry, status, container_epc, last_event_id, last_event_time)
         SELECT $1 || 'S' || i, 'sgtin', $2, 'S' || i, 'L1', '2030-01-31', 'ACTIVE', ${container}, 1, now()
         FROM generate_series($3::int, $3::int + $4::int - 1) AS i`,
        [pack(''), GTIN, from, count],
      );
    await pg.query(`ALTER TABLE pack_state SET (autovacuum_enabled = false)`);
    await insertPacks(0, LOOSE_PACKS, 'NULL');
    await pg.query(`ANALYZE pack_state`);
    // Cases (loose, as shipped) and the packs in them, after the statistics were taken.
    await pg.query(
      `INSERT INTO pack_state (epc, kind, status, last_event_id, last_event_time)
       SELECT $1 || i, 'sscc', 'ACTIVE', 1, now() FROM generate_series(0, $2::int - 1) AS i`,
      [CASE_PREFIX, CONTAINED_PACKS / PACKS_PER_CASE],
    );
    await insertPacks(LOOSE_PACKS, CONTAINED_PACKS, `'${CASE_PREFIX}' || ((i - ${LOOSE_PACKS}) / ${PACKS_PER_CASE})`);
    // The first case is held in quarantine (by a case row this test does not need: its key is not checked here).
    await pg.query(`SET session_replication_role = replica`);
    await pg.query(`INSERT INTO quarantine_hold (epc, case_id, case_number) VALUES ($1, gen_random_uuid(), 7)`, [`${CASE_PREFIX}0`]);
    await pg.query(`RESET session_replication_role`);
  });

  const literal = (values: (string | null)[]) => textArray(pg, values);
  const contained = pack(`S${LOOSE_PACKS + 5}`);
  const loose = pack('S5');

  it('the data is as described: the contained pack sits in a case, and the statistics say no pack does', async () => {
    const { rows } = await pg.query(`SELECT container_epc FROM pack_state WHERE epc = $1`, [contained]);
    expect(rows[0].container_epc).toBe(`${CASE_PREFIX}0`);
    const stats = await pg.query(`SELECT null_frac FROM pg_stats WHERE tablename = 'pack_state' AND attname = 'container_epc'`);
    expect(stats.rows[0].null_frac).toBe(1);
  });

  it("verification's generic plan reads the pack_state row of each pack and case once, for two packs, one of them in a case", async () => {
    await pg.query(`SET plan_cache_mode = force_generic_plan`);
    await pg.query(`PREPARE views(text[], text[], text[]) AS ${VIEWS_SQL}`);
    const {
      rows: [row],
    } = await pg.query(
      `EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE views(${literal([contained, loose])}, ${literal([GTIN, GTIN])}, ${literal([null, null])})`,
    );
    const read = rowsRead(row['QUERY PLAN'][0].Plan as PlanNode, 'pack_state');
    // Each item of the walk read once, for its state, container and span alike: the two packs and the case; never the
    // 20,000 contained.
    expect(read).toBe(3);
  });

  it("capture's walk to quarantine holds finds the case's hold and reads a few pack_state rows", async () => {
    const holds = await pg.query(QUARANTINE_HOLDS_SQL, [[contained, loose]]);
    expect(holds.rows).toEqual([{ epc: contained, caseNumber: '7' }]);
    const {
      rows: [row],
    } = await pg.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${QUARANTINE_HOLDS_SQL.replace('$1::text[]', literal([contained, loose]))}`);
    const read = rowsRead(row['QUERY PLAN'][0].Plan as PlanNode, 'pack_state');
    expect(read).toBeGreaterThan(0);
    expect(read).toBeLessThan(50);
  });

  it("capture's lock walk looks up each EPC a document names by its key, not the table, and locks what a case holds", async () => {
    // A document's worth of new serials (as the capture-ceiling bench's commissionings) and one case already made up.
    const fresh = Array.from({ length: 900 }, (_, i) => pack(`NEW${i}`));
    const epcs = [...fresh, `${CASE_PREFIX}0`];
    const locked = await pg.query(LOCK_STATES_SQL, [epcs]);
    expect(locked.rows.map((r) => r.epc)).toEqual(
      [`${CASE_PREFIX}0`, ...Array.from({ length: PACKS_PER_CASE }, (_, i) => pack(`S${LOOSE_PACKS + i}`))].sort(),
    );
    const {
      rows: [row],
    } = await pg.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${LOCK_STATES_SQL.replace('$1::text[]', literal(epcs))}`);
    // The case, its packs found through the container index and their states: a few dozen rows. Written as `= ANY`
    // over the 900 EPCs, Postgres scanned all 21,000 packs at every capture.
    expect(rowsRead(row['QUERY PLAN'][0].Plan as PlanNode, 'pack_state')).toBeLessThan(100);
  });

  it("capture's span widening reads the states of the EPCs an observation names by key, not the table", async () => {
    const observed = Array.from({ length: 900 }, (_, i) => pack(`S${LOOSE_PACKS + i * 7}`));
    await pg.query('BEGIN');
    try {
      const {
        rows: [row],
      } = await pg.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${WIDEN_STATE_SPANS_SQL.replace('$1::text[]', literal(observed))}`);
      // Each named state once (these states have no span yet, so none is written). As `= ANY($1)`, a scan of all
      // 21,000 packs.
      expect(rowsRead(row['QUERY PLAN'][0].Plan as PlanNode, 'pack_state')).toBe(observed.length);
    } finally {
      await pg.query('ROLLBACK');
    }
  });
});
