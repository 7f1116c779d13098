import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Owner-granted read access (issue 12): a manufacturer lets one organization read its packs of a GTIN, or of one lot,
 * for a period. Rows are never deleted: a revocation sets `revoked_at` and `revoked_by`, so both stay on record.
 */
export class ReadGrants1765610000000 implements MigrationInterface {
  name = 'ReadGrants1765610000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE read_grant (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        grantor_id uuid NOT NULL REFERENCES organization(id),
        grantee_id uuid NOT NULL REFERENCES organization(id),
        gtin char(14) NOT NULL,
        lot text,
        valid_from timestamptz NOT NULL,
        valid_until timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz,
        revoked_by uuid REFERENCES organization(id),
        CHECK (grantee_id <> grantor_id),
        CHECK (valid_from < valid_until),
        CHECK ((revoked_at IS NULL) = (revoked_by IS NULL))
      )`);
    // Every read loads the caller's live grants; grantors list theirs newest first.
    await q.query(`CREATE INDEX read_grant_grantee_idx ON read_grant (grantee_id, valid_until) WHERE revoked_at IS NULL`);
    await q.query(`CREATE INDEX read_grant_grantor_idx ON read_grant (grantor_id, created_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE read_grant`);
  }
}
