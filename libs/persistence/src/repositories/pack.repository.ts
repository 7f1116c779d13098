import { Injectable, Optional } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AnchorBatchStatus, EpcRole } from '../entities';
import { CORRECTIONS_COLUMN, type EventCorrectionView } from './event-query.repository';
import { readerOf, ReadRouting } from '../replication/read-routing';
import { epcSpanJoin } from './pack-state.sql';
import { queryRows } from './sql-query';

export interface HistoryEntry {
  event: StoredEventView;
  /** The EPC through which the event reaches the pack: the pack itself, or the container holding it then. */
  via: string;
  role: EpcRole;
  parent: string | null;
}

const EVENT_COLUMNS = `e.id, e.event_hash, e.event_type, e.action, e.biz_step, e.disposition, e.event_time, e.record_time,
  e.read_point, e.biz_location, e.captured_by, e.body, e.ignore_fields, e.hash_rules, e.batch_id, e.leaf_index, b.status, b.root, b.leaf_count,
  b.chain_id, b.contract_address, b.tx_hash, b.block_number, b.checked_on_chain, ${CORRECTIONS_COLUMN}`;

/**
 * A pack's events and those of every container it sat in, each only while it sat there. Every EPC is read within its
 * record-time span (lo, hi), and every index row joins its event and its sibling rows on their record time: each
 * probe reaches the months the EPC lived in, and one month for a given event (issue 18's partitions). The span is
 * repeated on every table joined to the EPC's rows, so whichever table the plan starts from is bounded by it (Postgres
 * does not carry a range through an equality).
 */
export const HISTORY_SQL = `WITH RECURSIVE span(epc, t_from, t_to, depth, lo, hi) AS (
   SELECT $1::text, '-infinity'::timestamptz, 'infinity'::timestamptz, 0, r.lo, r.hi FROM (SELECT 1) one ${epcSpanJoin('$1::text', 'r')}
   UNION ALL
   SELECT a.parent, a.t_add, a.t_end, s.depth + 1, r.lo, r.hi
   FROM span s
   CROSS JOIN LATERAL (
     SELECT p.epc AS parent, c.event_time AS t_add,
            coalesce((
              SELECT min(d.event_time) + interval '1 millisecond'
              FROM event_epc d
              JOIN event de ON de.id = d.event_id AND de.record_time = d.record_time AND de.record_time BETWEEN s.lo AND s.hi
                           AND de.event_type = 'AggregationEvent' AND de.action = 'DELETE'
              JOIN event_epc dp ON dp.event_id = d.event_id AND dp.record_time = d.record_time AND dp.record_time BETWEEN s.lo AND s.hi
                                AND dp.role = 'parent' AND dp.epc = p.epc
              WHERE d.epc = s.epc AND d.record_time BETWEEN s.lo AND s.hi AND d.role = 'child'
                AND d.event_time >= c.event_time AND d.event_time < s.t_to
            ), s.t_to) AS t_end
     FROM event_epc c
     JOIN event ce ON ce.id = c.event_id AND ce.record_time = c.record_time AND ce.record_time BETWEEN s.lo AND s.hi
                  AND ce.event_type = 'AggregationEvent' AND ce.action = 'ADD'
     JOIN event_epc p ON p.event_id = c.event_id AND p.record_time = c.record_time AND p.record_time BETWEEN s.lo AND s.hi AND p.role = 'parent'
     WHERE c.epc = s.epc AND c.record_time BETWEEN s.lo AND s.hi AND c.role = 'child' AND c.event_time >= s.t_from AND c.event_time < s.t_to
   ) a
   ${epcSpanJoin('a.parent', 'r')}
   WHERE s.depth < 8
 ),
 idx AS (
   SELECT DISTINCT ON (ee.event_id) ee.event_id, ee.record_time, ee.epc AS via, ee.role
   FROM span s JOIN event_epc ee ON ee.epc = s.epc AND ee.record_time BETWEEN s.lo AND s.hi
                                 AND ee.event_time >= s.t_from AND ee.event_time < s.t_to
   ORDER BY ee.event_id, s.depth
 )
 SELECT ${EVENT_COLUMNS}, idx.via, idx.role,
        (SELECT p.epc FROM event_epc p WHERE p.event_id = idx.event_id AND p.record_time = idx.record_time AND p.role = 'parent' LIMIT 1) AS parent
 FROM idx JOIN event e ON e.id = idx.event_id AND e.record_time = idx.record_time LEFT JOIN anchor_batch b ON b.id = e.batch_id
 ORDER BY e.event_time, e.id`;

