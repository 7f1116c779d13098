import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { CaseEntryRecord, ReceiptCase, ShipmentContents } from '@pharmatrace/domain';
import { DataSource, EntityManager } from 'typeorm';
import { ExceptionCaseRepository } from './exception-case.repository';
import { queryRows } from './sql-query';

/** As capture stores it: its CBV short name. */
const SHIPPING_BIZSTEP = 'shipping';
/** How far back a despatch advice (a shared bizTransaction) is looked for: bounds the scan of shipping events. */
const BIZ_TRANSACTION_WINDOW_DAYS = 90;
/** Candidate shipments read for one receipt, newest first; the first addressed to the receiver answers it. */
const CANDIDATES = 20;

interface PendingRow {
  eventId: string;
  receiverId: string;
  receiverGln: string;
  receivedAt: Date;
  bizTransactions: string[];
  epcs: string[];
}

interface ShipmentRow {
  id: string;
  capturedBy: string;
  recordTime: Date;
  body: Record<string, unknown>;
  byTransaction: boolean;
}

/** What the application decides, given the receipt: the domain's `receiptCases`, and who is the shipment's addressee. */
export interface ReceiptRules {
  cases: (shipped: ShipmentContents | null, received: ShipmentContents) => ReceiptCase[];
  destinationGlnOf: (body: Record<string, unknown>) => string | null;
  graceUntil: (openedAt: Date) => Date;
  /** libs/domain caseEntryHash: a case opened here is chained like one opened through CaseService. */
  entryHash: (entry: CaseEntryRecord, previousHash: string | null) => string;
}

export interface ReconciledReceipt {
  eventId: string;
  shippingEventId: string | null;
  caseNumbers: string[];
}

export interface SupplierScore {
  shipmentsReceived: number;
  shipmentsClean: number;
  /** Median of (shipping event's record time − receipt's event time): negative when the data came before the goods. */
  medianTimeToDataSeconds: number | null;
  casesOpened: number;
  /** Counts of resolved cases by resolution, and of cases not resolved (under `UNRESOLVED`). */
  outcomes: { resolution: string; count: number }[];
}

/**
 * Receiving reconciliation: every receiving event is queued with it (EventRepository), compared here with the
 * shipment it answers, and every difference opened as a case in the same transaction that marks it reconciled, so a
 * receipt is reconciled exactly once whoever drains the queue (the API right after a capture, the worker's tick).
 */
@Injectable()
export class ReceiptReconciliationRepository {
  constructor(
    private readonly db: DataSource,
    private readonly cases: ExceptionCaseRepository,
  ) {}

  /** Reconciles up to `limit` queued receipts, each in its own transaction; those another process holds are skipped. */
  async drain(limit: number, now: Date, rules: ReceiptRules): Promise<ReconciledReceipt[]> {
    const out: ReconciledReceipt[] = [];
    for (let i = 0; i < limit; i++) {
      const done = await this.db.transaction((tx) => this.reconcileNext(tx, now, rules));
      if (!done) break;
      out.push(done);
    }
    return out;
  }

