import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { insertAlerts } from './alert.repository';
import { appendAuditEntry } from './audit-log.repository';
import { insertCaseNotifications, NewCaseNotification } from './case-notification.repository';
import { PageDirection, queryRows, type Updated } from './sql-query';

/** The person owning a case on one side, as stored (jsonb): members not given are absent. */
export interface CaseOwnerRow {
  name: string;
  title?: string;
  email?: string;
  phone?: string;
}

/** An exception case as stored (every column aliased to its name here). */
export interface CaseRow {
  id: string;
  /** bigint: a string, as node-postgres answers it. */
  number: string;
  category: string;
  state: string;
  resolution: string | null;
  reporterId: string;
  counterpartyId: string | null;
  source: string;
  sourceRef: string | null;
  summary: string;
  openedAt: Date;
  graceUntil: Date;
  resolvedAt: Date | null;
  regulatorDueAt: Date | null;
  /** When the regulator filing (Form FDA 3911) was recorded on the case. */
  regulatorNotifiedAt: Date | null;
  reporterOwner: CaseOwnerRow | null;
  counterpartyOwner: CaseOwnerRow | null;
  version: number;
}

export interface CaseItemRow {
  epc: string;
  note: string | null;
}

/** A class whose quantity a receipt found different: numbers as JavaScript reads them (numeric is read through float8). */
export interface CaseQuantityRow {
  epcClass: string;
  /** null: a count of instances. */
  uom: string | null;
  shipped: number;
  received: number;
}

export interface CaseEntryRow {
  id: string;
  at: Date;
  actorId: string;
  action: string;
  fromState: string | null;
  toState: string;
  resolution: string | null;
  message: string | null;
  attachments: string[];
  /** The chain link (null only for entries made before case records were hashed). */
  hash: Buffer | null;
  previousHash: Buffer | null;
  /** The acting organization's signing address and its 65-byte EIP-712 signature of the entry, when it signed. */
  signer: string | null;
  signature: Buffer | null;
  /** ASSIGN_OWNER entries: the owner named and its side (REPORTER or COUNTERPARTY); null on every other entry. */
  owner: (CaseOwnerRow & { side: string }) | null;
}

/** An entry as exported: its row, the actor's GLN, and where its hash is anchored (null until sealed). */
export interface CaseEntryRecordRow extends CaseEntryRow {
  actorGln: string;
  batchId: string | null;
  leafIndex: number | null;
  batchStatus: string | null;
  root: Buffer | null;
}

export type NewCase = Pick<
  CaseRow,
  'id' | 'category' | 'state' | 'reporterId' | 'counterpartyId' | 'source' | 'sourceRef' | 'summary' | 'openedAt' | 'graceUntil'
>;
export type NewCaseEntry = Omit<CaseEntryRow, 'id'>;

/**
 * What a list shows (libs/domain caseListScope): a regulator's every case; anyone else's the cases it is a party to,
 * and a manufacturer's also those with an item whose GTIN, past its indicator digit, starts with one of its prefixes.
 */
export type CaseVisibility = { kind: 'all' } | { kind: 'scoped'; organizationId: string; productPrefixes: string[] };

export interface CaseCriteria {
  states?: string[];
  categories?: string[];
  /** Unresolved cases past their grace period at this instant. */
  overdueAt?: Date;
  /** Cases whose regulator filing was due before this instant and is not recorded. */
  regulatorOverdueAt?: Date;
  /** Cases holding this pack (canonical Digital Link). */
  epc?: string;
  /** true: unresolved cases only; false: resolved ones only. */
  open?: boolean;
}

/** How many cases a caller sees in each state; `overdue` at the instant asked. */
export interface CaseCountsRow {
  open: number;
  investigating: number;
  escalated: number;
  overdue: number;
  /** Resolved as illegitimate, the regulator filing due before the instant asked and not recorded. */
  regulatorOverdue: number;
  resolved: number;
  cleared: number;
  technicalCause: number;
  illegitimate: number;
}

const COLUMNS = `c.id, c.number, c.category, c.state, c.resolution, c.reporter_id AS "reporterId", c.counterparty_id AS "counterpartyId",
  c.source, c.source_ref AS "sourceRef", c.summary, c.opened_at AS "openedAt", c.grace_until AS "graceUntil", c.resolved_at AS "resolvedAt",
  c.regulator_due_at AS "regulatorDueAt", c.regulator_notified_at AS "regulatorNotifiedAt", c.reporter_owner AS "reporterOwner",
  c.counterparty_owner AS "counterpartyOwner", c.version`;
