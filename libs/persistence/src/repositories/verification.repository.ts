import { Injectable, Optional } from '@nestjs/common';
import type { AnchoringProgress, PackStatus, VerdictPackState } from '@pharmatrace/domain';
import { DataSource } from 'typeorm';
import { readerOf, ReadRouting, type ReadRunner } from '../replication/read-routing';
import { insertAlerts, NewAlert } from './alert.repository';
import { EPC_CLASS_VOCABULARY } from './master-data.repository';
import { EPC_SPAN_COLUMNS, epcStateAndSpan } from './pack-state.sql';
import { queryRows } from './sql-query';

export interface VerificationView {
  state: VerdictPackState | null;
  /** Containers the pack sits in now, innermost first. */
  containers: string[];
  product: {
    name: string | null;
    status: 'ACTIVE' | 'WITHDRAWN';
    manufacturerId: string | null;
    manufacturerGln: string | null;
    /** Attributes of the latest EPCClass master data its manufacturer captured for the GTIN; null for none. */
    masterData: { id: string; value: unknown }[] | null;
  } | null;
  lotRecalled: boolean;
  anchoring: AnchoringProgress;
  /** Events of the pack and its containers that their capturer declared in error (event_correction). */
  declaredInError: number;
  /** The number of the exception case holding the pack, or a container it sits in, in quarantine (the lowest); null if none. */
  quarantineCase: number | null;
}

export type AlertRecord = Omit<NewAlert, 'recipientId'>;

/**
 * An item of a verification's walk up its containers, from one read of its `pack_state` row (with its `epc_span` row):
 * what the verdict shows of it, the container it sits in now, and the record-time span of its events. In a lateral
 * sub-select that keeps the walk's tests outside it (OFFSET 0: nothing is pushed in). As a join, a generic plan made
 * while the statistics said no pack sat in a container hashed every contained pack (or scanned the container index for
 * each row) on every verification: 400 buffers a statement became 48,000 within a minute of capture beside
 * verification (issue 18).
 */
const walkedItem = (epc: string) => `(
     SELECT ps.epc IS NOT NULL AS known, ps.lot, ps.expiry, ps.status, ps.custodian_id, ps.destination, ps.container_epc,
            ${EPC_SPAN_COLUMNS}
     FROM ${epcStateAndSpan(epc)} OFFSET 0
   )`;

/**
 * Every view a verdict needs, for a batch of scans at once: the pack, the containers it sits in now, its product (with
 * its manufacturer's latest product master data, which `verify` shows: read apart, it was a second round trip per
 * scan, issue 18) and lot, how many of the events of the pack and its containers are anchored, and how many were
 * declared in error, and the case holding it in quarantine. The whole batch comes back as one JSON array of [state,
 * containers, product, recalled, anchoring, quarantine case] tuples, each as a positional array of only the fields a
 * verdict reads: one small value to decode instead of four objects a row took the API's time in the pg driver from
 * about 26 to 18 µs a view (batches of 32). The events are read within each EPC's record-time span and joined on their
 * record time, so each lookup probes the months the EPC lived in and one month of events (issue 18's partitions).
 * `chain` reads each item's row once, for its state, its container and its span alike (walkedItem), so every plan has
 * the bounds in hand before it reads an index row. Read apart (the walk, the spans, the state), a pack's row was read
 * three times: Postgres CPU a view at 1M packs, in turn, 0.086-0.100 against 0.078-0.083 ms (batches of 10 on two
 * connections), 0.069-0.076 against 0.065-0.072 ms (batches of 16 on one). The GTINs are read as char(14), the type of
 * `product.gtin` and `lot.gtin`: compared as text, neither key could be used, and every view read the whole product
 * catalogue and every recalled lot (16 scans took 412 ms against 50,000 products and 200,000 lots; issue 18).
 */
