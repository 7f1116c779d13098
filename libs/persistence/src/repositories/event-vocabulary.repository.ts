import { Injectable, Optional } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { readerOf, ReadRouting } from '../replication/read-routing';
import { EventCriteria, EventQueryRepository, filedReaderKeys, Sql } from './event-query.repository';

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

/** The events filed under the keys $1 (event_reader), read by key first (OFFSET 0: the planner may not start elsewhere). */
const READER_EVENTS = `(SELECT r.event_id, r.record_time FROM event_reader r WHERE r.reader = ANY($1::text[]) OFFSET 0)`;

/**
 * Distinct values of events a reader may read, for GET /epcis/bizSteps and its kin. Never a DISTINCT over the events:
 * a loose index scan (a recursive walk asking the index for the first value after the last one) costs one index
 * descent per value listed, so a page of 30 bizSteps of ten million events reads about 30 index entries, not ten
 * million rows. The read policy is checked on the rows the walk meets, so the walk serves readers who may read most
 * events (regulators, and manufacturers and grantees, whose GTIN branches are not filed); a reader whose events are all
 * filed in event_reader gets the values of its own events instead, the work bounded by its history, not everyone's.
 */
@Injectable()
export class EventVocabularyRepository {
  constructor(
    private readonly db: DataSource,
    private readonly events: EventQueryRepository,
    // Optional so a spec can build the repository on a DataSource alone: then its reads have no time limit.
    @Optional() private readonly reads?: ReadRouting,
  ) {}

  /** On the primary, as before routing; bounded in time, as the walk's cost follows the values the client asks past. */
  private async read<Row>(sql: string, params: unknown[]): Promise<Row[]> {
    return (await readerOf(this.db, this.reads, null)).bounded<Row>(sql, params);
  }

  /** Up to `limit` values after `after` in the database's text order, and whether more follow. */
  async page(
    list: VocabularyList,
    visibleTo: EventCriteria['visibleTo'],
    limit: number,
    after?: string,
  ): Promise<{ values: string[]; hasMore: boolean }> {
    const keys = filedReaderKeys(visibleTo);
    const rows = keys ? await this.pageOfReader(list, keys, limit, after) : await this.walk(list, visibleTo, limit, after);
    return { values: rows.slice(0, limit).map((r) => r.value), hasMore: rows.length > limit };
  }

  /** The loose index scan over every event's values, the rule checked on each row met. */
  private async walk(list: VocabularyList, visibleTo: EventCriteria['visibleTo'], limit: number, after?: string) {
    const sql = new Sql();
    // Numbered first: the visibility condition appears in both steps of the walk with the same parameters.
    const from = sql.param(after ?? '');
    const readable = this.readable(sql, visibleTo);
    const next = (previous: string) =>
      list === 'epcs'
        ? `(SELECT ee.epc FROM event_epc ee WHERE ee.epc > ${previous}
             AND EXISTS (SELECT 1 FROM event e WHERE e.id = ee.event_id AND e.record_time = ee.record_time AND ${readable}) ORDER BY ee.epc LIMIT 1)`
        : `(SELECT e.${COLUMN[list]} FROM event e WHERE e.${COLUMN[list]} > ${previous} AND ${readable} ORDER BY e.${COLUMN[list]} LIMIT 1)`;
    return this.read<{ value: string }>(
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
   * The values of the reader's own events (event_reader), for a reader whose events are all filed there: the walk
   * would pass every event of a value the reader may not read (3.5 s for a pharmacy's bizSteps on 300,000 events).
   */
  private pageOfReader(list: VocabularyList, keys: string[], limit: number, after?: string) {
    // Each of the reader's events looked up by key (LATERAL, OFFSET 0 so that it stays a lookup): as a join, Postgres
    // hashed the reader's 800 events against every event of the history.
    const values =
      list === 'epcs'
        ? `SELECT ee.epc AS value FROM event_epc ee WHERE ee.event_id = r.event_id AND ee.record_time = r.record_time OFFSET 0`
        : `SELECT e.${COLUMN[list]} AS value FROM event e WHERE e.id = r.event_id AND e.record_time = r.record_time OFFSET 0`;
    return this.read<{ value: string }>(
      `SELECT DISTINCT x.value FROM ${READER_EVENTS} r CROSS JOIN LATERAL (${values}) x
       WHERE x.value > $2::text ORDER BY 1 LIMIT $3`,
      [keys, after ?? '', limit + 1],
    );
  }

  /** Whether an event the reader may read has one of these values (spellings of one value). */
  async exists(list: VocabularyList, values: string[], visibleTo: EventCriteria['visibleTo']): Promise<boolean> {
    const keys = filedReaderKeys(visibleTo);
    if (keys) {
      // From the reader's events, each looked up (LATERAL): a value's events may be most of the history.
      const [row] = await this.read<{ found: boolean }>(
        list === 'epcs'
          ? `SELECT EXISTS (SELECT 1 FROM ${READER_EVENTS} r CROSS JOIN LATERAL (SELECT 1 FROM event_epc ee
               WHERE ee.event_id = r.event_id AND ee.record_time = r.record_time AND ee.epc = ANY($2::text[]) LIMIT 1) x) AS found`
          : `SELECT EXISTS (SELECT 1 FROM ${READER_EVENTS} r CROSS JOIN LATERAL (SELECT 1 FROM event e
               WHERE e.id = r.event_id AND e.record_time = r.record_time AND e.${COLUMN[list]} = ANY($2::text[]) OFFSET 0) x) AS found`,
        [keys, values],
      );
      return row.found;
    }
    const sql = new Sql();
    const any = sql.param(values);
    const readable = this.readable(sql, visibleTo);
    const [row] = await this.read<{ found: boolean }>(
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
