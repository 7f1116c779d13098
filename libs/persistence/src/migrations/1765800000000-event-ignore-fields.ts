import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 14: the extension fields an event's capture declared out of its CBV 2.0 hash (ignoreFields), expanded to
 * `{namespace}local`, kept with the event so the audit, proof bundles and verifiers recompute the hash that was
 * stored. Events from before were hashed without the declaration in mind only when it was absent: an empty list.
 */
export class EventIgnoreFields1765800000000 implements MigrationInterface {
  name = 'EventIgnoreFields1765800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE event ADD COLUMN ignore_fields text[] NOT NULL DEFAULT '{}'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE event DROP COLUMN ignore_fields`);
  }
}