export const VIEWS_SQL = `WITH RECURSIVE input AS MATERIALIZED (
   SELECT * FROM unnest((SELECT $1::text[]), (SELECT $2::text[]::char(14)[]), (SELECT $3::text[])) WITH ORDINALITY AS i(epc, gtin, lot, ord)
 ),
 chain(ord, epc, depth, gtin, scanned_lot, state, lot, container, lo, hi) AS (
   SELECT i.ord, i.epc, 0, i.gtin, i.lot,
          CASE WHEN s.known THEN json_build_array(s.lot, s.expiry::text, s.status, s.custodian_id, s.destination) END,
          s.lot, s.container_epc, s.lo, s.hi
   FROM input i CROSS JOIN LATERAL ${walkedItem('i.epc')} s
   UNION ALL
   SELECT c.ord, c.container, c.depth + 1, NULL, NULL, NULL, NULL, s.container_epc, s.lo, s.hi
   FROM chain c CROSS JOIN LATERAL ${walkedItem('c.container')} s
   WHERE c.container IS NOT NULL AND c.depth < 16
 )
 SELECT json_agg(json_build_array(
   i.state,
   (SELECT coalesce(json_agg(c.epc ORDER BY c.depth), '[]') FROM chain c WHERE c.ord = i.ord AND c.depth > 0),
   (SELECT json_build_array(p.name, p.status, p.manufacturer_id, m.gln,
      (SELECT md.attributes FROM master_data md
       WHERE md.gtin = p.gtin AND md.captured_by = p.manufacturer_id AND md.vocabulary_type = '${EPC_CLASS_VOCABULARY}' ORDER BY md.id DESC LIMIT 1))
    FROM product p LEFT JOIN organization m ON m.id = p.manufacturer_id WHERE p.gtin = i.gtin),
   EXISTS (SELECT 1 FROM lot WHERE gtin = i.gtin AND lot = coalesce(i.lot, i.scanned_lot) AND status = 'RECALLED'),
   (SELECT json_build_array(
       count(DISTINCT e.id),
       count(DISTINCT e.id) FILTER (WHERE b.status IN ('MINED', 'FINAL')),
       count(DISTINCT e.id) FILTER (WHERE b.status = 'FINAL' AND b.checked_on_chain),
       count(DISTINCT e.id) FILTER (WHERE b.audit_failed_at IS NOT NULL),
       count(DISTINCT e.id) FILTER (WHERE EXISTS (SELECT 1 FROM event_correction ec WHERE ec.event_id = e.id)))
    FROM chain c
    JOIN event_epc ee ON ee.epc = c.epc AND ee.record_time BETWEEN c.lo AND c.hi
    JOIN event e ON e.id = ee.event_id AND e.record_time = ee.record_time AND e.record_time BETWEEN c.lo AND c.hi
    LEFT JOIN anchor_batch b ON b.id = e.batch_id
    WHERE c.ord = i.ord AND i.state IS NOT NULL),
   (SELECT min(h.case_number) FROM quarantine_hold h
    WHERE h.epc = ANY(ARRAY(SELECT c.epc FROM chain c WHERE c.ord = i.ord)) AND i.state IS NOT NULL)
 ) ORDER BY i.ord) AS views
 FROM chain i WHERE i.depth = 0`;

/** One view of VIEWS_SQL, built in json: its counts (bigint) come as numbers, not strings. */
type ViewTuple = [
  /** Null for an EPC with no pack_state row. */
  [string | null, string | null, PackStatus, string | null, string | null] | null,
  string[],
  /** Null for a GTIN with no product row. */
  [string | null, 'ACTIVE' | 'WITHDRAWN', string | null, string | null, { id: string; value: unknown }[] | null] | null,
  boolean,
  /** Never null: an aggregate without GROUP BY answers one row even over no events (zeros for an unknown EPC). */
  [number, number, number, number, number],
  /** The lowest number of a case holding the pack or a container it sits in (quarantine_hold: one index scan). */
  number | null,
];

/** VIEWS_SQL's one row: the views in input order (json_agg is null only for no input, which `fetch` never sends). */
interface ViewsRow {
  views: ViewTuple[];
}

interface KnownEpcRow {
  epc: string;
}

interface PackAlertRow {
  code: string;
  actorId: string | null;
  manufacturerId: string | null;
  /** jsonb, written by insertAlerts from an object. */
  details: Record<string, unknown>;
}

function toView([state, containers, product, lotRecalled, anchoring, quarantineCase]: ViewTuple): VerificationView {
  return {
    state: state ? { lot: state[0], expiry: state[1], status: state[2], custodianId: state[3], destination: state[4] } : null,
    containers,
    product: product
      ? { name: product[0], status: product[1], manufacturerId: product[2], manufacturerGln: product[3], masterData: product[4] }
      : null,
    lotRecalled,
    anchoring: { eventCount: anchoring[0], anchoredCount: anchoring[1], finalCount: anchoring[2], failedCount: anchoring[3] },
    declaredInError: anchoring[4],
    quarantineCase,
  };
}

