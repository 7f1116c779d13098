import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Anchoring state per (batch, chain), so a batch can be anchored to several chains; anchor_batch keeps the
 * aggregate (FINAL only when final everywhere) and the primary chain's anchor. Existing single-chain anchors
 * move here as they are; batches not yet mined get their rows from the worker on its next tick.
 */
export class BatchAnchors1765100000000 implements MigrationInterface {
  name = 'BatchAnchors1765100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE batch_anchor (
        batch_id bigint NOT NULL REFERENCES anchor_batch(id),
        chain_id bigint NOT NULL,
        contract_address text NOT NULL,
        status text NOT NULL CHECK (status IN ('SEALED','SUBMITTED','MINED','FINAL','REANCHORED')),
        tx_hash text,
        block_number bigint,
        block_hash text,
        checked_on_chain boolean NOT NULL DEFAULT false,
        reanchor_count integer NOT NULL DEFAULT 0,
        submitted_at timestamptz,
        mined_at timestamptz,
        final_at timestamptz,
        PRIMARY KEY (batch_id, chain_id),
        CHECK (status NOT IN ('MINED','FINAL') OR (tx_hash IS NOT NULL AND block_number IS NOT NULL AND block_hash IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX batch_anchor_open_idx ON batch_anchor (chain_id, batch_id) WHERE status <> 'FINAL'`);
    await q.query(`
      INSERT INTO batch_anchor (batch_id, chain_id, contract_address, status, tx_hash, block_number, block_hash,
                                checked_on_chain, submitted_at, mined_at, final_at)
      SELECT id, chain_id, contract_address, status, tx_hash, block_number, block_hash, checked_on_chain, submitted_at, mined_at, final_at
      FROM anchor_batch WHERE chain_id IS NOT NULL AND contract_address IS NOT NULL AND status IN ('MINED','FINAL')`);
    // Stuck-transaction replacement measures from the broadcast, not from signing: a transaction signed before
    // a crash and rebroadcast later has had no chance to be mined yet.
    await q.query(`ALTER TABLE anchor_attempt ADD COLUMN broadcast_at timestamptz`);
    await q.query(`UPDATE anchor_attempt SET broadcast_at = created_at WHERE status <> 'SIGNED'`);
    await q.query(
      `CREATE INDEX anchor_attempt_live_idx ON anchor_attempt (chain_id, lower(from_address)) WHERE status IN ('SIGNED','BROADCAST')`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX anchor_attempt_live_idx`);
    await q.query(`ALTER TABLE anchor_attempt DROP COLUMN broadcast_at`);
    await q.query(`DROP TABLE batch_anchor`);
  }
}
