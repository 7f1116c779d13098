import { MigrationInterface, QueryRunner } from 'typeorm';

/** Progress of `npm run audit` so an interrupted audit resumes after its last audited batch (issue 5). */
export class AuditRuns1765350000000 implements MigrationInterface {
  name = 'AuditRuns1765350000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit_run (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        started_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        last_batch_id bigint,
        batches_audited integer NOT NULL DEFAULT 0,
        events_audited bigint NOT NULL DEFAULT 0,
        tampered_batches integer NOT NULL DEFAULT 0,
        findings integer NOT NULL DEFAULT 0,
        elapsed_ms bigint NOT NULL DEFAULT 0
      )`);
    await q.query(`CREATE UNIQUE INDEX audit_run_open_idx ON audit_run ((true)) WHERE finished_at IS NULL`);
    // Re-running an audit must not raise the same finding twice; this index makes that check cheap.
    await q.query(`CREATE INDEX alert_tamper_batch_idx ON alert (((details->>'batchId')::bigint)) WHERE code = 'TAMPER_DETECTED'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX alert_tamper_batch_idx`);
    await q.query(`DROP TABLE audit_run`);
  }
}
