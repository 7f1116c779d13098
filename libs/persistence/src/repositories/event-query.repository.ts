import { Injectable, Optional } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EpcRole } from '../entities';
import {
  ErrorDeclarationCriterion,
  errorDeclarationCondition,
  FieldCriterion,
  fieldCondition,
  MeasureCriterion,
  measureCondition,
  QuantityList,
  quantityElements,
  SENSOR_ELEMENTS_EXIST,
  SensorAttributeCriterion,
  sensorAttributeCondition,
  SensorTimeCriterion,
  sensorTimeCondition,
} from './event-query.families';
import { readerOf, ReadRouting } from '../replication/read-routing';
import { type Nullable, queryRows, SqlRunner } from './sql-query';
import { addMasterDataConditions, MasterDataCriteria } from './master-data.sql';

/** Identifiers as stored (canonical Digital Link in event_epc): equal to one of `exact` or starting with one of `prefixes`. */
export interface StringMatch {
  exact: string[];
  prefixes: string[];
}

export interface EpcCriterion extends StringMatch {
  roles: EpcRole[];
}

/**
 * What an event query asks for; every field narrows the result (AND), every list inside a field widens it (OR).
 * Vocabulary and location values are given in every spelling they may have been captured in.
 */
export interface EventCriteria {
  eventTypes?: string[];
  eventTimeFrom?: Date;
  eventTimeBefore?: Date;
  recordTimeFrom?: Date;
  recordTimeBefore?: Date;
  actions?: string[];
  bizSteps?: string[];
  dispositions?: string[];
  readPoints?: string[];
  bizLocations?: string[];
  epcs?: EpcCriterion[];
  /** Each matched against the epcClass of the quantity elements of its `lists`, as written. */
  epcClasses?: (StringMatch & { lists: QuantityList[] })[];
  /** CBV 2.0 hash digests, or the eventID the producer declared. */
  eventIds?: { hashes: Buffer[]; declared: string[] };
  /**
   * Typed list entries (EQ_bizTransaction_<type>, EQ_source_<type>, EQ_destination_<type>): an entry of `list` whose
   * `type` is one of `types` and whose `key` is one of `values`, each given in every spelling it may have been captured in.
   */
  typedEntries?: { list: 'bizTransactionList' | 'sourceList' | 'destinationList'; key: string; types: string[]; values: string[] }[];
  /** TransformationEvents with one of these transformationIDs, as written. */
  transformationIds?: string[];
  /** Events whose persistentDisposition sets (or unsets) one of `values`, each in every CBV spelling. */
  persistentDispositions?: { which: 'set' | 'unset'; values: string[] }[];
  /** ILMD, extension, error-declaration and sensor extension fields (EQ_/EXISTS_/GT_… with ILMD_, INNER_…). */
  fields?: FieldCriterion[];
  /** Quantities and sensor measures (EQ_quantity, GE_value_CEL…). */
  measures?: MeasureCriterion[];
  sensorAttributes?: SensorAttributeCriterion[];
  sensorTimes?: SensorTimeCriterion[];
  /** Events with sensor data (EXISTS_sensorElementList). */
  sensorElementsExist?: boolean;
  /** Events whose latest error declaration says this (EXISTS_errorDeclaration, EQ_errorReason…). */
  errorDeclaration?: ErrorDeclarationCriterion;
  /** EQ_ATTR_, HASATTR_, WD_readPoint and WD_bizLocation (master-data.sql.ts). */
  masterData?: MasterDataCriteria;
  /** Events captured by one of these organizations. */
  capturedBy?: string[];
  /**
   * Read policy (libs/domain read-policy): only events the organization captured or names by GLN (`glnPatterns`, LIKE
   * patterns of every spelling; `readerKeys`, the same as keys of event_reader) in read point, location, source or
   * destination; with `ownGtins`, also events naming a pack of a GTIN it manufactures; and events naming a pack of a
   * GTIN, or of a GTIN's lot, in `granted`.
   */
  visibleTo?: {
    organizationId: string;
    glnPatterns: string[];
    /** readerKeys (libs/domain): the capturer and GLN branches as keys of event_reader. */
    readerKeys: string[];
    ownGtins: boolean;
    granted: { gtin: string; lot: string | null }[];
  };
  /**
   * Only events whose capture transaction ended before every transaction still running began (the visibility horizon,
   * migration 1765857000000): what record-time queries serve, so a later commit never lands behind a record time served.
   */
  belowHorizon?: boolean;
}