const ENTRY_COLUMNS = `x.id, x.at, x.actor_id AS "actorId", x.action, x.from_state AS "fromState", x.to_state AS "toState", x.resolution,
  x.message, x.attachments, x.hash, x.previous_hash AS "previousHash", x.signer, x.signature, x.owner`;

/** The alert raised when an unresolved case's grace period (CASE_GRACE_BUSINESS_DAYS) runs out. */
export const GRACE_ALERT_CODE = 'CASE_GRACE_EXPIRED';

/** Whether a case holds its packs: exception-case.ts `quarantines`, in SQL over `exception_case c`. */
const QUARANTINES = `(c.state <> 'RESOLVED' OR c.resolution = 'ILLEGITIMATE')`;

/**
 * Puts `quarantine_hold` in step with the case after it was opened or changed, in the same transaction: its packs held
 * while it quarantines, released when it no longer does (cleared, technical cause), held again when reopened.
 */
async function syncHolds(tx: EntityManager, caseId: string): Promise<void> {
  await tx.query(
    `INSERT INTO quarantine_hold (epc, case_id, case_number)
     SELECT i.epc, c.id, c.number FROM exception_case_item i JOIN exception_case c ON c.id = i.case_id
     WHERE c.id = $1 AND ${QUARANTINES}
     ON CONFLICT DO NOTHING`,
    [caseId],
  );
  await tx.query(`DELETE FROM quarantine_hold h USING exception_case c WHERE h.case_id = $1 AND c.id = h.case_id AND NOT ${QUARANTINES}`, [
    caseId,
  ]);
}

/** Cases, their packs and their history: opened and changed in one transaction each, with an audit entry. */
@Injectable()
export class ExceptionCaseRepository {
  constructor(private readonly db: DataSource) {}

  /**
   * The new case, or null when a case with its id exists (an import given an id already taken). `quantities`: the class
   * quantities a receipt found different. `tx`: the caller's transaction, when the case must be stored with other rows
   * (a receipt's reconciliation).
   */
  open(
    newCase: NewCase,
    contents: { items: CaseItemRow[]; quantities?: CaseQuantityRow[] },
    entry: Omit<NewCaseEntry, 'fromState' | 'toState' | 'owner'>,
    tx?: EntityManager,
  ): Promise<CaseRow | null> {
    return tx ? this.openIn(tx, newCase, contents, entry) : this.db.transaction((t) => this.openIn(t, newCase, contents, entry));
  }

  private async openIn(
    tx: EntityManager,
    newCase: NewCase,
    { items, quantities = [] }: { items: CaseItemRow[]; quantities?: CaseQuantityRow[] },
    entry: Omit<NewCaseEntry, 'fromState' | 'toState' | 'owner'>,
  ): Promise<CaseRow | null> {
    const [created] = await queryRows<CaseRow>(
      tx,
      `INSERT INTO exception_case AS c (id, category, state, reporter_id, counterparty_id, source, source_ref, summary, opened_at, grace_until)
         VALUES ($10, $1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING RETURNING ${COLUMNS}`,
      [
        newCase.category,
        newCase.state,
        newCase.reporterId,
        newCase.counterpartyId,
        newCase.source,
        newCase.sourceRef,
        newCase.summary,
        newCase.openedAt,
        newCase.graceUntil,
        newCase.id,
      ],
    );
    if (!created) return null;
    if (items.length) {
      await tx.query(`INSERT INTO exception_case_item (case_id, epc, note) SELECT $1, * FROM unnest($2::text[], $3::text[])`, [
        created.id,
        items.map((i) => i.epc),
        items.map((i) => i.note),
      ]);
    }
    if (quantities.length) {
      await tx.query(
        `INSERT INTO exception_case_quantity (case_id, epc_class, uom, shipped, received)
         SELECT $1, * FROM unnest($2::text[], $3::text[], $4::numeric[], $5::numeric[])`,
        [
          created.id,
          quantities.map((q) => q.epcClass),
          quantities.map((q) => q.uom ?? ''),
          quantities.map((q) => String(q.shipped)),
          quantities.map((q) => String(q.received)),
        ],
      );
    }
    await this.appendEntry(tx, created.id, { ...entry, fromState: null, toState: created.state, owner: null });
    await appendAuditEntry(tx, {
      actor: { kind: 'organization', organizationId: entry.actorId },
      action: 'case.open',
      subjectType: 'case',
      subjectId: created.id,
      before: null,
      after: {
        number: created.number,
        category: created.category,
        state: created.state,
        packs: items.length,
        quantities: quantities.length,
      },
    });
    await syncHolds(tx, created.id);
    return created;
  }

