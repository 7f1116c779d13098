import { glnLikePatterns, readerKeys } from '@pharmatrace/domain';
import {
  dataSourceOptions,
  type EventCriteria,
  EventQueryRepository,
  EventVocabularyRepository,
  walkedKeysFor,
  runMigrations,
} from '@pharmatrace/persistence';
import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { adminUrl, createDatabaseBefore, insertLotPacks, withAdmin } from '../support/database';
import { withCheckDigit } from '../support/platform';
import { analyzedPlan, type PlanNode, recordingDataSource } from '../support/query-plan';

type Visibility = NonNullable<EventCriteria['visibleTo']>;

const ORGS = [
  { role: 'MANUFACTURER', gln: withCheckDigit('061414100001') },
  { role: 'DISTRIBUTOR', gln: withCheckDigit('070000000001') },
  { role: 'DISPENSER', gln: withCheckDigit('080000000003') },
  { role: 'DISPENSER', gln: withCheckDigit('080000900004') },
  { role: 'DISTRIBUTOR', gln: withCheckDigit('950600000007') },
] as const;
const OWN_GTIN = withCheckDigit('0061414100123');
const GRANTED_GTIN = withCheckDigit('0095000000456');
const PACKS = [
  { epc: `https://id.gs1.org/01/${OWN_GTIN}/21/A1`, gtin: OWN_GTIN, lot: 'L1' },
  { epc: `https://id.gs1.org/01/${GRANTED_GTIN}/21/B1`, gtin: GRANTED_GTIN, lot: 'L2' },
];
/** A GTIN no one has registered until the manufacturer's later product (the test after the property). */
const LATER_GTIN = withCheckDigit('0099999900011');
const EPCS = [...PACKS.map((p) => p.epc), `https://id.gs1.org/01/${LATER_GTIN}/21/U1`];
/** Readers' grants, by index in ORGS: the second reads GRANTED_GTIN whole, the fourth its lot L2. */
const GRANTS: Visibility['granted'][] = [[], [{ gtin: GRANTED_GTIN, lot: null }], [], [{ gtin: GRANTED_GTIN, lot: 'L2' }], []];

/** How a GLN is spelled: what glnLikePatterns matches, and near misses each pattern must not match. */
const spellings = (gln: string) => [
  `urn:epc:id:sgln:${gln.slice(0, 6)}.${gln.slice(6, 12)}.0`,
  `urn:epc:id:sgln:${gln.slice(0, 9)}.${gln.slice(9, 12)}.`,
  `urn:epc:id:sgln:${gln.slice(0, 12)}..DOCK.7`,
  `urn:epc:id:pgln:${gln.slice(0, 7)}.${gln.slice(7, 12)}`,
  `urn:epc:id:pgln:${gln.slice(0, 12)}.`,
  `https://id.gs1.org/414/${gln}`,
  `https://example.com/a/414/${gln}/254/WH-2`,
  `https://id.gs1.org/417/${gln}?linkType=all`,
  `https://id.gs1.org/414/x/414/${gln}/`,
  `urn:epc:id:sgln:${gln.slice(0, 5)}.${gln.slice(5, 12)}.0`,
  `urn:epc:id:sgln:${gln.slice(0, 7)}.${gln.slice(7, 12)}`,
  `urn:epc:id:sgln:${gln.slice(0, 7)}.${gln.slice(7, 12)}0.0`,
  `urn:epc:id:pgln:${gln.slice(0, 7)}.${gln.slice(7, 12)}.0`,
  `URN:EPC:ID:SGLN:${gln.slice(0, 7)}.${gln.slice(7, 12)}.0`,
  ` urn:epc:id:sgln:${gln.slice(0, 7)}.${gln.slice(7, 12)}.0`,
  `https://id.gs1.org/414/${gln}0`,
  `https://id.gs1.org/414/${gln.slice(0, 12)}`,
  `https://id.gs1.org/4140/${gln}`,
  `https://id.gs1.org/414/${gln}#x`,
];
const PLACES = [...ORGS.flatMap((o) => spellings(o.gln)), ...spellings(withCheckDigit('123456789012')), 'urn:example:somewhere'];

interface NewEvent {
  /** An index in ORGS, or ORGS.length: an organization no reader is. */
  capturer: number;
  readPoint: string | null;
  bizLocation: string | null;
  sources: readonly string[];
  destinations: readonly string[];
  epcs: readonly string[];
  bizStep: string | null;
}

