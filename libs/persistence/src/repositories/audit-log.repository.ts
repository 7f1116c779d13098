import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { PageDirection, queryRows } from './sql-query';

/** Who did it: an organization through its API key, or the operator through the admin token. */
export type AuditActor = { kind: 'organization'; organizationId: string } | { kind: 'operator' };

export interface NewAuditEntry {
  actor: AuditActor;
  /** `<subject>.<verb>`, e.g. `lot.recall`, `licence.verify`. */
  action: string;
  subjectType: string;
  subjectId: string;
  before: unknown;
  after: unknown;
}

export interface StoredAuditEntry {
  id: number;
  at: Date;
  actorKind: 'organization' | 'operator';
  actorOrgId: string | null;
  action: string;
  subjectType: string;
  subjectId: string;
  before: unknown;
  after: unknown;
}

/** An audit_log row as `page` selects it. */
interface AuditLogRow {
  /** bigint: a string. */
  id: string;
  at: Date;
  /** text, held to these two by a CHECK. */
  actorKind: 'organization' | 'operator';
  actorOrgId: string | null;
  action: string;
  subjectType: string;
  subjectId: string;
  /** jsonb, null for none: whatever JSON the entry recorded. */
  before: unknown;
  after: unknown;
}

/**
 * Appends one entry through `db`: pass the action's transaction manager so the entry commits with the change it
 * records, or not at all. The time is the database server's, like every other row's.
 */
export async function appendAuditEntry(db: EntityManager | DataSource, entry: NewAuditEntry): Promise<void> {
  await db.query(
    `INSERT INTO audit_log (actor_kind, actor_org_id, action, subject_type, subject_id, before, after) VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb)`,
    [
      entry.actor.kind,
      entry.actor.kind === 'organization' ? entry.actor.organizationId : null,
      entry.action,
      entry.subjectType,
      entry.subjectId,
      entry.before === null || entry.before === undefined ? null : JSON.stringify(entry.before),
      entry.after === null || entry.after === undefined ? null : JSON.stringify(entry.after),
    ],
  );
}

/** The append-only record of administrative and status actions, read by regulators newest first. */
@Injectable()
export class AuditLogRepository {
  constructor(private readonly db: DataSource) {}

  append(entry: NewAuditEntry): Promise<void> {
    return appendAuditEntry(this.db, entry);
  }

  /**
   * One page newest first: `forward`, older than the cursor entry; `backward`, newer than it (read oldest first);
   * `hasMore` says whether another entry matches past the page in the direction read.
   */
  async page(
    criteria: { action?: string; subjectId?: string },
    size: number,
    cursorId: number | null,
    direction: PageDirection = 'forward',
  ): Promise<{ entries: StoredAuditEntry[]; hasMore: boolean }> {
    const forward = direction === 'forward';
    const rows = await queryRows<AuditLogRow>(
      this.db,
      `SELECT id, at, actor_kind AS "actorKind", actor_org_id AS "actorOrgId", action, subject_type AS "subjectType", subject_id AS "subjectId", before, after
       FROM audit_log
       WHERE ($1::text IS NULL OR action = $1) AND ($2::text IS NULL OR subject_id = $2)
         AND ($3::bigint IS NULL OR ${forward ? 'id < $3' : 'id > $3'})
       ORDER BY id ${forward ? 'DESC' : 'ASC'} LIMIT $4`,
      [criteria.action ?? null, criteria.subjectId ?? null, cursorId, size + 1],
    );
    const page = rows.slice(0, size).map((r) => ({ ...r, id: Number(r.id) }));
    return { entries: forward ? page : page.reverse(), hasMore: rows.length > size };
  }
}
