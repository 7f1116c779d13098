import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Several named API keys per organization (issue 13), each with its own expiry, rotation and revocation. Every
 * organization's one key moves here as its "default" key, so keys handed out before keep working.
 */
export class ApiKeys1765641300000 implements MigrationInterface {
  name = 'ApiKeys1765641300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE api_key (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organization(id),
        name text NOT NULL,
        hash bytea NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz,
        expires_at timestamptz,
        revoked_at timestamptz,
        revoked_by text CHECK (revoked_by IN ('ORGANIZATION', 'OPERATOR')),
        replaced_by uuid REFERENCES api_key(id),
        CHECK ((revoked_at IS NULL) = (revoked_by IS NULL))
      )`);
    await q.query(`CREATE INDEX api_key_organization_idx ON api_key (organization_id, created_at)`);
    await q.query(
      `INSERT INTO api_key (organization_id, name, hash, created_at) SELECT id, 'default', api_key_hash, created_at FROM organization`,
    );
    await q.query(`ALTER TABLE organization DROP COLUMN api_key_hash`);
  }

  /** Back to one key per organization: its oldest key still in force, or its oldest key at all. */
  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE organization ADD COLUMN api_key_hash bytea UNIQUE`);
    await q.query(`
      UPDATE organization o SET api_key_hash = (
        SELECT k.hash FROM api_key k WHERE k.organization_id = o.id
        ORDER BY (k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now())) DESC, k.created_at LIMIT 1)`);
    await q.query(`ALTER TABLE organization ALTER COLUMN api_key_hash SET NOT NULL`);
    await q.query(`DROP TABLE api_key`);
  }
}
