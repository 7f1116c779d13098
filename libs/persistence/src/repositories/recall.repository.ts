import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface RecallOutcome {
  packs: number;
  custodians: { id: string; packs: number }[];
}

/** Lot recalls and product withdrawals: one row each, read by every verification of their packs. */
@Injectable()
export class RecallRepository {
  constructor(private readonly db: DataSource) {}

  productManufacturer(gtin: string): Promise<string | null> {
    return this.db
      .query(`SELECT manufacturer_id FROM product WHERE gtin = $1`, [gtin])
      .then((rows: { manufacturer_id: string | null }[]) => rows[0]?.manufacturer_id ?? null);
  }

  /**
   * Marks the lot recalled and alerts each current custodian of its packs, in one transaction. Verification reads
   * the lot row, so every pack of the lot answers RECALLED from the moment this commits.
   */
  recallLot(gtin: string, lot: string, reason: string, by: string): Promise<RecallOutcome> {
    return this.db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO lot (gtin, lot, status, reason, changed_by, changed_at) VALUES ($1, $2, 'RECALLED', $3, $4, now())
         ON CONFLICT (gtin, lot) DO UPDATE SET status = 'RECALLED', reason = EXCLUDED.reason, changed_by = EXCLUDED.changed_by, changed_at = now()`,
        [gtin, lot, reason, by],
      );
      const custodians: { id: string; packs: string }[] = await tx.query(
        `SELECT custodian_id AS id, count(*) AS packs FROM pack_state WHERE gtin = $1 AND lot = $2 AND custodian_id IS NOT NULL GROUP BY custodian_id`,
        [gtin, lot],
      );
      await tx.query(
        `INSERT INTO alert (code, gtin, lot, actor_id, manufacturer_id, recipient_id, details)
         SELECT 'LOT_RECALLED', $1, $2, $3, (SELECT manufacturer_id FROM product WHERE gtin = $1), u.id, jsonb_build_object('packs', u.packs, 'reason', $4::text)
         FROM unnest($5::uuid[], $6::int[]) AS u(id, packs)`,
        [gtin, lot, by, reason, custodians.map((c) => c.id), custodians.map((c) => Number(c.packs))],
      );
      const out = custodians.map((c) => ({ id: c.id, packs: Number(c.packs) }));
      return { packs: out.reduce((n, c) => n + c.packs, 0), custodians: out };
    });
  }

  async withdrawProduct(gtin: string, reason: string): Promise<boolean> {
    const rows = await this.db.query(
      `UPDATE product SET status = 'WITHDRAWN', status_reason = $2, status_changed_at = now() WHERE gtin = $1 RETURNING gtin`,
      [gtin, reason],
    );
    return rows.length > 0;
  }
}
