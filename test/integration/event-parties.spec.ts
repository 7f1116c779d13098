import { glnLikePatterns, readerKeys } from '@pharmatrace/domain';
import { dataSourceOptions, type EventCriteria, EventQueryRepository, runMigrations } from '@pharmatrace/persistence';
import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { adminUrl, createDatabaseBefore, insertLotPacks, withAdmin } from '../support/database';
import { withCheckDigit } from '../support/platform';

type Visibility = NonNullable<EventCriteria['visibleTo']>;

const ORGS = [
  { name: 'Maker A', role: 'MANUFACTURER', gln: withCheckDigit('061414100001'), prefix: '0614141' },
  { name: 'Maker B', role: 'MANUFACTURER', gln: withCheckDigit('095000000001'), prefix: '095000000' },
  { name: 'Wholesale', role: 'DISTRIBUTOR', gln: withCheckDigit('070000000001'), prefix: null },
  { name: 'Regional', role: 'DISTRIBUTOR', gln: withCheckDigit('070000100002'), prefix: null },
  { name: 'Pharmacy', role: 'DISPENSER', gln: withCheckDigit('080000000003'), prefix: null },
  { name: 'Stranger', role: 'DISPENSER', gln: withCheckDigit('080000900004'), prefix: null },
] as const;
const GTIN_A = withCheckDigit('0061414100123');
const GTIN_B = withCheckDigit('0095000000456');
const GTIN_UNKNOWN = withCheckDigit('0099999900011');
/** Packs in lots (pack_state) for the lot grants: L1 of GTIN A, L2 of GTIN B. */
const PACKS = [
  { epc: `https://id.gs1.org/01/${GTIN_A}/21/A1`, gtin: GTIN_A, lot: 'L1' },
  { epc: `https://id.gs1.org/01/${GTIN_A}/21/A2`, gtin: GTIN_A, lot: 'L9' },
  { epc: `https://id.gs1.org/01/${GTIN_B}/21/B1`, gtin: GTIN_B, lot: 'L2' },
];
const EPCS = [...PACKS.map((p) => p.epc), `https://id.gs1.org/01/${GTIN_UNKNOWN}/21/U1`, 'urn:epc:id:sgtin:0614141.010012.S1'];

/** Every way the rule's LIKE patterns spell a GLN, at two company-prefix lengths, and places no organization holds. */
const LOCATIONS = [
  ...ORGS.flatMap(({ gln }) => [
    `urn:epc:id:sgln:${gln.slice(0, 7)}.${gln.slice(7, 12)}.0`,
    `urn:epc:id:sgln:${gln.slice(0, 9)}.${gln.slice(9, 12)}.DOCK-1`,
    `urn:epc:id:pgln:${gln.slice(0, 7)}.${gln.slice(7, 12)}`,
    `https://id.gs1.org/414/${gln}`,
    `https://example.com/414/${gln}/254/WH-2`,
    `https://id.gs1.org/417/${gln}?x=1`,
  ]),
  'urn:epc:id:sgln:0614141.99999.0',
  'urn:example:somewhere',
];

interface NewEvent {
  /** Among the capturers of the sample (organizations of their own, so that each sample's history starts empty). */
  capturer: number;
  readPoint: string | null;
  bizLocation: string | null;
  sources: readonly string[];
  destinations: readonly string[];
  epcs: readonly string[];
}

const CAPTURERS = 4;
/** Mostly places of no reader, so that each branch of the rule is often the only one to decide. */
const place = fc.oneof({ weight: 6, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom(...LOCATIONS) });
const eventArb: fc.Arbitrary<NewEvent> = fc.record({
  capturer: fc.nat(CAPTURERS - 1),
  readPoint: place,
  bizLocation: place,
  sources: fc.oneof({ weight: 4, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: fc.subarray(LOCATIONS, { maxLength: 2 }) }),
  destinations: fc.oneof({ weight: 4, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: fc.subarray(LOCATIONS, { maxLength: 2 }) }),
  epcs: fc.oneof({ weight: 2, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: fc.subarray(EPCS, { maxLength: 2 }) }),
});

/**
 * Master data's read rule ("the reader may read at least one of the capturer's events") decided from event_party and
 * event_class (migration 1767100000000) must answer what the events read rule answers over the events themselves, for
 * every reader and capturer: for histories written before the migration (its backfill) and after (its triggers), by
 * any spelling of a GLN, through sources and destinations, a manufacturer's own GTINs, and GTIN and lot grants.
 */
