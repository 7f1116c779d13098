import { Injectable, Optional } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { readerOf, ReadRouting, ReadRunner } from '../replication/read-routing';
import { EventCriteria, EventQueryRepository, Sql } from './event-query.repository';

/** The values the REST binding's browsing resources list, each read from an indexed column or event_epc. */
export type VocabularyList = 'epcs' | 'bizSteps' | 'dispositions' | 'readPoints' | 'bizLocations';

/**
 * Event columns, as stored: biz_step and disposition canonical (the CBV word, or the custom URI as written), read_point
 * and biz_location as written. Each has a partial index (migration 1765850000000) the walk below steps through.
 */
const COLUMN: Record<Exclude<VocabularyList, 'epcs'>, string> = {
  bizSteps: 'biz_step',
  dispositions: 'disposition',
  readPoints: 'read_point',
  bizLocations: 'biz_location',
};

/**
 * The most rows of its own a reader's lists of values read: past them the walk of every value serves it. The own
 * events are read in the list's statement, `cap` + 1 rows at most, so a reader over the cap costs that read and the walk.
 */
export const OWN_EVENTS_CAP = 200_000;

/**
 * `own`: the reader's rows under `keys` in event_reader, `cap` + 1 at most (read by key first; MATERIALIZED, read once
 * for the count and the values), and `over`: whether there were more than `cap`.
 */
const ownEvents = (keys: string, cap: string) => `
  own AS MATERIALIZED (SELECT r.event_id, r.record_time FROM event_reader r WHERE r.reader = ANY(${keys}) LIMIT ${cap} + 1),
  size AS (SELECT count(*) > ${cap} AS over FROM own)`;

/**
 * Distinct values of events a reader may read, for GET /epcis/bizSteps and its kin. Never a DISTINCT over the events:
 * a loose index scan (a recursive walk asking the index for the first value after the last one) costs one index
 * descent per value listed, so a page of 30 bizSteps of ten million events reads about 30 index entries, not ten
 * million rows. The read policy is checked on the rows the walk meets, so the walk serves readers who may read most
 * events; a reader with few events of its own (at most OWN_EVENTS_CAP rows under its keys in event_reader, a
 * manufacturer's products' keys included) gets the values of its own events instead, the work bounded by its history,
 * not everyone's.
 */
@Injectable()
export class EventVocabularyRepository {
  constructor(
    private readonly db: DataSource,
    private readonly events: EventQueryRepository,
    // Optional so a spec can build the repository on a DataSource alone: then its reads have no time limit.
    @Optional() private readonly reads?: ReadRouting,
  ) {}

  /** Up to `limit` values after `after` in the database's text order, and whether more follow. */
  async page(
    list: VocabularyList,
    visibleTo: EventCriteria['visibleTo'],
    limit: number,
    after?: string,
    cap = OWN_EVENTS_CAP,
  ): Promise<{ values: string[]; hasMore: boolean }> {
    const runner = await this.runner();
    const sql = new Sql();
    const keys = await this.events.ownEventKeys(runner, sql, visibleTo);
    const own = keys ? await this.pageOfReader(runner, sql, keys, cap, list, limit, after) : null;
    const rows = own ?? (await this.walk(runner, list, visibleTo, limit, after));
    return { values: rows.slice(0, limit).map((r) => r.value), hasMore: rows.length > limit };
  }

  /** On the primary, as before routing; bounded in time, as the walk's cost follows the values the client asks past. */
  private async runner(): Promise<ReadRunner> {
    return readerOf(this.db, this.reads, null);
  }

  /** The loose index scan over every event's values, the rule checked on each row met. */
  private async walk(runner: ReadRunner, list: VocabularyList, visibleTo: EventCriteria['visibleTo'], limit: number, after?: string) {
    const sql = new Sql();
    // Numbered first: the visibility condition appears in both steps of the walk with the same parameters.
    const from = sql.param(after ?? '');
    const readable = this.readable(sql, visibleTo);
    const next = (previous: string) =>
      list === 'epcs'
        ? `(SELECT ee.epc FROM event_epc ee WHERE ee.epc > ${previous}
             AND EXISTS (SELECT 1 FROM event e WHERE e.id = ee.event_id AND e.record_time = ee.record_time AND ${readable}) ORDER BY ee.epc LIMIT 1)`
        : `(SELECT e.${COLUMN[list]} FROM event e WHERE e.${COLUMN[list]} > ${previous} AND ${readable} ORDER BY e.${COLUMN[list]} LIMIT 1)`;
    return runner.bounded<{ value: string }>(
      `WITH RECURSIVE walk(value) AS (
         SELECT ${next(`${from}::text`)}
         UNION ALL
         SELECT ${next('walk.value')} FROM walk WHERE walk.value IS NOT NULL
       )
       SELECT value FROM walk WHERE value IS NOT NULL LIMIT ${sql.param(limit + 1)}`,
      sql.params,
    );
  }