  async byId(id: string): Promise<CaseRow | null> {
    const [row] = await queryRows<CaseRow>(this.db, `SELECT ${COLUMNS} FROM exception_case c WHERE c.id = $1`, [id]);
    return row ?? null;
  }

  /**
   * A change decided by the domain, stored only if nobody changed the case since `version` was read: null when
   * someone did (the caller reloads and decides again). `notifications`: the partners to tell, written with the change.
   */
  change(
    id: string,
    version: number,
    next: Pick<
      CaseRow,
      'state' | 'resolution' | 'resolvedAt' | 'regulatorDueAt' | 'regulatorNotifiedAt' | 'reporterOwner' | 'counterpartyOwner'
    >,
    entry: NewCaseEntry,
    notifications: NewCaseNotification[] = [],
  ): Promise<CaseRow | null> {
    return this.db.transaction(async (tx) => {
      const [rows] = (await tx.query(
        `UPDATE exception_case c SET state = $3, resolution = $4, resolved_at = $5, regulator_due_at = $6, regulator_notified_at = $7,
           reporter_owner = $8::jsonb, counterparty_owner = $9::jsonb, version = version + 1
         WHERE c.id = $1 AND c.version = $2 RETURNING ${COLUMNS}`,
        [
          id,
          version,
          next.state,
          next.resolution,
          next.resolvedAt,
          next.regulatorDueAt,
          next.regulatorNotifiedAt,
          next.reporterOwner && JSON.stringify(next.reporterOwner),
          next.counterpartyOwner && JSON.stringify(next.counterpartyOwner),
        ],
      )) as Updated<CaseRow>;
      const changed = rows[0];
      if (!changed) return null;
      await this.appendEntry(tx, id, entry);
      await insertCaseNotifications(tx, notifications);
      await appendAuditEntry(tx, {
        actor: { kind: 'organization', organizationId: entry.actorId },
        action: `case.${entry.action.toLowerCase()}`,
        subjectType: 'case',
        subjectId: id,
        before: { state: entry.fromState },
        // An owner is personal data: the audit log says which side was assigned, the case's history who.
        after: { state: changed.state, resolution: changed.resolution, ...(entry.owner ? { ownerSide: entry.owner.side } : {}) },
      });
      await syncHolds(tx, id);
      return changed;
    });
  }

  /** The packs of several cases in one query: a page of cases as documents. */
  async itemsOf(caseIds: string[]): Promise<Map<string, CaseItemRow[]>> {
    const rows = await queryRows<CaseItemRow & { caseId: string }>(
      this.db,
      `SELECT case_id AS "caseId", epc, note FROM exception_case_item WHERE case_id = ANY($1::uuid[]) ORDER BY case_id, epc`,
      [caseIds],
    );
    const out = new Map<string, CaseItemRow[]>(caseIds.map((id) => [id, []]));
    for (const { caseId, epc, note } of rows) out.get(caseId)!.push({ epc, note });
    return out;
  }

  /** The class quantities of several cases in one query (a page of cases as documents). */
  async quantitiesOf(caseIds: string[]): Promise<Map<string, CaseQuantityRow[]>> {
    const rows = await queryRows<CaseQuantityRow & { caseId: string }>(
      this.db,
      `SELECT case_id AS "caseId", epc_class AS "epcClass", nullif(uom, '') AS uom, shipped::float8 AS shipped, received::float8 AS received
       FROM exception_case_quantity WHERE case_id = ANY($1::uuid[]) ORDER BY case_id, epc_class, uom`,
      [caseIds],
    );
    const out = new Map<string, CaseQuantityRow[]>(caseIds.map((id) => [id, []]));
    for (const { caseId, ...q } of rows) out.get(caseId)!.push(q);
    return out;
  }

  async quantities(caseId: string): Promise<CaseQuantityRow[]> {
    return (await this.quantitiesOf([caseId])).get(caseId)!;
  }

  items(caseId: string): Promise<CaseItemRow[]> {
    return queryRows<CaseItemRow>(this.db, `SELECT epc, note FROM exception_case_item WHERE case_id = $1 ORDER BY epc`, [caseId]);
  }

