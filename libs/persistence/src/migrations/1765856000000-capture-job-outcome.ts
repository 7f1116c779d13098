import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 16, capture jobs as the REST binding reports them: the GS1-Capture-Error-Behaviour a job ran under, how many of
 * its events were refused (a `proceed` capture stores the others), and the CBV 2.0 hash URIs of the events it stored
 * or found stored, in document order (at most GS1-EPCIS-Capture-Limit of them, so the array stays bounded).
 */
export class CaptureJobOutcome1765856000000 implements MigrationInterface {
  name = 'CaptureJobOutcome1765856000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE capture_job ADD COLUMN capture_error_behaviour text NOT NULL DEFAULT 'rollback'
         CONSTRAINT capture_job_error_behaviour_check CHECK (capture_error_behaviour IN ('rollback', 'proceed'))`,
    );
    await q.query(`ALTER TABLE capture_job ADD COLUMN refused_count integer`);
    await q.query(`ALTER TABLE capture_job ADD COLUMN event_ids text[]`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE capture_job DROP COLUMN event_ids`);
    await q.query(`ALTER TABLE capture_job DROP COLUMN refused_count`);
    await q.query(`ALTER TABLE capture_job DROP COLUMN capture_error_behaviour`);
  }
}
