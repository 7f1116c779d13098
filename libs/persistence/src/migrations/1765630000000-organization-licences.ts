import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Trading-partner licences (issue 12): what an organization declares, and a regulator's decision on it. Rows are never
 * deleted: a rejection after a verification keeps who decided what, and when, on record.
 */
export class OrganizationLicences1765630000000 implements MigrationInterface {
  name = 'OrganizationLicences1765630000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE organization_licence (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organization(id),
        type text NOT NULL,
        issuing_authority text NOT NULL,
        number text NOT NULL,
        valid_from timestamptz NOT NULL,
        valid_until timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        verified_by uuid REFERENCES organization(id),
        verified_at timestamptz,
        rejected_by uuid REFERENCES organization(id),
        rejected_at timestamptz,
        rejection_reason text,
        CHECK (valid_from < valid_until),
        CHECK ((verified_by IS NULL) = (verified_at IS NULL)),
        CHECK ((rejected_by IS NULL) = (rejected_at IS NULL)),
        CHECK (verified_at IS NULL OR rejected_at IS NULL),
        UNIQUE (organization_id, type, issuing_authority, number)
      )`);
    // Captures check the counterparties' licences on every shipment and receipt.
    await q.query(`CREATE INDEX organization_licence_holder_idx ON organization_licence (organization_id, valid_until)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE organization_licence`);
  }
}
