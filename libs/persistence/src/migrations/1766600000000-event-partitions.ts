import { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_ROLE } from './1765700000000-least-privilege';

/** Where the monthly partitions live: outside `public`, so the application role (no USAGE here) can only reach them through their parent. */
export const PARTITION_SCHEMA = 'partitions';
/** Where detached months go: still in the database, read through `archive.event` and `archive.event_epc`. */
export const ARCHIVE_SCHEMA = 'archive';
/** Months made ahead of the current one by the migration; the worker keeps PARTITION_MONTHS_AHEAD of them after it. */
const MONTHS_AHEAD = 3;
/** Serializes partition maintenance: several workers tick, and a month must be made or archived once. */
export const PARTITION_LOCK = 160_018_001;
/** The foreign keys into `event(id)`: a partitioned table's keys include its partition key, and a referenced month could not be detached. */
const REFERENCES_TO_EVENT: [table: string, constraint: string, column: string][] = [
  ['event_correction', 'event_correction_event_id_fkey', 'event_id'],
  ['receipt_reconciliation', 'receipt_reconciliation_event_id_fkey', 'event_id'],
  ['receipt_reconciliation', 'receipt_reconciliation_shipping_event_id_fkey', 'shipping_event_id'],
];
const EVENT_INDEXES = [
  `CREATE INDEX event_batch_idx ON event (batch_id)`,
  `CREATE INDEX event_unbatched_idx ON event (id) WHERE batch_id IS NULL`,
  `CREATE INDEX event_declared_id_idx ON event ((body->>'eventID')) WHERE body ? 'eventID'`,
  `CREATE INDEX event_time_id_idx ON event (event_time, id)`,
  `CREATE INDEX event_biz_step_idx ON event (biz_step) WHERE biz_step IS NOT NULL`,
  `CREATE INDEX event_disposition_idx ON event (disposition) WHERE disposition IS NOT NULL`,
  `CREATE INDEX event_read_point_idx ON event (read_point) WHERE read_point IS NOT NULL`,
  `CREATE INDEX event_biz_location_idx ON event (biz_location) WHERE biz_location IS NOT NULL`,
  `CREATE INDEX event_xid_id_idx ON event ((coalesce(xid, '0'::xid8)), id)`,
];
const EVENT_COLUMNS = `id, event_hash, event_type, action, biz_step, disposition, event_time, record_time, read_point, biz_location,
  captured_by, body, batch_id, leaf_index, signature_id, ignore_fields, hash_rules, xid`;

// A month is made as a table of its own and then attached: CREATE TABLE … PARTITION OF would take an ACCESS
// EXCLUSIVE lock on the parent, stopping every capture and read while it waits; ATTACH takes SHARE UPDATE
// EXCLUSIVE, which they pass. The new month is empty, so attaching reads nothing; its indexes, foreign keys and row
// triggers come from the parent. TRUNCATE triggers are not inherited: each month gets its own.
/** `event_partitions_ensure` for the monthly tables `tables` (one partition of each a month). */
export const ensurePartitionsFunction = (tables: string[], verb = 'CREATE') => `
      ${verb} FUNCTION event_partitions_ensure(p_from timestamptz, p_to timestamptz) RETURNS integer
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
      DECLARE
        m timestamptz := date_trunc('month', p_from, 'UTC');
        made integer := 0;
        base text;
        part text;
      BEGIN
        PERFORM pg_advisory_xact_lock(${PARTITION_LOCK});
        WHILE m <= p_to LOOP
          FOREACH base IN ARRAY ARRAY[${tables.map((t) => `'${t}'`).join(', ')}] LOOP
            part := format('%s_y%sm%s', base, to_char(m AT TIME ZONE 'UTC', 'YYYY'), to_char(m AT TIME ZONE 'UTC', 'MM'));
            CONTINUE WHEN to_regclass(format('${PARTITION_SCHEMA}.%I', part)) IS NOT NULL
                       OR to_regclass(format('${ARCHIVE_SCHEMA}.%I', part)) IS NOT NULL;
            EXECUTE format('CREATE TABLE ${PARTITION_SCHEMA}.%I (LIKE public.%I INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', part, base);
            EXECUTE format('ALTER TABLE public.%I ATTACH PARTITION ${PARTITION_SCHEMA}.%I FOR VALUES FROM (%L) TO (%L)',
                           base, part, m, (m AT TIME ZONE 'UTC' + interval '1 month') AT TIME ZONE 'UTC');
            EXECUTE format('REVOKE ALL ON ${PARTITION_SCHEMA}.%I FROM ${APP_ROLE}', part);
            EXECUTE format('CREATE TRIGGER %I BEFORE TRUNCATE ON ${PARTITION_SCHEMA}.%I FOR EACH STATEMENT EXECUTE FUNCTION refuse_append_only_change()',
                           part || '_no_truncate', part);
            made := made + 1;
          END LOOP;
          m := (m AT TIME ZONE 'UTC' + interval '1 month') AT TIME ZONE 'UTC';
        END LOOP;
        RETURN made / ${tables.length};
      END $$`;

