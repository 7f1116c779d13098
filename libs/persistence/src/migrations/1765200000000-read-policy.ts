import { MigrationInterface, QueryRunner } from 'typeorm';

/** Provenance contradictions are recorded as alerts once per pack and event, however often the history is read (issue 5). */
export class ReadPolicy1765200000000 implements MigrationInterface {
  name = 'ReadPolicy1765200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE UNIQUE INDEX alert_flag_once_idx ON alert (code, epc, (details->>'flaggedEvent')) WHERE details ? 'flaggedEvent'`,
    );
    // Alert reads are scoped by manufacturer, recipient or actor and paged newest first.
    await q.query(`CREATE INDEX alert_manufacturer_idx ON alert (manufacturer_id, id DESC)`);
    await q.query(`CREATE INDEX alert_recipient_idx ON alert (recipient_id, id DESC)`);
    await q.query(`CREATE INDEX alert_actor_idx ON alert (actor_id, id DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX alert_actor_idx`);
    await q.query(`DROP INDEX alert_recipient_idx`);
    await q.query(`DROP INDEX alert_manufacturer_idx`);
    await q.query(`DROP INDEX alert_flag_once_idx`);
  }
}
