import { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_ROLE } from './1765700000000-least-privilege';

/**
 * Issue 16, master data: the vocabulary elements EPCIS documents carry in their header (products by GTIN, locations
 * and their hierarchy), one row per element each time an organization captures it. Append-only: a later capture of
 * the same element by the same organization is a new version and the latest one is read (an identical one is not
 * stored again). `spellings` holds every way the id may be written (itself, its Digital Link, its URNs) and
 * `child_spellings` those of its children, so events match whichever spelling they use; `gtin` is the GTIN-14 of a
 * product-class element (urn:epc:idpat:sgtin:…, /01/<gtin>), which verify reads.
 */
export class MasterData1765870000000 implements MigrationInterface {
  name = 'MasterData1765870000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE master_data (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        vocabulary_type text NOT NULL,
        element_id text NOT NULL,
        spellings text[] NOT NULL,
        gtin text,
        attributes jsonb NOT NULL CHECK (jsonb_typeof(attributes) = 'array'),
        children text[] NOT NULL DEFAULT '{}',
        child_spellings text[] NOT NULL DEFAULT '{}',
        captured_by uuid NOT NULL REFERENCES organization(id),
        captured_at timestamptz NOT NULL
      )`);
    // The latest version of an element by an organization; every reader goes through it.
    await q.query(`CREATE INDEX master_data_element_idx ON master_data (vocabulary_type, element_id, captured_by, id DESC)`);
    // Events and masterData(ids) find elements by any spelling of their id (spellings @> ARRAY[…], spellings && …).
    await q.query(`CREATE INDEX master_data_spellings_idx ON master_data USING gin (spellings)`);
    await q.query(`CREATE INDEX master_data_gtin_idx ON master_data (gtin, captured_by, id DESC) WHERE gtin IS NOT NULL`);
    await q.query(`CREATE INDEX master_data_captured_by_idx ON master_data (captured_by)`);
    await q.query(`REVOKE ALL ON master_data FROM ${APP_ROLE}`);
    await q.query(`GRANT SELECT, INSERT ON master_data TO ${APP_ROLE}`);
    await q.query(
      `CREATE TRIGGER master_data_append_only BEFORE UPDATE OR DELETE ON master_data FOR EACH ROW EXECUTE FUNCTION refuse_append_only_change()`,
    );
    await q.query(
      `CREATE TRIGGER master_data_no_truncate BEFORE TRUNCATE ON master_data FOR EACH STATEMENT EXECUTE FUNCTION refuse_append_only_change()`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE master_data`);
  }
}
