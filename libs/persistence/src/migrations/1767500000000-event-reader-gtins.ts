import { MigrationInterface, QueryRunner } from 'typeorm';
import { classesOf } from './1767100000000-event-parties';
import { EVENT_CLASSES_BY_SET } from './1767150000000-event-classes-by-set';

/**
 * The reader rows `g:<GTIN>` (gtinReaderKey in libs/domain) of the EPC rows in `epcs`, joined to their events in
 * `events`: one an event and GTIN, for every EPC the read rule's GTIN branches test (a Digital Link with AI 01, the 14
 * characters after it). The event's own time and transaction id, as the other keys of the event carry them.
 */
export const gtinReadersOf = (epcs: string, events: string) => `
  SELECT DISTINCT 'g:' || substring(n.epc FROM 23 FOR 14), e.event_time, e.id, e.record_time, coalesce(e.xid, '0'::xid8)
  FROM ${epcs} n JOIN ${events} e ON e.id = n.event_id AND e.record_time = n.record_time
  WHERE n.epc LIKE 'https://id.gs1.org/01/%'`;

/** event_epc's statement trigger function as this migration makes it: event_class and the `g:` reader rows. */
export const GTIN_FILING = `
      CREATE OR REPLACE FUNCTION event_classes_record() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        -- One statement (the class insert a data-modifying CTE), so that the statement's events are read once.
        EXECUTE $q$
          WITH events AS MATERIALIZED (
            SELECT e.id, e.record_time, e.event_time, e.captured_by, e.xid FROM event e
            WHERE e.id BETWEEN (SELECT min(event_id) FROM new_epcs) AND (SELECT max(event_id) FROM new_epcs)),
          classes AS (
            INSERT INTO event_class (captured_by, gtin) ${classesOf('new_epcs', 'events')} ORDER BY 1, 2 ON CONFLICT DO NOTHING)
          INSERT INTO event_reader (reader, event_time, event_id, record_time, xid) ${gtinReadersOf('new_epcs', 'events')}
        $q$;
        RETURN NULL;
      END $$`;

/**
 * Issue 18: the events of a manufacturer's products and of a grantee's GTINs, filed by GTIN. The read rule lets a
 * manufacturer read every event naming a pack of a GTIN it manufactures, and a grantee every event naming a pack of a
 * granted GTIN (or lot); event_reader (migration 1767200000000) filed only the capturer and GLN branches, so these
 * readers' pages tested the rule on each event of the history in page order: a manufacturer of a few slow-moving
 * products read most of the history for a page, and past the read timeout was answered QUERY_TOO_COMPLEX.
 *
 * Each event is now filed also under `g:<GTIN>` for each GTIN its EPCs name. Ownership stays out of the filing: a page
 * takes a manufacturer's keys from `product` in the same statement, so a product registered (at its first
 * commissioning) after events naming it were stored reads them at once, as the rule does, with no back-filing. Written
 * by event_epc's statement trigger beside event_class, from the same read of the statement's events. Rows of months
 * already archived are not filed (no query or delivery reads the archive).
 *
 * `product (manufacturer_id, gtin)`: a manufacturer's keys read from an index, not the catalogue.
 */
export class EventReaderGtins1767500000000 implements MigrationInterface {
  name = 'EventReaderGtins1767500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(GTIN_FILING);
    await q.query(`INSERT INTO event_reader (reader, event_time, event_id, record_time, xid) ${gtinReadersOf('event_epc', 'event')}`);
    await q.query(`CREATE INDEX product_manufacturer_idx ON product (manufacturer_id, gtin)`);
    await q.query(`ANALYZE event_reader`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX product_manufacturer_idx`);
    await q.query(EVENT_CLASSES_BY_SET);
    // The filed rows are append-only: the row trigger refusing changes is lifted for the one delete that takes them back.
    await q.query(`DROP TRIGGER event_reader_append_only ON event_reader`);
    await q.query(`DELETE FROM event_reader WHERE reader LIKE 'g:%'`);
    await q.query(
      `CREATE TRIGGER event_reader_append_only BEFORE UPDATE OR DELETE ON event_reader FOR EACH ROW EXECUTE FUNCTION refuse_append_only_change()`,
    );
  }
}
