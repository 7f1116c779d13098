import { MigrationInterface, QueryRunner } from 'typeorm';

export class CaptureJobs1764700000000 implements MigrationInterface {
  name = 'CaptureJobs1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE capture_job (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organization(id),
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        finished_at timestamptz,
        running boolean NOT NULL DEFAULT true,
        success boolean,
        captured_count integer,
        duplicate_count integer,
        errors jsonb NOT NULL DEFAULT '[]',
        CHECK (running = (finished_at IS NULL)),
        CHECK (running = (success IS NULL))
      )`);
    await q.query(`CREATE INDEX capture_job_org_idx ON capture_job (organization_id, created_at DESC, id DESC)`);
    // Events keep the eventID their producer gave them; lookups by it must not scan every body.
    await q.query(`CREATE INDEX event_declared_id_idx ON event ((body->>'eventID')) WHERE body ? 'eventID'`);
    // Keyset pagination of event queries walks (event_time, id).
    await q.query(`CREATE INDEX event_time_id_idx ON event (event_time, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX event_time_id_idx`);
    await q.query(`DROP INDEX event_declared_id_idx`);
    await q.query(`DROP TABLE capture_job`);
  }
}
