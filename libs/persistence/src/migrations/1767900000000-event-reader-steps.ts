import { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_ROLE } from './1765700000000-least-privilege';
import { classesOf } from './1767100000000-event-parties';
import { readersOf } from './1767200000000-event-readers';
import { recordFunction } from './1767400000000-event-reader-positions';
import { GTIN_FILING, gtinReadersOf } from './1767500000000-event-reader-gtins';

const COLUMNS = 'reader, event_time, event_id, record_time, xid';

/**
 * Two CTEs (`filed`, `steps`): the rows `filed` selects (reader, event_time, event_id, record_time, xid), and each of
 * their readers' business steps, from the events in `events`, written to event_reader_step; FILE_ROWS then writes the
 * rows. One statement with the filing, so the events are read once. Data-modifying CTEs must be at the top level.
 */
const filedWithSteps = (filed: string, events: string) => `
  filed AS MATERIALIZED (SELECT * FROM (${filed}) f(reader, event_time, event_id, record_time, xid)),
  steps AS (
    INSERT INTO event_reader_step (reader, biz_step)
    SELECT DISTINCT f.reader, e.biz_step FROM filed f JOIN ${events} e ON e.id = f.event_id AND e.record_time = f.record_time
    WHERE e.biz_step IS NOT NULL ORDER BY 1, 2 ON CONFLICT DO NOTHING)`;
const FILE_ROWS = `INSERT INTO event_reader (${COLUMNS}) SELECT ${COLUMNS} FROM filed`;

/** event's statement trigger function as this migration makes it: the capturer and GLN keys, with their steps. */
export const READER_FILING = `
      CREATE OR REPLACE FUNCTION event_readers_record() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        -- Planned at each statement (EXECUTE), with the statement's true size (migration 1767400000000).
        EXECUTE $q$ WITH ${filedWithSteps(readersOf('new_events', true), 'new_events')} ${FILE_ROWS} $q$;
        RETURN NULL;
      END $$`;

/** event_epc's statement trigger function as this migration makes it: event_class, the GTIN keys, with their steps. */
export const GTIN_STEP_FILING = `
      CREATE OR REPLACE FUNCTION event_classes_record() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        -- One statement (the class and step inserts data-modifying CTEs), so that the statement's events are read once.
        EXECUTE $q$
          WITH events AS MATERIALIZED (
            SELECT e.id, e.record_time, e.event_time, e.captured_by, e.xid, e.biz_step FROM event e
            WHERE e.id BETWEEN (SELECT min(event_id) FROM new_epcs) AND (SELECT max(event_id) FROM new_epcs)),
          classes AS (
            INSERT INTO event_class (captured_by, gtin) ${classesOf('new_epcs', 'events')} ORDER BY 1, 2 ON CONFLICT DO NOTHING),
          ${filedWithSteps(gtinReadersOf('new_epcs', 'events'), 'events')}
          ${FILE_ROWS}
        $q$;
        RETURN NULL;
      END $$`;

/**
 * Issue 18: a reader's page with a business step read, key by key, every event filed under a key none of whose
 * events has that step. The bench manufacturer's page of its products' receipts read its own captures whole
 * (commissioning, packing, shipping: 2.5M events looked up, 9.4 s at 10M events, past the read timeout on a second run),
 * and the read rule tested on each event in page order instead took 3.2-4.4 s.
 *
 * `event_reader_step` holds each reader key's business steps (one row a key and step, a few per key), written by the
 * two filing triggers in the statement that files the rows (event's for the capturer and GLN keys, event_epc's for the
 * GTIN keys) and filled from the rows already filed. A walk with business steps reads only the keys that have one of
 * them (EventQueryRepository.walkOf). Never deleted: a key's steps only grow, and a step kept after its events are
 * archived costs a key read in vain, never an event missed.
 */
export class EventReaderSteps1767900000000 implements MigrationInterface {
  name = 'EventReaderSteps1767900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE event_reader_step (reader text NOT NULL, biz_step text NOT NULL, PRIMARY KEY (reader, biz_step))`);
    await q.query(READER_FILING);
    await q.query(GTIN_STEP_FILING);
    await q.query(`
      INSERT INTO event_reader_step (reader, biz_step)
      SELECT DISTINCT r.reader, e.biz_step FROM event_reader r JOIN event e ON e.id = r.event_id AND e.record_time = r.record_time
      WHERE e.biz_step IS NOT NULL`);
    await q.query(`ANALYZE event_reader_step`);
    await q.query(`REVOKE ALL ON event_reader_step FROM ${APP_ROLE}`);
    await q.query(`GRANT SELECT, INSERT ON event_reader_step TO ${APP_ROLE}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(GTIN_FILING);
    await q.query(recordFunction(COLUMNS, readersOf('new_events', true)));
    await q.query(`DROP TABLE event_reader_step`);
  }
}