  /**
   * The values of the reader's own events (event_reader, `keys` an SQL text[] of `sql`), or null when it has more than
   * `cap`: the walk would pass every event of a value the reader may not read (3.5 s for a pharmacy's bizSteps on
   * 300,000 events; 8.8 s for a manufacturer's, the values it may not read being others' receiving and dispensing).
   */
  private async pageOfReader(
    runner: ReadRunner,
    sql: Sql,
    keys: string,
    cap: number,
    list: VocabularyList,
    limit: number,
    after?: string,
  ): Promise<{ value: string }[] | null> {
    // Each of the reader's events looked up by key (LATERAL, OFFSET 0 so that it stays a lookup): as a join, Postgres
    // hashed the reader's 800 events against every event of the history.
    const values =
      list === 'epcs'
        ? `SELECT ee.epc AS value FROM event_epc ee WHERE ee.event_id = r.event_id AND ee.record_time = r.record_time OFFSET 0`
        : `SELECT e.${COLUMN[list]} AS value FROM event e WHERE e.id = r.event_id AND e.record_time = r.record_time OFFSET 0`;
    const rows = await runner.bounded<{ over: boolean; value: string | null }>(
      `WITH ${ownEvents(keys, sql.param(cap))}
       SELECT size.over, v.value FROM size LEFT JOIN LATERAL (
         SELECT DISTINCT x.value FROM own r CROSS JOIN LATERAL (${values}) x
         WHERE NOT size.over AND x.value > ${sql.param(after ?? '')}::text ORDER BY 1 LIMIT ${sql.param(limit + 1)}) v ON true`,
      sql.params,
    );
    return rows[0].over ? null : rows.flatMap((r) => (r.value === null ? [] : [{ value: r.value }]));
  }

  /** Whether an event the reader may read has one of these values (spellings of one value). */
  async exists(list: VocabularyList, values: string[], visibleTo: EventCriteria['visibleTo'], cap = OWN_EVENTS_CAP): Promise<boolean> {
    const runner = await this.runner();
    const own = new Sql();
    const keys = await this.events.ownEventKeys(runner, own, visibleTo);
    if (keys) {
      // From the reader's events, each looked up (LATERAL): a value's events may be most of the history.
      const limit = own.param(cap);
      const any = own.param(values);
      const [row] = await runner.bounded<{ over: boolean; found: boolean }>(
        `WITH ${ownEvents(keys, limit)}
         SELECT size.over, NOT size.over AND EXISTS (SELECT 1 FROM own r CROSS JOIN LATERAL (${
           list === 'epcs'
             ? `SELECT 1 FROM event_epc ee WHERE ee.event_id = r.event_id AND ee.record_time = r.record_time AND ee.epc = ANY(${any}::text[]) LIMIT 1`
             : `SELECT 1 FROM event e WHERE e.id = r.event_id AND e.record_time = r.record_time AND e.${COLUMN[list]} = ANY(${any}::text[]) OFFSET 0`
         }) x) AS found FROM size`,
        own.params,
      );
      if (!row.over) return row.found;
    }
    const sql = new Sql();
    const any = sql.param(values);
    const readable = this.readable(sql, visibleTo);
    const [row] = await runner.bounded<{ found: boolean }>(
      list === 'epcs'
        ? `SELECT EXISTS (SELECT 1 FROM event_epc ee JOIN event e ON e.id = ee.event_id AND e.record_time = ee.record_time WHERE ee.epc = ANY(${any}::text[]) AND ${readable}) AS found`
        : `SELECT EXISTS (SELECT 1 FROM event e WHERE e.${COLUMN[list]} = ANY(${any}::text[]) AND ${readable}) AS found`,
      sql.params,
    );
    return row.found;
  }

  /** The read policy's condition on event `e`, or `true` for a reader who may read every event. */
  private readable(sql: Sql, visibleTo: EventCriteria['visibleTo']): string {
    if (!visibleTo) return 'true';
    this.events.visibility(sql, visibleTo);
    return sql.where.join(' AND ');
  }
}