const place = fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, { weight: 2, arbitrary: fc.constantFrom(...PLACES) });
const places = fc.oneof({ weight: 3, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: fc.subarray(PLACES, { maxLength: 2 }) });
const eventArb: fc.Arbitrary<NewEvent> = fc.record({
  capturer: fc.oneof({ weight: 4, arbitrary: fc.constant(ORGS.length) }, { weight: 1, arbitrary: fc.nat(ORGS.length - 1) }),
  readPoint: place,
  bizLocation: place,
  sources: places,
  destinations: places,
  epcs: fc.oneof({ weight: 3, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: fc.subarray(EPCS, { maxLength: 2 }) }),
  bizStep: fc.constantFrom(null, 'receiving', 'shipping'),
});

/** SQL LIKE, as Postgres matches it (no escapes in glnLikePatterns' patterns). */
const likeRegExp = (pattern: string) =>
  new RegExp(
    `^${pattern
      .split('%')
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/_/g, '[\\s\\S]'))
      .join('[\\s\\S]*')}$`,
  );

/** The manufacturer's products as `product` holds them now. */
const owned = new Set<string>([OWN_GTIN]);

/** The events read rule for one event, as docs/read-policy.md states it: the model the SQL must agree with. */
function mayRead(reader: number, ids: string[], e: NewEvent): boolean {
  const patterns = glnLikePatterns(ORGS[reader].gln).map(likeRegExp);
  const named = [e.readPoint, e.bizLocation, ...e.sources, ...e.destinations].filter((p): p is string => p !== null);
  const gtinOf = (epc: string) => (epc.startsWith('https://id.gs1.org/01/') ? epc.slice(22, 36) : null);
  return (
    ids[e.capturer] === ids[reader] ||
    named.some((p) => patterns.some((r) => r.test(p))) ||
    (ORGS[reader].role === 'MANUFACTURER' && e.epcs.some((epc) => owned.has(gtinOf(epc) ?? ''))) ||
    GRANTS[reader].some((g) =>
      e.epcs.some((epc) =>
        g.lot === null ? gtinOf(epc) === g.gtin : PACKS.some((p) => p.epc === epc && p.gtin === g.gtin && p.lot === g.lot),
      ),
    )
  );
}

/** Rows read from the months of `table` (its partitions), over every loop. */
function monthRowsRead(plan: PlanNode, table: string): number {
  const removed = (plan['Rows Removed by Filter'] ?? 0) + (plan['Rows Removed by Index Recheck'] ?? 0);
  const own = plan['Relation Name']?.startsWith(`${table}_y`) ? (plan['Actual Rows'] + removed) * plan['Actual Loops'] : 0;
  return own + (plan.Plans ?? []).reduce((sum, child) => sum + monthRowsRead(child, table), 0);
}

/**
 * The events read rule's capturer and GLN branches decided from event_reader (migration 1767200000000) must answer
 * what the rule says of each event: for every reader, every spelling of a GLN and near misses of each, through read
 * points, locations, sources and destinations, beside the GTIN and lot branches; for events stored before the
 * migration (its backfill) and after (its trigger). And a reader party to few events reads those, not the history.
 */