/** A subscription's place in the events: after this (transaction id, event id); legacy events without an xid are 0. */
export interface EventPosition {
  /** xid8 as decimal text. */
  xid: string;
  eventId: number;
}

/** An error declaration of a stored event (event_correction), oldest first; times as ISO 8601 text. */
export interface EventCorrectionView {
  declarationTime: string;
  reason: string | null;
  correctiveEventIDs: string[];
  /** The errorDeclaration as the declaring event carried it. */
  errorDeclaration: Record<string, unknown>;
  declaredBy: string;
  recordTime: string;
}

/** Each stored event's corrections, as one JSON column (a correlated subquery on event alias `e`). */
export const CORRECTIONS_COLUMN = `(SELECT coalesce(jsonb_agg(jsonb_build_object('declarationTime', c.declaration_time, 'reason', c.reason,
    'correctiveEventIDs', to_jsonb(c.corrective_event_ids), 'errorDeclaration', c.body->'errorDeclaration', 'declaredBy', c.declared_by,
    'recordTime', c.recorded_at) ORDER BY c.declaration_time, c.id), '[]'::jsonb)
   FROM event_correction c WHERE c.event_id = e.id) AS corrections`;

export interface QueriedEvent {
  id: number;
  eventTime: Date;
  hash: Buffer;
  recordTime: Date;
  body: Record<string, unknown>;
  /** Extension fields left out of the hash (event.ignore_fields). */
  ignoreFields: string[];
  corrections: EventCorrectionView[];
}

/** An event as `page` selects it. */
interface QueriedEventRow {
  /** bigint: a string. */
  id: string;
  event_hash: Buffer;
  event_time: Date;
  record_time: Date;
  /** jsonb: the EPCIS event object as captured. */
  body: Record<string, unknown>;
  ignore_fields: string[];
  /** CORRECTIONS_COLUMN: jsonb, timestamps in it as text; `[]` when there are none. */
  corrections: EventCorrectionView[];
}

/** The order of a page: by event time or record time, then id, either way. */
export interface EventOrdering {
  key: 'eventTime' | 'recordTime';
  direction: 'ASC' | 'DESC';
}

const ORDER_COLUMN: Record<EventOrdering['key'], 'event_time' | 'record_time'> = { eventTime: 'event_time', recordTime: 'record_time' };

/** LIKE treats % and _ as wildcards; identifiers may contain them literally. */
const likePrefix = (prefix: string) => prefix.replace(/[\\%_]/g, (c) => `\\${c}`) + '%';

/** A statement's WHERE conditions and parameters, built up in order; shared with EventVocabularyRepository. */
export class Sql {
  readonly where: string[] = [];
  readonly params: unknown[] = [];

  param(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }

  match(column: string, m: StringMatch): string {
    const parts: string[] = [];
    if (m.exact.length) parts.push(`${column} = ANY(${this.param(m.exact)}::text[])`);
    if (m.prefixes.length) parts.push(`${column} LIKE ANY(${this.param(m.prefixes.map(likePrefix))}::text[])`);
    return parts.length ? `(${parts.join(' OR ')})` : 'false';
  }
}

/**
 * readableCapturers' branch for lot grants: the capturers of events naming a pack of a granted lot, read from the lots'
 * packs by key (OFFSET 0 keeps each step a lookup: planned as joins, Postgres hashed every EPC row with its event).
 */
const LOT_GRANT_CAPTURERS = `UNION
  SELECT e.captured_by::text FROM unnest($6::char(14)[], $7::text[]) AS g(gtin, lot)
    CROSS JOIN LATERAL (SELECT ps.epc FROM pack_state ps WHERE ps.gtin = g.gtin AND ps.lot = g.lot OFFSET 0) ps
    CROSS JOIN LATERAL (SELECT ee.event_id, ee.record_time FROM event_epc ee WHERE ee.epc = ps.epc OFFSET 0) ee
    JOIN event e ON e.id = ee.event_id AND e.record_time = ee.record_time
  WHERE e.captured_by = ANY($1::uuid[])`;

