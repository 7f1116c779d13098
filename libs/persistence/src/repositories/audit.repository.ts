import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { insertAlerts } from './alert.repository';
import { queryRows, type Updated } from './sql-query';

export interface AuditBatchRow {
  id: number;
  status: string;
  root: Buffer;
  leafCount: number;
  nodes: Buffer;
}

export interface AuditEventRow {
  id: number;
  eventHash: Buffer;
  leafIndex: number | null;
  body: unknown;
  /** Extension fields its capture left out of the hash. */
  ignoreFields: string[];
  /** The hash rules it was hashed with. */
  hashRules: 1 | 2 | 3;
}

export interface AuditRun {
  id: number;
  lastBatchId: number | null;
  batchesAudited: number;
  eventsAudited: number;
  tamperedBatches: number;
  findings: number;
  elapsedMs: number;
}

export interface AuditProgress {
  lastBatchId: number;
  events: number;
  tampered: boolean;
  findings: number;
  elapsedMs: number;
}

const TAMPER_CODE = 'TAMPER_DETECTED';
/** Recorded when a batch marked tampered audits clean again, so the alert log says why the mark went away. */
const TAMPER_CLEARED_CODE = 'TAMPER_CLEARED';

export interface AnchoredRegistry {
  chainId: number;
  contractAddress: string;
}

export interface AnchorSampleRow {
  batchId: number;
  txHash: string;
  blockHash: string;
  final: boolean;
}

// Rows as node-postgres answers them: bigint columns are strings, turned into numbers where they are read.

interface BatchTableRow {
  id: string;
  status: string;
  root: Buffer;
  leaf_count: number;
  nodes: Buffer;
}

interface BatchEventRow {
  id: string;
  event_hash: Buffer;
  leaf_index: number | null;
  body: unknown;
  ignore_fields: string[];
  /** smallint, held to 1-3 by event_hash_rules_check. */
  hash_rules: 1 | 2 | 3;
}

interface RemainingBatchRow {
  id: string;
  leaf_count: number;
}

interface AnchoredRegistryRow {
  chain_id: string;
  contract_address: string;
}

interface AnchorSampleTableRow {
  batch_id: string;
  /** Nullable columns, never null for MINED and FINAL anchors (batch_anchor_check). */
  tx_hash: string;
  block_hash: string;
  status: string;
}

interface RaisedFindingRow {
  /** Ordinality (bigint) cast to int: a number. */
  n: number;
}

interface ClearedMarkRow {
  /** Never null: the UPDATE only matches a batch whose mark was set. */
  audit_failed_at: Date;
}

/** audit_run, every column (`SELECT *`, `RETURNING *`). */
interface AuditRunRow {
  id: string;
  started_at: Date;
  finished_at: Date | null;
  last_batch_id: string | null;
  batches_audited: number;
  events_audited: string;
  tampered_batches: number;
  findings: number;
  elapsed_ms: string;
}

/** What an audit reads of a batch, the tamper alerts it records and the progress of resumable runs. */
@Injectable()
export class AuditRepository {
  constructor(private readonly db: DataSource) {}

  /**
   * The batch row and its event rows as they are now, live or archived; null if there is no such event batch (case
   * entries are checked by their hash chain).
   */
  async batch(batchId: number): Promise<{ batch: AuditBatchRow; events: AuditEventRow[] } | null> {
    const [row] = await queryRows<BatchTableRow>(
      this.db,
      `SELECT id, status, root, leaf_count, nodes FROM anchor_batch WHERE id = $1 AND leaf_kind = 'EVENT'`,
      [batchId],
    );
    if (!row) return null;
    // A batch's events may sit in months since archived (event_partitions_archive): the audit reads those too.
    const events = await queryRows<BatchEventRow>(
      this.db,
      `SELECT id, event_hash, leaf_index, body, ignore_fields, hash_rules FROM event WHERE batch_id = $1
       UNION ALL
       SELECT id, event_hash, leaf_index, body, ignore_fields, hash_rules FROM archive.event WHERE batch_id = $1
       ORDER BY id`,
      [batchId],
    );
    return {
      batch: { id: Number(row.id), status: row.status, root: row.root, leafCount: row.leaf_count, nodes: row.nodes },
      events: events.map((e) => ({
        id: Number(e.id),
        eventHash: e.event_hash,
        leafIndex: e.leaf_index,
        body: e.body,
        ignoreFields: e.ignore_fields,
        hashRules: e.hash_rules,
      })),
    };
  }

  /** Mined batches after `afterId` in id order: what an audit run still has to do, and how many events that is. */
  async remaining(afterId: number | null): Promise<{ ids: number[]; events: number }> {
    const rows = await queryRows<RemainingBatchRow>(
      this.db,
      `SELECT id, leaf_count FROM anchor_batch WHERE status IN ('MINED', 'FINAL') AND leaf_kind = 'EVENT' AND id > $1 ORDER BY id`,
      [afterId ?? 0],
    );
    return { ids: rows.map((r) => Number(r.id)), events: rows.reduce((n, r) => n + r.leaf_count, 0) };
  }

  /** Every (chain, registry) holding MINED or FINAL anchors: where an audit must read the chain. */
  async anchoredRegistries(): Promise<AnchoredRegistry[]> {
    const rows = await queryRows<AnchoredRegistryRow>(
      this.db,
      `SELECT DISTINCT chain_id, lower(contract_address) AS contract_address FROM batch_anchor WHERE status IN ('MINED', 'FINAL') ORDER BY chain_id`,
    );
    return rows.map((r) => ({ chainId: Number(r.chain_id), contractAddress: r.contract_address }));
  }

