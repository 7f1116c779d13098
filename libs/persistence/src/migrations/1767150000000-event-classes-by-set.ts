import { MigrationInterface, QueryRunner } from 'typeorm';
import { classesOf, EVENT_CLASSES_RECORD } from './1767100000000-event-parties';

/** The trigger function keeping event_class, as this migration wrote it (migration 1767500000000 replaced it). */
export const EVENT_CLASSES_BY_SET = `
      CREATE OR REPLACE FUNCTION event_classes_record() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        EXECUTE $q$
          WITH events AS MATERIALIZED (
            SELECT e.id, e.record_time, e.captured_by FROM event e
            WHERE e.id BETWEEN (SELECT min(event_id) FROM new_epcs) AND (SELECT max(event_id) FROM new_epcs))
          INSERT INTO event_class (captured_by, gtin) ${classesOf('new_epcs', 'events')} ORDER BY 1, 2 ON CONFLICT DO NOTHING
        $q$;
        RETURN NULL;
      END $$`;

/**
 * event_classes_record (migration 1767100000000) had two ways to go quadratic. It found a statement's events by
 * `record_time = ANY(<the statement's record times as an array>)`, a test of every event against every time: a capture's
 * chunk has one time, but a bulk load of 300,000 stored events (the benches' loader) has 300,000, and its COPY of
 * event_epc ran for more than six minutes before it was stopped. And PL/pgSQL keeps a statement's plan for the session:
 * planned for a session's first statement of one row, the join of the EPC rows to their events stayed a nested loop
 * over both for a later statement of 40,000 (event-partitions.spec.ts stopped on it after a minute).
 *
 * The statement's events are now read by the range of their ids alone (the primary key's leading column: an index range
 * read in each month, rows in the statement's own month only), and joined to the EPC rows on (id, record time), planned
 * at each execution (EXECUTE) with the transition table's true size.
 */
export class EventClassesBySet1767150000000 implements MigrationInterface {
  name = 'EventClassesBySet1767150000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(EVENT_CLASSES_BY_SET);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(EVENT_CLASSES_RECORD);
  }
}