describe('the events a reader may read, filed by reader (real Postgres)', () => {
  const name = `pharmatrace_readers_${randomBytes(5).toString('hex')}`;
  const url = adminUrl(name);
  let pg: Client;
  let db: DataSource;
  let events: EventQueryRepository;
  /** ORGS' organizations, then the outsider's. */
  const ids: string[] = [];
  let readers: Visibility[] = [];
  let day = 0;

  beforeAll(async () => {
    await createDatabaseBefore(name, 'EventReaders1767200000000');
    pg = new Client({ connectionString: url });
    await pg.connect();
    for (const [i, o] of [...ORGS, { role: 'DISTRIBUTOR', gln: withCheckDigit('999999999999') }].entries()) {
      const { rows } = await pg.query(`INSERT INTO organization (name, role, gln) VALUES ($1, $2, $3) RETURNING id`, [
        `Org ${i}`,
        o.role,
        o.gln,
      ]);
      ids.push(rows[0].id);
    }
    await pg.query(`INSERT INTO product (gtin, manufacturer_id) VALUES ($1, $2)`, [[...owned][0], ids[0]]);
    await insertLotPacks(pg, PACKS);
    readers = ORGS.map((o, i) => ({
      organizationId: ids[i],
      glnPatterns: glnLikePatterns(o.gln),
      readerKeys: readerKeys(ids[i], o.gln),
      ownGtins: o.role === 'MANUFACTURER',
      granted: GRANTS[i],
    }));
  });

  afterAll(async () => {
    await pg?.end();
    await db?.destroy();
    await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  });

  /** Each history on a day of its own, so a query by event time reads that history alone. */
  async function insert(batches: NewEvent[][]): Promise<{ from: Date; to: Date; stored: { id: string; event: NewEvent }[] }> {
    const from = new Date(Date.UTC(2026, 0, 1) + day++ * 86_400_000);
    const stored: { id: string; event: NewEvent }[] = [];
    for (const batch of batches.filter((b) => b.length)) {
      const { rows } = await pg.query<{ id: string; record_time: string }>(
        // Record times in whole milliseconds, as a client's bound (a JavaScript Date) can name them exactly.
        `INSERT INTO event (event_hash, event_type, event_time, read_point, biz_location, captured_by, body, biz_step, record_time)
         SELECT h, 'ObjectEvent', $6::timestamptz + o * interval '1 second', r, b, c, j, s, date_trunc('milliseconds', statement_timestamp())
         FROM unnest($1::bytea[], $2::text[], $3::text[], $4::uuid[], $5::jsonb[], $7::text[]) WITH ORDINALITY AS u(h, r, b, c, j, s, o)
         RETURNING id, record_time::text`,
        [
          batch.map(() => randomBytes(32)),
          batch.map((e) => e.readPoint),
          batch.map((e) => e.bizLocation),
          batch.map((e) => ids[e.capturer]),
          batch.map((e) =>
            JSON.stringify({
              ...(e.sources.length ? { sourceList: e.sources.map((source) => ({ type: 'owning_party', source })) } : {}),
              ...(e.destinations.length
                ? { destinationList: e.destinations.map((destination) => ({ type: 'owning_party', destination })) }
                : {}),
            }),
          ),
          from.toISOString(),
          batch.map((e) => e.bizStep),
        ],
      );
      const epcRows = batch.flatMap((e, i) => e.epcs.map((epc) => ({ epc, id: rows[i].id, rt: rows[i].record_time })));
      await pg.query(
        `INSERT INTO event_epc (epc, event_time, event_id, role, record_time)
         SELECT x, $4::timestamptz, i, 'epc', rt FROM unnest($1::text[], $2::bigint[], $3::timestamptz[]) AS u(x, i, rt)`,
        [epcRows.map((r) => r.epc), epcRows.map((r) => r.id), epcRows.map((r) => r.rt), from.toISOString()],
      );
      stored.push(...batch.map((event, i) => ({ id: rows[i].id, event })));
    }
    return { from, to: new Date(from.getTime() + 86_400_000), stored };
  }

  /**
   * Waits until the visibility horizon is past every event stored. The horizon keeps any transaction of its snapshot
   * it cannot place: on a cluster shared with other databases' tests, one of theirs that ended between the snapshot and
   * the horizon's look at the locks counts as possibly this database's, and holds the events after it until the next
   * poll, as a worker's poll would wait (seen in CI: a first poll answered nothing while its events had committed).
   * Once a horizon is past them, every transaction that could hold them has ended, so no later poll is held.
   */
  async function settled() {
    const {
      rows: [{ last }],
    } = await pg.query<{ last: string }>(`SELECT max(coalesce(xid, '0'::xid8))::text AS last FROM event`);
    for (let polls = 0; ; polls++) {
      const {
        rows: [{ horizon }],
      } = await pg.query<{ horizon: string }>(`SELECT event_visibility_horizon()::text AS horizon`);
      if (BigInt(horizon) > BigInt(last)) return;
      if (polls > 500) throw new Error(`the horizon stayed at ${horizon}, below ${last}, for 500 polls`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /**
   * A subscription's deliveries from the start: the events `allowed`, in (transaction id, id) order, each once, walked
   * by twos from each delivery's position as the worker does.
   */
  async function delivers(criteria: EventCriteria, allowed: string[]) {
    const { rows } = await pg.query<{ id: string }>(
      `SELECT id FROM event WHERE id = ANY($1::bigint[]) ORDER BY coalesce(xid, '0'::xid8), id`,
      [allowed],
    );
    await settled();
    const delivered: number[] = [];
    for (let position = { xid: '0', eventId: 0 }, more = true; more;) {
      const { events: batch, resumeAt } = await events.afterPosition(criteria, position, 2);
      delivered.push(...batch.map((e) => e.id));
      more = batch.length > 0;
      position = resumeAt;
    }
    expect(delivered).toEqual(rows.map((r) => Number(r.id)));
  }

  let readable = 0;
  let unreadable = 0;
  /** Every history stored, for the tests that change who may read them. */
  const histories: Awaited<ReturnType<typeof insert>>[] = [];
  /**
   * For every reader, the history's events the event query answers are those the model says it may read, in (event
   * time, id) order: in one page, and walked by pages of two from each page's last event, forward and backward and in
   * record-time order; and counted, whole and up to a bound.
   */
  async function agree({ from, to, stored }: Awaited<ReturnType<typeof insert>>) {
    for (const [i, visibleTo] of readers.entries()) {
      const criteria = { eventTimeFrom: from, eventTimeBefore: to, visibleTo };
      const allowed = stored.filter((s) => mayRead(i, ids, s.event)).map((s) => s.id);
      const { rows } = await pg.query<{ id: string }>(`SELECT id FROM event WHERE id = ANY($1::bigint[]) ORDER BY event_time, id`, [
        allowed,
      ]);
      const expected = rows.map((r) => Number(r.id));
      expect((await events.page(null, criteria, 1000)).events.map((e) => e.id)).toEqual(expected);
      // Bounded by record time from the last statement's events on: the reader's rows are cut by the same bound.
      if (stored.length) {
        const { rows: latest } = await pg.query<{ from: Date }>(`SELECT max(record_time) AS from FROM event WHERE id = ANY($1::bigint[])`, [
          stored.map((s) => s.id),
        ]);
        const { rows: since } = await pg.query<{ id: string }>(
          `SELECT id FROM event WHERE id = ANY($1::bigint[]) AND record_time >= $2 ORDER BY event_time, id`,
          [allowed, latest[0].from],
        );
        const bounded = { ...criteria, recordTimeFrom: latest[0].from };
        expect((await events.page(null, bounded, 1000)).events.map((e) => e.id)).toEqual(since.map((r) => Number(r.id)));
        await delivers(
          bounded,
          since.map((r) => r.id),
        );
      }
      await delivers(criteria, allowed);
      expect(await events.countUpTo(null, criteria, 1000)).toBe(expected.length);
      expect(await events.countUpTo(null, criteria, 2)).toBe(Math.min(expected.length, 2));
      // With a business step: only the keys holding it are read (event_reader_step), and nothing is missed.
      const step = stored.filter((s) => s.event.bizStep === 'receiving').map((s) => Number(s.id));
      const receipts = { ...criteria, bizSteps: ['receiving'] };
      const expectedReceipts = expected.filter((id) => step.includes(id));
      expect((await events.page(null, receipts, 1000)).events.map((e) => e.id)).toEqual(expectedReceipts);
      expect(await events.countUpTo(null, receipts, 1000)).toBe(expectedReceipts.length);
      await delivers(
        receipts,
        allowed.filter((id) => step.includes(Number(id))),
      );
      const byRecordTime = await pg.query<{ id: string }>(`SELECT id FROM event WHERE id = ANY($1::bigint[]) ORDER BY record_time, id`, [
        allowed,
      ]);
      const orders = [
        { order: { key: 'eventTime', direction: 'ASC' }, expected },
        { order: { key: 'eventTime', direction: 'DESC' }, expected: [...expected].reverse() },
        { order: { key: 'recordTime', direction: 'ASC' }, expected: byRecordTime.rows.map((r) => Number(r.id)) },
      ] as const;
      for (const { order, expected: inOrder } of orders) {
        const walked: number[] = [];
        for (let afterId: number | undefined, more = true; more;) {
          const page = await events.page(null, criteria, 2, afterId, order);
          walked.push(...page.events.map((e) => e.id));
          afterId = page.events.at(-1)?.id;
          more = page.hasMore;
        }
        expect(walked).toEqual(inOrder);
      }
      readable += expected.length;
      unreadable += stored.length - expected.length;
    }
  }

  it('the migration files the events stored before it', async () => {
    for (const batch of fc.sample(fc.array(eventArb, { maxLength: 12 }), { numRuns: 10, seed: 1767 }))
      histories.push(await insert([batch]));
    // The migrations this spec is about, first among those run (later ones run too).
    const migrated = (await runMigrations(url)).map((m) => m.replace(/\d+$/, ''));
    expect(migrated.slice(0, 4)).toEqual(['EventReaders', 'NoJit', 'EventReaderPositions', 'EventReaderGtins']);
    expect(migrated).toContain('EventReaderSteps');
    // Sessions opened after the migration plan without JIT compilation (migration NoJit1767300000000).
    const after = new Client({ connectionString: url });
    await after.connect();
    expect((await after.query(`SHOW jit`)).rows).toEqual([{ jit: 'off' }]);
    await after.end();
    db = new DataSource(dataSourceOptions(url, { poolSize: 2 }));
    await db.initialize();
    events = new EventQueryRepository(db);
    for (const history of histories) await agree(history);
  });

  it('captures after it are filed by its trigger: the page is what the rule says (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(eventArb, { maxLength: 6 }), { minLength: 1, maxLength: 3 }), async (batches) => {
        const history = await insert(batches);
        histories.push(history);
        await agree(history);
      }),
      {
        numRuns: 40,
        // Found by the property: an event filed twice under one key (two spellings of the pharmacy's GLN) pushed
        // another out of the key's page when walked by record time.
        examples: [
          [
            [
              [
                {
                  capturer: 5,
                  readPoint: 'urn:epc:id:pgln:080000000003.',
                  bizLocation: null,
                  sources: [],
                  destinations: [],
                  epcs: [],
                  bizStep: null,
                },
                {
                  capturer: 0,
                  readPoint: 'urn:epc:id:sgln:061414.100001.0',
                  bizLocation: 'urn:epc:id:pgln:080000000003.',
                  sources: [],
                  destinations: ['urn:epc:id:sgln:080000000.003.'],
                  epcs: [],
                  bizStep: 'receiving',
                },
              ],
              [
                {
                  capturer: 5,
                  readPoint: 'urn:epc:id:pgln:0800000.00003',
                  bizLocation: null,
                  sources: [],
                  destinations: [],
                  epcs: [],
                  bizStep: null,
                },
              ],
            ],
          ],
        ],
      },
    );
    // Not vacuous: events were found readable and unreadable, by spellings the patterns match and near misses.
    expect(readable).toBeGreaterThan(100);
    expect(unreadable).toBeGreaterThan(100);
  });

  it("lists of values: every reader's read points, locations and EPCs, from its own events or a walk of every value", async () => {
    const vocabulary = new EventVocabularyRepository(db, events);
    const stored = histories.flatMap((h) => h.stored);
    const lists = [
      ['readPoints', `SELECT DISTINCT read_point AS v FROM event WHERE id = ANY($1::bigint[]) AND read_point IS NOT NULL ORDER BY 1`],
      ['bizLocations', `SELECT DISTINCT biz_location AS v FROM event WHERE id = ANY($1::bigint[]) AND biz_location IS NOT NULL ORDER BY 1`],
      ['epcs', `SELECT DISTINCT epc AS v FROM event_epc WHERE event_id = ANY($1::bigint[]) ORDER BY 1`],
    ] as const;
    let listed = 0;
    for (const [i, visibleTo] of readers.entries()) {
      const allowed = stored.filter((h) => mayRead(i, ids, h.event)).map((h) => h.id);
      const others = stored.filter((h) => !mayRead(i, ids, h.event)).map((h) => h.id);
      for (const [list, model] of lists) {
        const expected = (await pg.query<{ v: string }>(model, [allowed])).rows.map((r) => r.v);
        const notReadable = (await pg.query<{ v: string }>(model, [others])).rows.map((r) => r.v).filter((v) => !expected.includes(v));
        // The reader's own events (the default), and the walk of every value (no own events read).
        for (const cap of [undefined, 0]) {
          expect((await vocabulary.page(list, visibleTo, 1000, undefined, cap)).values).toEqual(expected);
          if (expected.length) expect(await vocabulary.exists(list, [expected[0]], visibleTo, cap)).toBe(true);
          if (notReadable.length) expect(await vocabulary.exists(list, [notReadable[0]], visibleTo, cap)).toBe(false);
        }
        listed += expected.length;
      }
    }
    expect(listed).toBeGreaterThan(50);
  });

  it('a product registered after its events: its manufacturer reads them at once, from its keys and by the rule past them', async () => {
    // Ownership is read with the page, not filed: no back-filing, nothing missed.
    await pg.query(`INSERT INTO product (gtin, manufacturer_id) VALUES ($1, $2)`, [LATER_GTIN, ids[0]]);
    owned.add(LATER_GTIN);
    const named = histories.filter((h) => h.stored.some((s) => s.event.epcs.some((epc) => epc.includes(LATER_GTIN))));
    expect(named.length).toBeGreaterThan(3);
    for (const history of named.slice(0, 6)) await agree(history);
    // Products enough that the manufacturer's keys are past the walk's limit for a page of 1,000 (the rule answers it)
    // and within it for a page of 2 (the keys do): the same answers either way.
    const others = Array.from({ length: walkedKeysFor(1001) }, (_, i) => withCheckDigit(`08${String(i).padStart(11, '0')}`));
    expect(others.length + 1).toBeLessThan(walkedKeysFor(3));
    await pg.query(`INSERT INTO product (gtin, manufacturer_id) SELECT unnest($1::text[]), $2`, [others, ids[0]]);
    for (const history of named.slice(0, 3)) await agree(history);
    await pg.query(`DELETE FROM product WHERE gtin = ANY($1::text[])`, [others]);
  });

  it("a pharmacy's deliveries wait for a transaction still running, then take its event first", async () => {
    // The pharmacy without a grant: its events are all filed, and read from its keys.
    const pharmacy = 2;
    const visibleTo = readers[pharmacy];
    const criteria = { recordTimeFrom: new Date(Date.UTC(2026, 0, 1)), visibleTo };
    const { resumeAt: start } = await events.afterPosition(criteria, { xid: '0', eventId: 0 }, 100_000);
    // Each transaction's event by a capturer of its own: the first (capturer, place) pair of event_party is a unique
    // key, and a second writer of the same pair would wait for the running transaction to end.
    const naming = (client: Client, capturer: string) =>
      client.query<{ id: string }>(
        `INSERT INTO event (event_hash, event_type, event_time, read_point, captured_by, body)
         VALUES ($1, 'ObjectEvent', now(), $2, $3, '{}') RETURNING id`,
        [randomBytes(32), `https://id.gs1.org/414/${ORGS[pharmacy].gln}`, capturer],
      );
    const running = new Client({ connectionString: url });
    await running.connect();
    try {
      await running.query('BEGIN');
      const first = Number((await naming(running, ids[ORGS.length])).rows[0].id);
      const second = Number((await naming(pg, ids[1])).rows[0].id);
      // Committed, but behind a transaction still running: not delivered, and the position stays before both.
      const held = await events.afterPosition(criteria, start, 100);
      expect(held.events).toEqual([]);
      await running.query('COMMIT');
      await settled();
      const { events: delivered } = await events.afterPosition(criteria, held.resumeAt, 100);
      expect(delivered.map((e) => e.id)).toEqual([first, second]);
    } finally {
      await running.end();
    }
  });

  it("a pharmacy's page reads the pharmacy's events, not the history before them", async () => {
    const pharmacy = 2;
    const theirs = `urn:epc:id:sgln:${ORGS[pharmacy].gln.slice(0, 7)}.${ORGS[pharmacy].gln.slice(7, 12)}.0`;
    // 20,000 storing events of others, then 3 naming the pharmacy (none storing; no event of the model is), all on one
    // later day.
    const from = new Date(Date.UTC(2027, 0, 1));
    await pg.query(
      `INSERT INTO event (event_hash, event_type, event_time, read_point, biz_step, captured_by, body)
       SELECT sha256(g::text::bytea), 'ObjectEvent', $1::timestamptz + g * interval '1 ms',
              CASE WHEN g > 20000 THEN $2 ELSE 'urn:epc:id:sgln:0614141.00001.0' END,
              CASE WHEN g > 20000 THEN NULL ELSE 'storing' END, $3::uuid, '{}'::jsonb
       FROM generate_series(1, 20003) g`,
      [from.toISOString(), theirs, ids[0]],
    );
    await pg.query(`ANALYZE`);
    const { db: recording, statements } = await recordingDataSource(url);
    try {
      const repository = new EventQueryRepository(recording);
      const { events: page } = await repository.page(null, { eventTimeFrom: from, visibleTo: readers[pharmacy] }, 100);
      expect(page).toHaveLength(3);
      // A condition none of the pharmacy's events meet and every other event does: still its own events only.
      const { events: none } = await repository.page(
        null,
        { eventTimeFrom: from, bizSteps: ['storing'], visibleTo: readers[pharmacy] },
        100,
      );
      expect(none).toHaveLength(0);
      // The REST binding's lists of values, from the pharmacy's own events too.
      const vocabulary = new EventVocabularyRepository(recording, repository);
      const mine = (await events.page(null, { visibleTo: readers[pharmacy] }, 100_000)).events.map((e) => e.id);
      const { rows: steps } = await pg.query<{ v: string }>(
        `SELECT DISTINCT biz_step AS v FROM event WHERE id = ANY($1::bigint[]) AND biz_step IS NOT NULL ORDER BY 1`,
        [mine],
      );
      expect((await vocabulary.page('bizSteps', readers[pharmacy], 30)).values).toEqual(steps.map((r) => r.v));
      const { rows: readPoints } = await pg.query<{ v: string }>(
        `SELECT DISTINCT read_point AS v FROM event WHERE id = ANY($1::bigint[]) AND read_point IS NOT NULL ORDER BY 1 LIMIT 30`,
        [mine],
      );
      expect(readPoints.length).toBeGreaterThan(0);
      expect((await vocabulary.page('readPoints', readers[pharmacy], 30)).values).toEqual(readPoints.map((r) => r.v));
      expect(await vocabulary.exists('bizSteps', ['storing'], readers[pharmacy])).toBe(false);
      // A subscription's first delivery: the first 100 of the pharmacy's events in delivery order (ids rise with
      // transaction ids here).
      await settled();
      const { events: delivery } = await repository.afterPosition(
        { recordTimeFrom: new Date(Date.UTC(2026, 0, 1)), visibleTo: readers[pharmacy] },
        { xid: '0', eventId: 0 },
        100,
      );
      expect(delivery.map((e) => e.id)).toEqual([...mine].sort((a, b) => a - b).slice(0, 100));
      expect(statements).toHaveLength(6);
      // Never the 20,000 events of others: each row filed under the pharmacy looked up at most once (earlier tests filed
      // some too), and a page's events read again to be answered.
      const {
        rows: [{ filed }],
      } = await pg.query<{ filed: number }>(`SELECT count(*)::int AS filed FROM event_reader WHERE reader = ANY($1::text[])`, [
        readers[pharmacy].readerKeys,
      ]);
      expect(filed).toBeLessThan(1000);
      for (const { sql, params } of statements)
        expect(monthRowsRead(await analyzedPlan(pg, sql, params), 'event')).toBeLessThanOrEqual(filed + 101);
    } finally {
      await recording.destroy();
    }
  });
  it("a manufacturer's page and deliveries read its products' events, not the history before them", async () => {
    const manufacturer = readers[0];
    // A manufacturer of 500 products, most without events: its keys are walked for a page or a delivery of 100.
    const catalogue = Array.from({ length: 500 }, (_, i) => withCheckDigit(`09${String(i).padStart(11, '0')}`));
    expect(catalogue.length).toBeGreaterThan(64);
    expect(catalogue.length + manufacturer.readerKeys.length + 3).toBeLessThanOrEqual(walkedKeysFor(101));
    await pg.query(`INSERT INTO product (gtin, manufacturer_id) SELECT unnest($1::text[]), $2`, [catalogue, ids[0]]);
    const from = new Date(Date.UTC(2027, 1, 1));
    // 20,000 events of others naming an unregistered GTIN's packs, then 3 naming one of the manufacturer's, all by a
    // capturer that is not the manufacturer and at places that are not its own.
    // Times as text: a JavaScript Date would drop the record time's microseconds, and the EPC rows would name no event.
    const { rows } = await pg.query<{ id: string; event_time: string; record_time: string; g: number }>(
      `INSERT INTO event (event_hash, event_type, event_time, read_point, captured_by, body)
       SELECT sha256(('m' || g)::bytea), 'ObjectEvent', $1::timestamptz + g * interval '1 ms', 'urn:epc:id:sgln:0999999.00001.0', $2::uuid, '{}'::jsonb
       FROM generate_series(1, 20003) g
       RETURNING id, event_time::text, record_time::text, (extract(epoch FROM event_time - $1::timestamptz) * 1000)::int AS g`,
      [from.toISOString(), ids[ORGS.length]],
    );
    const other = `https://id.gs1.org/01/${withCheckDigit('0077777700011')}/21/X`;
    await pg.query(
      `INSERT INTO event_epc (epc, event_time, event_id, role, record_time)
       SELECT CASE WHEN g > 20000 THEN $4 ELSE $5 END, t, i, 'epc', rt FROM unnest($1::bigint[], $2::timestamptz[], $3::timestamptz[], $6::int[]) AS u(i, t, rt, g)`,
      [rows.map((r) => r.id), rows.map((r) => r.event_time), rows.map((r) => r.record_time), PACKS[0].epc, other, rows.map((r) => r.g)],
    );
    await pg.query(`ANALYZE`);
    const theirs = rows.filter((r) => r.g > 20000).map((r) => Number(r.id));
    // As pg reads it: the record time to the millisecond below, so the bound takes in every event inserted above.
    const {
      rows: [{ since }],
    } = await pg.query<{ since: Date }>(`SELECT min(record_time) AS since FROM event WHERE id = ANY($1::bigint[])`, [
      rows.map((r) => r.id),
    ]);
    const { db: recording, statements } = await recordingDataSource(url);
    try {
      const repository = new EventQueryRepository(recording);
      const { events: page } = await repository.page(null, { eventTimeFrom: from, visibleTo: manufacturer }, 100);
      expect(page.map((e) => e.id)).toEqual(theirs);
      await settled();
      const { events: delivery } = await repository.afterPosition(
        { recordTimeFrom: since, visibleTo: manufacturer },
        { xid: '0', eventId: 0 },
        100,
      );
      expect(delivery.map((e) => e.id)).toEqual(theirs);
      // Each: the products counted, then the statement. The manufacturer's 20,000 events before `from` (the pharmacy's
      // test) are not read either: the page's event-time bound enters each key's rows at it.
      expect(statements).toHaveLength(4);
      const {
        rows: [{ filed }],
      } = await pg.query<{ filed: number }>(
        `SELECT count(*)::int AS filed FROM event_reader
         WHERE (reader = ANY($1::text[]) OR reader = ANY(SELECT 'g:' || gtin::text FROM product WHERE manufacturer_id = $2)) AND event_time >= $3`,
        [manufacturer.readerKeys, ids[0], from],
      );
      expect(filed).toBeLessThan(2000);
      for (const { sql, params } of statements)
        expect(monthRowsRead(await analyzedPlan(pg, sql, params), 'event')).toBeLessThanOrEqual(filed + 101);
    } finally {
      await recording.destroy();
      await pg.query(`DELETE FROM product WHERE gtin = ANY($1::text[])`, [catalogue]);
    }
  });

  it("a manufacturer's page of one business step reads only the keys holding it, not its own captures of others", async () => {
    const manufacturer = readers[0];
    const from = new Date(Date.UTC(2027, 2, 1));
    // 20,000 commissioning events the manufacturer captured (its capturer key), then 3 inspecting events of another
    // organization naming one of its packs (its product's key). No other event of this spec is inspecting.
    const { rows } = await pg.query<{ id: string; event_time: string; record_time: string; g: number }>(
      `INSERT INTO event (event_hash, event_type, event_time, read_point, biz_step, captured_by, body)
       SELECT sha256(('s' || g)::bytea), 'ObjectEvent', $1::timestamptz + g * interval '1 ms', 'urn:epc:id:sgln:0999999.00001.0',
              CASE WHEN g > 20000 THEN 'inspecting' ELSE 'commissioning' END, CASE WHEN g > 20000 THEN $3::uuid ELSE $2::uuid END, '{}'::jsonb
       FROM generate_series(1, 20003) g
       RETURNING id, event_time::text, record_time::text, (extract(epoch FROM event_time - $1::timestamptz) * 1000)::int AS g`,
      [from.toISOString(), ids[0], ids[ORGS.length]],
    );
    const stored = rows.filter((r) => r.g > 20000);
    await pg.query(
      `INSERT INTO event_epc (epc, event_time, event_id, role, record_time)
       SELECT $4, t, i, 'epc', rt FROM unnest($1::bigint[], $2::timestamptz[], $3::timestamptz[]) AS u(i, t, rt)`,
      [stored.map((r) => r.id), stored.map((r) => r.event_time), stored.map((r) => r.record_time), PACKS[0].epc],
    );
    await pg.query(`ANALYZE`);
    const { db: recording, statements } = await recordingDataSource(url);
    try {
      const repository = new EventQueryRepository(recording);
      const criteria = { eventTimeFrom: from, bizSteps: ['inspecting'], visibleTo: manufacturer };
      const { events: page } = await repository.page(null, criteria, 100);
      expect(page.map((e) => e.id)).toEqual(stored.map((r) => Number(r.id)));
      expect(await repository.countUpTo(null, criteria, 1000)).toBe(3);
      // Each: the products counted, then the statement; the manufacturer's 20,000 commissioning events never read.
      expect(statements).toHaveLength(4);
      for (const { sql, params } of statements)
        expect(monthRowsRead(await analyzedPlan(pg, sql, params), 'event')).toBeLessThanOrEqual(104);
    } finally {
      await recording.destroy();
    }
  });
});