// Months are archived oldest first, and only whole: every event sealed into a FINAL batch (its proofs are fixed and
// anchored). DETACH takes an ACCESS EXCLUSIVE lock on the parent; a bounded wait fails the call instead of stalling
// captures behind it, and the next tick tries again. Detaching drops the row triggers cloned from the parent: the
// archived month gets its own, refusing every change.
/** `event_partitions_archive` for the monthly tables `tables`, all detached together. */
export const archivePartitionsFunction = (tables: string[], verb = 'CREATE') => `
      ${verb} FUNCTION event_partitions_archive(p_before timestamptz) RETURNS text[]
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
      DECLARE
        cutoff timestamptz := date_trunc('month', p_before, 'UTC');
        archived text[] := '{}';
        part text;
        month timestamptz;
        busy boolean;
        t text;
        month_part text;
      BEGIN
        PERFORM pg_advisory_xact_lock(${PARTITION_LOCK});
        PERFORM set_config('lock_timeout', '10s', true);
        FOR part IN
          SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
          WHERE i.inhparent = 'public.event'::regclass ORDER BY c.relname
        LOOP
          month := make_timestamptz(substr(part, 8, 4)::int, substr(part, 13, 2)::int, 1, 0, 0, 0, 'UTC');
          EXIT WHEN (month AT TIME ZONE 'UTC' + interval '1 month') AT TIME ZONE 'UTC' > cutoff;
          EXECUTE format('SELECT EXISTS (SELECT 1 FROM ${PARTITION_SCHEMA}.%1$I WHERE batch_id IS NULL)
                           OR EXISTS (SELECT 1 FROM anchor_batch b WHERE b.status <> ''FINAL''
                                      AND EXISTS (SELECT 1 FROM ${PARTITION_SCHEMA}.%1$I e WHERE e.batch_id = b.id))', part) INTO busy;
          EXIT WHEN busy;
          FOREACH t IN ARRAY ARRAY[${tables.map((t) => `'${t}'`).join(', ')}] LOOP
            -- A month's tables share the name's end, _yYYYYmMM.
            month_part := t || right(part, 9);
            EXECUTE format('ALTER TABLE public.%I DETACH PARTITION ${PARTITION_SCHEMA}.%I', t, month_part);
            EXECUTE format('ALTER TABLE ${PARTITION_SCHEMA}.%I SET SCHEMA ${ARCHIVE_SCHEMA}', month_part);
            EXECUTE format('ALTER TABLE ${ARCHIVE_SCHEMA}.%I INHERIT ${ARCHIVE_SCHEMA}.%I', month_part, t);
            EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE OR DELETE ON ${ARCHIVE_SCHEMA}.%I FOR EACH ROW EXECUTE FUNCTION refuse_append_only_change()',
                           month_part || '_append_only', month_part);
          END LOOP;
          archived := archived || to_char(month AT TIME ZONE 'UTC', 'YYYY-MM');
        END LOOP;
        RETURN archived;
      END $$`;

/**
 * Issue 18: the event record in monthly partitions. `event` and its EPC index `event_epc` are partitioned by range of
 * record time, one partition a month (UTC) of each in schema `partitions`: record time is the server's, taken once per
 * capture transaction (migration 1765857000000), so a month's partitions stop receiving rows when the month ends and
 * can be detached whole.
 *
 * - `event`'s key is (id, record_time); `event_epc` carries the record time of its event, so every join from an index
 *   row to its event, and from an event to its index rows, names both and Postgres prunes it to one partition.
 * - `event_hash` stays unique across all months in `event_key` (the hash, its event and the event's record time): a
 *   partitioned table's unique keys must include the partition key, which would make the hash unique per month only.
 *   Capture inserts the key first and the event only if the key was new, as `ON CONFLICT (event_hash)` did.
 * - Lookups of an EPC's events are bounded by the record-time span of the EPC's own index rows: `pack_state` keeps it
 *   for items with a state (`first_record_time`, `last_record_time`), `epc_span` for EPCs named without one. A pack
 *   then probes the months it lived in, not every month kept (EventRepository keeps the spans; a null span reads
 *   every month, as rows written without one need).
 * - The foreign keys into `event(id)` are dropped (REFERENCES_TO_EVENT): they would need the record time too, and a
 *   referenced month could not be detached. Those rows are written in the transaction that stores their events.
 * - `event_partitions_ensure(from, to)` makes the months in [from, to] (the worker keeps some ahead);
 *   `event_partitions_archive(before)` detaches the months ending by `before` whose events are all in FINAL batches
 *   into schema `archive`, where `archive.event` and `archive.event_epc` read them (the audit does). Both run as the
 *   owner (SECURITY DEFINER) for the application role, which owns nothing. Nothing is ever dropped.
 *
 * Existing rows are moved: today's tables are set aside, the partitioned ones made for every month from the oldest
 * record time to three months ahead, the rows copied, the spans computed, and the old tables dropped.
 * A later migration that adds a column to `event` or `event_epc` adds it to `archive.event`/`archive.event_epc` too.
 */