/**
 * A reader with GTIN branches (a manufacturer's products, a grantee's GTINs) walks its keys while this many rows at
 * most would be read: each key gives up to a read's size (a page, a count's bound, a delivery), so the walk's work is
 * keys × size at worst, and never more than the reader's own events. Past it the rule is tested on each event in page
 * order, which finds a page soon only where the reader's events are a large share of the history: a manufacturer of
 * 970 products with 1.5% of 10M events took more than 50 s for its first page that way, 92-97 ms from its keys.
 */
const WALKED_ROWS_BUDGET = 100_000;

/** Keys walked whatever the size: a count to a large bound is still bounded by the reader's own events. */
const MIN_WALKED_KEYS = 64;

/** The most keys a walk of reads of `size` rows takes (WALKED_ROWS_BUDGET). */
export const walkedKeysFor = (size: number) => Math.max(MIN_WALKED_KEYS, Math.floor(WALKED_ROWS_BUDGET / size));

/**
 * A page's reader read from its keys in event_reader: `keys` as given, with a manufacturer's products' keys (`g:`,
 * migration 1767500000000) taken from `product` in the page's own statement, so a product registered meanwhile is
 * never missed. `exact` when every event filed under them is one the reader may read; a lot grant's GTIN key also
 * files the GTIN's other lots, and then the rule is tested on each event found.
 */
interface ReaderWalk {
  keys: string[];
  manufacturer: string | null;
  exact: boolean;
  /** The query's business steps: only the keys with one of them are read (event_reader_step, migration 1767900000000). */
  steps?: string[];
}

/** The key of the events naming an EPC of `gtin` in event_reader, as migration 1767500000000 files them. */
const gtinKey = (gtin: string) => `g:${gtin}`;

/** The keys of `walk` as an SQL text[] expression, its parameters added to `sql`. */
function walkKeys(sql: Sql, walk: ReaderWalk): string {
  const products = walk.manufacturer
    ? ` || ARRAY(SELECT 'g:' || p.gtin::text FROM product p WHERE p.manufacturer_id = ${sql.param(walk.manufacturer)}::uuid)`
    : '';
  const keys = `(${sql.param(walk.keys)}::text[]${products})`;
  // A key none of whose events has a step asked for would be read to its end for nothing: a manufacturer's own
  // captures for a page of its products' receipts (9.4 s at 10M events).
  return walk.steps
    ? `ARRAY(SELECT k FROM unnest(${keys}) k WHERE EXISTS (SELECT 1 FROM event_reader_step s WHERE s.reader = k AND s.biz_step = ANY(${sql.param(walk.steps)}::text[])))`
    : keys;
}

/**
 * A reader's own events in (`column`, event id) order, `size` at most, as (`column`, record_time, event_id): each of
 * the reader's keys read in that order from event_reader (`bounds` on its rows `r`), its events checked against
 * `matches` (conditions on event alias `e`; 'true' reads no event) as they come, until `size` are found. The work is
 * bounded by the reader's own events (and by `size` where they match densely), never by the history. Each event is a
 * lookup by key (LATERAL, OFFSET 0): as a join, Postgres may hash the reader's rows against every event. An event
 * filed twice under one key (two spellings of the reader's GLN) is taken once before the key's rows are cut, or it
 * would push another out. DISTINCT ON, the lookup and the LIMIT sit at one level, so that Postgres plans each key's
 * rows to be read in index order and stopped at the page: with the LIMIT a level above, it read and sorted all of a
 * key's rows (19,000 a key for a manufacturer's first page, 170 ms on the 300,000-event bench database).
 */
function filedEvents(
  keys: string,
  column: 'event_time' | 'record_time' | 'xid',
  direction: 'ASC' | 'DESC',
  bounds: string[],
  matches: string,
  size: string,
): string {
  const columns = (alias: string) =>
    [column, 'record_time', 'event_id'].filter((c, i) => i === 0 || c !== column).map((c) => `${alias}.${c}`);
  const order = (alias: string) => `${alias}.${column} ${direction}, ${alias}.event_id ${direction}`;
  const lookup =
    matches === 'true'
      ? ''
      : `CROSS JOIN LATERAL (SELECT 1 FROM event e WHERE e.id = r.event_id AND e.record_time = r.record_time AND ${matches} OFFSET 0) x`;
  return `SELECT DISTINCT ${columns('m').join(', ')} FROM unnest(${keys}::text[]) k(reader)
         CROSS JOIN LATERAL (
           SELECT DISTINCT ON (r.${column}, r.event_id) ${columns('r').join(', ')} FROM event_reader r ${lookup}
           WHERE r.reader = k.reader ${bounds.map((c) => `AND ${c}`).join(' ')}
           ORDER BY ${order('r')} LIMIT ${size}) m
         ORDER BY ${order('m')} LIMIT ${size}`;
}

