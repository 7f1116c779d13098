import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Signed captures (issue 6). One EIP-712 signature covers all events of a document, so it is stored once with the
 * exact message signed (the organization's GLN and the document's event digests, in document order) and the events
 * point to it: a proof bundle can then rebuild the typed data and a verifier recover the signer without us.
 */
export class CaptureSignatures1765400000000 implements MigrationInterface {
  name = 'CaptureSignatures1765400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE organization
        ADD COLUMN eth_address text CHECK (eth_address ~ '^0x[0-9a-fA-F]{40}$'),
        ADD COLUMN require_signed_captures boolean NOT NULL DEFAULT false,
        ADD CHECK (NOT require_signed_captures OR eth_address IS NOT NULL)`);
    await q.query(`
      CREATE TABLE capture_signature (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        organization_id uuid NOT NULL REFERENCES organization(id),
        organization_gln char(13) NOT NULL,
        signer text NOT NULL CHECK (signer ~ '^0x[0-9a-fA-F]{40}$'),
        signature bytea NOT NULL CHECK (length(signature) = 65),
        typed_data_version text NOT NULL,
        event_hashes bytea[] NOT NULL CHECK (cardinality(event_hashes) > 0),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`ALTER TABLE event ADD COLUMN signature_id bigint REFERENCES capture_signature(id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE event DROP COLUMN signature_id`);
    await q.query(`DROP TABLE capture_signature`);
    await q.query(`ALTER TABLE organization DROP COLUMN require_signed_captures, DROP COLUMN eth_address`);
  }
}