export class EventPartitions1766600000000 implements MigrationInterface {
  name = 'EventPartitions1766600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA event_unpartitioned`);
    for (const [table, constraint] of REFERENCES_TO_EVENT) await q.query(`ALTER TABLE ${table} DROP CONSTRAINT ${constraint}`);
    await q.query(`ALTER TABLE event SET SCHEMA event_unpartitioned`);
    await q.query(`ALTER TABLE event_epc SET SCHEMA event_unpartitioned`);

    // Identity columns on partitioned tables arrive only in Postgres 17: a sequence of its own, continuing the old one.
    await q.query(`CREATE SEQUENCE event_id_seq AS bigint`);
    await q.query(
      `SELECT setval('event_id_seq', greatest(last_value, 1), is_called AND last_value > 0) FROM event_unpartitioned.event_id_seq`,
    );
    await q.query(`
      CREATE TABLE event (
        id bigint NOT NULL DEFAULT nextval('event_id_seq'),
        event_hash bytea NOT NULL CONSTRAINT event_event_hash_check CHECK (length(event_hash) = 32),
        event_type text NOT NULL,
        action text,
        biz_step text,
        disposition text,
        event_time timestamptz NOT NULL,
        record_time timestamptz NOT NULL DEFAULT event_record_time(),
        read_point text,
        biz_location text,
        captured_by uuid NOT NULL,
        body jsonb NOT NULL,
        batch_id bigint CONSTRAINT event_batch_id_fkey REFERENCES anchor_batch(id),
        leaf_index integer,
        signature_id bigint CONSTRAINT event_signature_id_fkey REFERENCES capture_signature(id),
        ignore_fields text[] NOT NULL DEFAULT '{}',
        hash_rules smallint NOT NULL DEFAULT 3 CONSTRAINT event_hash_rules_check CHECK (hash_rules IN (1, 2, 3)),
        xid xid8 DEFAULT pg_current_xact_id(),
        CONSTRAINT event_pkey PRIMARY KEY (id, record_time),
        CONSTRAINT event_check CHECK ((batch_id IS NULL) = (leaf_index IS NULL))
      ) PARTITION BY RANGE (record_time)`);
    await q.query(`ALTER SEQUENCE event_id_seq OWNED BY event.id`);
    for (const index of EVENT_INDEXES) await q.query(index);
    await q.query(`
      CREATE TABLE event_key (
        event_hash bytea PRIMARY KEY CHECK (length(event_hash) = 32),
        event_id bigint NOT NULL,
        record_time timestamptz NOT NULL
      )`);
    // The record time defaults to the transaction's, which is its event's: both are written by one capture transaction.
    await q.query(`
      CREATE TABLE event_epc (
        epc text NOT NULL,
        event_time timestamptz NOT NULL,
        event_id bigint NOT NULL,
        role text NOT NULL CONSTRAINT event_epc_role_check CHECK (role IN ('epc','parent','child','input','output')),
        record_time timestamptz NOT NULL DEFAULT event_record_time(),
        CONSTRAINT event_epc_pkey PRIMARY KEY (epc, event_time, event_id, role, record_time)
      ) PARTITION BY RANGE (record_time)`);
    await q.query(`CREATE INDEX event_epc_event_idx ON event_epc (event_id)`);
    await q.query(`ALTER TABLE pack_state ADD COLUMN first_record_time timestamptz, ADD COLUMN last_record_time timestamptz`);
    await q.query(`
      CREATE TABLE epc_span (
        epc text PRIMARY KEY,
        first_record_time timestamptz NOT NULL,
        last_record_time timestamptz NOT NULL
      )`);

