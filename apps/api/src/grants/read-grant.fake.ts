import type { NewReadGrant, ReadGrantRow } from '@pharmatrace/persistence';
import { randomUUID } from 'node:crypto';

/** ReadGrantRepository in memory, with the same rules as its SQL: a second revocation keeps the first one's time and author. */
export class FakeReadGrantRepository {
  readonly rows = new Map<string, ReadGrantRow>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  /** Stores a grant as if created earlier; tests set the fields they care about. */
  seed(row: Partial<ReadGrantRow> & Pick<ReadGrantRow, 'granteeId' | 'gtin'>): ReadGrantRow {
    const stored: ReadGrantRow = {
      id: randomUUID(),
      grantorId: 'org-grantor',
      lot: null,
      validFrom: new Date(0),
      validUntil: new Date('2999-01-01T00:00:00Z'),
      createdAt: this.now(),
      revokedAt: null,
      revokedBy: null,
      ...row,
    };
    this.rows.set(stored.id, stored);
    return stored;
  }

  async create(grant: NewReadGrant): Promise<ReadGrantRow> {
    return this.seed(grant);
  }

  async byId(id: string): Promise<ReadGrantRow | null> {
    return this.rows.get(id) ?? null;
  }

  async revoke(id: string, by: string, at: Date): Promise<ReadGrantRow | null> {
    const row = this.rows.get(id);
    if (!row) return null;
    const after = { ...row, revokedAt: row.revokedAt ?? at, revokedBy: row.revokedBy ?? by };
    this.rows.set(id, after);
    return after;
  }

  async involving(organizationId: string): Promise<ReadGrantRow[]> {
    return [...this.rows.values()].filter((r) => r.grantorId === organizationId || r.granteeId === organizationId).reverse();
  }

  async liveFor(granteeId: string, now: Date): Promise<ReadGrantRow[]> {
    return [...this.rows.values()].filter((r) => r.granteeId === granteeId && r.revokedAt === null && r.validUntil > now);
  }
}