  history(caseId: string): Promise<CaseEntryRow[]> {
    return queryRows<CaseEntryRow>(this.db, `SELECT ${ENTRY_COLUMNS} FROM exception_case_entry x WHERE x.case_id = $1 ORDER BY x.id`, [
      caseId,
    ]);
  }

  /** The history as exported: each entry with its actor's GLN and the batch anchoring its hash. */
  records(caseId: string): Promise<CaseEntryRecordRow[]> {
    return queryRows<CaseEntryRecordRow>(
      this.db,
      `SELECT ${ENTRY_COLUMNS}, o.gln AS "actorGln", x.batch_id AS "batchId", x.leaf_index AS "leafIndex", b.status AS "batchStatus", b.root
       FROM exception_case_entry x JOIN organization o ON o.id = x.actor_id LEFT JOIN anchor_batch b ON b.id = x.batch_id
       WHERE x.case_id = $1 ORDER BY x.id`,
      [caseId],
    );
  }

  /** The hash of a case's last entry: what its next entry links to. */
  async head(caseId: string): Promise<Buffer | null> {
    const [row] = await queryRows<{ hash: Buffer | null }>(
      this.db,
      `SELECT hash FROM exception_case_entry WHERE case_id = $1 ORDER BY id DESC LIMIT 1`,
      [caseId],
    );
    return row?.hash ?? null;
  }

  /** Newest first by case number; keyset both ways like every listing. */
  async page(
    visibility: CaseVisibility,
    criteria: CaseCriteria,
    limit: number,
    cursorNumber: string | null,
    direction: PageDirection = 'forward',
  ): Promise<{ cases: CaseRow[]; hasMore: boolean }> {
    const params: unknown[] = [];
    const p = (v: unknown) => `$${params.push(v)}`;
    const where = this.visibleTo(visibility, p);
    if (criteria.states?.length) where.push(`c.state = ANY(${p(criteria.states)}::text[])`);
    if (criteria.categories?.length) where.push(`c.category = ANY(${p(criteria.categories)}::text[])`);
    if (criteria.overdueAt) where.push(`c.state <> 'RESOLVED' AND c.grace_until < ${p(criteria.overdueAt)}`);
    if (criteria.regulatorOverdueAt)
      where.push(`c.regulator_notified_at IS NULL AND c.regulator_due_at < ${p(criteria.regulatorOverdueAt)}`);
    if (criteria.open !== undefined) where.push(criteria.open ? `c.state <> 'RESOLVED'` : `c.state = 'RESOLVED'`);
    // Through exception_case_item_epc_idx: the scanner asks this after every verdict.
    if (criteria.epc !== undefined)
      where.push(`EXISTS (SELECT 1 FROM exception_case_item i WHERE i.case_id = c.id AND i.epc = ${p(criteria.epc)})`);
    const forward = direction === 'forward';
    if (cursorNumber !== null) where.push(`c.number ${forward ? '<' : '>'} ${p(cursorNumber)}::bigint`);
    const rows = await queryRows<CaseRow>(
      this.db,
      `SELECT ${COLUMNS} FROM exception_case c ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY c.number ${forward ? 'DESC' : 'ASC'} LIMIT ${p(limit + 1)}`,
      params,
    );
    const page = rows.slice(0, limit);
    return { cases: forward ? page : page.reverse(), hasMore: rows.length > limit };
  }

  /** One pass over the cases the caller sees: the dashboards' counts. */
  async counts(visibility: CaseVisibility, now: Date): Promise<CaseCountsRow> {
    const params: unknown[] = [];
    const p = (v: unknown) => `$${params.push(v)}`;
    const where = this.visibleTo(visibility, p);
    const at = p(now);
    const [row] = await queryRows<CaseCountsRow>(
      this.db,
      `SELECT count(*) FILTER (WHERE c.state = 'OPEN')::int AS open,
         count(*) FILTER (WHERE c.state = 'INVESTIGATING')::int AS investigating,
         count(*) FILTER (WHERE c.state = 'ESCALATED')::int AS escalated,
         count(*) FILTER (WHERE c.state <> 'RESOLVED' AND c.grace_until < ${at})::int AS overdue,
         count(*) FILTER (WHERE c.regulator_notified_at IS NULL AND c.regulator_due_at < ${at})::int AS "regulatorOverdue",
         count(*) FILTER (WHERE c.state = 'RESOLVED')::int AS resolved,
         count(*) FILTER (WHERE c.resolution = 'CLEARED')::int AS cleared,
         count(*) FILTER (WHERE c.resolution = 'TECHNICAL_CAUSE')::int AS "technicalCause",
         count(*) FILTER (WHERE c.resolution = 'ILLEGITIMATE')::int AS illegitimate
       FROM exception_case c ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`,
      params,
    );
    return row;
  }