    await q.query(`CREATE SCHEMA ${PARTITION_SCHEMA}`);
    await q.query(`CREATE SCHEMA ${ARCHIVE_SCHEMA}`);
    // Plain parents (inheritance): a detached month is added with ALTER TABLE … INHERIT, which reads none of its rows.
    await q.query(`CREATE TABLE ${ARCHIVE_SCHEMA}.event (LIKE public.event)`);
    await q.query(`CREATE TABLE ${ARCHIVE_SCHEMA}.event_epc (LIKE public.event_epc)`);
    await this.createFunctions(q);
    // The refusal names the table written to: a month's partition is reported as its parent, the table the writer named.
    await q.query(`
      CREATE OR REPLACE FUNCTION refuse_append_only_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% on %: the table is append-only', TG_OP,
          CASE WHEN TG_TABLE_SCHEMA = '${PARTITION_SCHEMA}' THEN pg_partition_root(TG_RELID)::regclass::text ELSE TG_TABLE_NAME END
          USING ERRCODE = 'insufficient_privilege';
      END $$`);

    await q.query(
      `SELECT event_partitions_ensure(coalesce((SELECT min(record_time) FROM event_unpartitioned.event), now()), now() + interval '${MONTHS_AHEAD} months')`,
    );
    await q.query(`INSERT INTO event (${EVENT_COLUMNS}) SELECT ${EVENT_COLUMNS} FROM event_unpartitioned.event`);
    await q.query(
      `INSERT INTO event_key (event_hash, event_id, record_time) SELECT event_hash, id, record_time FROM event_unpartitioned.event`,
    );
    await q.query(`
      INSERT INTO event_epc (epc, event_time, event_id, role, record_time)
      SELECT x.epc, x.event_time, x.event_id, x.role, e.record_time
      FROM event_unpartitioned.event_epc x JOIN event_unpartitioned.event e ON e.id = x.event_id`);
    await q.query(`
      UPDATE pack_state p SET first_record_time = s.first, last_record_time = s.last
      FROM (SELECT epc, min(record_time) AS first, max(record_time) AS last FROM event_epc GROUP BY epc) s WHERE s.epc = p.epc`);
    await q.query(`
      INSERT INTO epc_span (epc, first_record_time, last_record_time)
      SELECT x.epc, min(x.record_time), max(x.record_time) FROM event_epc x
      WHERE NOT EXISTS (SELECT 1 FROM pack_state p WHERE p.epc = x.epc) GROUP BY x.epc`);
    await q.query(`DROP SCHEMA event_unpartitioned CASCADE`);

