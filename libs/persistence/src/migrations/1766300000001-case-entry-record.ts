import { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_ROLE } from './1765700000000-least-privilege';

/**
 * Issue 17, the record of a case: each history entry's hash (the chain link over its canonical JSON and the previous
 * entry's hash), the acting organization's EIP-712 signature when it gave one, and the batch that anchors the hash.
 * Case entries are sealed in batches of their own (`anchor_batch.leaf_kind`), anchored by the same worker path as
 * event batches: the event audit, which itemises a batch's leaves against event rows, reads event batches only.
 *
 * Entries made before this migration keep a null hash (the chain of such a case starts at its first hashed entry);
 * issue 17 is unreleased, so no deployment holds any.
 */
export class CaseEntryRecord1766300000001 implements MigrationInterface {
  name = 'CaseEntryRecord1766300000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE anchor_batch ADD COLUMN leaf_kind text NOT NULL DEFAULT 'EVENT' CHECK (leaf_kind IN ('EVENT', 'CASE_ENTRY'))`,
    );
    await q.query(`
      ALTER TABLE exception_case_entry
        ADD COLUMN hash bytea UNIQUE CHECK (octet_length(hash) = 32),
        ADD COLUMN previous_hash bytea CHECK (octet_length(previous_hash) = 32),
        ADD COLUMN signer text,
        ADD COLUMN signature bytea CHECK (octet_length(signature) = 65),
        ADD COLUMN batch_id bigint REFERENCES anchor_batch(id),
        ADD COLUMN leaf_index integer,
        ADD COLUMN recorded_at timestamptz NOT NULL DEFAULT now(),
        ADD CHECK ((signer IS NULL) = (signature IS NULL)),
        ADD CHECK (signature IS NULL OR hash IS NOT NULL),
        ADD CHECK ((batch_id IS NULL) = (leaf_index IS NULL)),
        ADD CHECK (batch_id IS NULL OR hash IS NOT NULL)`);
    // One successor per entry: a second change decided on the same head (a lost race) cannot fork the chain.
    await q.query(
      `CREATE UNIQUE INDEX exception_case_entry_chain_idx ON exception_case_entry (case_id, previous_hash) NULLS NOT DISTINCT WHERE hash IS NOT NULL`,
    );
    // What sealing reads: hashed entries not yet in a batch, oldest first. `recorded_at` is the server's time of the
    // insert (`at` may be a signing client's, up to 5 minutes ahead), so the batch wait is the server's to measure.
    await q.query(
      `CREATE INDEX exception_case_entry_unbatched_idx ON exception_case_entry (id) WHERE batch_id IS NULL AND hash IS NOT NULL`,
    );
    await q.query(`GRANT UPDATE (batch_id, leaf_index) ON exception_case_entry TO ${APP_ROLE}`);
    // As for events: sealing sets the batch once; nothing else of an entry changes, even for the owner.
    await q.query(`
      CREATE FUNCTION refuse_case_entry_edit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP <> 'UPDATE'
           OR (to_jsonb(NEW) - '{batch_id,leaf_index}'::text[]) IS DISTINCT FROM (to_jsonb(OLD) - '{batch_id,leaf_index}'::text[])
           OR (OLD.batch_id IS NOT NULL AND NEW.batch_id IS DISTINCT FROM OLD.batch_id)
           OR (OLD.leaf_index IS NOT NULL AND NEW.leaf_index IS DISTINCT FROM OLD.leaf_index) THEN
          RAISE EXCEPTION '% on exception_case_entry: only batch_id, leaf_index may be set, once', TG_OP USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(
      `CREATE TRIGGER exception_case_entry_set_once BEFORE UPDATE OR DELETE ON exception_case_entry FOR EACH ROW EXECUTE FUNCTION refuse_case_entry_edit()`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER exception_case_entry_set_once ON exception_case_entry`);
    await q.query(`DROP FUNCTION refuse_case_entry_edit()`);
    await q.query(`DROP INDEX exception_case_entry_unbatched_idx`);
    await q.query(`DROP INDEX exception_case_entry_chain_idx`);
    await q.query(
      `ALTER TABLE exception_case_entry DROP COLUMN recorded_at, DROP COLUMN leaf_index, DROP COLUMN batch_id, DROP COLUMN signature, DROP COLUMN signer,
         DROP COLUMN previous_hash, DROP COLUMN hash`,
    );
    await q.query(`ALTER TABLE anchor_batch DROP COLUMN leaf_kind`);
  }
}