/**
 * Views asked for while one turn of the event loop runs go to Postgres together. Under load the per-statement costs
 * (a round trip, a socket write, executor start-up) dominated a verdict's: on 1M packs Postgres CPU per view fell from
 * 0.25 ms alone to 0.09 ms in batches of 32, and the API's own time in the pg driver shrank alike. Batches are cut at
 * 16 so that 32 scans arriving together make two statements, which Postgres runs side by side while the API answers
 * the first: one batch of 32 left the API idle for the whole statement (saturation 2,340 req/s at 32, 2,470 at 16).
 */
const MAX_BATCH = 16;

interface PendingView {
  epc: string;
  gtin: string;
  lot: string | null;
  resolve(view: VerificationView): void;
  reject(error: unknown): void;
}

const VIEWS_STATEMENT = 'verification_views';

/** The verification hot path: everything a verdict needs in one round trip, shared by the scans that arrive together. */
@Injectable()
export class VerificationRepository {
  constructor(
    private readonly db: DataSource,
    // Optional so a spec can build the repository on a DataSource alone: then every read is the primary's.
    @Optional() private readonly reads?: ReadRouting,
  ) {
    // No scans: the statement reads no row, and its plan does not depend on the arrays (see fetch).
    reads?.registerHot({ name: VIEWS_STATEMENT, text: VIEWS_SQL, values: [[], [], []] });
  }

  /** Scans waiting for the next statement, by where they read (the primary, or a replica: ReadRouting). */
  private pending = new Map<ReadRunner, PendingView[]>();

  /** `reading`: the organization scanning, whose own writes the view must show (ReadRouting), or null. */
  view(epc: string, gtin: string, scannedLot: string | null, reading: string | null): Promise<VerificationView> {
    const reader = readerOf(this.db, this.reads, reading);
    return reader instanceof Promise
      ? reader.then((r) => this.enqueue(r, epc, gtin, scannedLot))
      : this.enqueue(reader, epc, gtin, scannedLot);
  }

  private enqueue(reader: ReadRunner, epc: string, gtin: string, lot: string | null): Promise<VerificationView> {
    return new Promise((resolve, reject) => {
      if (!this.pending.size) setImmediate(() => this.flush());
      let queue = this.pending.get(reader);
      if (!queue) this.pending.set(reader, (queue = []));
      queue.push({ epc, gtin, lot, resolve, reject });
    });
  }

  private flush(): void {
    const all = this.pending;
    this.pending = new Map();
    for (const [reader, views] of all)
      for (let i = 0; i < views.length; i += MAX_BATCH) void this.fetch(views.slice(i, i + MAX_BATCH), reader);
  }

  private async fetch(batch: PendingView[], reader: ReadRunner): Promise<void> {
    try {
      // Prepared: planning the statement cost more than running it (1.5 ms against 0.1 ms a view at 32 views). The
      // arrays are read through sub-selects so that no plan sees their length: Postgres then settles on one generic plan,
      // where for batches under about 20 it re-planned on every execution (0.25 against 0.16 ms a view at 8).
      const [{ views }] = await reader.prepared<ViewsRow>(VIEWS_STATEMENT, VIEWS_SQL, [
        batch.map((v) => v.epc),
        batch.map((v) => v.gtin),
        batch.map((v) => v.lot),
      ]);
      batch.forEach((v, i) => v.resolve(toView(views[i])));
    } catch (e) {
      for (const v of batch) v.reject(e);
    }
  }

  /** Which of these EPCs are known packs: one query for every corrected reading of a scan. */
  async existing(epcs: string[]): Promise<string[]> {
    if (!epcs.length) return [];
    const rows = await queryRows<KnownEpcRow>(this.db, `SELECT epc FROM pack_state WHERE epc = ANY($1)`, [epcs]);
    return rows.map((r) => r.epc);
  }

  /** Records an alert for the product's manufacturer (found from the GTIN) and for regulators. */
  async recordAlert(alert: AlertRecord): Promise<void> {
    await insertAlerts(this.db, [alert]);
  }

  async alertsFor(
    epc: string,
  ): Promise<{ code: string; actorId: string | null; manufacturerId: string | null; details: Record<string, unknown> }[]> {
    return queryRows<PackAlertRow>(
      this.db,
      `SELECT code, actor_id AS "actorId", manufacturer_id AS "manufacturerId", details FROM alert WHERE epc = $1 ORDER BY id`,
      [epc],
    );
  }
}
