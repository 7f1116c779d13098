import { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_ROLE } from './1765700000000-least-privilege';
import { ARCHIVE_SCHEMA, archivePartitionsFunction, ensurePartitionsFunction } from './1766600000000-event-partitions';

/**
 * The reader keys of the events in `events`: `c:<capturer>`, and for each GLN-bearing place the events read rule
 * matches (read point, business location, each source and destination), the keys `gln_keys` gives it. Each distinct
 * place of the statement is matched once (a capture's chunk names a few places a thousand times; a match costs about
 * 20 µs). Not made distinct: a business location equal to the read point is left out, and the rarer repeats (one GLN
 * spelled twice) are rows the rule's EXISTS and the reader's pages (DISTINCT) take once; a DISTINCT over the statement
 * cost more than the rows (a hash table sized for Postgres's guess of 100 sources an event, 25 ms a 1,000 events).
 * `withXid` adds each event's transaction id (0 for events stored before there was one): migration 1767400000000.
 */
export const readersOf = (events: string, withXid = false) => `
  WITH places AS MATERIALIZED (
    SELECT n.id, n.event_time, n.record_time, v.place${withXid ? `, coalesce(n.xid, '0'::xid8) AS xid` : ''} FROM ${events} n
      CROSS JOIN LATERAL (
        SELECT n.read_point UNION ALL SELECT n.biz_location WHERE n.biz_location IS DISTINCT FROM n.read_point
        UNION ALL SELECT coalesce(s->>'source', s->>'destination')
          FROM jsonb_array_elements(coalesce(n.body->'sourceList', '[]'::jsonb) || coalesce(n.body->'destinationList', '[]'::jsonb)) s
      ) v(place)
    WHERE v.place IS NOT NULL),
  keys AS MATERIALIZED (SELECT d.place, k FROM (SELECT DISTINCT place FROM places) d CROSS JOIN LATERAL gln_keys(d.place) k)
  SELECT 'c:' || n.captured_by, n.event_time, n.id, n.record_time${withXid ? `, coalesce(n.xid, '0'::xid8)` : ''} FROM ${events} n
  UNION ALL
  SELECT keys.k, p.event_time, p.id, p.record_time${withXid ? ', p.xid' : ''} FROM places p JOIN keys ON keys.place = p.place`;

/** The monthly tables before this migration, and with it. */
const BEFORE = ['event', 'event_epc'];
const AFTER = [...BEFORE, 'event_reader'];

/**
 * Issue 18: who may read each event, filed by reader, so that an event query of a reader that is party to few events
 * reads those events rather than the whole history. The events read rule (EventQueryRepository.visibility) let a
 * non-regulator read the events it captured or whose read point, business location, source or destination is its GLN
 * in any spelling (glnLikePatterns); asked of every event in the order of the page, a pharmacy's query read events
 * until it had found a page of its own, all of them when it had fewer.
 *
 * `event_reader` holds one row per event and key: `c:<capturer id>`, `u:<first 12 digits of a GLN>` for each SGLN or
 * PGLN URN (a URN leaves the check digit out), `n:<GLN>` for each Digital Link with AI 414 or 417. `gln_keys` says
 * which keys a place has, and has one exactly when one of glnLikePatterns' patterns matches it, so "a pattern of the
 * reader's GLN matches a place" becomes "the place has one of the reader's keys" (readerKeys in libs/domain).
 * Partitioned by record time like `event`, its months made and archived with the event's (the partition functions
 * now list it); kept by a statement trigger on `event` so that every writer keeps it; the events already stored are
 * filed by this migration. Append-only. Not unique: the rule only asks whether a key exists.
 */
export class EventReaders1767200000000 implements MigrationInterface {
  name = 'EventReaders1767200000000';