  /** The packs among `epcs` that a case holds in quarantine (unresolved, or resolved as illegitimate), with the case. */
  async quarantined(epcs: string[]): Promise<Map<string, { caseId: string; number: string }>> {
    if (!epcs.length) return new Map();
    const rows = await queryRows<{ epc: string; caseId: string; number: string }>(
      this.db,
      `SELECT DISTINCT ON (i.epc) i.epc, c.id AS "caseId", c.number
       FROM exception_case_item i JOIN exception_case c ON c.id = i.case_id
       WHERE i.epc = ANY($1::text[]) AND ${QUARANTINES}
       ORDER BY i.epc, c.number`,
      [epcs],
    );
    return new Map(rows.map((r) => [r.epc, { caseId: r.caseId, number: r.number }]));
  }

  /**
   * Raises, once per case, the alert that an unresolved case's grace period ran out before `now`: to the reporter and
   * the counterparty (regulators read every alert). The case's row in `case_grace_alert` (its key) is written in the
   * same transaction as the alerts, so two ticks at once, or a tick repeated, raise nothing twice.
   */
  raiseGraceAlerts(now: Date, limit = 500): Promise<{ caseId: string; number: string }[]> {
    return this.db.transaction(async (tx) => {
      const due = await queryRows<{
        caseId: string;
        number: string;
        reporterId: string;
        counterpartyId: string | null;
        category: string;
        graceUntil: Date;
      }>(
        tx,
        `WITH due AS (
           INSERT INTO case_grace_alert (case_id, raised_at)
           SELECT c.id, $1 FROM exception_case c
           WHERE c.state <> 'RESOLVED' AND c.grace_until < $1 AND NOT EXISTS (SELECT 1 FROM case_grace_alert g WHERE g.case_id = c.id)
           ORDER BY c.number LIMIT $2
           ON CONFLICT DO NOTHING RETURNING case_id
         )
         SELECT c.id AS "caseId", c.number, c.reporter_id AS "reporterId", c.counterparty_id AS "counterpartyId", c.category,
           c.grace_until AS "graceUntil"
         FROM exception_case c JOIN due ON due.case_id = c.id ORDER BY c.number`,
        [now, limit],
      );
      await insertAlerts(
        tx,
        due.flatMap((c) =>
          [c.reporterId, c.counterpartyId].flatMap((recipientId) =>
            recipientId
              ? [
                  {
                    code: GRACE_ALERT_CODE,
                    recipientId,
                    details: {
                      caseId: c.caseId,
                      caseNumber: Number(c.number),
                      category: c.category,
                      graceUntil: c.graceUntil.toISOString(),
                    },
                  },
                ]
              : [],
          ),
        ),
      );
      return due.map((c) => ({ caseId: c.caseId, number: c.number }));
    });
  }

  /** libs/domain caseListScope in SQL; the prefixes' ranges read exception_case_item_company_key_idx. */
  private visibleTo(visibility: CaseVisibility, p: (v: unknown) => string): string[] {
    if (visibility.kind === 'all') return [];
    const org = p(visibility.organizationId);
    const product = visibility.productPrefixes.length
      ? ` OR c.id IN (SELECT i.case_id FROM exception_case_item i JOIN unnest(${p(visibility.productPrefixes)}::text[]) AS k(prefix)
           ON i.company_key >= k.prefix AND i.company_key < k.prefix || ':')`
      : '';
    return [`(c.reporter_id = ${org} OR c.counterparty_id = ${org}${product})`];
  }

  private async appendEntry(tx: { query(sql: string, params?: unknown[]): Promise<unknown> }, caseId: string, entry: NewCaseEntry) {
    await tx.query(
      `INSERT INTO exception_case_entry (case_id, at, actor_id, action, from_state, to_state, resolution, message, attachments, hash,
         previous_hash, signer, signature, owner)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::text[], $10, $11, $12, $13, $14::jsonb)`,
      [
        caseId,
        entry.at,
        entry.actorId,
        entry.action,
        entry.fromState,
        entry.toState,
        entry.resolution,
        entry.message,
        entry.attachments,
        entry.hash,
        entry.previousHash,
        entry.signer,
        entry.signature,
        entry.owner && JSON.stringify(entry.owner),
      ],
    );
  }
}
