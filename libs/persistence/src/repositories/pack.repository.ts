import { Injectable } from '@nestjs/common';
import type { ItemState } from '@pharmatrace/domain';
import { DataSource } from 'typeorm';
import { AnchorBatchStatus, EpcRole } from '../entities';
import { STATE_COLUMNS, toItemState } from './pack-state.sql';

export interface TimelineEntry {
  eventId: number;
  eventTime: Date;
  role: EpcRole;
  eventType: string;
  action: string | null;
  parent: string | null;
}

export interface StoredEventView {
  id: number;
  hash: Buffer;
  eventType: string;
  action: string | null;
  bizStep: string | null;
  disposition: string | null;
  eventTime: Date;
  recordTime: Date;
  readPoint: string | null;
  bizLocation: string | null;
  capturedBy: string;
  body: Record<string, unknown>;
  batchId: number | null;
  leafIndex: number | null;
  batch: null | {
    status: AnchorBatchStatus;
    root: Buffer;
    leafCount: number;
    chainId: number | null;
    contractAddress: string | null;
    txHash: string | null;
    blockNumber: number | null;
    checkedOnChain: boolean;
  };
}

@Injectable()
export class PackRepository {
  constructor(private readonly db: DataSource) {}

  /** The item and the chain of containers it sits in now, innermost first, in one query. */
  async stateWithContainers(epc: string): Promise<ItemState[]> {
    const rows = await this.db.query(
      `WITH RECURSIVE chain(epc, depth) AS (
         SELECT epc, 0 FROM pack_state WHERE epc = $1
         UNION ALL
         SELECT p.container_epc, c.depth + 1 FROM chain c JOIN pack_state p ON p.epc = c.epc
         WHERE p.container_epc IS NOT NULL AND c.depth < 16
       )
       SELECT ${STATE_COLUMNS} FROM pack_state s JOIN chain c USING (epc) ORDER BY c.depth`,
      [epc],
    );
    return rows.map(toItemState);
  }

  /** Every event that names the EPC within [from, to), with the parent of aggregation events: one index range scan. */
  async timeline(epc: string, from: Date | null, to: Date | null): Promise<TimelineEntry[]> {
    const rows: { event_id: string; event_time: Date; role: EpcRole; event_type: string; action: string | null; parent: string | null }[] =
      await this.db.query(
        `SELECT ee.event_id, ee.event_time, ee.role, e.event_type, e.action,
                (SELECT p.epc FROM event_epc p WHERE p.event_id = ee.event_id AND p.role = 'parent' LIMIT 1) AS parent
         FROM event_epc ee JOIN event e ON e.id = ee.event_id
         WHERE ee.epc = $1 AND ee.event_time >= coalesce($2::timestamptz, '-infinity') AND ee.event_time < coalesce($3::timestamptz, 'infinity')
         ORDER BY ee.event_time, ee.event_id`,
        [epc, from?.toISOString() ?? null, to?.toISOString() ?? null],
      );
    return rows.map((r) => ({ eventId: Number(r.event_id), eventTime: r.event_time, role: r.role, eventType: r.event_type, action: r.action, parent: r.parent }));
  }

  async events(ids: number[]): Promise<StoredEventView[]> {
    if (!ids.length) return [];
    const rows: Record<string, any>[] = await this.db.query(
      `SELECT e.id, e.event_hash, e.event_type, e.action, e.biz_step, e.disposition, e.event_time, e.record_time, e.read_point,
              e.biz_location, e.captured_by, e.body, e.batch_id, e.leaf_index,
              b.status, b.root, b.leaf_count, b.chain_id, b.contract_address, b.tx_hash, b.block_number, b.checked_on_chain
       FROM event e LEFT JOIN anchor_batch b ON b.id = e.batch_id
       WHERE e.id = ANY($1::bigint[])
       ORDER BY e.event_time, e.id`,
      [ids],
    );
    return rows.map((r) => ({
      id: Number(r.id),
      hash: r.event_hash,
      eventType: r.event_type,
      action: r.action,
      bizStep: r.biz_step,
      disposition: r.disposition,
      eventTime: r.event_time,
      recordTime: r.record_time,
      readPoint: r.read_point,
      bizLocation: r.biz_location,
      capturedBy: r.captured_by,
      body: r.body,
      batchId: r.batch_id === null ? null : Number(r.batch_id),
      leafIndex: r.leaf_index,
      batch:
        r.batch_id === null
          ? null
          : {
              status: r.status,
              root: r.root,
              leafCount: r.leaf_count,
              chainId: r.chain_id === null ? null : Number(r.chain_id),
              contractAddress: r.contract_address,
              txHash: r.tx_hash,
              blockNumber: r.block_number === null ? null : Number(r.block_number),
              checkedOnChain: r.checked_on_chain,
            },
    }));
  }
}
