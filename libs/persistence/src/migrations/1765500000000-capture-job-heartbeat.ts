import { MigrationInterface, QueryRunner } from 'typeorm';

/** Running capture jobs carry a heartbeat, so a job whose API process died is ended instead of running forever. */
export class CaptureJobHeartbeat1765500000000 implements MigrationInterface {
  name = 'CaptureJobHeartbeat1765500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE capture_job ADD COLUMN heartbeat_at timestamptz NOT NULL DEFAULT clock_timestamp()`);
    await q.query(`CREATE INDEX capture_job_running_idx ON capture_job (heartbeat_at) WHERE running`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX capture_job_running_idx`);
    await q.query(`ALTER TABLE capture_job DROP COLUMN heartbeat_at`);
  }
}