/**
 * A query's time bounds on the reader's rows `r` too: record time, so that only the months they name are read; event
 * time, so that in event-time order each key's rows are entered at the bound (a reader's page of last week read its
 * whole history before it, each event looked up to be refused).
 */
function readerTimeBounds(sql: Sql, criteria: EventCriteria): string[] {
  const bound = (column: string, op: string, at: Date | undefined) =>
    at ? [`r.${column} ${op} ${sql.param(at.toISOString())}::timestamptz`] : [];
  return [
    ...bound('record_time', '>=', criteria.recordTimeFrom),
    ...bound('record_time', '<', criteria.recordTimeBefore),
    ...bound('event_time', '>=', criteria.eventTimeFrom),
    ...bound('event_time', '<', criteria.eventTimeBefore),
  ];
}

@Injectable()
export class EventQueryRepository {
  constructor(
    private readonly db: DataSource,
    // Optional so a spec can build the repository on a DataSource alone: then every read is the primary's.
    @Optional() private readonly reads?: ReadRouting,
  ) {}

  /**
   * One page in (time, id) order after the event `afterId`, and whether more follow: keyset, so deep pages cost the
   * same. `order` is an ordering of its own column names only, never text from a client.
   */
  async page(
    reading: string | null,
    criteria: EventCriteria,
    limit: number,
    afterId?: number,
    order: EventOrdering = { key: 'eventTime', direction: 'ASC' },
  ): Promise<{ events: QueriedEvent[]; hasMore: boolean }> {
    const column = ORDER_COLUMN[order.key];
    const { direction } = order;
    const after = direction === 'ASC' ? '>' : '<';
    const runner = await readerOf(this.db, this.reads, reading);
    // In record-time order each key's rows are sorted whole: only a reader whose events are all filed walks its keys.
    const walk = await this.walkOf(runner, criteria, column === 'event_time', limit + 1);
    const sql = new Sql();
    this.filter(sql, walk?.exact ? { ...criteria, visibleTo: undefined } : criteria);
    // The position is read back from the row itself: a timestamptz keeps microseconds a JavaScript Date would lose.
    const position = (alias: string, id: string) =>
      afterId === undefined
        ? []
        : [
            `(${alias}.${column}, ${alias}.${id}) ${after} (SELECT p.${column}, p.id FROM event p WHERE p.id = ${sql.param(afterId)}::bigint)`,
          ];
    const columns = `e.id, e.event_hash, e.event_time, e.record_time, e.body, e.ignore_fields, ${CORRECTIONS_COLUMN}`;
    let statement: string;
    if (walk) {
      const matches = sql.where.length ? sql.where.join(' AND ') : 'true';
      const bounds = [...position('r', 'event_id'), ...readerTimeBounds(sql, criteria)];
      // In event-time order the reader's index gives each key's rows in page order; in record-time order they are
      // sorted, so the work is the reader's events in the months asked.
      statement = `SELECT ${columns} FROM (${filedEvents(walkKeys(sql, walk), column, direction, bounds, matches, sql.param(limit + 1))}) m
       JOIN event e ON e.id = m.event_id AND e.record_time = m.record_time
       ORDER BY e.${column} ${direction}, e.id ${direction}`;
    } else {
      sql.where.push(...position('e', 'id'));
      statement = `SELECT ${columns} FROM event e ${sql.where.length ? `WHERE ${sql.where.join(' AND ')}` : ''}
       ORDER BY e.${column} ${direction}, e.id ${direction}
       LIMIT ${sql.param(limit + 1)}`;
    }
    const rows = await runner.bounded<QueriedEventRow>(statement, sql.params);
    const events = rows.slice(0, limit).map((r) => ({
      id: Number(r.id),
      hash: r.event_hash,
      eventTime: r.event_time,
      recordTime: r.record_time,
      body: r.body,
      ignoreFields: r.ignore_fields,
      corrections: r.corrections,
    }));
    return { events, hasMore: rows.length > limit };
  }