  async up(q: QueryRunner): Promise<void> {
    // One regular expression a place, its groups the SGLN URN's two parts, the PGLN URN's, or a Digital Link's GLN.
    // [0-9], not \d: LIKE patterns hold ASCII digits only. The URN forms are anchored, as the patterns are; the Digital
    // Link forms may sit anywhere, followed by the end, a path or a query (`%/414/<GLN>`, `…/%`, `…?%`). Not STRICT,
    // so that Postgres inlines it into the statement (no call per place); a null place matches nothing.
    await q.query(`
      CREATE FUNCTION gln_keys(place text) RETURNS SETOF text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT CASE WHEN m[5] IS NOT NULL THEN 'n:' || m[5] ELSE 'u:' || coalesce(m[1] || m[2], m[3] || m[4]) END
        FROM regexp_matches(place,
          '^urn:epc:id:(?:sgln:([0-9]{6,12})\\.([0-9]{0,6})\\.|pgln:([0-9]{6,12})\\.([0-9]{0,6})$)|/41[47]/([0-9]{13})(?=$|[/?])', 'g') m
        WHERE m[5] IS NOT NULL OR length(coalesce(m[1] || m[2], m[3] || m[4])) = 12
      $$`);
    await q.query(`
      CREATE TABLE event_reader (
        reader text NOT NULL,
        event_time timestamptz NOT NULL,
        event_id bigint NOT NULL,
        record_time timestamptz NOT NULL
      ) PARTITION BY RANGE (record_time)`);
    // One index for both ways it is read: probed with an event's (time, id) from a page walking the events, or read
    // for the reader's keys alone when the reader's events are the few.
    await q.query(`CREATE INDEX event_reader_idx ON event_reader (reader, event_time, event_id) INCLUDE (record_time)`);
    await q.query(`CREATE TABLE ${ARCHIVE_SCHEMA}.event_reader (LIKE public.event_reader)`);
    await q.query(ensurePartitionsFunction(AFTER, 'CREATE OR REPLACE'));
    await q.query(archivePartitionsFunction(AFTER, 'CREATE OR REPLACE'));
    await q.query(`
      SELECT event_partitions_ensure(
        coalesce(min(m), now()), greatest(max(m), now() + interval '3 months'))
      FROM (SELECT make_timestamptz(substr(c.relname, 8, 4)::int, substr(c.relname, 13, 2)::int, 1, 0, 0, 0, 'UTC') AS m
            FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'public.event'::regclass) months`);
    await q.query(`
      CREATE FUNCTION event_readers_record() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        -- Planned at each statement (EXECUTE), with the statement's true size: PL/pgSQL would keep the plan made for the
        -- session's first statement, whose row counts may be nothing like a later one's.
        EXECUTE $q$ INSERT INTO event_reader (reader, event_time, event_id, record_time) ${readersOf('new_events')} $q$;
        RETURN NULL;
      END $$`);
    await q.query(
      `CREATE TRIGGER event_readers AFTER INSERT ON event REFERENCING NEW TABLE AS new_events
       FOR EACH STATEMENT EXECUTE FUNCTION event_readers_record()`,
    );
    await q.query(`INSERT INTO event_reader (reader, event_time, event_id, record_time) ${readersOf('event')}`);
    await q.query(`ANALYZE event_reader`);
    await q.query(
      `CREATE TRIGGER event_reader_append_only BEFORE UPDATE OR DELETE ON event_reader FOR EACH ROW EXECUTE FUNCTION refuse_append_only_change()`,
    );
    await q.query(
      `CREATE TRIGGER event_reader_no_truncate BEFORE TRUNCATE ON event_reader FOR EACH STATEMENT EXECUTE FUNCTION refuse_append_only_change()`,
    );
    await q.query(`REVOKE ALL ON event_reader, ${ARCHIVE_SCHEMA}.event_reader FROM ${APP_ROLE}`);
    await q.query(`GRANT SELECT, INSERT ON event_reader TO ${APP_ROLE}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER event_readers ON event`);
    await q.query(`DROP FUNCTION event_readers_record()`);
    await q.query(`DROP TABLE event_reader, ${ARCHIVE_SCHEMA}.event_reader CASCADE`);
    await q.query(ensurePartitionsFunction(BEFORE, 'CREATE OR REPLACE'));
    await q.query(archivePartitionsFunction(BEFORE, 'CREATE OR REPLACE'));
    await q.query(`DROP FUNCTION gln_keys(text)`);
  }
}
