import { Injectable } from '@nestjs/common';
import type { TradingPartner } from '@pharmatrace/domain';
import { DataSource } from 'typeorm';
import { rethrowUniqueViolation } from '../persistence.error';
import { appendAuditEntry } from './audit-log.repository';
import { type Nullable, queryRows, type Updated } from './sql-query';

export interface NewLicence {
  organizationId: string;
  type: string;
  issuingAuthority: string;
  number: string;
  validFrom: Date;
  validUntil: Date;
}

export interface StoredLicence extends NewLicence {
  id: string;
  createdAt: Date;
  verifiedBy: string | null;
  verifiedAt: Date | null;
  rejectedBy: string | null;
  rejectedAt: Date | null;
  rejectionReason: string | null;
}

/**
 * A row of COLUMNS as node-postgres answers it, declared apart from StoredLicence so that tsc reports a change to one
 * that the other does not follow: the rows are returned as StoredLicences unchanged.
 */
interface LicenceRow {
  id: string;
  organizationId: string;
  type: string;
  issuingAuthority: string;
  number: string;
  validFrom: Date;
  validUntil: Date;
  createdAt: Date;
  verifiedBy: string | null;
  verifiedAt: Date | null;
  rejectedBy: string | null;
  rejectedAt: Date | null;
  rejectionReason: string | null;
}

/** An organization with its licences, as `tradingPartners` selects it. */
interface TradingPartnerRow {
  id: string;
  gln: string;
  /** The organization_role enum: a string. */
  role: string;
  /** jsonb, so its timestamps are ISO 8601 text; `[]` for none. */
  licences: { validFrom: string; validUntil: string; verifiedAt: string | null; rejectedAt: string | null }[];
}

const COLUMNS = `id, organization_id AS "organizationId", type, issuing_authority AS "issuingAuthority", number,
  valid_from AS "validFrom", valid_until AS "validUntil", created_at AS "createdAt", verified_by AS "verifiedBy",
  verified_at AS "verifiedAt", rejected_by AS "rejectedBy", rejected_at AS "rejectedAt", rejection_reason AS "rejectionReason"`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

@Injectable()
export class LicenceRepository {
  constructor(private readonly db: DataSource) {}

