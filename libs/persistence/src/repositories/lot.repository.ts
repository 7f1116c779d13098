import { Injectable, Optional } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { readerOf, ReadRouting } from '../replication/read-routing';
import { PageDirection, queryRows } from './sql-query';

export interface LotView {
  gtin: string;
  lot: string;
  status: 'ACTIVE' | 'RECALLED';
  reason: string | null;
  manufacturerId: string | null;
}

export interface LotPack {
  epc: string;
  serial: string | null;
  status: string;
  expiry: string | null;
  custodianId: string | null;
  containerEpc: string | null;
}

// Rows as node-postgres answers them: count(*) is a bigint, so a string.

interface LotStatusRow {
  /** Null when there is no lot row (never recalled): the query left-joins it to a row of its own. */
  status: 'ACTIVE' | 'RECALLED' | null;
  reason: string | null;
  manufacturer_id: string | null;
}

interface CountRow {
  n: string;
}

interface StatusCountRow {
  status: string;
  n: string;
}

interface CustodianCountRow {
  custodian_id: string | null;
  n: string;
}

interface LotPackRow {
  epc: string;
  serial: string | null;
  status: string;
  /** date through to_char: text, YYYY-MM-DD. */
  expiry: string | null;
  custodian_id: string | null;
  container_epc: string | null;
}

/**
 * A lot's packs, counted and paged in SQL over pack_state_lot_epc_idx (gtin, lot, epc). `custodianId` narrows every read
 * to the packs one organization holds now.
 */
@Injectable()
export class LotRepository {
  constructor(
    private readonly db: DataSource,
    // Optional so a spec can build the repository on a DataSource alone: then every read is the primary's.
    @Optional() private readonly reads?: ReadRouting,
  ) {}

  async view(reading: string | null, gtin: string, lot: string): Promise<LotView> {
    const rows = await queryRows<LotStatusRow>(
      await readerOf(this.db, this.reads, reading),
      `SELECT l.status, l.reason, (SELECT manufacturer_id FROM product WHERE gtin = $1) AS manufacturer_id
       FROM (SELECT 1) one LEFT JOIN lot l ON l.gtin = $1 AND l.lot = $2`,
      [gtin, lot],
    );
    return {
      gtin,
      lot,
      status: rows[0]?.status ?? 'ACTIVE',
      reason: rows[0]?.reason ?? null,
      manufacturerId: rows[0]?.manufacturer_id ?? null,
    };
  }

  /** Read as the holder itself: an organization asking what it holds must see its own latest writes (ReadRouting). */
  async heldBy(gtin: string, lot: string, organizationId: string): Promise<number> {
    const rows = await queryRows<CountRow>(
      await readerOf(this.db, this.reads, organizationId),
      `SELECT count(*) AS n FROM pack_state WHERE gtin = $1 AND lot = $2 AND custodian_id = $3`,
      [gtin, lot, organizationId],
    );
    return Number(rows[0].n);
  }

  async countsByStatus(
    reading: string | null,
    gtin: string,
    lot: string,
    custodianId: string | null,
  ): Promise<{ status: string; count: number }[]> {
    const rows = await queryRows<StatusCountRow>(
      await readerOf(this.db, this.reads, reading),
      `SELECT status, count(*) AS n FROM pack_state WHERE gtin = $1 AND lot = $2 AND ($3::uuid IS NULL OR custodian_id = $3)
       GROUP BY status ORDER BY status`,
      [gtin, lot, custodianId],
    );
    return rows.map((r) => ({ status: r.status, count: Number(r.n) }));
  }

  async countsByCustodian(
    reading: string | null,
    gtin: string,
    lot: string,
    custodianId: string | null,
  ): Promise<{ custodianId: string | null; count: number }[]> {
    const rows = await queryRows<CustodianCountRow>(
      await readerOf(this.db, this.reads, reading),
      `SELECT custodian_id, count(*) AS n FROM pack_state WHERE gtin = $1 AND lot = $2 AND ($3::uuid IS NULL OR custodian_id = $3)
       GROUP BY custodian_id ORDER BY count(*) DESC, custodian_id`,
      [gtin, lot, custodianId],
    );
    return rows.map((r) => ({ custodianId: r.custodian_id, count: Number(r.n) }));
  }

  /**
   * One page in EPC order after the cursor EPC (`forward`) or before it (`backward`, read in reverse and served in EPC
   * order), and whether more follow that way: keyset, so the 1,000th page costs the first's.
   */
  async packs(
    reading: string | null,
    gtin: string,
    lot: string,
    custodianId: string | null,
    limit: number,
    cursorEpc: string | null,
    direction: PageDirection = 'forward',
  ): Promise<{ packs: LotPack[]; hasMore: boolean }> {
    const forward = direction === 'forward';
    const rows = await queryRows<LotPackRow>(
      await readerOf(this.db, this.reads, reading),
      `SELECT epc, serial, status, to_char(expiry, 'YYYY-MM-DD') AS expiry, custodian_id, container_epc FROM pack_state
       WHERE gtin = $1 AND lot = $2 AND ($3::uuid IS NULL OR custodian_id = $3) AND ($4::text IS NULL OR ${forward ? 'epc > $4' : 'epc < $4'})
       ORDER BY epc ${forward ? 'ASC' : 'DESC'} LIMIT $5`,
      [gtin, lot, custodianId, cursorEpc, limit + 1],
    );
    const page = rows.slice(0, limit);
    const packs = (forward ? page : page.reverse()).map((r) => ({
      epc: r.epc,
      serial: r.serial,
      status: r.status,
      expiry: r.expiry,
      custodianId: r.custodian_id,
      containerEpc: r.container_epc,
    }));
    return { packs, hasMore: rows.length > limit };
  }
}