  /**
   * The next events after `after` in (transaction id, event id) order, below the visibility horizon only: every
   * transaction below it has ended, so nothing can later commit before them. `resumeAt` is where the next call starts:
   * after the last event when the page is full, else at the horizon itself (every event below it was considered),
   * so a selective query does not scan the same non-matching events again at every poll. The horizon is taken once,
   * in the statement that reads the events: OFFSET 0 keeps it a value, where Postgres would otherwise call the function
   * (which reads the server's locks and sessions) at every scan of every month, 0.2–1.0 ms each on the bench database.
   */
  async afterPosition(
    criteria: EventCriteria,
    after: EventPosition,
    limit: number,
  ): Promise<{ events: (QueriedEvent & { position: EventPosition })[]; resumeAt: EventPosition }> {
    // A subscriber whose events are all filed reads its own, in delivery order (migration 1767400000000): a poll costs
    // the subscriber's new events, not everyone's since its last one.
    const walk = await this.walkOf(this.db, criteria, true, limit);
    const sql = new Sql();
    this.filter(sql, { ...criteria, belowHorizon: false, ...(walk?.exact ? { visibleTo: undefined } : {}) });
    const columns = `e.event_hash, e.event_time, e.record_time, e.body, e.ignore_fields, ${CORRECTIONS_COLUMN}`;
    let source: string;
    if (walk) {
      const bounds = [
        `r.xid < h.horizon`,
        `(r.xid, r.event_id) > (${sql.param(after.xid)}::xid8, ${sql.param(after.eventId)}::bigint)`,
        ...readerTimeBounds(sql, criteria),
      ];
      const matches = sql.where.length ? sql.where.join(' AND ') : 'true';
      source = `SELECT e.id, m.xid AS sort_xid, m.xid::text AS xid, ${columns}
         FROM (${filedEvents(walkKeys(sql, walk), 'xid', 'ASC', bounds, matches, sql.param(limit))}) m
         JOIN event e ON e.id = m.event_id AND e.record_time = m.record_time`;
    } else {
      sql.where.push(`coalesce(e.xid, '0'::xid8) < h.horizon`);
      sql.where.push(`(coalesce(e.xid, '0'::xid8), e.id) > (${sql.param(after.xid)}::xid8, ${sql.param(after.eventId)}::bigint)`);
      source = `SELECT e.id, coalesce(e.xid, '0'::xid8) AS sort_xid, coalesce(e.xid, '0'::xid8)::text AS xid, ${columns}
         FROM event e WHERE ${sql.where.join(' AND ')}
         ORDER BY coalesce(e.xid, '0'::xid8), e.id
         LIMIT ${sql.param(limit)}`;
    }
    const rows = await queryRows<Nullable<QueriedEventRow & { xid: string }> & { horizon: string }>(
      this.db,
      `SELECT h.horizon::text AS horizon, m.id, m.xid, m.event_hash, m.event_time, m.record_time, m.body, m.ignore_fields, m.corrections
       FROM (SELECT event_visibility_horizon() AS horizon OFFSET 0) h
       LEFT JOIN LATERAL (${source}) m ON true
       ORDER BY m.sort_xid, m.id`,
      sql.params,
    );
    const events = rows.flatMap((r) =>
      r.id === null
        ? []
        : [
            {
              id: Number(r.id),
              hash: r.event_hash!,
              eventTime: r.event_time!,
              recordTime: r.record_time!,
              body: r.body!,
              ignoreFields: r.ignore_fields!,
              corrections: r.corrections!,
              position: { xid: r.xid!, eventId: Number(r.id) },
            },
          ],
    );
    const horizon = rows[0].horizon;
    const resumeAt =
      events.length === limit
        ? events[events.length - 1].position
        : BigInt(horizon) > BigInt(after.xid)
          ? { xid: horizon, eventId: 0 }
          : after;
    return { events, resumeAt };
  }