/** EVENT_COLUMNS of one event, as node-postgres answers them; bigints are strings. */
interface EventColumnsRow {
  id: string;
  event_hash: Buffer;
  event_type: string;
  action: string | null;
  biz_step: string | null;
  disposition: string | null;
  event_time: Date;
  record_time: Date;
  read_point: string | null;
  biz_location: string | null;
  captured_by: string;
  /** jsonb: the EPCIS event object as captured. */
  body: Record<string, unknown>;
  ignore_fields: string[];
  /** smallint, held to 1-3 by event_hash_rules_check. */
  hash_rules: 1 | 2 | 3;
  /** CORRECTIONS_COLUMN: jsonb, timestamps in it as text; `[]` when there are none. */
  corrections: EventCorrectionView[];
}

/** An event not yet in a batch: no leaf index (event_check), and every anchor_batch column of the outer join null. */
interface UnbatchedColumns {
  batch_id: null;
  leaf_index: null;
  status: null;
  root: null;
  leaf_count: null;
  chain_id: null;
  contract_address: null;
  tx_hash: null;
  block_number: null;
  checked_on_chain: null;
}

/** An event in a batch: the outer join finds it (event_batch_id_fkey), and event_check sets leaf_index with batch_id. */
interface BatchedColumns {
  batch_id: string;
  leaf_index: number;
  status: AnchorBatchStatus;
  root: Buffer;
  leaf_count: number;
  chain_id: string | null;
  contract_address: string | null;
  tx_hash: string | null;
  block_number: string | null;
  checked_on_chain: boolean;
}

/** A row of EVENT_COLUMNS; batch_id tells which of the two shapes its batch columns have. */
type StoredEventRow = EventColumnsRow & (UnbatchedColumns | BatchedColumns);

/** A row of HISTORY_SQL. */
type HistoryRow = StoredEventRow & {
  via: string;
  /** event_epc.role, held to EpcRole by event_epc_role_check. */
  role: EpcRole;
  /** Null for an event that names no parent. */
  parent: string | null;
};

function toStoredEvent(r: StoredEventRow): StoredEventView {
  return {
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
    ignoreFields: r.ignore_fields,
    hashRules: r.hash_rules,
    corrections: r.corrections,
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
  };
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
  /** Extension fields left out of the hash (event.ignore_fields). */
  ignoreFields: string[];
  /** The hash rules it was hashed with (event.hash_rules). */
  hashRules: 1 | 2 | 3;
  /** Its error declarations, oldest first. */
  corrections: EventCorrectionView[];
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

interface PackLotRow {
  lot: string | null;
}

@Injectable()
export class PackRepository {
  constructor(
    private readonly db: DataSource,
    // Optional so a spec can build the repository on a DataSource alone: then every read is the primary's.
    @Optional() private readonly reads?: ReadRouting,
  ) {}

  /**
   * Every event of a pack's history in one statement: the pack's own events, and for each span in which it sat in
   * a container (AggregationEvent ADD … the next DELETE naming it as child) the container's events in that span,
   * recursively up to pallets and shipments. The DELETE names the pack itself, so a span is closed one millisecond
   * after it. Each event comes once, through the innermost EPC that names it, in event-time order. One round trip
   * whatever the nesting depth. Planned generically from a connection's first execution (PlanMode).
   */
  async history(epc: string, reading: string | null): Promise<HistoryEntry[]> {
    const reader = await readerOf(this.db, this.reads, reading);
    const rows = await reader.prepared<HistoryRow>('pack_history', HISTORY_SQL, [epc], 'generic');
    return rows.map((r) => ({ event: toStoredEvent(r), via: r.via, role: r.role, parent: r.parent }));
  }

  /** The lot a pack was commissioned in, or null (unknown pack, case, pallet). */
  async lotOf(epc: string): Promise<string | null> {
    const rows = await queryRows<PackLotRow>(this.db, `SELECT lot FROM pack_state WHERE epc = $1`, [epc]);
    return rows[0]?.lot ?? null;
  }

  async events(ids: number[]): Promise<StoredEventView[]> {
    if (!ids.length) return [];
    const rows = await queryRows<StoredEventRow>(
      this.db,
      `SELECT ${EVENT_COLUMNS} FROM event e LEFT JOIN anchor_batch b ON b.id = e.batch_id
       WHERE e.id = ANY($1::bigint[]) ORDER BY e.event_time, e.id`,
      [ids],
    );
    return rows.map(toStoredEvent);
  }
}
