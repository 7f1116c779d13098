import { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_ROLE } from './1765700000000-least-privilege';

/**
 * Issue 15, reads never write: a verification answered from a corrected reading of a faulty scanner no longer stores a
 * row (the advice is in the answer; `pharmatrace_scan_corrections_total` counts them). Nothing read the table.
 */
export class DropScanCorrections1765840000000 implements MigrationInterface {
  name = 'DropScanCorrections1765840000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE scan_correction`);
  }

  /** The table as the verification and least-privilege migrations left it, empty. */
  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE scan_correction (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        organization_id uuid NOT NULL REFERENCES organization(id),
        kind text NOT NULL,
        raw text NOT NULL,
        epc text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX scan_correction_org_idx ON scan_correction (organization_id, created_at DESC)`);
    await q.query(`REVOKE ALL ON scan_correction FROM ${APP_ROLE}`);
    await q.query(`GRANT SELECT, INSERT ON scan_correction TO ${APP_ROLE}`);
    await q.query(
      `CREATE TRIGGER scan_correction_append_only BEFORE UPDATE OR DELETE ON scan_correction FOR EACH ROW EXECUTE FUNCTION refuse_append_only_change()`,
    );
    await q.query(
      `CREATE TRIGGER scan_correction_no_truncate BEFORE TRUNCATE ON scan_correction FOR EACH STATEMENT EXECUTE FUNCTION refuse_append_only_change()`,
    );
  }
}