    // As before: the application reads and adds events and index rows; sealing and signed capture set three columns once.
    await q.query(`REVOKE ALL ON event, event_key, event_epc, ${ARCHIVE_SCHEMA}.event, ${ARCHIVE_SCHEMA}.event_epc FROM ${APP_ROLE}`);
    await q.query(`GRANT SELECT, INSERT ON event, event_key, event_epc TO ${APP_ROLE}`);
    await q.query(`GRANT UPDATE (batch_id, leaf_index, signature_id) ON event TO ${APP_ROLE}`);
    await q.query(`GRANT USAGE ON SCHEMA ${ARCHIVE_SCHEMA} TO ${APP_ROLE}`);
    await q.query(`GRANT SELECT ON ${ARCHIVE_SCHEMA}.event, ${ARCHIVE_SCHEMA}.event_epc TO ${APP_ROLE}`);
    // Row triggers on a partitioned table are cloned onto every partition, present and future.
    await q.query(`CREATE TRIGGER event_set_once BEFORE UPDATE ON event FOR EACH ROW EXECUTE FUNCTION refuse_event_edit()`);
    await q.query(`CREATE TRIGGER event_append_only BEFORE DELETE ON event FOR EACH ROW EXECUTE FUNCTION refuse_append_only_change()`);
    for (const table of ['event_epc', 'event_key']) {
      await q.query(
        `CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION refuse_append_only_change()`,
      );
    }
    for (const table of ['event', 'event_epc', 'event_key']) {
      await q.query(
        `CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION refuse_append_only_change()`,
      );
    }
  }

  private async createFunctions(q: QueryRunner): Promise<void> {
    await q.query(ensurePartitionsFunction(['event', 'event_epc']));
    await q.query(archivePartitionsFunction(['event', 'event_epc']));
    for (const fn of ['event_partitions_ensure(timestamptz, timestamptz)', 'event_partitions_archive(timestamptz)']) {
      await q.query(`REVOKE ALL ON FUNCTION ${fn} FROM PUBLIC`);
      await q.query(`GRANT EXECUTE ON FUNCTION ${fn} TO ${APP_ROLE}`);
    }
  }

  /** Back to one table each, archived months included; the spans and keys go. */
  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA event_partitioned`);
    await q.query(`ALTER TABLE event SET SCHEMA event_partitioned`);
    await q.query(`ALTER TABLE event_epc SET SCHEMA event_partitioned`);
    await q.query(`
      CREATE TABLE event (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        event_hash bytea NOT NULL UNIQUE CHECK (length(event_hash) = 32),
        event_type text NOT NULL,
        action text,
        biz_step text,
        disposition text,
        event_time timestamptz NOT NULL,
        record_time timestamptz NOT NULL DEFAULT event_record_time(),
        read_point text,
        biz_location text,
        captured_by uuid NOT NULL,
        body jsonb NOT NULL,
        batch_id bigint REFERENCES anchor_batch(id),
        leaf_index integer,
        signature_id bigint REFERENCES capture_signature(id),
        ignore_fields text[] NOT NULL DEFAULT '{}',
        hash_rules smallint NOT NULL DEFAULT 3 CONSTRAINT event_hash_rules_check CHECK (hash_rules IN (1, 2, 3)),
        xid xid8 DEFAULT pg_current_xact_id(),
        CHECK ((batch_id IS NULL) = (leaf_index IS NULL))
      )`);
    await q.query(`
      INSERT INTO event (${EVENT_COLUMNS}) OVERRIDING SYSTEM VALUE
      SELECT ${EVENT_COLUMNS} FROM event_partitioned.event UNION ALL SELECT ${EVENT_COLUMNS} FROM ${ARCHIVE_SCHEMA}.event`);
    await q.query(
      `SELECT setval(pg_get_serial_sequence('event', 'id'), greatest(last_value, 1), is_called AND last_value > 0) FROM event_partitioned.event_id_seq`,
    );
    for (const index of EVENT_INDEXES) await q.query(index);
    await q.query(`
      CREATE TABLE event_epc (
        epc text NOT NULL,
        event_time timestamptz NOT NULL,
        event_id bigint NOT NULL,
        role text NOT NULL CHECK (role IN ('epc','parent','child','input','output')),
        PRIMARY KEY (epc, event_time, event_id, role)
      )`);
    await q.query(`
      INSERT INTO event_epc (epc, event_time, event_id, role)
      SELECT epc, event_time, event_id, role FROM event_partitioned.event_epc
      UNION ALL SELECT epc, event_time, event_id, role FROM ${ARCHIVE_SCHEMA}.event_epc`);
    await q.query(`CREATE INDEX event_epc_event_idx ON event_epc (event_id)`);
    await q.query(`DROP SCHEMA event_partitioned, ${PARTITION_SCHEMA}, ${ARCHIVE_SCHEMA} CASCADE`);
    await q.query(`DROP TABLE event_key, epc_span`);
    await q.query(`
      CREATE OR REPLACE FUNCTION refuse_append_only_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% on %: the table is append-only', TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`DROP FUNCTION event_partitions_ensure(timestamptz, timestamptz), event_partitions_archive(timestamptz)`);
    await q.query(`ALTER TABLE pack_state DROP COLUMN first_record_time, DROP COLUMN last_record_time`);
    for (const [table, constraint, column] of REFERENCES_TO_EVENT) {
      await q.query(`ALTER TABLE ${table} ADD CONSTRAINT ${constraint} FOREIGN KEY (${column}) REFERENCES event(id)`);
    }

    await q.query(`REVOKE ALL ON event, event_epc FROM ${APP_ROLE}`);
    await q.query(`GRANT SELECT, INSERT ON event, event_epc TO ${APP_ROLE}`);
    await q.query(`GRANT UPDATE (batch_id, leaf_index, signature_id) ON event TO ${APP_ROLE}`);
    await q.query(`CREATE TRIGGER event_set_once BEFORE UPDATE ON event FOR EACH ROW EXECUTE FUNCTION refuse_event_edit()`);
    await q.query(`CREATE TRIGGER event_append_only BEFORE DELETE ON event FOR EACH ROW EXECUTE FUNCTION refuse_append_only_change()`);
    await q.query(
      `CREATE TRIGGER event_epc_append_only BEFORE UPDATE OR DELETE ON event_epc FOR EACH ROW EXECUTE FUNCTION refuse_append_only_change()`,
    );
    for (const table of ['event', 'event_epc']) {
      await q.query(
        `CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION refuse_append_only_change()`,
      );
    }
  }
}