  /**
   * How a page, a count or a delivery reads its reader's events: from the reader's keys in event_reader when that
   * bounds the work, else null, the rule tested on each event of the history. A query by EPC or event ID has an index
   * of its own and tests the rule on the events it finds. A reader without GTIN branches (no own GTINs, no grant) walks
   * its keys in any order; one with them only in an order the keys' index gives (`indexOrder`) and with at most
   * walkedKeysFor(`size`) keys, `size` being the most rows the read takes from each key; its products counted first.
   */
  private async walkOf(runner: SqlRunner, criteria: EventCriteria, indexOrder: boolean, size: number): Promise<ReaderWalk | null> {
    const v = criteria.visibleTo;
    if (!v || criteria.epcs?.length || criteria.eventIds) return null;
    const steps = criteria.bizSteps?.length ? { steps: criteria.bizSteps } : {};
    if (!v.ownGtins && !v.granted.length) return { keys: v.readerKeys, manufacturer: null, exact: true, ...steps };
    if (!indexOrder) return null;
    const keys = [...v.readerKeys, ...new Set(v.granted.map((g) => gtinKey(g.gtin)))];
    const room = walkedKeysFor(size) - keys.length;
    if (room < 0) return null;
    if (v.ownGtins) {
      // How many products, not which: the page's statement reads them itself. Counted no further than the limit.
      const [{ n }] = await queryRows<{ n: number }>(
        runner,
        `SELECT count(*)::int AS n FROM (SELECT 1 FROM product WHERE manufacturer_id = $1::uuid LIMIT $2) p`,
        [v.organizationId, room + 1],
      );
      if (n > room) return null;
    }
    return { keys, manufacturer: v.ownGtins ? v.organizationId : null, exact: v.granted.every((g) => g.lot === null), ...steps };
  }

  /**
   * A reader's keys as an SQL text[] (parameters added to `sql`) when every event filed under them is one it may read,
   * for a list of values to read the reader's own events; null for a reader the keys do not fit (none, more than
   * walkedKeysFor(1), a lot grant): the list reads its rows under all keys together, OWN_EVENTS_CAP at most, so a key
   * costs one index descent.
   */
  async ownEventKeys(runner: SqlRunner, sql: Sql, visibleTo: EventCriteria['visibleTo']): Promise<string | null> {
    const walk = await this.walkOf(runner, { visibleTo }, true, 1);
    return walk?.exact ? walkKeys(sql, walk) : null;
  }

  /** How many events match, counting no further than `max` (a query's maxEventCount needs no more). */
  async countUpTo(reading: string | null, criteria: EventCriteria, max: number): Promise<number> {
    const runner = await readerOf(this.db, this.reads, reading);
    const walk = await this.walkOf(runner, criteria, true, max);
    const sql = new Sql();
    this.filter(sql, walk?.exact ? { ...criteria, visibleTo: undefined } : criteria);
    const matches = sql.where.length ? sql.where.join(' AND ') : 'true';
    // As `page`: the reader's own events walked in event-time order when that bounds the work, else the rule on each event.
    const matching = walk
      ? filedEvents(walkKeys(sql, walk), 'event_time', 'ASC', readerTimeBounds(sql, criteria), matches, sql.param(max))
      : `SELECT 1 FROM event e WHERE ${matches} LIMIT ${sql.param(max)}`;
    const [row] = await runner.bounded<{ n: number }>(`SELECT count(*)::int AS n FROM (${matching}) matching`, sql.params);
    return row.n;
  }

  /**
   * The capturers among `capturers` at least one of whose events `visibleTo` may read (master data's read rule).
   * Decided, branch by branch of `visibility`, from who is party to each capturer's events (event_party, event_class;
   * migration 1767100000000) rather than from the events: a capturer the reader never traded with costs a read of its
   * distinct partners and products, not of its whole history. Lot grants are read from the granted lots' packs.
   */
  async readableCapturers(
    reading: string | null,
    visibleTo: NonNullable<EventCriteria['visibleTo']>,
    capturers: string[],
  ): Promise<string[]> {
    if (!capturers.length) return [];
    const lots = visibleTo.granted.filter((g) => g.lot !== null);
    const rows = await queryRows<{ id: string }>(
      await readerOf(this.db, this.reads, reading),
      // One branch a query, each a semi-join from the candidates by key: as one WHERE of ORed EXISTS, Postgres computed
      // each branch for every capturer at once (a hashed subplan that joined every EPC row to its event).
      `SELECT c::text AS id FROM unnest($1::uuid[]) c WHERE c = $2::uuid
       UNION
       SELECT c::text FROM unnest($1::uuid[]) c
       WHERE EXISTS (SELECT 1 FROM event_party p WHERE p.captured_by = c AND p.party LIKE ANY($3::text[]))
       UNION
       SELECT c::text FROM unnest($1::uuid[]) c
       WHERE $4::boolean AND EXISTS (SELECT 1 FROM event_class k JOIN product pr ON pr.gtin = k.gtin
                                     WHERE k.captured_by = c AND pr.manufacturer_id = $2::uuid)
       UNION
       SELECT c::text FROM unnest($1::uuid[]) c
       WHERE EXISTS (SELECT 1 FROM event_class k WHERE k.captured_by = c AND k.gtin = ANY($5::char(14)[]))
       ${lots.length ? LOT_GRANT_CAPTURERS : ''}`,
      [
        capturers,
        visibleTo.organizationId,
        visibleTo.glnPatterns,
        visibleTo.ownGtins,
        visibleTo.granted.filter((g) => g.lot === null).map((g) => g.gtin),
        ...(lots.length ? [lots.map((g) => g.gtin), lots.map((g) => g.lot)] : []),
      ],
    );
    return rows.map((r) => r.id);
  }

