import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { CaseEntryRecord, ClassQuantity, ReceiptCase, ShipmentContents } from '@pharmatrace/domain';
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
  body: Record<string, unknown>;
}

interface ShipmentRow {
  id: string;
  capturedBy: string;
  eventTime: Date;
  recordTime: Date;
  body: Record<string, unknown>;
  byTransaction: boolean;
}

/** An instant of the event order: an event's time, then its id (events of one time in the order they were stored). */
interface Instant {
  at: Date;
  eventId: string;
}

/**
 * Whether `c.epc` (a child row of an aggregation ADD, its parent `p.epc`) is still in that parent at the instant ($at,
 * $id): no later aggregation moved it out (an unpacking from that parent, or its packing into another) up to then.
 * As libs/domain pack-state applies aggregations, in event order.
 */
const STILL_INSIDE = (at: string, id: string) => `NOT EXISTS (
  SELECT 1 FROM event_epc c2 JOIN event e2 ON e2.id = c2.event_id AND e2.event_type = 'AggregationEvent'
  WHERE c2.epc = c.epc AND c2.role = 'child' AND (c2.event_time, c2.event_id) > (c.event_time, c.event_id)
    AND (c2.event_time, c2.event_id) <= (${at}, ${id})
    AND (e2.action = 'ADD' OR (e2.action = 'DELETE'
      AND EXISTS (SELECT 1 FROM event_epc p2 WHERE p2.event_id = c2.event_id AND p2.role = 'parent' AND p2.epc = p.epc))))`;

/** Aggregation ADD rows up to the instant ($at, $id): `c` the child, `p` its parent. */
const PACKED = (at: string, id: string) => `event_epc c
  JOIN event ce ON ce.id = c.event_id AND ce.event_type = 'AggregationEvent' AND ce.action = 'ADD'
  JOIN event_epc p ON p.event_id = c.event_id AND p.role = 'parent'
  WHERE c.role = 'child' AND (c.event_time, c.event_id) <= (${at}, ${id})`;

/** What the application decides, given the receipt: the domain's `receiptCases`, and who is the shipment's addressee. */
export interface ReceiptRules {
  cases: (shipped: ShipmentContents | null, received: ShipmentContents) => ReceiptCase[];
  /** libs/domain classQuantitiesOf: an event's class quantities, each class in one spelling. */
  quantitiesOf: (body: Record<string, unknown>) => ClassQuantity[];
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
         ARRAY(SELECT DISTINCT ee.epc FROM event_epc ee WHERE ee.event_id = r.event_id AND ee.record_time = e.record_time) AS epcs, e.body
       FROM receipt_reconciliation r JOIN event e ON e.id = r.event_id JOIN organization o ON o.id = r.receiver_id
       WHERE r.reconciled_at IS NULL ORDER BY r.event_id LIMIT 1 FOR UPDATE OF r SKIP LOCKED`,
    );
    if (!receipt) return null;
    const shipment = await this.shipmentAnswered(tx, receipt, rules);
    // Each side as it was at its own event: what was in a pallet when it was shipped, what was in it when received.
    const received = {
      epcs: await this.contentsAt(tx, receipt.epcs, { at: receipt.receivedAt, eventId: receipt.eventId }),
      quantities: rules.quantitiesOf(receipt.body),
    };
    const shipped = shipment && {
      epcs: await this.contentsAt(tx, await this.namedBy(tx, shipment.id), { at: shipment.eventTime, eventId: shipment.id }),
      quantities: rules.quantitiesOf(shipment.body),
    };
    const found = rules.cases(shipped, received);
    const caseNumbers: string[] = [];
    for (const c of found) {
      const summary = shipment
        ? `Receipt of ${contentsText(received)} against shipping event ${shipment.id}: ${differenceText(c)}`
        : `Receipt of ${contentsText(received)} with no shipping event to the receiver: product without data`;
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
            quantities: c.quantities,
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
        { items: c.items, quantities: c.quantities },
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
   * latest shipping event of one of the received items (or a container it was in when received), addressed to the
   * receiver.
   */
  private async shipmentAnswered(tx: EntityManager, receipt: PendingRow, rules: ReceiptRules): Promise<ShipmentRow | null> {
    const candidates = await queryRows<ShipmentRow>(
      tx,
      `WITH RECURSIVE up(epc, depth) AS (
         SELECT e, 0 FROM unnest($2::text[]) AS e
         UNION
         SELECT p.epc, up.depth + 1 FROM up CROSS JOIN LATERAL (SELECT p.epc FROM ${PACKED('$5::timestamptz', '$1::bigint')}
           AND c.epc = up.epc AND ${STILL_INSIDE('$5::timestamptz', '$1::bigint')}) p
         WHERE up.depth < 16
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
       SELECT e.id, e.captured_by AS "capturedBy", e.event_time AS "eventTime", e.record_time AS "recordTime", e.body,
         e.id IN (SELECT id FROM by_tx) AS "byTransaction"
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
   * The items compared: what the EPCs name with their aggregation expanded as it stood at `instant` (a pallet's
   * contents when it was shipped, not after the receiver unpacked it; packs taken out before it was shipped are not in
   * it), keeping the innermost items only, so a pallet scanned whole and its packs scanned one by one agree.
   */
  private async contentsAt(tx: EntityManager, epcs: string[], instant: Instant): Promise<string[]> {
    if (!epcs.length) return [];
    const rows = await queryRows<{ epc: string }>(
      tx,
      `WITH RECURSIVE down(epc, parent, depth) AS (
         SELECT e, NULL::text, 0 FROM unnest($1::text[]) AS e
         UNION
         SELECT c.epc, down.epc, down.depth + 1 FROM down CROSS JOIN LATERAL (SELECT c.epc FROM ${PACKED('$2::timestamptz', '$3::bigint')}
           AND p.epc = down.epc AND ${STILL_INSIDE('$2::timestamptz', '$3::bigint')}) c
         WHERE down.depth < 16
       )
       SELECT DISTINCT d.epc FROM down d WHERE NOT EXISTS (SELECT 1 FROM down x WHERE x.parent = d.epc) ORDER BY d.epc`,
      [epcs, instant.at, instant.eventId],
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

const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
/** Class quantities named one by one in a summary; more are counted (the case lists them all). */
const NAMED_QUANTITIES = 5;

/** "3 items and 2 class quantities": what a receipt named, for a case's summary. */
function contentsText(c: ShipmentContents): string {
  const quantities = c.quantities.length ? [count(c.quantities.length, 'class quantity', 'class quantities')] : [];
  return [count(c.epcs.length, 'item'), ...quantities].join(' and ');
}

/** What a receipt's case lists, in a sentence: its items, and each class quantity shipped against received. */
function differenceText(c: ReceiptCase): string {
  const missing = (c.category as string) === 'DATA_WITHOUT_PRODUCT';
  const parts = c.items.length ? [`${count(c.items.length, 'item')} ${missing ? 'shipped, not received' : 'received, not shipped'}`] : [];
  for (const q of c.quantities.slice(0, NAMED_QUANTITIES))
    parts.push(`${q.epcClass}: ${q.shipped} shipped, ${q.received} received${q.uom ? ` (${q.uom})` : ''}`);
  if (c.quantities.length > NAMED_QUANTITIES) parts.push(`${c.quantities.length - NAMED_QUANTITIES} more class quantities`);
  return parts.join('; ');
}
