import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 14 changed two rules of the event hash (standard namespaces folded into the EPCIS context's spelling; text
 * kept as written where reading it as a number loses meaning). An anchored hash never changes, so each event keeps
 * the rules it was hashed with: 1 for the events stored before, 2 for those after. The audit, proof bundles and the
 * verifier recompute with them.
 */
export class EventHashRules1765820000000 implements MigrationInterface {
  name = 'EventHashRules1765820000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE event ADD COLUMN hash_rules smallint NOT NULL DEFAULT 1 CHECK (hash_rules IN (1, 2))`);
    await q.query(`ALTER TABLE event ALTER COLUMN hash_rules SET DEFAULT 2`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE event DROP COLUMN hash_rules`);
  }
}