describe('who may read whose master data, from the parties of the events (real Postgres)', () => {
  const name = `pharmatrace_parties_${randomBytes(5).toString('hex')}`;
  const url = adminUrl(name);
  let pg: Client;
  let db: DataSource;
  let events: EventQueryRepository;
  /** The readers' organizations, in ORGS order. */
  const ids: string[] = [];
  let readers: Visibility[] = [];

  beforeAll(async () => {
    await createDatabaseBefore(name, 'EventParties1767100000000');
    pg = new Client({ connectionString: url });
    await pg.connect();
    for (const o of ORGS) {
      const { rows } = await pg.query(`INSERT INTO organization (name, role, gln, company_prefixes) VALUES ($1, $2, $3, $4) RETURNING id`, [
        o.name,
        o.role,
        o.gln,
        o.prefix ? [o.prefix] : [],
      ]);
      ids.push(rows[0].id);
    }
    await pg.query(`INSERT INTO product (gtin, manufacturer_id) VALUES ($1, $2), ($3, $4)`, [GTIN_A, ids[0], GTIN_B, ids[1]]);
    await insertLotPacks(pg, PACKS);
    readers = ORGS.map((o, i) => ({
      organizationId: ids[i],
      glnPatterns: glnLikePatterns(o.gln),
      readerKeys: readerKeys(ids[i], o.gln),
      ownGtins: o.role === 'MANUFACTURER',
      // Grants as owners give them: Regional a whole GTIN, the pharmacy one lot.
      granted: o.name === 'Regional' ? [{ gtin: GTIN_A, lot: null }] : o.name === 'Pharmacy' ? [{ gtin: GTIN_B, lot: 'L2' }] : [],
    }));
  });

  afterAll(async () => {
    await pg?.end();
    await db?.destroy();
    await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  });

  let made = 0;
  /** Organizations of the sample's own that capture its events: no earlier sample's history is theirs. */
  async function newCapturers(): Promise<string[]> {
    const { rows } = await pg.query<{ id: string }>(
      `INSERT INTO organization (name, role, gln)
       SELECT 'Capturer ' || g, 'DISTRIBUTOR', '5' || lpad(g::text, 12, '0') FROM generate_series($1::int, $2::int) g RETURNING id`,
      [made + 1, (made += CAPTURERS)],
    );
    return rows.map((r) => r.id);
  }

  /** One statement for the events and one for their EPC rows, as capture writes them. */
  async function insert(capturers: string[], batch: NewEvent[]) {
    if (!batch.length) return;
    const body = (e: NewEvent) => ({
      ...(e.sources.length ? { sourceList: e.sources.map((source) => ({ type: 'owning_party', source })) } : {}),
      ...(e.destinations.length ? { destinationList: e.destinations.map((destination) => ({ type: 'owning_party', destination })) } : {}),
    });
    const { rows } = await pg.query<{ id: string; record_time: string }>(
      `INSERT INTO event (event_hash, event_type, event_time, read_point, biz_location, captured_by, body)
       SELECT h, 'ObjectEvent', now(), r, b, c, j FROM unnest($1::bytea[], $2::text[], $3::text[], $4::uuid[], $5::jsonb[]) AS u(h, r, b, c, j)
       RETURNING id, record_time::text`,
      [
        batch.map(() => randomBytes(32)),
        batch.map((e) => e.readPoint),
        batch.map((e) => e.bizLocation),
        batch.map((e) => capturers[e.capturer]),
        batch.map((e) => JSON.stringify(body(e))),
      ],
    );
    const epcRows = batch.flatMap((e, i) => e.epcs.map((epc) => ({ epc, id: rows[i].id, rt: rows[i].record_time })));
    if (!epcRows.length) return;
    await pg.query(
      `INSERT INTO event_epc (epc, event_time, event_id, role, record_time)
       SELECT e, now(), i, 'epc', rt FROM unnest($1::text[], $2::bigint[], $3::timestamptz[]) AS u(e, i, rt)`,
      [epcRows.map((r) => r.epc), epcRows.map((r) => r.id), epcRows.map((r) => r.rt)],
    );
  }

  /** For every reader: which of `capturers` the relation says it may read, and which the events say. */
  async function bothRules(capturers: string[]) {
    const out = [];
    for (const visibleTo of readers) {
      const byParties = (await events.readableCapturers(null, visibleTo, capturers)).sort();
      const byEvents: string[] = [];
      for (const id of capturers) if ((await events.countUpTo(null, { capturedBy: [id], visibleTo }, 1)) > 0) byEvents.push(id);
      out.push({ reader: visibleTo.organizationId, byParties, byEvents: byEvents.sort() });
    }
    return out;
  }
  let readable = 0;
  let unreadable = 0;
  const agree = (rules: Awaited<ReturnType<typeof bothRules>>, capturers: string[]) => {
    for (const r of rules) {
      expect(r.byParties).toEqual(r.byEvents);
      readable += r.byEvents.length;
      unreadable += capturers.length - r.byEvents.length;
    }
  };

  it('the migration records the parties of the events stored before it', async () => {
    const samples = fc.sample(fc.array(eventArb, { maxLength: 6 }), { numRuns: 12, seed: 18 });
    const histories: string[][] = [];
    for (const batch of samples) {
      const capturers = await newCapturers();
      await insert(capturers, batch);
      histories.push(capturers);
    }
    // The migrations this spec is about, first among those run (later ones run too).
    expect((await runMigrations(url)).map((m) => m.replace(/\d+$/, '')).slice(0, 6)).toEqual([
      'EventParties',
      'EventClassesBySet',
      'EventReaders',
      'NoJit',
      'EventReaderPositions',
      'EventReaderGtins',
    ]);
    db = new DataSource(dataSourceOptions(url, { poolSize: 2 }));
    await db.initialize();
    events = new EventQueryRepository(db);
    for (const capturers of histories) agree(await bothRules(capturers), capturers);
  });

  it('captures after it keep the relation: both rules agree on every new history (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(eventArb, { maxLength: 4 }), { minLength: 1, maxLength: 3 }), async (batches) => {
        const capturers = await newCapturers();
        for (const batch of batches) await insert(capturers, batch);
        agree(await bothRules(capturers), capturers);
      }),
      { numRuns: 40 },
    );
    // Not a vacuous agreement: readers were found able to read some capturers, and unable to read others.
    expect(readable).toBeGreaterThan(20);
    expect(unreadable).toBeGreaterThan(20);
  });
});
