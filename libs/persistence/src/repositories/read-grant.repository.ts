import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { appendAuditEntry } from './audit-log.repository';
import { queryRows, type Updated } from './sql-query';

/** A read grant, and a row of COLUMNS as node-postgres answers it (every column aliased to its name here). */
export interface ReadGrantRow {
  id: string;
  grantorId: string;
  granteeId: string;
  gtin: string;
  lot: string | null;
  validFrom: Date;
  validUntil: Date;
  createdAt: Date;
  revokedAt: Date | null;
  revokedBy: string | null;
}

export type NewReadGrant = Pick<ReadGrantRow, 'grantorId' | 'granteeId' | 'gtin' | 'lot' | 'validFrom' | 'validUntil'>;

const COLUMNS = `id, grantor_id AS "grantorId", grantee_id AS "granteeId", gtin, lot, valid_from AS "validFrom", valid_until AS "validUntil",
  created_at AS "createdAt", revoked_at AS "revokedAt", revoked_by AS "revokedBy"`;

/** Read grants: created, revoked (the row kept), and listed; never deleted. */
@Injectable()
export class ReadGrantRepository {
  constructor(private readonly db: DataSource) {}

  /** The grantor gives it: the grant and its audit entry commit together. */
  create(grant: NewReadGrant): Promise<ReadGrantRow> {
    return this.db.transaction(async (tx) => {
      const [created] = await queryRows<ReadGrantRow>(
        tx,
        `INSERT INTO read_grant (grantor_id, grantee_id, gtin, lot, valid_from, valid_until) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
        [grant.grantorId, grant.granteeId, grant.gtin, grant.lot, grant.validFrom, grant.validUntil],
      );
      await appendAuditEntry(tx, {
        actor: { kind: 'organization', organizationId: grant.grantorId },
        action: 'grant.create',
        subjectType: 'read_grant',
        subjectId: created.id,
        before: null,
        after: created,
      });
      return created;
    });
  }

  async byId(id: string): Promise<ReadGrantRow | null> {
    const rows = await queryRows<ReadGrantRow>(this.db, `SELECT ${COLUMNS} FROM read_grant WHERE id = $1`, [id]);
    return rows[0] ?? null;
  }

  /** Revokes once: a second revocation keeps the first one's time and author (and is an audit entry of its own). */
  revoke(id: string, by: string, at: Date): Promise<ReadGrantRow | null> {
    return this.db.transaction(async (tx) => {
      const [before] = await queryRows<ReadGrantRow>(tx, `SELECT ${COLUMNS} FROM read_grant WHERE id = $1 FOR UPDATE`, [id]);
      if (!before) return null;
      // TypeORM answers an UPDATE … RETURNING on Postgres with [rows, affected count].
      const [[after]] = await tx.query<Updated<ReadGrantRow>>(
        `UPDATE read_grant SET revoked_at = coalesce(revoked_at, $3), revoked_by = coalesce(revoked_by, $2) WHERE id = $1 RETURNING ${COLUMNS}`,
        [id, by, at],
      );
      await appendAuditEntry(tx, {
        actor: { kind: 'organization', organizationId: by },
        action: 'grant.revoke',
        subjectType: 'read_grant',
        subjectId: id,
        before,
        after,
      });
      return after;
    });
  }

  /** The grants an organization gave or received, revoked and expired ones included, newest first. */
  involving(organizationId: string): Promise<ReadGrantRow[]> {
    return queryRows<ReadGrantRow>(
      this.db,
      `SELECT ${COLUMNS} FROM read_grant WHERE grantor_id = $1 OR grantee_id = $1 ORDER BY created_at DESC, id`,
      [organizationId],
    );
  }

  /** The grantee's grants that are not revoked and not over at `now` (some may start later): what its reads are decided on. */
  liveFor(granteeId: string, now: Date): Promise<ReadGrantRow[]> {
    return queryRows<ReadGrantRow>(
      this.db,
      `SELECT ${COLUMNS} FROM read_grant WHERE grantee_id = $1 AND revoked_at IS NULL AND valid_until > $2`,
      [granteeId, now],
    );
  }
}
