import { randomBytes } from 'node:crypto';
import { INestApplication } from '@nestjs/common';
import { commissioningEvent, epcisDocument, packingEvent } from '@pharmatrace/epcis';
import { AuditRepository, dataSourceOptions, HISTORY_SQL, PackRepository, VIEWS_SQL } from '@pharmatrace/persistence';
import { Client } from 'pg';
import { DataSource, DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../libs/persistence/src/migrations';
import { adminUrl, withAdmin } from '../support/database';
import { CAPTURE, createOrganization, gql, startApi, testConfig, useDatabase, withCheckDigit } from '../support/platform';

const GTIN = withCheckDigit('0061414107346');
const pack = (serial: string) => `https://id.gs1.org/01/${GTIN}/21/${serial}`;
const CASE = `https://id.gs1.org/00/${withCheckDigit('10614141000000001')}`;
const HISTORY_CASE = `https://id.gs1.org/00/${withCheckDigit('10614141000000002')}`;
const APP_ROLE = 'pharmatrace_app';

const refusal = (run: Promise<unknown>) =>
  run.then(
    () => ({ code: 'none', message: '' }),
    (e: { code: string; message: string }) => ({ code: e.code, message: e.message }),
  );

async function connect(url: string, role?: string): Promise<Client> {
  const c = new Client({ connectionString: url, ...(role ? { options: `-c role=${role}` } : {}) });
  await c.connect();
  return c;
}

/** Every scan node of a JSON plan: the relation it reads and how often it ran (0: pruned while running). */
interface Scan {
  relation: string;
  loops: number;
  node: string;
  heapFetches?: number;
}

function scans(plan: Record<string, unknown>, out: Scan[] = []): Scan[] {
  if (typeof plan['Relation Name'] === 'string')
    out.push({
      relation: plan['Relation Name'],
      loops: plan['Actual Loops'] as number,
      node: plan['Node Type'] as string,
      heapFetches: plan['Heap Fetches'] as number | undefined,
    });
  for (const child of (plan.Plans as Record<string, unknown>[] | undefined) ?? []) scans(child, out);
  return out;
}

/** An event row and its index rows written as a capture would, in one transaction at a given record time. */
async function storeEvent(
  c: Client,
  e: { recordTime: string; capturedBy: string; type?: string; action?: string; epcs: [string, string][]; batch?: [number, number] },
): Promise<string> {
  const hash = randomBytes(32);
  const {
    rows: [{ id }],
  } = await c.query(
    `WITH e AS (INSERT INTO event (event_hash, event_type, action, event_time, record_time, captured_by, body, batch_id, leaf_index)
                VALUES ($1, $2, $3, $4, $4, $5, '{}', $6, $7) RETURNING id, record_time)
     , k AS (INSERT INTO event_key (event_hash, event_id, record_time) SELECT $1, id, record_time FROM e)
     INSERT INTO event_epc (epc, event_time, event_id, role, record_time)
     SELECT x.epc, $4, e.id, x.role, e.record_time FROM e, unnest($8::text[], $9::text[]) AS x(epc, role) RETURNING event_id AS id`,
    [
      hash,
      e.type ?? 'ObjectEvent',
      e.action ?? 'ADD',
      e.recordTime,
      e.capturedBy,
      e.batch?.[0] ?? null,
      e.batch?.[1] ?? null,
      e.epcs.map(([epc]) => epc),
      e.epcs.map(([, role]) => role),
    ],
  );
  return id;
}

/** Issue 18: `event`, `event_epc` and `event_reader` in monthly partitions by record time; spans, archive, grants, the migration. */
describe('event record in monthly partitions (real Postgres)', () => {
  let app: INestApplication;
  let maker: { apiKey: string; id: string };
  const dbUrl = useDatabase();
  afterAll(() => app?.close());
  beforeAll(async () => {
    app = await startApi(testConfig({ DATABASE_URL: dbUrl() }));
    maker = await createOrganization(app, {
      name: 'ACME Pharma',
      role: 'MANUFACTURER',
      gln: withCheckDigit('061414100001'),
      companyPrefixes: ['0614141'],
    });
  });
  const capture = async (events: Record<string, unknown>[]) => {
    const res = await gql(app, CAPTURE, { document: epcisDocument(events) }, maker.apiKey);
    expect(res.errors).toBeUndefined();
    return res.data.captureEpcisDocument as { capturedCount: number; duplicateCount: number };
  };

  it("stores a capture in its month's partitions with its hash once across months, and keeps every EPC's record-time span", async () => {
    const at = new Date(Date.UTC(2026, 10, 1, 8));
    const document = [
      commissioningEvent({ eventTime: at, epcs: [pack('P1'), pack('P2')], lot: 'L1', expiry: '2028-06-30' }),
      packingEvent({ eventTime: new Date(at.getTime() + 60_000), parent: CASE, children: [pack('P1'), pack('P2')] }),
    ];
    expect(await capture(document)).toMatchObject({ capturedCount: 2 });
    expect(await capture(document)).toMatchObject({ capturedCount: 0, duplicateCount: 2 });
    const owner = await connect(dbUrl());
    try {
      const { rows: stored } = await owner.query(
        `SELECT e.tableoid::regclass::text AS part, to_char(e.record_time AT TIME ZONE 'UTC', '"partitions.event_y"YYYY"m"MM') AS expected,
                (SELECT count(*)::int FROM event_key k WHERE k.event_hash = e.event_hash AND k.event_id = e.id AND k.record_time = e.record_time) AS keys,
                (SELECT array_agg(DISTINCT x.tableoid::regclass::text) FROM event_epc x WHERE x.event_id = e.id AND x.record_time = e.record_time) AS index_parts
         FROM event e`,
      );
      expect(stored).toHaveLength(2);
      for (const row of stored) {
        expect(row.part).toBe(row.expected);
        expect(row.keys).toBe(1);
        expect(row.index_parts).toEqual([row.expected.replace('event_y', 'event_epc_y')]);
      }
      const { rows: spans } = await owner.query(
        `SELECT p.epc, p.first_record_time = e.record_time AND p.last_record_time = e.record_time AS exact
         FROM pack_state p, (SELECT DISTINCT record_time FROM event) e ORDER BY p.epc`,
      );
      expect(spans).toEqual(
        [
          { epc: pack('P1'), exact: true },
          { epc: pack('P2'), exact: true },
          { epc: CASE, exact: true },
        ].sort((a, b) => (a.epc < b.epc ? -1 : 1)),
      );

      // An observation changes no state: the pack's span widens on its own. An EPC with no state gets a span of its own.
      await owner.query(`UPDATE pack_state SET first_record_time = '2025-01-01Z', last_record_time = '2025-01-01Z' WHERE epc = $1`, [
        pack('P1'),
      ]);
      const observe = (epc: string) => ({
        type: 'ObjectEvent',
        eventTime: new Date().toISOString(),
        eventTimeZoneOffset: '+00:00',
        epcList: [epc],
        action: 'OBSERVE',
      });
      expect(await capture([observe(pack('P1')), observe(pack('UNKNOWN'))])).toMatchObject({ capturedCount: 2 });
      const { rows: widened } = await owner.query(
        `SELECT p.first_record_time = '2025-01-01Z' AS kept_first, p.last_record_time = (SELECT max(record_time) FROM event) AS widened_last
         FROM pack_state p WHERE p.epc = $1`,
        [pack('P1')],
      );
      expect(widened).toEqual([{ kept_first: true, widened_last: true }]);
      const { rows: stateless } = await owner.query(
        `SELECT s.first_record_time = s.last_record_time AND s.last_record_time = (SELECT max(record_time) FROM event) AS exact FROM epc_span s WHERE s.epc = $1`,
        [pack('UNKNOWN')],
      );
      expect(stateless).toEqual([{ exact: true }]);
      expect(await owner.query(`SELECT 1 FROM pack_state WHERE epc = $1`, [pack('UNKNOWN')])).toHaveProperty('rowCount', 0);
    } finally {
      await owner.end();
    }
  });

  describe('months of history', () => {
    const P = pack('H1');
    const Q = pack('H2');
    let owner: Client;
    let asApp: Client;
    let events: { january: string[]; february: string[] };
    beforeAll(async () => {
      owner = await connect(dbUrl());
      asApp = await connect(dbUrl(), APP_ROLE);
      // The application role makes months through the owner's function (as the worker does).
      await asApp.query(`SELECT event_partitions_ensure('2025-01-01Z', '2025-03-01Z')`);
      const by = maker.id;
      const january = [
        await storeEvent(owner, { recordTime: '2025-01-10T08:00:00Z', capturedBy: by, epcs: [[P, 'epc']] }),
        await storeEvent(owner, {
          recordTime: '2025-01-12T08:00:00Z',
          capturedBy: by,
          type: 'AggregationEvent',
          epcs: [
            [HISTORY_CASE, 'parent'],
            [P, 'child'],
          ],
        }),
      ];
      const february = [await storeEvent(owner, { recordTime: '2025-02-10T08:00:00Z', capturedBy: by, epcs: [[Q, 'epc']] })];
      await owner.query(
        `INSERT INTO pack_state (epc, kind, gtin, serial, status, last_event_id, last_event_time, first_record_time, last_record_time)
         VALUES ($1, 'sgtin', $3, 'H1', 'ACTIVE', $4, '2025-01-12T08:00:00Z', '2025-01-10T08:00:00Z', '2025-01-12T08:00:00Z'),
                ($2, 'sgtin', $3, 'H2', 'ACTIVE', $5, '2025-02-10T08:00:00Z', '2025-02-10T08:00:00Z', '2025-02-10T08:00:00Z'),
                ($6, 'sscc', NULL, NULL, 'ACTIVE', $4, '2025-01-12T08:00:00Z', '2025-01-12T08:00:00Z', '2025-01-12T08:00:00Z')`,
        [P, Q, GTIN, january[1], february[0], HISTORY_CASE],
      );
      // Other packs' history in both months, so that the planner sees tables of some size and plans as it does at scale:
      // index lookups joined by nested loops, which Postgres prunes as they run (on a few rows it would rather read
      // every month whole).
      await owner.query(
        `WITH e AS (
           INSERT INTO event (event_hash, event_type, action, event_time, record_time, captured_by, body)
           SELECT sha256(('filler ' || m || ' ' || i)::bytea), 'ObjectEvent', 'ADD', t, t, $1, '{}'
           FROM unnest(ARRAY['2025-01-20T00:00:00Z', '2025-02-20T00:00:00Z']::timestamptz[]) WITH ORDINALITY AS month(t, m),
                generate_series(1, 20000) i
           RETURNING id, event_time, record_time)
         , x AS (INSERT INTO event_epc (epc, event_time, event_id, role, record_time)
                 SELECT 'https://id.gs1.org/01/${GTIN}/21/F' || id, event_time, id, 'epc', record_time FROM e)
         INSERT INTO pack_state (epc, kind, gtin, serial, status, last_event_id, last_event_time, first_record_time, last_record_time)
         SELECT 'https://id.gs1.org/01/${GTIN}/21/F' || id, 'sgtin', '${GTIN}', 'F' || id, 'ACTIVE', id, event_time, record_time, record_time FROM e`,
        [by],
      );
      await owner.query(`ANALYZE event; ANALYZE event_epc; ANALYZE pack_state`);
      events = { january, february };
    });
    afterAll(async () => {
      await owner?.end();
      await asApp?.end();
    });

    it("reads a pack's events in the months of its span only, with the statements verify and provenance prepare", async () => {
      // As the repositories run them: prepared, one generic plan.
      await asApp.query(`SET plan_cache_mode = force_generic_plan`);
      await asApp.query(`PREPARE history(text) AS ${HISTORY_SQL}`);
      await asApp.query(`PREPARE views(text[], text[], text[]) AS ${VIEWS_SQL}`);
      // EXECUTE takes its arguments as literals: the plan is the generic one the repositories run.
      const text = (v: string) => asApp.escapeLiteral(v);
      const explain = async (execute: string) =>
        (await asApp.query(`EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE ${execute}`)).rows[0]['QUERY PLAN'][0].Plan as Record<string, unknown>;
      const plans = {
        history: await explain(`history(${text(P)})`),
        views: await explain(`views(ARRAY[${text(Q)}], ARRAY[${text(GTIN)}], ARRAY[NULL]::text[])`),
      };
      const monthly = (plan: Record<string, unknown>) =>
        scans(plan)
          .filter((s) => /^(event|event_epc)_y\d{4}m\d{2}$/.test(s.relation) && s.loops > 0)
          .map((s) => s.relation);
      // P lived in January: no other month was read. Q lived in February.
      expect(new Set(monthly(plans.history))).toEqual(new Set(['event_y2025m01', 'event_epc_y2025m01']));
      expect(new Set(monthly(plans.views))).toEqual(new Set(['event_y2025m02', 'event_epc_y2025m02']));
      const { rows } = await asApp.query(`EXECUTE history(${text(P)})`);
      expect(rows.map((r) => String(r.id))).toEqual(events.january);
    });

    it("counts a verification's events and their batches from the event index alone, never reading an event's row", async () => {
      // The rows hold the bodies, the largest relation: a verification fetched three of its pages at random, each a read
      // once events outgrow shared buffers (issue 18). VACUUM marks the month all-visible, as autovacuum does.
      await owner.query(`VACUUM event`);
      await asApp.query(`SET plan_cache_mode = force_generic_plan`);
      await asApp.query(`PREPARE views_covered(text[], text[], text[]) AS ${VIEWS_SQL}`);
      const [plan] = (
        await asApp.query(
          `EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE views_covered(ARRAY[${asApp.escapeLiteral(P)}], ARRAY[${asApp.escapeLiteral(GTIN)}], ARRAY[NULL]::text[])`,
        )
      ).rows[0]['QUERY PLAN'];
      const january = scans(plan.Plan as Record<string, unknown>).filter((s) => s.relation === 'event_y2025m01' && s.loops > 0);
      expect(january).toEqual([{ relation: 'event_y2025m01', loops: events.january.length, node: 'Index Only Scan', heapFetches: 0 }]);
    });

    it("plans the provenance statement generically from a connection's first execution, in a transaction it closes", async () => {
      // With Postgres's default, a connection's first five executions each planned it over every month (10-25 ms at 17
      // months, against 1-3 ms to run it): every new pool connection slowed five provenance answers (issue 18).
      const ds = await new DataSource(dataSourceOptions(dbUrl(), { poolSize: 1, appRole: APP_ROLE })).initialize();
      try {
        const packs = new PackRepository(ds);
        for (let i = 0; i < 3; i++) expect((await packs.history(P, null)).map((h) => String(h.event.id))).toEqual(events.january);
        const [plans] = await ds.query(
          `SELECT generic_plans::int AS generic, custom_plans::int AS custom, current_setting('plan_cache_mode') AS mode,
                  now() = statement_timestamp() AS outside_transaction
           FROM pg_prepared_statements WHERE name = 'pack_history'`,
        );
        expect(plans).toEqual({ generic: 3, custom: 0, mode: 'auto', outside_transaction: true });
        // A statement that fails rolls its transaction back and leaves the connection as it found it.
        await ds.query(`SET lock_timeout = '100ms'`);
        await owner.query(`BEGIN; LOCK TABLE event_epc IN ACCESS EXCLUSIVE MODE`);
        try {
          await expect(packs.history(P, null)).rejects.toMatchObject({ code: '55P03' });
        } finally {
          await owner.query('ROLLBACK');
        }
        expect(await ds.query(`SELECT current_setting('plan_cache_mode') AS mode, now() = statement_timestamp() AS outside`)).toEqual([
          { mode: 'auto', outside: true },
        ]);
        expect(await packs.history(P, null)).toHaveLength(events.january.length);
      } finally {
        await ds.destroy();
      }
    });

    it('keeps the append-only rules on every month: the application role reaches a partition only through its parent', async () => {
      const month = 'partitions.event_y2025m01';
      expect(await refusal(asApp.query(`UPDATE ${month} SET body = '{}'`))).toMatchObject({ code: '42501' });
      expect(await refusal(asApp.query(`DELETE FROM ${month}`))).toMatchObject({ code: '42501' });
      expect(await refusal(asApp.query(`DELETE FROM partitions.event_epc_y2025m01`))).toMatchObject({ code: '42501' });
      expect(await refusal(asApp.query(`DELETE FROM event WHERE record_time < '2025-02-01Z'`))).toMatchObject({ code: '42501' });
      expect(await refusal(asApp.query(`UPDATE event_key SET record_time = now()`))).toMatchObject({ code: '42501' });
      // Even the owner, writing to the month itself, meets the parent's triggers.
      expect(await refusal(owner.query(`DELETE FROM ${month}`))).toEqual({
        code: '42501',
        message: 'DELETE on event: the table is append-only',
      });
      expect(await refusal(owner.query(`UPDATE ${month} SET body = '{"edited": true}'`))).toMatchObject({ code: '42501' });
      expect(await refusal(owner.query(`TRUNCATE ${month}`))).toMatchObject({ code: '42501' });
      expect(await refusal(owner.query(`DELETE FROM partitions.event_epc_y2025m01`))).toEqual({
        code: '42501',
        message: 'DELETE on event_epc: the table is append-only',
      });
    });

    it('archives whole months sealed FINAL, oldest first, where the audit still reads them; nothing is lost or made again', async () => {
      // One FINAL batch of every event of a month, in id order.
      const seal = async (from: string, to: string) => {
        const { rows: ids } = await owner.query(`SELECT id FROM event WHERE record_time >= $1 AND record_time < $2 ORDER BY id`, [
          from,
          to,
        ]);
        const n = ids.length;
        const {
          rows: [{ id }],
        } = await owner.query(`INSERT INTO anchor_batch (status, root, leaf_count, nodes) VALUES ('FINAL', $1, $2, $3) RETURNING id`, [
          randomBytes(32),
          n,
          randomBytes((2 * n - 1) * 32),
        ]);
        await owner.query(
          `UPDATE event e SET batch_id = $1, leaf_index = u.leaf FROM unnest($2::bigint[]) WITH ORDINALITY AS u(id, leaf)
           WHERE e.id = u.id AND e.record_time >= $3 AND e.record_time < $4`,
          [id, ids.map((r) => r.id), from, to],
        );
        return { batch: Number(id), events: n };
      };
      const january = await seal('2025-01-01Z', '2025-02-01Z');
      // February is not sealed: archiving stops there.
      expect((await asApp.query(`SELECT event_partitions_archive('2025-06-01Z') AS a`)).rows[0].a).toEqual(['2025-01']);
      expect((await asApp.query(`SELECT count(*)::int AS n FROM event WHERE record_time < '2025-02-01Z'`)).rows[0].n).toBe(0);
      expect((await asApp.query(`SELECT count(*)::int AS n FROM archive.event`)).rows[0].n).toBe(january.events);
      expect((await asApp.query(`SELECT count(*)::int AS n FROM archive.event_epc`)).rows[0].n).toBe(january.events + 1);
      // Each of January's events filed under its capturer and its pack's GTIN (no places), moved with its month.
      expect(
        (await owner.query(`SELECT left(reader, 2) AS k, count(*)::int AS n FROM archive.event_reader GROUP BY 1 ORDER BY 1`)).rows,
      ).toEqual([
        { k: 'c:', n: january.events },
        { k: 'g:', n: january.events },
      ]);
      expect((await owner.query(`SELECT count(*)::int AS n FROM event_reader WHERE record_time < '2025-02-01Z'`)).rows[0].n).toBe(0);
      expect(await refusal(asApp.query(`UPDATE archive.event SET body = '{}'`))).toMatchObject({ code: '42501' });
      expect(await refusal(owner.query(`DELETE FROM archive.event_y2025m01`))).toMatchObject({ code: '42501' });

      const ds = new DataSource(dataSourceOptions(dbUrl(), { poolSize: 1, appRole: APP_ROLE }));
      await ds.initialize();
      try {
        const audited = await new AuditRepository(ds).batch(january.batch);
        expect(audited?.events).toHaveLength(january.events);
        expect(audited?.events.slice(0, 2).map((e) => String(e.id))).toEqual(events.january);
      } finally {
        await ds.destroy();
      }
      // An archived month is not made again; the live ones are kept.
      expect((await asApp.query(`SELECT event_partitions_ensure('2025-01-01Z', '2025-03-01Z') AS n`)).rows[0].n).toBe(0);
      await seal('2025-02-01Z', '2025-03-01Z');
      expect((await asApp.query(`SELECT event_partitions_archive('2025-06-01Z') AS a`)).rows[0].a).toEqual(['2025-02', '2025-03']);
      // The months of now are untouched: capture goes on.
      const at = new Date();
      expect(await capture([commissioningEvent({ eventTime: at, epcs: [pack('AFTER')], lot: 'L2', expiry: '2028-06-30' })])).toMatchObject({
        capturedCount: 1,
      });
    });
  });
});

describe('the migration to monthly partitions, on a database holding events (real Postgres)', () => {
  const name = `pharmatrace_partition_${randomBytes(5).toString('hex')}`;
  const url = adminUrl(name);
  beforeAll(() => withAdmin((c) => c.query(`CREATE DATABASE ${name}`)));
  afterAll(() => withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)));

  // The migrations up to this one, and this one last: later migrations are not part of the move.
  const at = MIGRATIONS.findIndex((m) => m.name === 'EventPartitions1766600000000');
  const upTo = (options: DataSourceOptions) => new DataSource({ ...options, migrations: MIGRATIONS.slice(0, at + 1) });

  it('moves every event and index row into its month, keeps ids, hashes unique and spans exact, and moves them back on down()', async () => {
    const before = new DataSource({ ...dataSourceOptions(url, { poolSize: 1 }), migrations: MIGRATIONS.slice(0, at) });
    await before.initialize();
    await before.runMigrations({ transaction: 'all' });
    await before.destroy();

    const c = await connect(url);
    try {
      const {
        rows: [org],
      } = await c.query(
        `INSERT INTO organization (name, role, gln, company_prefixes) VALUES ('ACME', 'MANUFACTURER', $1, '{0614141}') RETURNING id`,
        [withCheckDigit('061414100001')],
      );
      const old = async (recordTime: string, epcs: string[]) => {
        const {
          rows: [{ id }],
        } = await c.query(
          `INSERT INTO event (event_hash, event_type, action, event_time, record_time, captured_by, body)
           VALUES ($1, 'ObjectEvent', 'ADD', $2, $2, $3, '{}') RETURNING id`,
          [randomBytes(32), recordTime, org.id],
        );
        for (const epc of epcs)
          await c.query(`INSERT INTO event_epc (epc, event_time, event_id, role) VALUES ($1, $2, $3, 'epc')`, [epc, recordTime, id]);
        return Number(id);
      };
      const first = await old('2025-03-05T10:00:00Z', [pack('M1')]);
      const second = await old('2025-05-20T10:00:00Z', [pack('M1'), pack('M2')]);
      await c.query(
        `INSERT INTO pack_state (epc, kind, gtin, serial, status, last_event_id, last_event_time) VALUES ($1, 'sgtin', $2, 'M1', 'ACTIVE', $3, '2025-05-20T10:00:00Z')`,
        [pack('M1'), GTIN, second],
      );

      const partitioning = upTo(dataSourceOptions(url, { poolSize: 1 }));
      await partitioning.initialize();
      expect((await partitioning.runMigrations({ transaction: 'all' })).map((m) => m.name)).toEqual(['EventPartitions1766600000000']);
      await partitioning.destroy();
      const { rows: moved } = await c.query(`SELECT id::int, tableoid::regclass::text AS part FROM event ORDER BY id`);
      expect(moved).toEqual([
        { id: first, part: 'partitions.event_y2025m03' },
        { id: second, part: 'partitions.event_y2025m05' },
      ]);
      const { rows: index } = await c.query(`SELECT epc, tableoid::regclass::text AS part FROM event_epc ORDER BY event_id, epc`);
      expect(index).toEqual([
        { epc: pack('M1'), part: 'partitions.event_epc_y2025m03' },
        { epc: pack('M1'), part: 'partitions.event_epc_y2025m05' },
        { epc: pack('M2'), part: 'partitions.event_epc_y2025m05' },
      ]);
      // Every month from the oldest to three ahead of now, empty ones too: none is missing for a capture.
      const { rows: months } = await c.query(
        `SELECT count(*)::int AS n, min(c.relname) AS oldest FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'event'::regclass`,
      );
      const now = new Date();
      expect(months[0]).toEqual({ n: (now.getUTCFullYear() - 2025) * 12 + now.getUTCMonth() - 2 + 4, oldest: 'event_y2025m03' });
      expect((await c.query(`SELECT count(*)::int AS n FROM event_key`)).rows[0].n).toBe(2);
      const { rows: spans } = await c.query(
        `SELECT epc, first_record_time, last_record_time FROM pack_state UNION ALL SELECT epc, first_record_time, last_record_time FROM epc_span ORDER BY 1`,
      );
      expect(spans).toEqual([
        { epc: pack('M1'), first_record_time: new Date('2025-03-05T10:00:00Z'), last_record_time: new Date('2025-05-20T10:00:00Z') },
        { epc: pack('M2'), first_record_time: new Date('2025-05-20T10:00:00Z'), last_record_time: new Date('2025-05-20T10:00:00Z') },
      ]);
      // Ids go on from the old sequence; a stored hash stays unique in every month.
      const {
        rows: [next],
      } = await c.query(
        `INSERT INTO event (event_hash, event_type, event_time, captured_by, body) VALUES ($1, 'ObjectEvent', now(), $2, '{}') RETURNING id::int`,
        [randomBytes(32), org.id],
      );
      expect(next.id).toBeGreaterThan(second);
      const hash = (await c.query(`SELECT event_hash FROM event WHERE id = $1`, [first])).rows[0].event_hash;
      expect(
        await refusal(c.query(`INSERT INTO event_key (event_hash, event_id, record_time) VALUES ($1, 0, now())`, [hash])),
      ).toMatchObject({
        code: '23505',
      });

      const ds = upTo(dataSourceOptions(url, { poolSize: 1 }));
      await ds.initialize();
      await ds.undoLastMigration({ transaction: 'all' });
      await ds.destroy();
      expect((await c.query(`SELECT id::int FROM event ORDER BY id`)).rows.map((r) => r.id)).toEqual([first, second, next.id]);
      expect((await c.query(`SELECT count(*)::int AS n FROM event_epc`)).rows[0].n).toBe(3);
      expect((await c.query(`SELECT relkind FROM pg_class WHERE oid = 'event'::regclass`)).rows[0].relkind).toBe('r');
    } finally {
      await c.end();
    }
  });
});
