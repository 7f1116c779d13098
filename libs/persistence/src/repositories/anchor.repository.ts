import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AnchorAttemptEntity, AnchorAttemptStatus, AnchorBatchEntity } from '../entities';

export interface BuiltTree {
  root: Uint8Array;
  nodes: Uint8Array;
  treeIndexOf: Uint32Array;
}

export interface SealPolicy {
  maxEvents: number;
  maxWaitMs: number;
}

export interface NewAttempt {
  batchId: number;
  chainId: number;
  fromAddress: string;
  nonce: number;
  txHash: string;
  rawTx: string;
  maxFeePerGas: bigint | null;
  maxPriorityFeePerGas: bigint | null;
}

export interface MinedAnchor {
  chainId: number;
  contractAddress: string;
  txHash: string;
  blockNumber: number;
  blockHash: string;
}

/** Any lock key would do; this one spells "pharma" so it is recognisable in pg_locks. */
const ANCHORER_LOCK_KEY = 0x706861726d61;

@Injectable()
export class AnchorRepository {
  constructor(private readonly db: DataSource) {}

  /**
   * Seals the oldest unbatched events into a batch when there are enough of them or the oldest has waited long
   * enough. Events get their batch and leaf index, and the batch its root and node array, in one transaction.
   */
  sealNextBatch(policy: SealPolicy, build: (digests: Buffer[]) => Promise<BuiltTree>): Promise<AnchorBatchEntity | null> {
    return this.db.transaction(async (tx) => {
      const rows: { id: string; event_hash: Buffer; due: boolean }[] = await tx.query(
        `SELECT id, event_hash, record_time <= now() - make_interval(secs => $2::double precision / 1000) AS due
         FROM event WHERE batch_id IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [policy.maxEvents, policy.maxWaitMs],
      );
      if (!rows.length) return null;
      if (rows.length < policy.maxEvents && !rows.some((r) => r.due)) return null;
      const tree = await build(rows.map((r) => r.event_hash));
      const [batch]: { id: string }[] = await tx.query(
        `INSERT INTO anchor_batch (status, root, leaf_count, nodes) VALUES ('SEALED', $1, $2, $3) RETURNING id`,
        [Buffer.from(tree.root), rows.length, Buffer.from(tree.nodes.buffer, tree.nodes.byteOffset, tree.nodes.byteLength)],
      );
      await tx.query(
        `UPDATE event e SET batch_id = $1, leaf_index = u.leaf FROM unnest($2::bigint[], $3::int[]) AS u(id, leaf) WHERE e.id = u.id`,
        [batch.id, rows.map((r) => r.id), Array.from(tree.treeIndexOf)],
      );
      return tx.getRepository(AnchorBatchEntity).findOneByOrFail({ id: Number(batch.id) });
    });
  }

  /** Runs `fn` only if no other process holds the anchorer lease; the lease dies with the connection. */
  async withAnchorerLease<T>(fn: () => Promise<T>): Promise<{ acquired: false } | { acquired: true; result: T }> {
    const runner = this.db.createQueryRunner();
    await runner.connect();
    try {
      const [{ locked }] = await runner.query(`SELECT pg_try_advisory_lock($1) AS locked`, [ANCHORER_LOCK_KEY]);
      if (!locked) return { acquired: false };
      try {
        return { acquired: true, result: await fn() };
      } finally {
        await runner.query(`SELECT pg_advisory_unlock($1)`, [ANCHORER_LOCK_KEY]);
      }
    } finally {
      await runner.release();
    }
  }

  openBatches(): Promise<AnchorBatchEntity[]> {
    return this.db
      .getRepository(AnchorBatchEntity)
      .createQueryBuilder('b')
      .where(`b.status <> 'FINAL'`)
      .orderBy('b.id')
      .getMany();
  }

  findBatch(id: number): Promise<AnchorBatchEntity | null> {
    return this.db.getRepository(AnchorBatchEntity).findOneBy({ id });
  }

  attemptsOf(batchId: number): Promise<AnchorAttemptEntity[]> {
    return this.db.getRepository(AnchorAttemptEntity).find({ where: { batchId }, order: { id: 'ASC' } });
  }

  /** Highest nonce this platform has signed from an address, so a restart never reuses one still pending. */
  async highestNonce(chainId: number, fromAddress: string): Promise<number | null> {
    const [row]: { max: string | null }[] = await this.db.query(
      `SELECT max(nonce) AS max FROM anchor_attempt WHERE chain_id = $1 AND lower(from_address) = lower($2)`,
      [chainId, fromAddress],
    );
    return row.max === null ? null : Number(row.max);
  }

  /** Stored before broadcast: a crash after this point leaves the exact signed transaction to rebroadcast. */
  async recordAttempt(attempt: NewAttempt): Promise<number> {
    return this.db.transaction(async (tx) => {
      const [row]: { id: string }[] = await tx.query(
        `INSERT INTO anchor_attempt (batch_id, chain_id, from_address, nonce, tx_hash, raw_tx, max_fee_per_gas, max_priority_fee_per_gas)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
        [
          attempt.batchId,
          attempt.chainId,
          attempt.fromAddress,
          attempt.nonce,
          attempt.txHash,
          attempt.rawTx,
          attempt.maxFeePerGas?.toString() ?? null,
          attempt.maxPriorityFeePerGas?.toString() ?? null,
        ],
      );
      await tx.query(
        `UPDATE anchor_batch SET status = 'SUBMITTED', submitted_at = coalesce(submitted_at, now())
         WHERE id = $1 AND status IN ('SEALED', 'REANCHORED')`,
        [attempt.batchId],
      );
      return Number(row.id);
    });
  }

