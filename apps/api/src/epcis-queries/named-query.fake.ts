import type { EventCriteria, NamedQuery } from '@pharmatrace/persistence';

/** NamedQueryRepository in memory, with its rules: one live name per owner, deletion marks, creation order. */
export class FakeNamedQueryRepository {
  readonly rows: (NamedQuery & { deleted: boolean })[] = [];

  async create(ownerId: string, name: string, query: Record<string, unknown>, criteria: EventCriteria): Promise<NamedQuery | null> {
    if (this.rows.some((r) => r.ownerId === ownerId && r.name === name && !r.deleted)) return null;
    const row = { id: this.rows.length + 1, ownerId, name, query, criteria, createdAt: new Date(), deleted: false };
    this.rows.push(row);
    return row;
  }

  async byName(ownerId: string, name: string): Promise<NamedQuery | null> {
    return this.rows.find((r) => r.ownerId === ownerId && r.name === name && !r.deleted) ?? null;
  }

  async list(ownerId: string, limit: number, afterId = 0) {
    const live = this.rows.filter((r) => r.ownerId === ownerId && !r.deleted && r.id > afterId);
    return { queries: live.slice(0, limit), hasMore: live.length > limit };
  }

  async delete(ownerId: string, name: string): Promise<boolean> {
    const row = this.rows.find((r) => r.ownerId === ownerId && r.name === name && !r.deleted);
    if (row) row.deleted = true;
    return !!row;
  }
}
