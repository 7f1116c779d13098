import { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_ROLE } from './1765700000000-least-privilege';

/**
 * Issue 18: registering an organization read every registered company prefix under the registry's advisory lock, to
 * refuse one that overlaps (one begins the other): linear in the registry for each registration, and registrations
 * wait for each other, so onboarding a national registry of tens of thousands was quadratic.
 *
 * `organization_company_prefix` holds each organization's prefixes one a row (with their place in its list), in byte
 * order (COLLATE "C"), so both ways a request can overlap are index reads: the registered prefixes that begin a
 * requested one are among its leading parts (equality), those a requested one begins lie in the range [P, P || ':')
 * (':' follows '9'). company_prefixes' GIN index answers the first but not the second, and a trigram index on the
 * list as text, tried first, read 11,000 of 20,000 organizations for one 7-digit request: digit trigrams repeat.
 *
 * Kept by a row trigger on `organization` (insert, and any change of company_prefixes), enabled ALWAYS so that a
 * load with session_replication_role = replica (the tests' and benches' bulk registries) keeps it too. Filled from the
 * organizations already registered.
 */
export class CompanyPrefixOverlap1767600000000 implements MigrationInterface {
  name = 'CompanyPrefixOverlap1767600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE organization_company_prefix (
        prefix text COLLATE "C" NOT NULL,
        organization_id uuid NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
        position int NOT NULL,
        PRIMARY KEY (prefix, organization_id)
      )`);
    await q.query(`
      CREATE FUNCTION organization_company_prefixes_record() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' THEN
          DELETE FROM organization_company_prefix WHERE organization_id = NEW.id;
        END IF;
        INSERT INTO organization_company_prefix (prefix, organization_id, position)
        SELECT DISTINCT ON (p) p, NEW.id, n FROM unnest(NEW.company_prefixes) WITH ORDINALITY AS u(p, n) ORDER BY p, n;
        RETURN NULL;
      END $$`);
    await q.query(
      `CREATE TRIGGER organization_company_prefixes AFTER INSERT OR UPDATE OF company_prefixes ON organization
       FOR EACH ROW EXECUTE FUNCTION organization_company_prefixes_record()`,
    );
    await q.query(`ALTER TABLE organization ENABLE ALWAYS TRIGGER organization_company_prefixes`);
    await q.query(`
      INSERT INTO organization_company_prefix (prefix, organization_id, position)
      SELECT DISTINCT ON (u.p, o.id) u.p, o.id, u.n FROM organization o CROSS JOIN LATERAL unnest(o.company_prefixes) WITH ORDINALITY AS u(p, n)
      ORDER BY u.p, o.id, u.n`);
    await q.query(`ANALYZE organization_company_prefix`);
    await q.query(`REVOKE ALL ON organization_company_prefix FROM ${APP_ROLE}`);
    await q.query(`GRANT SELECT, INSERT, DELETE ON organization_company_prefix TO ${APP_ROLE}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER organization_company_prefixes ON organization`);
    await q.query(`DROP FUNCTION organization_company_prefixes_record()`);
    await q.query(`DROP TABLE organization_company_prefix`);
  }
}