  /**
   * The first event, in (event_time, id) order, with this CBV 2.0 hash digest or this producer-given eventID among
   * those `visibleTo` may read: several organizations may capture events with the same eventID.
   */
  async findOne(
    reading: string | null,
    hash: Buffer | null,
    declaredId: string,
    visibleTo: EventCriteria['visibleTo'],
  ): Promise<QueriedEvent | null> {
    const { events } = await this.page(reading, { eventIds: { hashes: hash ? [hash] : [], declared: [declaredId] }, visibleTo }, 1);
    return events[0] ?? null;
  }

  private filter(sql: Sql, c: EventCriteria) {
    const anyOf = (column: string, values: string[] | undefined) => {
      if (values) sql.where.push(`${column} = ANY(${sql.param(values)}::text[])`);
    };
    anyOf('e.event_type', c.eventTypes);
    anyOf('e.action', c.actions);
    anyOf('e.biz_step', c.bizSteps);
    anyOf('e.disposition', c.dispositions);
    anyOf('e.read_point', c.readPoints);
    anyOf('e.biz_location', c.bizLocations);
    if (c.eventTimeFrom) sql.where.push(`e.event_time >= ${sql.param(c.eventTimeFrom.toISOString())}::timestamptz`);
    if (c.eventTimeBefore) sql.where.push(`e.event_time < ${sql.param(c.eventTimeBefore.toISOString())}::timestamptz`);
    if (c.recordTimeFrom) sql.where.push(`e.record_time >= ${sql.param(c.recordTimeFrom.toISOString())}::timestamptz`);
    if (c.recordTimeBefore) sql.where.push(`e.record_time < ${sql.param(c.recordTimeBefore.toISOString())}::timestamptz`);
    for (const epc of c.epcs ?? []) {
      sql.where.push(
        `(e.id, e.record_time) IN (SELECT ee.event_id, ee.record_time FROM event_epc ee
                                   WHERE ${sql.match('ee.epc', epc)} AND ee.role = ANY(${sql.param(epc.roles)}::text[]))`,
      );
    }
    for (const classes of c.epcClasses ?? []) {
      sql.where.push(`EXISTS (SELECT 1 FROM ${quantityElements(classes.lists)} q WHERE ${sql.match(`q->>'epcClass'`, classes)})`);
    }
    for (const t of c.typedEntries ?? []) {
      sql.where.push(
        `EXISTS (SELECT 1 FROM jsonb_array_elements(coalesce(e.body->${sql.param(t.list)}::text, '[]'::jsonb)) x
                 WHERE x->>'type' = ANY(${sql.param(t.types)}::text[]) AND x->>${sql.param(t.key)}::text = ANY(${sql.param(t.values)}::text[]))`,
      );
    }
    if (c.transformationIds) sql.where.push(`e.body->>'transformationID' = ANY(${sql.param(c.transformationIds)}::text[])`);
    for (const d of c.persistentDispositions ?? []) {
      const list = `e.body->'persistentDisposition'->${sql.param(d.which)}::text`;
      sql.where.push(
        `EXISTS (SELECT 1 FROM jsonb_array_elements_text(CASE WHEN jsonb_typeof(${list}) = 'array' THEN ${list} ELSE '[]'::jsonb END) d
                 WHERE d = ANY(${sql.param(d.values)}::text[]))`,
      );
    }
    for (const f of c.fields ?? []) sql.where.push(fieldCondition(sql, f));
    for (const m of c.measures ?? []) sql.where.push(measureCondition(sql, m));
    for (const a of c.sensorAttributes ?? []) sql.where.push(sensorAttributeCondition(sql, a));
    for (const t of c.sensorTimes ?? []) sql.where.push(sensorTimeCondition(sql, t));
    if (c.sensorElementsExist) sql.where.push(SENSOR_ELEMENTS_EXIST);
    if (c.errorDeclaration) sql.where.push(errorDeclarationCondition(sql, c.errorDeclaration));
    if (c.masterData) addMasterDataConditions(sql, c.masterData);
    if (c.capturedBy) sql.where.push(`e.captured_by = ANY(${sql.param(c.capturedBy)}::uuid[])`);
    if (c.visibleTo) this.visibility(sql, c.visibleTo);
    // A scalar subquery: the horizon is taken once per statement, from the statement's own snapshot.
    if (c.belowHorizon) sql.where.push(`coalesce(e.xid, '0'::xid8) < (SELECT event_visibility_horizon())`);
    if (c.eventIds) {
      // Hashes are looked up in event_key (unique across months); the ids it gives are an array each month's key probes.
      sql.where.push(
        `(e.id = ANY(ARRAY(SELECT k.event_id FROM event_key k WHERE k.event_hash = ANY(${sql.param(c.eventIds.hashes)}::bytea[])))
          OR (e.body ? 'eventID' AND e.body->>'eventID' = ANY(${sql.param(c.eventIds.declared)}::text[])))`,
      );
    }
  }