  private async reconcileNext(tx: EntityManager, now: Date, rules: ReceiptRules): Promise<ReconciledReceipt | null> {
    const [receipt] = await queryRows<PendingRow>(
      tx,
      `SELECT r.event_id AS "eventId", r.receiver_id AS "receiverId", o.gln AS "receiverGln", r.received_at AS "receivedAt",
         ARRAY(SELECT bt->>'bizTransaction' FROM jsonb_array_elements(coalesce(e.body->'bizTransactionList', '[]')) bt
               WHERE bt->>'bizTransaction' IS NOT NULL) AS "bizTransactions",
         ARRAY(SELECT DISTINCT ee.epc FROM event_epc ee WHERE ee.event_id = r.event_id AND ee.record_time = e.record_time) AS epcs
       FROM receipt_reconciliation r JOIN event e ON e.id = r.event_id JOIN organization o ON o.id = r.receiver_id
       WHERE r.reconciled_at IS NULL ORDER BY r.event_id LIMIT 1 FOR UPDATE OF r SKIP LOCKED`,
    );
    if (!receipt) return null;
    const shipment = await this.shipmentAnswered(tx, receipt, rules);
    const received = await this.leaves(tx, receipt.epcs);
    const shipped = shipment ? await this.leaves(tx, await this.namedBy(tx, shipment.id)) : null;
    const found = rules.cases(shipped && { epcs: shipped, quantities: new Map() }, { epcs: received, quantities: new Map() });
    const caseNumbers: string[] = [];
    for (const c of found) {
      const what = c.items.length === 1 ? '1 item' : `${c.items.length} items`;
      const summary = shipment
        ? `Receipt of ${received.length} items against shipping event ${shipment.id}: ${what} ${c.items[0].note === 'missing' ? 'shipped, not received' : 'received, not shipped'}`
        : `Receipt of ${received.length} items with no shipping event to the receiver: product without data`;
      const id = randomUUID();
      const counterpartyId = shipment && shipment.capturedBy !== receipt.receiverId ? shipment.capturedBy : null;
      // Chained like every case opened through CaseService (libs/domain case-record.ts): the platform opens it, unsigned.
      const hash = rules.entryHash(
        {
          caseId: id,
          actor: receipt.receiverGln,
          at: now.toISOString(),
          action: 'OPEN',
          fromState: null,
          toState: 'OPEN',
          resolution: null,
          message: summary,
          attachments: [],
          opening: {
            category: c.category,
            source: 'RECEIPT',
            summary,
            counterparty: counterpartyId && (await this.glnOf(tx, counterpartyId)),
            items: c.items.map((i) => i.epc).sort(),
          },
        },
        null,
      );
      const opened = await this.cases.open(
        {
          id,
          category: c.category,
          state: 'OPEN',
          reporterId: receipt.receiverId,
          counterpartyId,
          source: 'RECEIPT',
          sourceRef: receipt.eventId,
          summary,
          openedAt: now,
          graceUntil: rules.graceUntil(now),
        },
        c.items,
        {
          at: now,
          actorId: receipt.receiverId,
          action: 'OPEN',
          resolution: null,
          message: summary,
          attachments: [],
          hash: Buffer.from(hash.slice(2), 'hex'),
          previousHash: null,
          signer: null,
          signature: null,
        },
        tx,
      );
      // A fresh random id is never taken.
      caseNumbers.push(opened!.number);
    }
    await tx.query(
      `UPDATE receipt_reconciliation SET reconciled_at = $2, shipping_event_id = $3, shipper_id = $4, shipped_record_time = $5, clean = $6
       WHERE event_id = $1`,
      [receipt.eventId, now, shipment?.id ?? null, shipment?.capturedBy ?? null, shipment?.recordTime ?? null, found.length === 0],
    );
    return { eventId: receipt.eventId, shippingEventId: shipment?.id ?? null, caseNumbers };
  }

  /**
   * The shipment a receipt answers: one sharing a bizTransaction (a despatch advice) with it when there is one, else the
   * latest shipping event of one of the received items (or a container of it), addressed to the receiver.
   */
  private async shipmentAnswered(tx: EntityManager, receipt: PendingRow, rules: ReceiptRules): Promise<ShipmentRow | null> {
    const candidates = await queryRows<ShipmentRow>(
      tx,
      `WITH RECURSIVE up(epc, depth) AS (
         SELECT e, 0 FROM unnest($2::text[]) AS e
         UNION
         SELECT p.container_epc, up.depth + 1 FROM up JOIN pack_state p ON p.epc = up.epc WHERE p.container_epc IS NOT NULL AND up.depth < 16
       ),
       by_epc AS (
         SELECT DISTINCT ee.event_id AS id FROM event_epc ee WHERE ee.epc IN (SELECT epc FROM up) AND ee.event_id < $1
       ),
       by_tx AS (
         SELECT e.id FROM event e
         WHERE cardinality($3::text[]) > 0 AND e.biz_step = $4 AND e.id < $1
           AND e.event_time > $5::timestamptz - make_interval(days => ${BIZ_TRANSACTION_WINDOW_DAYS})
           AND EXISTS (SELECT 1 FROM jsonb_array_elements(coalesce(e.body->'bizTransactionList', '[]')) bt WHERE bt->>'bizTransaction' = ANY($3::text[]))
       )
       SELECT e.id, e.captured_by AS "capturedBy", e.record_time AS "recordTime", e.body, e.id IN (SELECT id FROM by_tx) AS "byTransaction"
       FROM event e
       WHERE e.id IN (SELECT id FROM by_epc UNION SELECT id FROM by_tx) AND e.biz_step = $4
       ORDER BY "byTransaction" DESC, e.event_time DESC, e.id DESC LIMIT ${CANDIDATES}`,
      [receipt.eventId, receipt.epcs, receipt.bizTransactions, SHIPPING_BIZSTEP, receipt.receivedAt],
    );
    return candidates.find((s) => s.byTransaction || rules.destinationGlnOf(s.body) === receipt.receiverGln) ?? null;
  }

