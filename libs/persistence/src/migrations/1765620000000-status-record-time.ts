import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The server's clock when a pack's status last changed: the 10-day undo window runs on it, so a client's
 * back-dated eventTime cannot reopen it. Rows from before have only the event time, the best record left of it;
 * rows bulk-loaded without it (benchmarks) count as recorded when loaded.
 */
export class StatusRecordTime1765620000000 implements MigrationInterface {
  name = 'StatusRecordTime1765620000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE pack_state ADD COLUMN status_recorded_at timestamptz NOT NULL DEFAULT now()`);
    await q.query(`UPDATE pack_state SET status_recorded_at = status_changed_at`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE pack_state DROP COLUMN status_recorded_at`);
  }
}
