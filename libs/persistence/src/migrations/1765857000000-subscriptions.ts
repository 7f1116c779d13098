import { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_ROLE } from './1765700000000-least-privilege';

/** Taken only while a transaction takes its record time and transaction id: microseconds, never across a capture. */
export const RECORD_TIME_LOCK = 160_016_001;

/** Whether the running transaction `x` (xid8) is held by a session `a` (pg_stat_activity) that `holder` describes. */
export const runningTransactionOf = (holder: string) => `EXISTS (
          SELECT 1 FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
          WHERE l.locktype = 'transactionid' AND l.mode = 'ExclusiveLock' AND l.granted
            AND l.transactionid::text = (x::text::numeric % 4294967296)::text
            AND ${holder})`;

/** A session of another database of the cluster: it cannot insert events here. */
export const OTHER_DATABASE = `a.datid <> (SELECT d.oid FROM pg_database d WHERE d.datname = current_database())`;

/** Whether the running transaction `x` (xid8) belongs to another database of the cluster. */
export const RUNNING_ELSEWHERE = runningTransactionOf(OTHER_DATABASE);

/** `event_visibility_horizon()` as this migration made it (a SQL function); migration 1767400000000 replaces it. */
export const horizonFunction = (verb: string) => `
      ${verb} FUNCTION event_visibility_horizon() RETURNS xid8 LANGUAGE sql STABLE AS $$
        SELECT coalesce(min(x), pg_snapshot_xmax(pg_current_snapshot()))
        FROM pg_snapshot_xip(pg_current_snapshot()) AS x
        WHERE NOT ${RUNNING_ELSEWHERE}
      $$`;

/**
 * Issue 16: query subscriptions, and record time as commit order.
 *
 * Visibility horizon. Concurrent captures commit out of id order, so "after the last event id" can skip an event that
 * commits later with a lower id. Each event now keeps the id of the transaction that inserted it (`xid`, added without
 * a table rewrite: the column first, its default after, so rows of earlier captures keep NULL, read as 0). Every
 * transaction below `event_visibility_horizon()` (the snapshot's oldest running transaction of this database) has
 * ended, so the events below that horizon are final:
 * a subscription delivers them in (xid, id) order and keeps its position in that order, and no later commit can land
 * behind it.
 *
 * Record time. It was the capture transaction's start (now()), so a long capture committed with a record time older
 * than events already served. `event_record_time()` takes a transaction's record time once, under a short advisory
 * lock that also assigns its transaction id: record times then rise with transaction ids, and a reader that serves
 * only events below the horizon (record-time queries do, docs/subscriptions.md) never serves a record time that a
 * later commit could undercut. Every event of a transaction has the same record time; the capture takes it before its
 * first write (EventRepository), and the column's default takes it for any other insert.
 */
export class Subscriptions1765857000000 implements MigrationInterface {
  name = 'Subscriptions1765857000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE event ADD COLUMN xid xid8`);
    await q.query(`ALTER TABLE event ALTER COLUMN xid SET DEFAULT pg_current_xact_id()`);
    await q.query(`CREATE INDEX event_xid_id_idx ON event ((coalesce(xid, '0'::xid8)), id)`);
    // The transaction-local setting holds the time once taken; the exception block frees the lock whatever happens.
    await q.query(`
      CREATE FUNCTION event_record_time() RETURNS timestamptz LANGUAGE plpgsql VOLATILE AS $$
      DECLARE
        taken text := current_setting('pharmatrace.record_time', true);
        stamp timestamptz;
      BEGIN
        IF taken IS NOT NULL AND taken <> '' THEN
          RETURN taken::timestamptz;
        END IF;
        PERFORM pg_advisory_lock(${RECORD_TIME_LOCK});
        BEGIN
          PERFORM pg_current_xact_id();
          stamp := clock_timestamp();
        EXCEPTION WHEN OTHERS THEN
          PERFORM pg_advisory_unlock(${RECORD_TIME_LOCK});
          RAISE;
        END;
        PERFORM pg_advisory_unlock(${RECORD_TIME_LOCK});
        PERFORM set_config('pharmatrace.record_time', stamp::text, true);
        RETURN stamp;
      END $$`);
    await q.query(`ALTER TABLE event ALTER COLUMN record_time SET DEFAULT event_record_time()`);
    // The horizon of this database: its snapshot's running transactions, less those seen running in another
    // database (a cluster's other databases, every test database among them, cannot insert events here). A transaction
    // that ended since the snapshot cannot be placed and is kept: it holds the horizon for this statement only.
    await q.query(horizonFunction('CREATE'));

    await q.query(`
      CREATE TABLE subscription (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        query_id bigint NOT NULL REFERENCES named_query(id),
        owner_id uuid NOT NULL REFERENCES organization(id),
        dest text NOT NULL CHECK (dest ~ '^https?://'),
        signature_token text,
        stream boolean NOT NULL,
        schedule jsonb,
        report_if_empty boolean NOT NULL DEFAULT false,
        initial_record_time timestamptz NOT NULL,
        position_xid xid8 NOT NULL DEFAULT '0',
        position_event_id bigint NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_notified_at timestamptz,
        next_run_at timestamptz,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        consecutive_failures integer NOT NULL DEFAULT 0,
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused')),
        leased_by text,
        leased_until timestamptz,
        deleted_at timestamptz,
        CHECK (stream <> (schedule IS NOT NULL)),
        CHECK (stream = (next_run_at IS NULL))
      )`);
    await q.query(`CREATE INDEX subscription_query_idx ON subscription (query_id) WHERE deleted_at IS NULL`);
    await q.query(`CREATE INDEX subscription_due_idx ON subscription (next_attempt_at) WHERE deleted_at IS NULL AND status = 'active'`);

    await q.query(`
      CREATE TABLE subscription_delivery (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        subscription_id uuid NOT NULL REFERENCES subscription(id),
        attempted_at timestamptz NOT NULL,
        status text NOT NULL CHECK (status IN ('delivered', 'failed')),
        http_status integer,
        error text,
        event_count integer NOT NULL,
        duration_ms integer NOT NULL
      )`);
    await q.query(`CREATE INDEX subscription_delivery_idx ON subscription_delivery (subscription_id, id DESC)`);
    // The delivery log is a record: written once, never edited.
    await q.query(`REVOKE ALL ON subscription_delivery FROM ${APP_ROLE}`);
    await q.query(`GRANT SELECT, INSERT ON subscription_delivery TO ${APP_ROLE}`);
    await q.query(
      `CREATE TRIGGER subscription_delivery_append_only BEFORE UPDATE OR DELETE ON subscription_delivery FOR EACH ROW EXECUTE FUNCTION refuse_append_only_change()`,
    );
    await q.query(
      `CREATE TRIGGER subscription_delivery_no_truncate BEFORE TRUNCATE ON subscription_delivery FOR EACH STATEMENT EXECUTE FUNCTION refuse_append_only_change()`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE subscription_delivery`);
    await q.query(`DROP TABLE subscription`);
    await q.query(`ALTER TABLE event ALTER COLUMN record_time SET DEFAULT now()`);
    await q.query(`DROP FUNCTION event_record_time(), event_visibility_horizon()`);
    await q.query(`DROP INDEX event_xid_id_idx`);
    await q.query(`ALTER TABLE event DROP COLUMN xid`);
  }
}
