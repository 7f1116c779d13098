import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { appendAuditEntry } from './audit-log.repository';
import { PageDirection, queryRows, type Updated } from './sql-query';

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
  version: number;
}

export interface CaseItemRow {
  epc: string;
  note: string | null;
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
}

export type NewCase = Pick<
  CaseRow,
  'category' | 'state' | 'reporterId' | 'counterpartyId' | 'source' | 'sourceRef' | 'summary' | 'openedAt' | 'graceUntil'
>;
export type NewCaseEntry = Omit<CaseEntryRow, 'id'>;

/** What a list shows: a regulator's every case, anyone else's only the cases it is a party to. */
export type CaseVisibility = { kind: 'all' } | { kind: 'party'; organizationId: string };

export interface CaseCriteria {
  states?: string[];
  categories?: string[];
  /** Unresolved cases past their grace period at this instant. */
  overdueAt?: Date;
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
  resolved: number;
  cleared: number;
  technicalCause: number;
  illegitimate: number;
}

const COLUMNS = `c.id, c.number, c.category, c.state, c.resolution, c.reporter_id AS "reporterId", c.counterparty_id AS "counterpartyId",
  c.source, c.source_ref AS "sourceRef", c.summary, c.opened_at AS "openedAt", c.grace_until AS "graceUntil", c.resolved_at AS "resolvedAt",
  c.regulator_due_at AS "regulatorDueAt", c.version`;
const ENTRY_COLUMNS = `id, at, actor_id AS "actorId", action, from_state AS "fromState", to_state AS "toState", resolution, message, attachments`;

/** Cases, their packs and their history: opened and changed in one transaction each, with an audit entry. */
@Injectable()
export class ExceptionCaseRepository {
  constructor(private readonly db: DataSource) {}

  open(newCase: NewCase, items: CaseItemRow[], entry: Omit<NewCaseEntry, 'fromState' | 'toState'>): Promise<CaseRow> {
    return this.db.transaction(async (tx) => {
      const [created] = await queryRows<CaseRow>(
        tx,
        `INSERT INTO exception_case AS c (category, state, reporter_id, counterparty_id, source, source_ref, summary, opened_at, grace_until)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${COLUMNS}`,
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
        ],
      );
      if (items.length) {
        await tx.query(`INSERT INTO exception_case_item (case_id, epc, note) SELECT $1, * FROM unnest($2::text[], $3::text[])`, [
          created.id,
          items.map((i) => i.epc),
          items.map((i) => i.note),
        ]);
      }
      await this.appendEntry(tx, created.id, { ...entry, fromState: null, toState: created.state });
      await appendAuditEntry(tx, {
        actor: { kind: 'organization', organizationId: entry.actorId },
        action: 'case.open',
        subjectType: 'case',
        subjectId: created.id,
        before: null,
        after: { number: created.number, category: created.category, state: created.state, packs: items.length },
      });
      return created;
    });
  }

  async byId(id: string): Promise<CaseRow | null> {
    const [row] = await queryRows<CaseRow>(this.db, `SELECT ${COLUMNS} FROM exception_case c WHERE c.id = $1`, [id]);
    return row ?? null;
  }

  /**
   * A change decided by the domain, stored only if nobody changed the case since `version` was read: null when
   * someone did (the caller reloads and decides again).
   */
  change(
    id: string,
    version: number,
    next: Pick<CaseRow, 'state' | 'resolution' | 'resolvedAt' | 'regulatorDueAt'>,
    entry: NewCaseEntry,
  ): Promise<CaseRow | null> {
    return this.db.transaction(async (tx) => {
      const [rows] = (await tx.query(
        `UPDATE exception_case c SET state = $3, resolution = $4, resolved_at = $5, regulator_due_at = $6, version = version + 1
         WHERE c.id = $1 AND c.version = $2 RETURNING ${COLUMNS}`,
        [id, version, next.state, next.resolution, next.resolvedAt, next.regulatorDueAt],
      )) as Updated<CaseRow>;
      const changed = rows[0];
      if (!changed) return null;
      await this.appendEntry(tx, id, entry);
      await appendAuditEntry(tx, {
        actor: { kind: 'organization', organizationId: entry.actorId },
        action: `case.${entry.action.toLowerCase()}`,
        subjectType: 'case',
        subjectId: id,
        before: { state: entry.fromState },
        after: { state: changed.state, resolution: changed.resolution },
      });
      return changed;
    });
  }

  items(caseId: string): Promise<CaseItemRow[]> {
    return queryRows<CaseItemRow>(this.db, `SELECT epc, note FROM exception_case_item WHERE case_id = $1 ORDER BY epc`, [caseId]);
  }

  history(caseId: string): Promise<CaseEntryRow[]> {
    return queryRows<CaseEntryRow>(this.db, `SELECT ${ENTRY_COLUMNS} FROM exception_case_entry WHERE case_id = $1 ORDER BY id`, [caseId]);
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
       WHERE i.epc = ANY($1::text[]) AND (c.state <> 'RESOLVED' OR c.resolution = 'ILLEGITIMATE')
       ORDER BY i.epc, c.number`,
      [epcs],
    );
    return new Map(rows.map((r) => [r.epc, { caseId: r.caseId, number: r.number }]));
  }

  private visibleTo(visibility: CaseVisibility, p: (v: unknown) => string): string[] {
    if (visibility.kind === 'all') return [];
    const org = p(visibility.organizationId);
    return [`(c.reporter_id = ${org} OR c.counterparty_id = ${org})`];
  }

  private async appendEntry(tx: { query(sql: string, params?: unknown[]): Promise<unknown> }, caseId: string, entry: NewCaseEntry) {
    await tx.query(
      `INSERT INTO exception_case_entry (case_id, at, actor_id, action, from_state, to_state, resolution, message, attachments)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::text[])`,
      [caseId, entry.at, entry.actorId, entry.action, entry.fromState, entry.toState, entry.resolution, entry.message, entry.attachments],
    );
  }
}
