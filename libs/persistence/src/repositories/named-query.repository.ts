import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { decodeCriteria, encodeCriteria } from '../event-criteria.codec';
import type { EventCriteria } from './event-query.repository';
import { queryRows } from './sql-query';

/** A named query of the REST binding (`/epcis/queries/{name}`), owned by the organization that created it. */
export interface NamedQuery {
  id: number;
  ownerId: string;
  name: string;
  /** The definition as the client gave it. */
  query: Record<string, unknown>;
  /** What the API parsed from `query` (read policy apart: that is the reader's, applied when it runs). */
  criteria: EventCriteria;
  createdAt: Date;
}

interface NamedQueryRow {
  /** bigint: a string. */
  id: string;
  owner_id: string;
  name: string;
  query: Record<string, unknown>;
  /** jsonb as text (`criteria::text`), decoded by decodeCriteria. */
  criteria: string;
  created_at: Date;
}

const COLUMNS = `q.id, q.owner_id, q.name, q.query, q.criteria::text AS criteria, q.created_at`;

const toNamedQuery = (r: NamedQueryRow): NamedQuery => ({
  id: Number(r.id),
  ownerId: r.owner_id,
  name: r.name,
  query: r.query,
  criteria: decodeCriteria(r.criteria),
  createdAt: r.created_at,
});

@Injectable()
export class NamedQueryRepository {
  constructor(private readonly db: DataSource) {}

  /** The new query, or null when the owner already has a live query of that name. */
  async create(ownerId: string, name: string, query: Record<string, unknown>, criteria: EventCriteria): Promise<NamedQuery | null> {
    const rows = await queryRows<NamedQueryRow>(
      this.db,
      `INSERT INTO named_query AS q (owner_id, name, query, criteria) VALUES ($1, $2, $3, $4::jsonb)
       ON CONFLICT (owner_id, name) WHERE deleted_at IS NULL DO NOTHING
       RETURNING ${COLUMNS}`,
      [ownerId, name, JSON.stringify(query), encodeCriteria(criteria)],
    );
    return rows.length ? toNamedQuery(rows[0]) : null;
  }

  async byName(ownerId: string, name: string): Promise<NamedQuery | null> {
    const rows = await queryRows<NamedQueryRow>(
      this.db,
      `SELECT ${COLUMNS} FROM named_query q WHERE q.owner_id = $1 AND q.name = $2 AND q.deleted_at IS NULL`,
      [ownerId, name],
    );
    return rows.length ? toNamedQuery(rows[0]) : null;
  }

  /** The owner's live queries in creation order after the query `afterId`, and whether more follow. */
  async list(ownerId: string, limit: number, afterId = 0): Promise<{ queries: NamedQuery[]; hasMore: boolean }> {
    const rows = await queryRows<NamedQueryRow>(
      this.db,
      `SELECT ${COLUMNS} FROM named_query q WHERE q.owner_id = $1 AND q.deleted_at IS NULL AND q.id > $2
       ORDER BY q.id LIMIT $3`,
      [ownerId, afterId, limit + 1],
    );
    return { queries: rows.slice(0, limit).map(toNamedQuery), hasMore: rows.length > limit };
  }

  /** Marks the query and its subscriptions deleted; false when the owner has no live query of that name. */
  async delete(ownerId: string, name: string): Promise<boolean> {
    const [row] = await queryRows<{ deleted: number }>(
      this.db,
      `WITH q AS (UPDATE named_query SET deleted_at = now() WHERE owner_id = $1 AND name = $2 AND deleted_at IS NULL RETURNING id),
       s AS (UPDATE subscription SET deleted_at = now() WHERE query_id IN (SELECT id FROM q) AND deleted_at IS NULL)
       SELECT count(*)::int AS deleted FROM q`,
      [ownerId, name],
    );
    return row.deleted > 0;
  }
}
