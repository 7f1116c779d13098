import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EventCriteria, EventQueryRepository, Sql } from './event-query.repository';
import { queryRows } from './sql-query';

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
 * Distinct values of events a reader may read, for GET /epcis/bizSteps and its kin. Never a DISTINCT over the events:
 * a loose index scan (a recursive walk asking the index for the first value after the last one) costs one index
 * descent per value listed, so a page of 30 bizSteps of ten million events reads about 30 index entries, not ten
 * million rows. The read policy is checked on the rows the walk meets: a reader who may read few of the events a
 * value has is walked past that value's unreadable rows (as the events query walks past unreadable events).
 */
@Injectable()
export class EventVocabularyRepository {
  constructor(
    private readonly db: DataSource,
    private readonly events: EventQueryRepository,
  ) {}

  /** Up to `limit` values after `after` in the database's text order, and whether more follow. */
  async page(
    list: VocabularyList,
    visibleTo: EventCriteria['visibleTo'],
    limit: number,
    after?: string,
  ): Promise<{ values: string[]; hasMore: boolean }> {
    const sql = new Sql();
    // Numbered first: the visibility condition appears in both steps of the walk with the same parameters.
    const from = sql.param(after ?? '');
    const readable = this.readable(sql, visibleTo);
    const next = (previous: string) =>
      list === 'epcs'
        ? `(SELECT ee.epc FROM event_epc ee WHERE ee.epc > ${previous}
             AND EXISTS (SELECT 1 FROM event e WHERE e.id = ee.event_id AND e.record_time = ee.record_time AND ${readable}) ORDER BY ee.epc LIMIT 1)`
        : `(SELECT e.${COLUMN[list]} FROM event e WHERE e.${COLUMN[list]} > ${previous} AND ${readable} ORDER BY e.${COLUMN[list]} LIMIT 1)`;
    const rows = await queryRows<{ value: string }>(
      this.db,
      `WITH RECURSIVE walk(value) AS (
         SELECT ${next(`${from}::text`)}
         UNION ALL
         SELECT ${next('walk.value')} FROM walk WHERE walk.value IS NOT NULL
       )
       SELECT value FROM walk WHERE value IS NOT NULL LIMIT ${sql.param(limit + 1)}`,
      sql.params,
    );
    return { values: rows.slice(0, limit).map((r) => r.value), hasMore: rows.length > limit };
  }

  /** Whether an event the reader may read has one of these values (spellings of one value). */
  async exists(list: VocabularyList, values: string[], visibleTo: EventCriteria['visibleTo']): Promise<boolean> {
    const sql = new Sql();
    const any = sql.param(values);
    const readable = this.readable(sql, visibleTo);
    const [row] = await queryRows<{ found: boolean }>(
      this.db,
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
