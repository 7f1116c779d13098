import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** A contradiction found in a pack's history, to be raised as an alert once. */
export interface FlagAlert {
  code: string;
  epc: string;
  gtin: string | null;
  lot: string | null;
  actorId: string;
  recipientId: string | null;
  /** The contradicting event's hash: with code and EPC, what makes the alert unique. */
  eventRef: string;
  message: string;
}

@Injectable()
export class ProvenanceRepository {
  constructor(private readonly db: DataSource) {}

  /** The organization that owns a GTIN (the one that first commissioned it), or null. */
  async manufacturerOf(gtin: string | null): Promise<string | null> {
    if (!gtin) return null;
    const rows: { manufacturer_id: string | null }[] = await this.db.query(`SELECT manufacturer_id FROM product WHERE gtin = $1`, [gtin]);
    return rows[0]?.manufacturer_id ?? null;
  }

  async lotOf(epc: string): Promise<string | null> {
    const rows: { lot: string | null }[] = await this.db.query(`SELECT lot FROM pack_state WHERE epc = $1`, [epc]);
    return rows[0]?.lot ?? null;
  }

  /** Inserts each flag unless the same code, pack and event was raised before (unique index alert_flag_once_idx). */
  async recordFlags(flags: FlagAlert[]): Promise<void> {
    if (!flags.length) return;
    await this.db.query(
      `INSERT INTO alert (code, epc, gtin, lot, actor_id, manufacturer_id, recipient_id, details)
       SELECT f.code, f.epc, f.gtin, f.lot, f.actor, (SELECT manufacturer_id FROM product WHERE gtin = f.gtin), f.recipient,
              jsonb_build_object('flaggedEvent', f.event, 'message', f.message)
       FROM unnest($1::text[], $2::text[], $3::char(14)[], $4::text[], $5::uuid[], $6::uuid[], $7::text[], $8::text[])
            AS f(code, epc, gtin, lot, actor, recipient, event, message)
       ON CONFLICT (code, epc, (details->>'flaggedEvent')) WHERE details ? 'flaggedEvent' DO NOTHING`,
      [
        flags.map((f) => f.code),
        flags.map((f) => f.epc),
        flags.map((f) => f.gtin),
        flags.map((f) => f.lot),
        flags.map((f) => f.actorId),
        flags.map((f) => f.recipientId),
        flags.map((f) => f.eventRef),
        flags.map((f) => f.message),
      ],
    );
  }
}
