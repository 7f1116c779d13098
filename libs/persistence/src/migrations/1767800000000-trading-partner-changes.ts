import { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_ROLE } from './1765700000000-least-privilege';

/**
 * Issue 18: every API process read every organization with its licences once a minute and after every registration
 * and licence decision anywhere (the capture's licence rule, TradingPartnerLoader): 0.4-0.7 s of Postgres a read at
 * 70,000 organizations, and as many rows parsed on the process's main thread.
 *
 * `trading_partner_change` holds, for each organization whose registration or licences changed, the id of the last
 * transaction that changed them; row triggers on `organization` (insert) and `organization_licence` (insert, update:
 * a regulator's decision) keep it. A process reads every partner once, then only the organizations changed at or after
 * the visibility horizon of its previous read (event_visibility_horizon, as subscriptions read events): a transaction
 * below it has ended and was seen by that read, one at or above it is read again, so no change is missed whatever the
 * order transactions commit in. Organizations are never deleted and their GLN and role never change; the triggers
 * are enabled ALWAYS so that bulk loads with session_replication_role = replica keep them too.
 */
export class TradingPartnerChanges1767800000000 implements MigrationInterface {
  name = 'TradingPartnerChanges1767800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE trading_partner_change (
        organization_id uuid PRIMARY KEY REFERENCES organization(id) ON DELETE CASCADE,
        xid xid8 NOT NULL
      )`);
    await q.query(`CREATE INDEX trading_partner_change_xid_idx ON trading_partner_change (xid)`);
    await q.query(`
      CREATE FUNCTION trading_partner_change_record() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        changed uuid;
      BEGIN
        -- Each assignment is planned when it runs: an expression naming both fields fails on the table lacking one.
        IF TG_TABLE_NAME = 'organization' THEN
          changed := NEW.id;
        ELSE
          changed := NEW.organization_id;
        END IF;
        INSERT INTO trading_partner_change (organization_id, xid) VALUES (changed, pg_current_xact_id())
        ON CONFLICT (organization_id) DO UPDATE SET xid = EXCLUDED.xid;
        RETURN NULL;
      END $$`);
    await q.query(
      `CREATE TRIGGER trading_partner_change AFTER INSERT ON organization FOR EACH ROW EXECUTE FUNCTION trading_partner_change_record()`,
    );
    await q.query(
      `CREATE TRIGGER trading_partner_change AFTER INSERT OR UPDATE ON organization_licence
       FOR EACH ROW EXECUTE FUNCTION trading_partner_change_record()`,
    );
    await q.query(`ALTER TABLE organization ENABLE ALWAYS TRIGGER trading_partner_change`);
    await q.query(`ALTER TABLE organization_licence ENABLE ALWAYS TRIGGER trading_partner_change`);
    await q.query(`REVOKE ALL ON trading_partner_change FROM ${APP_ROLE}`);
    await q.query(`GRANT SELECT, INSERT, UPDATE ON trading_partner_change TO ${APP_ROLE}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER trading_partner_change ON organization_licence`);
    await q.query(`DROP TRIGGER trading_partner_change ON organization`);
    await q.query(`DROP FUNCTION trading_partner_change_record()`);
    await q.query(`DROP TABLE trading_partner_change`);
  }
}