  /** The EPCs an event names: its row gives the record time that picks the month its index rows are in. */
  private async namedBy(tx: EntityManager, eventId: string): Promise<string[]> {
    const rows = await queryRows<{ epc: string }>(
      tx,
      `SELECT DISTINCT x.epc FROM event e JOIN event_epc x ON x.event_id = e.id AND x.record_time = e.record_time WHERE e.id = $1`,
      [eventId],
    );
    return rows.map((r) => r.epc);
  }

  /**
   * The items compared: what the EPCs name with their aggregation expanded (as recorded now: goods in transit are not
   * repacked), keeping the innermost items only, so a pallet scanned whole and its packs scanned one by one agree.
   */
  private async leaves(tx: EntityManager, epcs: string[]): Promise<string[]> {
    if (!epcs.length) return [];
    const rows = await queryRows<{ epc: string }>(
      tx,
      `WITH RECURSIVE down(epc, depth) AS (
         SELECT e, 0 FROM unnest($1::text[]) AS e
         UNION
         SELECT p.epc, down.depth + 1 FROM down JOIN pack_state p ON p.container_epc = down.epc WHERE down.depth < 16
       )
       SELECT DISTINCT d.epc FROM down d WHERE NOT EXISTS (SELECT 1 FROM pack_state c WHERE c.container_epc = d.epc) ORDER BY d.epc`,
      [epcs],
    );
    return rows.map((r) => r.epc);
  }

  /**
   * A supplier's scorecard as seen by one receiver (`receiverId`), or by every receiver (null, for regulators): the
   * shipments from it received and reconciled, the share clean, the median time to data, the cases opened against it.
   */
  async scorecard(supplierId: string, receiverId: string | null): Promise<SupplierScore> {
    const [shipments] = await queryRows<{ received: number; clean: number; median: number | null }>(
      this.db,
      `SELECT count(*)::int AS received, count(*) FILTER (WHERE clean)::int AS clean,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM shipped_record_time - received_at)) AS median
       FROM receipt_reconciliation
       WHERE shipper_id = $1 AND ($2::uuid IS NULL OR receiver_id = $2) AND reconciled_at IS NOT NULL`,
      [supplierId, receiverId],
    );
    const outcomes = await queryRows<{ resolution: string; count: number }>(
      this.db,
      `SELECT coalesce(resolution, 'UNRESOLVED') AS resolution, count(*)::int AS count FROM exception_case
       WHERE counterparty_id = $1 AND ($2::uuid IS NULL OR reporter_id = $2) GROUP BY 1 ORDER BY 1`,
      [supplierId, receiverId],
    );
    return {
      shipmentsReceived: shipments.received,
      shipmentsClean: shipments.clean,
      medianTimeToDataSeconds: shipments.median === null ? null : Number(shipments.median),
      casesOpened: outcomes.reduce((n, o) => n + o.count, 0),
      outcomes,
    };
  }

  private async glnOf(tx: EntityManager, organizationId: string): Promise<string | null> {
    const [row] = await queryRows<{ gln: string }>(tx, `SELECT gln FROM organization WHERE id = $1`, [organizationId]);
    return row?.gln ?? null;
  }
}
