import { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_ROLE } from './1765700000000-least-privilege';

/**
 * Issue 14: error declarations as corrections. An event declared in error hashes as the event it corrects (the CBV
 * hash leaves errorDeclaration out), so it cannot be a second event row: it is kept here, linked to the stored event,
 * with its corrective event ids and the body as sent. The corrected event's row, and so its anchored leaf, never
 * change. Append-only like the events themselves.
 */
export class EventCorrections1765810000000 implements MigrationInterface {
  name = 'EventCorrections1765810000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE event_correction (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        event_id bigint NOT NULL REFERENCES event(id),
        declared_by uuid NOT NULL REFERENCES organization(id),
        declaration_time timestamptz NOT NULL,
        reason text,
        corrective_event_ids text[] NOT NULL DEFAULT '{}',
        body jsonb NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (event_id, declaration_time)
      )`);
    await q.query(`REVOKE ALL ON event_correction FROM ${APP_ROLE}`);
    await q.query(`GRANT SELECT, INSERT ON event_correction TO ${APP_ROLE}`);
    await q.query(
      `CREATE TRIGGER event_correction_append_only BEFORE UPDATE OR DELETE ON event_correction FOR EACH ROW EXECUTE FUNCTION refuse_append_only_change()`,
    );
    await q.query(
      `CREATE TRIGGER event_correction_no_truncate BEFORE TRUNCATE ON event_correction FOR EACH STATEMENT EXECUTE FUNCTION refuse_append_only_change()`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE event_correction`);
  }
}
