import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A lot's page (`lot(gtin, lot) { packs }`: WHERE gtin AND lot ORDER BY epc LIMIT) had no index in its order. With
 * (gtin, lot) alone Postgres either sorted the lot or, misjudging how many packs a lot holds (it estimated 5,751 of
 * 100,000 at 5.1M packs), walked the primary key in EPC order, filtering: 650 ms for the first page of 100 at 10M
 * events. With the EPC in the key the page is one range scan from the cursor, and the counts read the same prefix.
 */
export class LotPageIndex1766700000000 implements MigrationInterface {
  name = 'LotPageIndex1766700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX pack_state_lot_epc_idx ON pack_state (gtin, lot, epc)`);
    await q.query(`DROP INDEX pack_state_lot_idx`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX pack_state_lot_idx ON pack_state (gtin, lot)`);
    await q.query(`DROP INDEX pack_state_lot_epc_idx`);
  }
}
