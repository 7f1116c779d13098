import { keysetPage } from '../common/keyset-page.fake';
import type { NewAuditEntry, StoredAuditEntry } from '@pharmatrace/persistence';

/** AuditLogRepository in memory: ids ascend as Postgres' sequence does, and pages run newest first below `beforeId`. */
export class FakeAuditLogRepository {
  readonly entries: StoredAuditEntry[] = [];
  private nextId = 1;

  async append(entry: NewAuditEntry): Promise<void> {
    // Stored as JSON, as the jsonb columns keep it: a later change to the caller's object must not show here.
    const json = (v: unknown) => (v === null || v === undefined ? null : JSON.parse(JSON.stringify(v)));
    this.entries.push({
      id: this.nextId++,
      at: new Date(),
      actorKind: entry.actor.kind,
      actorOrgId: entry.actor.kind === 'organization' ? entry.actor.organizationId : null,
      action: entry.action,
      subjectType: entry.subjectType,
      subjectId: entry.subjectId,
      before: json(entry.before),
      after: json(entry.after),
    });
  }

  async page(
    criteria: { action?: string; subjectId?: string },
    size: number,
    cursorId: number | null,
    direction: 'forward' | 'backward' = 'forward',
  ): Promise<{ entries: StoredAuditEntry[]; hasMore: boolean }> {
    const rows = this.entries
      .filter(
        (e) =>
          (criteria.action === undefined || e.action === criteria.action) &&
          (criteria.subjectId === undefined || e.subjectId === criteria.subjectId),
      )
      .sort((a, b) => b.id - a.id);
    // Newest first: a row "after" the cursor has a smaller id.
    const page = keysetPage(
      rows,
      (e) => e.id,
      (a, b) => b - a,
      cursorId,
      size,
      direction,
    );
    return { entries: page.rows, hasMore: page.hasMore };
  }
}