  /** The read policy's condition on event alias `e`, added to `sql`: public so every read of events applies the same one. */
  visibility(sql: Sql, v: NonNullable<EventCriteria['visibleTo']>) {
    // The capturer and GLN branches, as keys of event_reader (migration 1767200000000), probed by index for each event
    // read: where LIKE patterns were matched on every place of every event. Used as a condition where the reader's keys
    // do not bound the work (walkOf: another index leads, too many GTIN keys, record-time order for a reader with GTIN
    // branches, a lot grant's superset of events); otherwise pages, counts, deliveries and the lists of values read the
    // reader's own events instead.
    const either = [
      `EXISTS (SELECT 1 FROM event_reader r WHERE r.reader = ANY(${sql.param(v.readerKeys)}::text[])
                 AND r.event_time = e.event_time AND r.event_id = e.id AND r.record_time = e.record_time)`,
    ];
    if (v.ownGtins) {
      either.push(
        // As char(14), product.gtin's type, so that the product is found by its key rather than the catalogue read whole.
        `EXISTS (SELECT 1 FROM event_epc ee JOIN product p ON p.gtin = substring(ee.epc FROM 23 FOR 14)::char(14)
                 WHERE ee.event_id = e.id AND ee.record_time = e.record_time AND ee.epc LIKE 'https://id.gs1.org/01/%' AND p.manufacturer_id = ${sql.param(v.organizationId)}::uuid)`,
      );
    }
    const wholeGtins = v.granted.filter((g) => g.lot === null).map((g) => g.gtin);
    if (wholeGtins.length) {
      either.push(
        `EXISTS (SELECT 1 FROM event_epc ee WHERE ee.event_id = e.id AND ee.record_time = e.record_time AND ee.epc LIKE 'https://id.gs1.org/01/%'
                 AND substring(ee.epc FROM 23 FOR 14) = ANY(${sql.param(wholeGtins)}::text[]))`,
      );
    }
    const lots = v.granted.filter((g) => g.lot !== null);
    if (lots.length) {
      // A pack's lot is kept in its state, set when it was commissioned.
      either.push(
        `EXISTS (SELECT 1 FROM event_epc ee JOIN pack_state ps ON ps.epc = ee.epc
                 JOIN unnest(${sql.param(lots.map((g) => g.gtin))}::text[], ${sql.param(lots.map((g) => g.lot))}::text[]) AS g(gtin, lot)
                   ON ps.gtin = g.gtin AND ps.lot = g.lot
                 WHERE ee.event_id = e.id AND ee.record_time = e.record_time)`,
      );
    }
    sql.where.push(`(${either.join(' OR ')})`);
  }
}
