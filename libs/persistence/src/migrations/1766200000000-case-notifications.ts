import { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_ROLE } from './1765700000000-least-privilege';

/**
 * Issue 17, after an illegitimate resolution: the regulator filing recorded on the case (`regulator_notified_at`, set
 * once by the RECORD_FILING action, itself a history entry), and every trading partner that handled the packs told.
 *
 * `case_notification` is the record of who was told when, and the work list of the worker that tells them: append-only,
 * one row per step of a job. A job (`job_id`, deterministic: case, organization, channel) starts with a `pending` row
 * written with the case's resolution (or `no-channel`, final, for a partner without a webhook); a worker claims an
 * attempt by inserting its `sending` row (the unique index lets one worker claim each attempt), then appends the
 * attempt's outcome, `delivered` or `failed` (with the time of the next attempt, or none when it gives up). The job's
 * state is its latest row. `payload` (the JSON sent) is on the pending row only.
 */
export class CaseNotifications1766200000000 implements MigrationInterface {
  name = 'CaseNotifications1766200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE exception_case ADD COLUMN regulator_notified_at timestamptz`);
    await q.query(`GRANT UPDATE (regulator_notified_at) ON exception_case TO ${APP_ROLE}`);
    await q.query(`ALTER TABLE exception_case_entry DROP CONSTRAINT exception_case_entry_action_check`);
    await q.query(`ALTER TABLE exception_case_entry ADD CONSTRAINT exception_case_entry_action_check
      CHECK (action IN ('OPEN', 'INVESTIGATE', 'ESCALATE', 'RESOLVE', 'REOPEN', 'COMMENT', 'RECORD_FILING'))`);
    await q.query(`
      CREATE TABLE case_notification (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        job_id text NOT NULL,
        case_id uuid NOT NULL REFERENCES exception_case(id),
        organization_id uuid NOT NULL REFERENCES organization(id),
        channel text NOT NULL CHECK (channel IN ('webhook', 'none')),
        subscription_id uuid REFERENCES subscription(id),
        status text NOT NULL CHECK (status IN ('pending', 'no-channel', 'sending', 'delivered', 'failed')),
        attempt integer NOT NULL CHECK (attempt >= 0),
        at timestamptz NOT NULL,
        next_attempt_at timestamptz,
        http_status integer,
        error text,
        worker text,
        payload jsonb,
        CHECK ((channel = 'webhook') = (subscription_id IS NOT NULL)),
        CHECK ((status IN ('pending', 'no-channel')) = (attempt = 0)),
        CHECK ((status = 'pending') = (payload IS NOT NULL))
      )`);
    // One claim and one outcome per attempt: two workers claiming the same attempt, one insert wins.
    await q.query(`CREATE UNIQUE INDEX case_notification_step_idx ON case_notification (job_id, attempt, (status = 'sending'))`);
    await q.query(`CREATE INDEX case_notification_latest_idx ON case_notification (job_id, id DESC)`);
    await q.query(`CREATE INDEX case_notification_case_idx ON case_notification (case_id, id)`);
    await q.query(`REVOKE ALL ON case_notification FROM ${APP_ROLE}`);
    await q.query(`GRANT SELECT, INSERT ON case_notification TO ${APP_ROLE}`);
    await q.query(
      `CREATE TRIGGER case_notification_append_only BEFORE UPDATE OR DELETE ON case_notification FOR EACH ROW EXECUTE FUNCTION refuse_append_only_change()`,
    );
    await q.query(
      `CREATE TRIGGER case_notification_no_truncate BEFORE TRUNCATE ON case_notification FOR EACH STATEMENT EXECUTE FUNCTION refuse_append_only_change()`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE case_notification`);
    await q.query(`ALTER TABLE exception_case_entry DROP CONSTRAINT exception_case_entry_action_check`);
    await q.query(`ALTER TABLE exception_case_entry ADD CONSTRAINT exception_case_entry_action_check
      CHECK (action IN ('OPEN', 'INVESTIGATE', 'ESCALATE', 'RESOLVE', 'REOPEN', 'COMMENT'))`);
    await q.query(`ALTER TABLE exception_case DROP COLUMN regulator_notified_at`);
  }
}
