import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PageDirection, queryRows } from './sql-query';

export interface AlertCriteria {
  codes?: string[];
  gtin?: string;
  lot?: string;
  epc?: string;
  since?: Date;
  until?: Date;
}

/**
 * Which alerts a reader may see: all, or those it raised or is addressed, plus with `ownGtins` those on its GTINs,
 * plus those on a GTIN (or a GTIN's lot) in `granted`.
 */
export type AlertVisibility =
  { kind: 'all' } | { kind: 'involved'; organizationId: string; ownGtins: boolean; granted: { gtin: string; lot: string | null }[] };

export interface AlertRow {
  id: number;
  code: string;
  epc: string | null;
  gtin: string | null;
  lot: string | null;
  actorId: string | null;
  manufacturerId: string | null;
  recipientId: string | null;
  details: Record<string, unknown>;
  createdAt: Date;
}

/** An alert to raise. Its manufacturer (an addressee) is found from the GTIN; regulators read every alert. */
export interface NewAlert {
  code: string;
  epc?: string | null;
  gtin?: string | null;
  lot?: string | null;
  /** Who did what raised it. */
  actorId?: string | null;
  /** Whom it is addressed to besides the manufacturer (a custodian of a recalled lot). */
  recipientId?: string | null;
  details?: Record<string, unknown>;
}

interface AlertIdRow {
  /** bigint: a string. */
  id: string;
}

/**
 * The one way an alert is written, in the caller's transaction (`tx`: a DataSource or EntityManager): one statement
 * for any number of alerts. Returns their ids in order.
 */
export async function insertAlerts(tx: Pick<DataSource, 'query'>, alerts: NewAlert[]): Promise<number[]> {
  if (!alerts.length) return [];
  const column = <T>(f: (a: NewAlert) => T) => alerts.map(f);
  const rows = await queryRows<AlertIdRow>(
    tx,
    `INSERT INTO alert (code, epc, gtin, lot, actor_id, manufacturer_id, recipient_id, details)
     SELECT u.code, u.epc, u.gtin, u.lot, u.actor_id, p.manufacturer_id, u.recipient_id, u.details
     FROM unnest($1::text[], $2::text[], $3::char(14)[], $4::text[], $5::uuid[], $6::uuid[], $7::jsonb[]) WITH ORDINALITY
       AS u(code, epc, gtin, lot, actor_id, recipient_id, details, n)
     LEFT JOIN product p ON p.gtin = u.gtin
     ORDER BY u.n
     RETURNING id`,
    [
      column((a) => a.code),
      column((a) => a.epc ?? null),
      column((a) => a.gtin ?? null),
      column((a) => a.lot ?? null),
      column((a) => a.actorId ?? null),
      column((a) => a.recipientId ?? null),
      column((a) => JSON.stringify(a.details ?? {})),
    ],
  );
  return rows.map((r) => Number(r.id));
}

/** An alert as `page` selects it. */
interface AlertTableRow {
  /** bigint: a string. */
  id: string;
  code: string;
  epc: string | null;
  gtin: string | null;
  lot: string | null;
  actor_id: string | null;
  manufacturer_id: string | null;
  recipient_id: string | null;
  /** jsonb, written by insertAlerts from an object (`{}` when none). */
  details: Record<string, unknown>;
  created_at: Date;
}

@Injectable()
export class AlertRepository {
  constructor(private readonly db: DataSource) {}

  /**
   * Newest first, keyset on id: `forward` pages are older than the cursor, `backward` ones newer (read oldest first,
   * served newest first); `hasMore`: another alert lies past the page in the direction read.
   */
  async page(
    criteria: AlertCriteria,
    visibility: AlertVisibility,
    limit: number,
    cursorId: number | null,
    direction: PageDirection = 'forward',
  ): Promise<{ alerts: AlertRow[]; hasMore: boolean }> {
    const where: string[] = [];
    const params: unknown[] = [];
    const p = (v: unknown) => `$${params.push(v)}`;
    if (visibility.kind !== 'all') {
      const org = p(visibility.organizationId);
      const either = [`a.recipient_id = ${org}`, `a.actor_id = ${org}`];
      if (visibility.ownGtins) either.push(`a.manufacturer_id = ${org}`);
      const { granted } = visibility;
      if (granted.length) {
        either.push(
          `EXISTS (SELECT 1 FROM unnest(${p(granted.map((g) => g.gtin))}::text[], ${p(granted.map((g) => g.lot))}::text[]) AS g(gtin, lot)
                   WHERE a.gtin = g.gtin AND (g.lot IS NULL OR a.lot = g.lot))`,
        );
      }
      where.push(`(${either.join(' OR ')})`);
    }
    if (criteria.codes?.length) where.push(`a.code = ANY(${p(criteria.codes)}::text[])`);
    if (criteria.gtin) where.push(`a.gtin = ${p(criteria.gtin)}`);
    if (criteria.lot) where.push(`a.lot = ${p(criteria.lot)}`);
    if (criteria.epc) where.push(`a.epc = ${p(criteria.epc)}`);
    if (criteria.since) where.push(`a.created_at >= ${p(criteria.since.toISOString())}::timestamptz`);
    if (criteria.until) where.push(`a.created_at < ${p(criteria.until.toISOString())}::timestamptz`);
    const forward = direction === 'forward';
    if (cursorId !== null) where.push(`a.id ${forward ? '<' : '>'} ${p(cursorId)}::bigint`);
    const rows = await queryRows<AlertTableRow>(
      this.db,
      `SELECT a.id, a.code, a.epc, a.gtin, a.lot, a.actor_id, a.manufacturer_id, a.recipient_id, a.details, a.created_at
       FROM alert a ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY a.id ${forward ? 'DESC' : 'ASC'} LIMIT ${p(limit + 1)}`,
      params,
    );
    const page = rows.slice(0, limit);
    const alerts = (forward ? page : page.reverse()).map((r) => ({
      id: Number(r.id),
      code: r.code,
      epc: r.epc,
      gtin: r.gtin,
      lot: r.lot,
      actorId: r.actor_id,
      manufacturerId: r.manufacturer_id,
      recipientId: r.recipient_id,
      details: r.details,
      createdAt: r.created_at,
    }));
    return { alerts, hasMore: rows.length > limit };
  }
}