  async setAttemptStatus(id: number, status: AnchorAttemptStatus): Promise<void> {
    await this.db.getRepository(AnchorAttemptEntity).update({ id }, { status });
  }

  async markMined(batchId: number, anchor: MinedAnchor): Promise<void> {
    await this.db.query(
      `UPDATE anchor_batch SET status = 'MINED', chain_id = $2, contract_address = $3, tx_hash = $4, block_number = $5,
              block_hash = $6, mined_at = now()
       WHERE id = $1 AND status IN ('SEALED', 'SUBMITTED', 'REANCHORED', 'MINED')`,
      [batchId, anchor.chainId, anchor.contractAddress, anchor.txHash, anchor.blockNumber, anchor.blockHash],
    );
  }

  async markFinal(batchId: number): Promise<void> {
    await this.db.query(
      `UPDATE anchor_batch SET status = 'FINAL', checked_on_chain = true, final_at = now() WHERE id = $1 AND status = 'MINED'`,
      [batchId],
    );
  }

  /** A reorganisation dropped the mined transaction: back to the start of the anchoring path, history kept. */
  async markReanchoring(batchId: number): Promise<void> {
    await this.db.query(
      `UPDATE anchor_batch SET status = 'REANCHORED', tx_hash = NULL, block_number = NULL, block_hash = NULL,
              checked_on_chain = false, mined_at = NULL
       WHERE id = $1 AND status IN ('MINED', 'FINAL')`,
      [batchId],
    );
  }

  /** Reads the 32-byte nodes at the given tree indexes of many batches in one query, for Merkle proofs. */
  async nodeSlices(requests: { batchId: number; index: number }[]): Promise<Map<string, Buffer>> {
    if (!requests.length) return new Map();
    const rows: { batch_id: string; idx: number; node: Buffer }[] = await this.db.query(
      `SELECT u.bid AS batch_id, u.idx, substring(b.nodes FROM u.idx * 32 + 1 FOR 32) AS node
       FROM unnest($1::bigint[], $2::int[]) AS u(bid, idx) JOIN anchor_batch b ON b.id = u.bid`,
      [requests.map((r) => r.batchId), requests.map((r) => r.index)],
    );
    return new Map(rows.map((r) => [`${r.batch_id}:${r.idx}`, r.node]));
  }

  async unbatchedCount(): Promise<number> {
    const [row]: { n: string }[] = await this.db.query(`SELECT count(*) AS n FROM event WHERE batch_id IS NULL`);
    return Number(row.n);
  }

  /** For tests and audits: how many times each event appears across batches (must be exactly once). */
  async batchLeaves(batchId: number, tx?: EntityManager): Promise<{ eventId: number; hash: Buffer; leafIndex: number }[]> {
    const rows: { id: string; event_hash: Buffer; leaf_index: number }[] = await (tx ?? this.db).query(
      `SELECT id, event_hash, leaf_index FROM event WHERE batch_id = $1 ORDER BY id`,
      [batchId],
    );
    return rows.map((r) => ({ eventId: Number(r.id), hash: r.event_hash, leafIndex: r.leaf_index }));
  }
}
