import { MigrationInterface, QueryRunner } from 'typeorm';
import { ARCHIVE_SCHEMA } from './1766600000000-event-partitions';
import { horizonFunction, RUNNING_ELSEWHERE } from './1765857000000-subscriptions';
import { readersOf } from './1767200000000-event-readers';

/** The filing trigger's function, writing `columns` of event_reader from `readers` (a readersOf over new_events). */
export const recordFunction = (columns: string, readers: string) => `
  CREATE OR REPLACE FUNCTION event_readers_record() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    -- Planned at each statement (EXECUTE), with the statement's true size: PL/pgSQL would keep the plan made for the
    -- session's first statement, whose row counts may be nothing like a later one's.
    EXECUTE $q$ INSERT INTO event_reader (${columns}) ${readers} $q$;
    RETURN NULL;
  END $$`;

/**
 * `event_visibility_horizon()` in PL/pgSQL: the oldest running transaction of the snapshot but those
 * `cannotInsertEvents` (a condition on xid8 `x`) says cannot insert events here.
 */
export const plpgsqlHorizon = (cannotInsertEvents: string) => `
      CREATE OR REPLACE FUNCTION event_visibility_horizon() RETURNS xid8 LANGUAGE plpgsql STABLE AS $$
      DECLARE
        snap pg_snapshot := pg_current_snapshot();
        horizon xid8;
      BEGIN
        IF NOT EXISTS (SELECT FROM pg_snapshot_xip(snap)) THEN
          RETURN pg_snapshot_xmax(snap);
        END IF;
        SELECT coalesce(min(x), pg_snapshot_xmax(snap)) INTO horizon
        FROM pg_snapshot_xip(snap) AS x
        WHERE NOT ${cannotInsertEvents};
        RETURN horizon;
      END $$`;

/**
 * Issue 18: a subscription's deliveries read from the subscriber's own events. A delivery (webhook or WebSocket
 * stream) reads the events after its position in (transaction id, event id) order, below the visibility horizon;
 * with the read rule as a condition on each event, every poll of every subscription read everyone's events since its
 * last one, so the work of all subscriptions together grew with subscriptions times the capture rate.
 *
 * `event_reader` (migration 1767200000000) now carries each event's transaction id (`xid`, 0 for events stored before
 * events had one, as the deliveries' order counts them), and a second index gives a reader's keys in delivery order.
 * The rows already filed get theirs from their events; rows of months already archived keep none (no delivery reads
 * the archive). The index costs about 240 bytes an event (114 a row, 2.1 rows an event on the 300,000-event bench).
 *
 * Each poll also takes the visibility horizon. As a SQL function it was planned again at every call (its views of the
 * server's locks and sessions: 1.0–3.4 ms a call on the bench database); in PL/pgSQL its plan is kept by the session,
 * and when no transaction is running it reads neither (0.3–0.5 ms a call with one running, round trip included).
 */
export class EventReaderPositions1767400000000 implements MigrationInterface {
  name = 'EventReaderPositions1767400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE event_reader ADD COLUMN xid xid8`);
    await q.query(`ALTER TABLE ${ARCHIVE_SCHEMA}.event_reader ADD COLUMN xid xid8`);
    // The filed rows are append-only: the row trigger refusing changes is lifted for the one update that fills them.
    await q.query(`DROP TRIGGER event_reader_append_only ON event_reader`);
    await q.query(`
      UPDATE event_reader r SET xid = coalesce(e.xid, '0'::xid8)
      FROM event e WHERE e.id = r.event_id AND e.record_time = r.record_time`);
    await q.query(
      `CREATE TRIGGER event_reader_append_only BEFORE UPDATE OR DELETE ON event_reader FOR EACH ROW EXECUTE FUNCTION refuse_append_only_change()`,
    );
    await q.query(`ALTER TABLE event_reader ALTER COLUMN xid SET NOT NULL`);
    await q.query(recordFunction('reader, event_time, event_id, record_time, xid', readersOf('new_events', true)));
    await q.query(`CREATE INDEX event_reader_position_idx ON event_reader (reader, xid, event_id) INCLUDE (record_time)`);
    await q.query(`ANALYZE event_reader`);
    // As the SQL function answers, read from the same snapshot (a STABLE function sees its caller's).
    await q.query(plpgsqlHorizon(RUNNING_ELSEWHERE));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(horizonFunction('CREATE OR REPLACE'));
    await q.query(recordFunction('reader, event_time, event_id, record_time', readersOf('new_events')));
    await q.query(`DROP INDEX event_reader_position_idx`);
    await q.query(`ALTER TABLE event_reader DROP COLUMN xid`);
    await q.query(`ALTER TABLE ${ARCHIVE_SCHEMA}.event_reader DROP COLUMN xid`);
  }
}