  /** The holder declares it: the licence and its audit entry commit together. */
  add(licence: NewLicence): Promise<StoredLicence> {
    return this.db.transaction(async (tx) => {
      const [added] = await queryRows<LicenceRow>(
        tx,
        `INSERT INTO organization_licence (organization_id, type, issuing_authority, number, valid_from, valid_until)
           VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
        [licence.organizationId, licence.type, licence.issuingAuthority, licence.number, licence.validFrom, licence.validUntil],
      ).catch(rethrowUniqueViolation);
      await appendAuditEntry(tx, {
        actor: { kind: 'organization', organizationId: licence.organizationId },
        action: 'licence.add',
        subjectType: 'licence',
        subjectId: added.id,
        before: null,
        after: added,
      });
      return added;
    });
  }

  /** Null for an id that names no licence (or is no UUID at all). */
  async findById(id: string): Promise<StoredLicence | null> {
    if (!UUID.test(id)) return null;
    const rows = await queryRows<LicenceRow>(this.db, `SELECT ${COLUMNS} FROM organization_licence WHERE id = $1`, [id]);
    return rows[0] ?? null;
  }

  /** A verification replaces any earlier rejection, and a rejection any earlier verification: the last decision counts. */
  verify(id: string, regulatorId: string): Promise<StoredLicence | null> {
    return this.decide(
      id,
      regulatorId,
      'licence.verify',
      `verified_by = $2, verified_at = now(), rejected_by = NULL, rejected_at = NULL, rejection_reason = NULL`,
      [],
    );
  }

  reject(id: string, regulatorId: string, reason: string): Promise<StoredLicence | null> {
    return this.decide(
      id,
      regulatorId,
      'licence.reject',
      `rejected_by = $2, rejected_at = now(), rejection_reason = $3, verified_by = NULL, verified_at = NULL`,
      [reason],
    );
  }

  /** A regulator's decision: the row before it, the change and the audit entry, in one transaction. */
  private decide(id: string, regulatorId: string, action: string, set: string, params: unknown[]): Promise<StoredLicence | null> {
    if (!UUID.test(id)) return Promise.resolve(null);
    return this.db.transaction(async (tx) => {
      const [before] = await queryRows<LicenceRow>(tx, `SELECT ${COLUMNS} FROM organization_licence WHERE id = $1 FOR UPDATE`, [id]);
      if (!before) return null;
      // An UPDATE answers [rows, row count] through TypeORM's query().
      const [[after]] = await tx.query<Updated<LicenceRow>>(`UPDATE organization_licence SET ${set} WHERE id = $1 RETURNING ${COLUMNS}`, [
        id,
        regulatorId,
        ...params,
      ]);
      await appendAuditEntry(tx, {
        actor: { kind: 'organization', organizationId: regulatorId },
        action,
        subjectType: 'licence',
        subjectId: id,
        before,
        after,
      });
      return after;
    });
  }

  /** Every licence of each organization, oldest first, in one query. */
  async forOrganizations(organizationIds: readonly string[]): Promise<Map<string, StoredLicence[]>> {
    const out = new Map<string, StoredLicence[]>(organizationIds.map((id) => [id, []]));
    if (!organizationIds.length) return out;
    const rows = await queryRows<LicenceRow>(
      this.db,
      `SELECT ${COLUMNS} FROM organization_licence WHERE organization_id = ANY($1::uuid[]) ORDER BY created_at, id`,
      [organizationIds],
    );
    for (const row of rows) out.get(row.organizationId)?.push(row);
    return out;
  }

  /**
   * Every organization with its licences, for the capture's licence rule: one query whatever the document names, so
   * streamed captures (whose counterparties are known only as events arrive) are judged like the others. With `since`
   * (the `horizon` of an earlier read), only the organizations whose registration or licences changed since that read
   * (trading_partner_change, migration 1767800000000). `horizon` is the visibility horizon taken in the same statement:
   * every change below it is in this answer, so a next read from it misses none.
   */
  async tradingPartners(since?: string): Promise<{ partners: TradingPartner[]; horizon: string }> {
    const changed = since === undefined ? '' : 'JOIN trading_partner_change c ON c.organization_id = o.id AND c.xid >= $1::xid8';
    // OFFSET 0 keeps the horizon one value (subscriptions read events the same way).
    const rows = await queryRows<Nullable<TradingPartnerRow> & { horizon: string }>(
      this.db,
      `SELECT h.horizon::text AS horizon, p.* FROM (SELECT event_visibility_horizon() AS horizon OFFSET 0) h
       LEFT JOIN LATERAL (
         SELECT o.id, o.gln, o.role,
                coalesce(jsonb_agg(jsonb_build_object('validFrom', l.valid_from, 'validUntil', l.valid_until, 'verifiedAt', l.verified_at,
                                                      'rejectedAt', l.rejected_at) ORDER BY l.created_at, l.id) FILTER (WHERE l.id IS NOT NULL), '[]') AS licences
         FROM organization o ${changed} LEFT JOIN organization_licence l ON l.organization_id = o.id
         GROUP BY o.id) p ON true`,
      since === undefined ? [] : [since],
    );
    const date = (v: string | null) => (v === null ? null : new Date(v));
    const partners = rows.flatMap((r) =>
      r.id === null
        ? []
        : [
            {
              id: r.id,
              gln: r.gln!,
              role: r.role!,
              licences: r.licences!.map((l) => ({
                validFrom: new Date(l.validFrom),
                validUntil: new Date(l.validUntil),
                verifiedAt: date(l.verifiedAt),
                rejectedAt: date(l.rejectedAt),
              })),
            },
          ],
    );
    return { partners, horizon: rows[0].horizon };
  }
}
