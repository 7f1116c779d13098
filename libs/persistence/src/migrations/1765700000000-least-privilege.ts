import { MigrationInterface, QueryRunner } from 'typeorm';

/** The role the API and worker act as (DATABASE_APP_ROLE); migrations keep running as the owner. */
export const APP_ROLE = 'pharmatrace_app';

/** Rows written once and never changed: the role may read and add them, nothing more. */
const APPEND_ONLY = ['event', 'event_epc', 'alert', 'audit_log', 'capture_signature', 'scan_correction'];
/** What sealing (batch_id, leaf_index) and a signed capture (signature_id) set on a stored event, once. */
const EVENT_SET_ONCE = ['batch_id', 'leaf_index', 'signature_id'];

/**
 * Issue 13: least privilege and an append-only record. A NOLOGIN role for the application with no UPDATE or DELETE on
 * the append-only tables, triggers that refuse those edits even to the owner, and the audit log of administrative and
 * status actions. Roles are cluster-wide: many databases of one cluster (every test database) run this migration, so
 * the role is created only if missing and a concurrent creation is not an error; grants are per database.
 */
export class LeastPrivilege1765700000000 implements MigrationInterface {
  name = 'LeastPrivilege1765700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit_log (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT clock_timestamp(),
        actor_kind text NOT NULL CHECK (actor_kind IN ('organization', 'operator')),
        actor_org_id uuid REFERENCES organization(id),
        action text NOT NULL,
        subject_type text NOT NULL,
        subject_id text NOT NULL,
        before jsonb,
        after jsonb,
        request_id text,
        CHECK ((actor_kind = 'organization') = (actor_org_id IS NOT NULL))
      )`);
    // Regulators page the log newest first, narrowed by action or subject.
    await q.query(`CREATE INDEX audit_log_action_idx ON audit_log (action, id DESC)`);
    await q.query(`CREATE INDEX audit_log_subject_idx ON audit_log (subject_id, id DESC)`);

    await q.query(`
      DO $$
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${APP_ROLE}') THEN
          CREATE ROLE ${APP_ROLE} NOLOGIN;
        END IF;
      EXCEPTION WHEN duplicate_object OR unique_violation THEN
        -- another database of the cluster created it between the check and the CREATE
        NULL;
      END $$`);
    // A non-superuser owner (with CREATEROLE) must be a member to connect as the role (startup option role=…).
    await q.query(`
      DO $$
      BEGIN
        IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
          EXECUTE format('GRANT ${APP_ROLE} TO %I', current_user);
        END IF;
      END $$`);

    await q.query(`GRANT USAGE ON SCHEMA public TO ${APP_ROLE}`);
    // Every other table (organizations, licences, grants, keys, products, lots, pack_state, batches, anchors, audit runs,
    // capture jobs) is a read model or workflow state the application keeps current; TypeORM's ledger is not its business.
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${APP_ROLE}`);
    await q.query(`REVOKE ALL ON migrations, ${APPEND_ONLY.join(', ')} FROM ${APP_ROLE}`);
    await q.query(`GRANT SELECT, INSERT ON ${APPEND_ONLY.join(', ')} TO ${APP_ROLE}`);
    await q.query(`GRANT UPDATE (${EVENT_SET_ONCE.join(', ')}) ON event TO ${APP_ROLE}`);
    await q.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${APP_ROLE}`);
    // Tables of later migrations are read models unless their migration revokes (an append-only one must, and add the
    // triggers below): without this, every new table would be unreadable to the running platform.
    await q.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${APP_ROLE}`);
    await q.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO ${APP_ROLE}`);

    // Below the grants, so the owner's own accidental edit is refused too. Tests that simulate tampering set
    // session_replication_role = replica (superuser only), which skips ordinary triggers.
    await q.query(`
      CREATE FUNCTION refuse_append_only_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% on %: the table is append-only', TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`
      CREATE FUNCTION refuse_event_edit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF (to_jsonb(NEW) - '{${EVENT_SET_ONCE.join(',')}}'::text[]) IS DISTINCT FROM (to_jsonb(OLD) - '{${EVENT_SET_ONCE.join(',')}}'::text[])
           OR (OLD.batch_id IS NOT NULL AND NEW.batch_id IS DISTINCT FROM OLD.batch_id)
           OR (OLD.leaf_index IS NOT NULL AND NEW.leaf_index IS DISTINCT FROM OLD.leaf_index)
           OR (OLD.signature_id IS NOT NULL AND NEW.signature_id IS DISTINCT FROM OLD.signature_id) THEN
          RAISE EXCEPTION 'UPDATE on event %: only ${EVENT_SET_ONCE.join(', ')} may be set, once', OLD.id USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`CREATE TRIGGER event_set_once BEFORE UPDATE ON event FOR EACH ROW EXECUTE FUNCTION refuse_event_edit()`);
    for (const table of APPEND_ONLY) {
      const events = table === 'event' ? 'DELETE' : 'UPDATE OR DELETE';
      await q.query(
        `CREATE TRIGGER ${table}_append_only BEFORE ${events} ON ${table} FOR EACH ROW EXECUTE FUNCTION refuse_append_only_change()`,
      );
      await q.query(
        `CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION refuse_append_only_change()`,
      );
    }
  }

  /** Leaves the role: other databases of the cluster may still grant to it. */
  async down(q: QueryRunner): Promise<void> {
    for (const table of APPEND_ONLY.filter((t) => t !== 'audit_log')) {
      await q.query(`DROP TRIGGER ${table}_append_only ON ${table}`);
      await q.query(`DROP TRIGGER ${table}_no_truncate ON ${table}`);
    }
    await q.query(`DROP TRIGGER event_set_once ON event`);
    await q.query(`DROP TABLE audit_log`);
    await q.query(`DROP FUNCTION refuse_event_edit(), refuse_append_only_change()`);
    await q.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON TABLES FROM ${APP_ROLE}`);
    await q.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON SEQUENCES FROM ${APP_ROLE}`);
    await q.query(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${APP_ROLE}`);
    await q.query(`REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM ${APP_ROLE}`);
    await q.query(`REVOKE USAGE ON SCHEMA public FROM ${APP_ROLE}`);
  }
}
