import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Hash rules 3 (issue 14, docs/event-hash-divergences.md D9): an extension field named `…List` whose value is an object
 * keeps its children's names, as its XML twin does. Events stored before keep the rules they were hashed with.
 */
export class EventHashRules31765830000000 implements MigrationInterface {
  name = 'EventHashRules31765830000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE event DROP CONSTRAINT event_hash_rules_check`);
    await q.query(`ALTER TABLE event ADD CONSTRAINT event_hash_rules_check CHECK (hash_rules IN (1, 2, 3))`);
    await q.query(`ALTER TABLE event ALTER COLUMN hash_rules SET DEFAULT 3`);
  }

  /** Refused while events hashed with rules 3 exist: their anchored hashes need those rules to be recomputed. */
  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE event ALTER COLUMN hash_rules SET DEFAULT 2`);
    await q.query(`ALTER TABLE event DROP CONSTRAINT event_hash_rules_check`);
    await q.query(`ALTER TABLE event ADD CONSTRAINT event_hash_rules_check CHECK (hash_rules IN (1, 2))`);
  }
}
