import { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_ROLE } from './1765700000000-least-privilege';

/**
 * Exception cases (issue 17): a case, the packs it holds (quarantined while it quarantines), and its history. The
 * history is append-only; of the case row the application may change only its state and the dates that follow from
 * it, and `version` (optimistic concurrency: two partners acting at once, one wins, the other is told to reload).
 */
export class ExceptionCases1765900000000 implements MigrationInterface {
  name = 'ExceptionCases1765900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE exception_case (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        number bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
        category text NOT NULL CHECK (category IN ('DATA_ISSUE', 'PRODUCT_WITHOUT_DATA', 'DATA_WITHOUT_PRODUCT',
          'PACKAGING_OR_LABELLING', 'UNAVAILABLE_FOR_DISTRIBUTION', 'SUSPECT_PRODUCT', 'ILLEGITIMATE_PRODUCT')),
        state text NOT NULL CHECK (state IN ('OPEN', 'INVESTIGATING', 'ESCALATED', 'RESOLVED')),
        resolution text CHECK (resolution IN ('CLEARED', 'TECHNICAL_CAUSE', 'ILLEGITIMATE')),
        reporter_id uuid NOT NULL REFERENCES organization(id),
        counterparty_id uuid REFERENCES organization(id),
        source text NOT NULL CHECK (source IN ('ALERT', 'SCAN', 'RECEIPT', 'MANUAL')),
        source_ref text,
        summary text NOT NULL,
        opened_at timestamptz NOT NULL,
        grace_until timestamptz NOT NULL,
        resolved_at timestamptz,
        regulator_due_at timestamptz,
        version integer NOT NULL DEFAULT 1,
        CHECK ((state = 'RESOLVED') = (resolution IS NOT NULL)),
        CHECK ((state = 'RESOLVED') = (resolved_at IS NOT NULL)),
        CHECK (counterparty_id IS NULL OR counterparty_id <> reporter_id)
      )`);
    // Each party lists its cases newest first; regulators list all by id.
    await q.query(`CREATE INDEX exception_case_reporter_idx ON exception_case (reporter_id, number DESC)`);
    await q.query(
      `CREATE INDEX exception_case_counterparty_idx ON exception_case (counterparty_id, number DESC) WHERE counterparty_id IS NOT NULL`,
    );
    await q.query(`
      CREATE TABLE exception_case_item (
        case_id uuid NOT NULL REFERENCES exception_case(id),
        epc text NOT NULL,
        note text CHECK (note IN ('missing', 'unexpected')),
        PRIMARY KEY (case_id, epc)
      )`);
    // Verify, dispense and ship ask whether a pack is held by a case: one index lookup per pack.
    await q.query(`CREATE INDEX exception_case_item_epc_idx ON exception_case_item (epc)`);
    await q.query(`
      CREATE TABLE exception_case_entry (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        case_id uuid NOT NULL REFERENCES exception_case(id),
        at timestamptz NOT NULL,
        actor_id uuid NOT NULL REFERENCES organization(id),
        action text NOT NULL CHECK (action IN ('OPEN', 'INVESTIGATE', 'ESCALATE', 'RESOLVE', 'REOPEN', 'COMMENT')),
        from_state text,
        to_state text NOT NULL,
        resolution text,
        message text,
        attachments text[] NOT NULL DEFAULT '{}'
      )`);
    await q.query(`CREATE INDEX exception_case_entry_case_idx ON exception_case_entry (case_id, id)`);
    await q.query(`REVOKE ALL ON exception_case, exception_case_item, exception_case_entry FROM ${APP_ROLE}`);
    await q.query(`GRANT SELECT, INSERT ON exception_case, exception_case_item, exception_case_entry TO ${APP_ROLE}`);
    await q.query(`GRANT UPDATE (state, resolution, resolved_at, regulator_due_at, version) ON exception_case TO ${APP_ROLE}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE exception_case_entry`);
    await q.query(`DROP TABLE exception_case_item`);
    await q.query(`DROP TABLE exception_case`);
  }
}
