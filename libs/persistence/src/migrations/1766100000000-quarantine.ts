import { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_ROLE } from './1765700000000-least-privilege';

/**
 * Quarantine enforced (issue 17). `quarantine_hold` is the small table of packs a case holds now: the verification hot
 * path and every capture ask it with one index probe instead of joining items to cases; it is kept in step with the
 * case in the transaction that opens or changes it. `receipt_reconciliation` queues every receiving event in the
 * transaction that stores it (so none is lost) and keeps what its reconciliation found, which the supplier scorecard
 * reads. `case_grace_alert` makes the grace-period alert once per case: its key is the case.
 */
export class Quarantine1766100000000 implements MigrationInterface {
  name = 'Quarantine1766100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE quarantine_hold (
        epc text NOT NULL,
        case_id uuid NOT NULL REFERENCES exception_case(id),
        case_number bigint NOT NULL,
        PRIMARY KEY (epc, case_id)
      )`);
    await q.query(`CREATE INDEX quarantine_hold_case_idx ON quarantine_hold (case_id)`);
    await q.query(`
      INSERT INTO quarantine_hold (epc, case_id, case_number)
      SELECT i.epc, c.id, c.number FROM exception_case_item i JOIN exception_case c ON c.id = i.case_id
      WHERE c.state <> 'RESOLVED' OR c.resolution = 'ILLEGITIMATE'`);
    await q.query(`
      CREATE TABLE receipt_reconciliation (
        event_id bigint PRIMARY KEY REFERENCES event(id),
        receiver_id uuid NOT NULL REFERENCES organization(id),
        received_at timestamptz NOT NULL,
        reconciled_at timestamptz,
        shipping_event_id bigint REFERENCES event(id),
        shipper_id uuid REFERENCES organization(id),
        shipped_record_time timestamptz,
        clean boolean,
        CHECK ((reconciled_at IS NULL) = (clean IS NULL))
      )`);
    await q.query(`CREATE INDEX receipt_reconciliation_pending_idx ON receipt_reconciliation (event_id) WHERE reconciled_at IS NULL`);
    await q.query(`CREATE INDEX receipt_reconciliation_partner_idx ON receipt_reconciliation (shipper_id, receiver_id)`);
    await q.query(`
      CREATE TABLE case_grace_alert (
        case_id uuid PRIMARY KEY REFERENCES exception_case(id),
        raised_at timestamptz NOT NULL
      )`);
    await q.query(`REVOKE ALL ON quarantine_hold, receipt_reconciliation, case_grace_alert FROM ${APP_ROLE}`);
    await q.query(`GRANT SELECT, INSERT, DELETE ON quarantine_hold TO ${APP_ROLE}`);
    await q.query(`GRANT SELECT, INSERT ON receipt_reconciliation, case_grace_alert TO ${APP_ROLE}`);
    await q.query(
      `GRANT UPDATE (reconciled_at, shipping_event_id, shipper_id, shipped_record_time, clean) ON receipt_reconciliation TO ${APP_ROLE}`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE case_grace_alert`);
    await q.query(`DROP TABLE receipt_reconciliation`);
    await q.query(`DROP TABLE quarantine_hold`);
  }
}
