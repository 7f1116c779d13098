import { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_ROLE } from './1765700000000-least-privilege';

/**
 * The (captured_by, party) pairs of the events in `events`: read point, business location, and each source and
 * destination, as the events read rule (EventQueryRepository.visibility) matches them. For the trigger and the backfill.
 */
const partiesOf = (events: string) => `
  SELECT DISTINCT n.captured_by, x.party FROM ${events} n
    CROSS JOIN LATERAL (
      SELECT n.read_point UNION ALL SELECT n.biz_location
      UNION ALL SELECT coalesce(s->>'source', s->>'destination')
        FROM jsonb_array_elements(coalesce(n.body->'sourceList', '[]'::jsonb) || coalesce(n.body->'destinationList', '[]'::jsonb)) s
    ) x(party)
  WHERE x.party IS NOT NULL`;

/** The (captured_by, GTIN) pairs of the EPC rows in `epcs`, whose events are in `events`: Digital Links of instances. */
export const classesOf = (epcs: string, events: string) => `
  SELECT DISTINCT e.captured_by, substring(n.epc FROM 23 FOR 14)::char(14)
  FROM ${epcs} n JOIN ${events} e ON e.id = n.event_id AND e.record_time = n.record_time
  WHERE n.epc LIKE 'https://id.gs1.org/01/%'`;

/** The trigger function keeping event_class, as this migration wrote it (migration 1767150000000 replaced it). */
export const EVENT_CLASSES_RECORD = `
      CREATE OR REPLACE FUNCTION event_classes_record() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        -- The statement's events in one range read of the primary key (a capture's chunk shares one record time and
        -- draws its ids together), joined by hash: a lookup per EPC row through every month cost capture 12 ms of
        -- Postgres time per 1,000 events.
        WITH span AS (SELECT min(event_id) AS lo, max(event_id) AS hi, array_agg(DISTINCT record_time) AS times FROM new_epcs),
             events AS MATERIALIZED (
               SELECT e.id, e.record_time, e.captured_by FROM event e, span
               WHERE e.id BETWEEN span.lo AND span.hi AND e.record_time = ANY(span.times))
        INSERT INTO event_class (captured_by, gtin) ${classesOf('new_epcs', 'events')} ORDER BY 1, 2 ON CONFLICT DO NOTHING;
        RETURN NULL;
      END $$`;

/**
 * Who is party to each organization's events, kept as the events are written (issue 18). Master data's read rule asks
 * whether a reader may read at least one of a capturer's events; asked of the events, a capturer the reader never
 * traded with had all its events read to say no (208 ms at 300,000 events, linear in the capturer's history). The
 * rule's branches name a reader by its GLN in a location or a source/destination (event_party: each distinct such value
 * of a capturer's events, matched with the same LIKE patterns) or by the GTINs of the EPCs (event_class: each GTIN a
 * capturer's events name), so the question becomes a read of the capturer's distinct partners and products.
 *
 * Kept by statement triggers on the event tables, so that every writer (capture's COPY, migrations, loads) keeps them
 * without a second implementation; append-only, as the events are (an archived month's events still count). A pair
 * new to the table is inserted in key order, so two captures adding the same new pairs wait for each other, never
 * deadlock.
 */
export class EventParties1767100000000 implements MigrationInterface {
  name = 'EventParties1767100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE event_party (captured_by uuid NOT NULL, party text NOT NULL, PRIMARY KEY (captured_by, party))`);
    await q.query(`CREATE TABLE event_class (captured_by uuid NOT NULL, gtin char(14) NOT NULL, PRIMARY KEY (captured_by, gtin))`);
    await q.query(`
      CREATE FUNCTION event_parties_record() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO event_party (captured_by, party) ${partiesOf('new_events')} ORDER BY 1, 2 ON CONFLICT DO NOTHING;
        RETURN NULL;
      END $$`);
    await q.query(EVENT_CLASSES_RECORD);
    await q.query(
      `CREATE TRIGGER event_parties AFTER INSERT ON event REFERENCING NEW TABLE AS new_events
       FOR EACH STATEMENT EXECUTE FUNCTION event_parties_record()`,
    );
    await q.query(
      `CREATE TRIGGER event_classes AFTER INSERT ON event_epc REFERENCING NEW TABLE AS new_epcs
       FOR EACH STATEMENT EXECUTE FUNCTION event_classes_record()`,
    );
    // The events already stored.
    await q.query(`INSERT INTO event_party (captured_by, party) ${partiesOf('event')}`);
    await q.query(`INSERT INTO event_class (captured_by, gtin) ${classesOf('event_epc', 'event')}`);
    for (const table of ['event_party', 'event_class']) {
      await q.query(
        `CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION refuse_append_only_change()`,
      );
      await q.query(`REVOKE ALL ON ${table} FROM ${APP_ROLE}`);
      await q.query(`GRANT SELECT, INSERT ON ${table} TO ${APP_ROLE}`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER event_classes ON event_epc`);
    await q.query(`DROP TRIGGER event_parties ON event`);
    await q.query(`DROP FUNCTION event_classes_record()`);
    await q.query(`DROP FUNCTION event_parties_record()`);
    await q.query(`DROP TABLE event_class`);
    await q.query(`DROP TABLE event_party`);
  }
}