  /** The newest anchor on this chain and registry, FINAL first: its transaction must be on the chain an audit reads. */
  async anchorSample(chainId: number, contractAddress: string): Promise<AnchorSampleRow | undefined> {
    const [row] = await queryRows<AnchorSampleTableRow>(
      this.db,
      `SELECT batch_id, tx_hash, block_hash, status FROM batch_anchor
       WHERE chain_id = $1 AND lower(contract_address) = lower($2) AND status IN ('MINED', 'FINAL')
       ORDER BY status = 'FINAL' DESC, batch_id DESC LIMIT 1`,
      [chainId, contractAddress],
    );
    return row
      ? { batchId: Number(row.batch_id), txHash: row.tx_hash, blockHash: row.block_hash, final: row.status === 'FINAL' }
      : undefined;
  }

  /**
   * Records each finding as a TAMPER_DETECTED alert unless an identical one was raised since the batch was last
   * found clean, and marks the batch failed so verdicts on its packs answer ANCHORING_FAILED. Returns how many
   * alerts were new.
   */
  async recordTamper(batchId: number, findings: Record<string, unknown>[]): Promise<number> {
    if (!findings.length) return 0;
    return this.db.transaction(async (tx) => {
      // Two audits of one batch at once would both see "no such alert yet".
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext('audit'), $1::int)`, [batchId % 2 ** 31]);
      const raised = await queryRows<RaisedFindingRow>(
        tx,
        `SELECT u.n::int FROM unnest($3::jsonb[]) WITH ORDINALITY AS u(d, n)
         WHERE EXISTS (
           SELECT 1 FROM alert a WHERE a.code = $1 AND (a.details->>'batchId')::bigint = $2 AND a.details @> u.d
             AND a.created_at >= coalesce((SELECT audit_failed_at FROM anchor_batch WHERE id = $2), 'infinity'))`,
        [TAMPER_CODE, batchId, findings.map((f) => JSON.stringify(f))],
      );
      const already = new Set(raised.map((r) => r.n - 1));
      const inserted = await insertAlerts(
        tx,
        findings.filter((_, i) => !already.has(i)).map((details) => ({ code: TAMPER_CODE, details })),
      );
      await tx.query(`UPDATE anchor_batch SET audit_failed_at = coalesce(audit_failed_at, now()) WHERE id = $1`, [batchId]);
      return inserted.length;
    });
  }

  /**
   * Lifts the mark an earlier audit set on a batch that now audits clean (findings of an audit against the wrong
   * chain, or rows restored), with a TAMPER_CLEARED alert; the TAMPER_DETECTED alerts stay as history.
   * Returns whether there was a mark to lift.
   */
  async clearTamper(batchId: number): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext('audit'), $1::int)`, [batchId % 2 ** 31]);
      // TypeORM answers an UPDATE … RETURNING on Postgres with [rows, affected count].
      const [cleared] = await tx.query<Updated<ClearedMarkRow>>(
        `UPDATE anchor_batch b SET audit_failed_at = NULL FROM anchor_batch old
         WHERE b.id = $1 AND old.id = b.id AND old.audit_failed_at IS NOT NULL RETURNING old.audit_failed_at`,
        [batchId],
      );
      if (!cleared.length) return false;
      await insertAlerts(tx, [{ code: TAMPER_CLEARED_CODE, details: { batchId, markedAt: cleared[0].audit_failed_at } }]);
      return true;
    });
  }

  /** The unfinished run to resume, or a new one; `restart` closes any unfinished run first. */
  async openRun(restart: boolean): Promise<{ run: AuditRun; resumed: boolean }> {
    return this.db.transaction(async (tx) => {
      if (restart) await tx.query(`UPDATE audit_run SET finished_at = now() WHERE finished_at IS NULL`);
      const [open] = await queryRows<AuditRunRow>(tx, `SELECT * FROM audit_run WHERE finished_at IS NULL`);
      if (open) return { run: toRun(open), resumed: true };
      const [created] = await queryRows<AuditRunRow>(tx, `INSERT INTO audit_run DEFAULT VALUES RETURNING *`);
      return { run: toRun(created), resumed: false };
    });
  }

  async saveProgress(runId: number, p: AuditProgress): Promise<void> {
    await this.db.query(
      `UPDATE audit_run SET last_batch_id = $2, batches_audited = batches_audited + 1, events_audited = events_audited + $3,
              tampered_batches = tampered_batches + $4, findings = findings + $5, elapsed_ms = elapsed_ms + $6
       WHERE id = $1`,
      [runId, p.lastBatchId, p.events, p.tampered ? 1 : 0, p.findings, Math.round(p.elapsedMs)],
    );
  }

  async finishRun(runId: number): Promise<AuditRun> {
    const [[row]] = await this.db.query<Updated<AuditRunRow>>(`UPDATE audit_run SET finished_at = now() WHERE id = $1 RETURNING *`, [
      runId,
    ]);
    return toRun(row);
  }
}

function toRun(row: AuditRunRow): AuditRun {
  return {
    id: Number(row.id),
    lastBatchId: row.last_batch_id === null ? null : Number(row.last_batch_id),
    batchesAudited: row.batches_audited,
    eventsAudited: Number(row.events_audited),
    tamperedBatches: row.tampered_batches,
    findings: row.findings,
    elapsedMs: Number(row.elapsed_ms),
  };
}
