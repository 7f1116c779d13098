import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { insertAlerts } from './alert.repository';
import { appendAuditEntry } from './audit-log.repository';
import { queryRows } from './sql-query';

export interface RecallOutcome {
  packs: number;
  custodians: { id: string; packs: number }[];
}

interface ProductManufacturerRow {
  manufacturer_id: string | null;
}

interface CustodianPacksRow {
  /** custodian_id, never null here (the query skips packs no one holds). */
  id: string;
  /** count(*): a bigint, so a string. */
  packs: string;
}

/** A product's withdrawal state, recorded in the audit log before and after. */
interface ProductStatusRow {
  /** text, held to these two by product_status_check. */
  status: 'ACTIVE' | 'WITHDRAWN';
  reason: string | null;
  changedAt: Date | null;
}

/** A lot's recall state, recorded in the audit log before and after. */
interface LotRecallRow {
  /** text, held to these two by lot_status_check. */
  status: 'ACTIVE' | 'RECALLED';
  reason: string | null;
  changedBy: string | null;
  changedAt: Date;
}

/** Lot recalls and product withdrawals: one row each, read by every verification of their packs. */
@Injectable()
export class RecallRepository {
  constructor(private readonly db: DataSource) {}

  productManufacturer(gtin: string): Promise<string | null> {
    return queryRows<ProductManufacturerRow>(this.db, `SELECT manufacturer_id FROM product WHERE gtin = $1`, [gtin]).then(
      (rows) => rows[0]?.manufacturer_id ?? null,
    );
  }

  /**
   * Marks the lot recalled and alerts each current custodian of its packs, in one transaction. Verification reads
   * the lot row, so every pack of the lot answers RECALLED from the moment this commits. A lot recalled already keeps
   * its first recall (who, why, when) on the row; every recall, the first and the later ones, is an audit entry.
   */
  recallLot(gtin: string, lot: string, reason: string, by: string): Promise<RecallOutcome> {
    return this.db.transaction(async (tx) => {
      const before = await lotRow(tx, gtin, lot, true);
      await tx.query(
        `INSERT INTO lot (gtin, lot, status, reason, changed_by, changed_at) VALUES ($1, $2, 'RECALLED', $3, $4, now())
         ON CONFLICT (gtin, lot) DO UPDATE SET status = 'RECALLED', reason = EXCLUDED.reason, changed_by = EXCLUDED.changed_by, changed_at = now()
         WHERE lot.status <> 'RECALLED'`,
        [gtin, lot, reason, by],
      );
      const custodians = await queryRows<CustodianPacksRow>(
        tx,
        `SELECT custodian_id AS id, count(*) AS packs FROM pack_state WHERE gtin = $1 AND lot = $2 AND custodian_id IS NOT NULL GROUP BY custodian_id`,
        [gtin, lot],
      );
      await insertAlerts(
        tx,
        custodians.map((c) => ({
          code: 'LOT_RECALLED',
          gtin,
          lot,
          actorId: by,
          recipientId: c.id,
          details: { packs: Number(c.packs), reason },
        })),
      );
      const out = custodians.map((c) => ({ id: c.id, packs: Number(c.packs) }));
      const packs = out.reduce((n, c) => n + c.packs, 0);
      await appendAuditEntry(tx, {
        actor: { kind: 'organization', organizationId: by },
        action: 'lot.recall',
        subjectType: 'lot',
        subjectId: `01/${gtin}/10/${lot}`,
        before,
        after: { ...(await lotRow(tx, gtin, lot, false)), recall: { reason, packs, custodiansAlerted: out.length } },
      });
      return { packs, custodians: out };
    });
  }

  /** `by` withdraws; the product row and the audit entry of the change commit together. */
  withdrawProduct(gtin: string, reason: string, by: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const select = `SELECT status, status_reason AS "reason", status_changed_at AS "changedAt" FROM product WHERE gtin = $1`;
      const [before] = await queryRows<ProductStatusRow>(tx, `${select} FOR UPDATE`, [gtin]);
      if (!before) return false;
      await tx.query(`UPDATE product SET status = 'WITHDRAWN', status_reason = $2, status_changed_at = now() WHERE gtin = $1`, [
        gtin,
        reason,
      ]);
      const [after] = await queryRows<ProductStatusRow>(tx, select, [gtin]);
      await appendAuditEntry(tx, {
        actor: { kind: 'organization', organizationId: by },
        action: 'product.withdraw',
        subjectType: 'product',
        subjectId: `01/${gtin}`,
        before,
        after,
      });
      return true;
    });
  }
}

/** The lot's recall state, or null for a lot never recalled; `lock` holds it until the recall commits. */
async function lotRow(tx: EntityManager, gtin: string, lot: string, lock: boolean): Promise<LotRecallRow | null> {
  const rows = await queryRows<LotRecallRow>(
    tx,
    `SELECT status, reason, changed_by AS "changedBy", changed_at AS "changedAt" FROM lot WHERE gtin = $1 AND lot = $2${lock ? ' FOR UPDATE' : ''}`,
    [gtin, lot],
  );
  return rows[0] ?? null;
}
