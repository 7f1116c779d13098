import { MigrationInterface, QueryRunner } from 'typeorm';

/** Pack statuses with undo rules, product and lot states, alerts and scanner corrections (issue 4). */
export class Verification1764800000000 implements MigrationInterface {
  name = 'Verification1764800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE pack_state ADD COLUMN status_changed_at timestamptz NOT NULL DEFAULT now(),
                   ADD COLUMN status_changed_by uuid REFERENCES organization(id)`);
    await q.query(`UPDATE pack_state SET status_changed_at = last_event_time`);
    await q.query(`
      CREATE TABLE product (
        gtin char(14) PRIMARY KEY,
        name text,
        manufacturer_id uuid REFERENCES organization(id),
        status text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'WITHDRAWN')),
        status_reason text,
        status_changed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`INSERT INTO product (gtin, manufacturer_id)
                   SELECT DISTINCT ON (gtin) gtin, commissioned_by FROM pack_state WHERE gtin IS NOT NULL ORDER BY gtin
                   ON CONFLICT DO NOTHING`);
    await q.query(`
      CREATE TABLE lot (
        gtin char(14) NOT NULL,
        lot text NOT NULL,
        status text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'RECALLED')),
        reason text,
        changed_by uuid REFERENCES organization(id),
        changed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (gtin, lot)
      )`);
    await q.query(`
      CREATE TABLE alert (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        code text NOT NULL,
        epc text,
        gtin char(14),
        lot text,
        actor_id uuid REFERENCES organization(id),
        manufacturer_id uuid REFERENCES organization(id),
        recipient_id uuid REFERENCES organization(id),
        details jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX alert_created_idx ON alert (created_at DESC)`);
    await q.query(`CREATE INDEX alert_epc_idx ON alert (epc)`);
    await q.query(`
      CREATE TABLE scan_correction (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        organization_id uuid NOT NULL REFERENCES organization(id),
        kind text NOT NULL,
        raw text NOT NULL,
        epc text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX scan_correction_org_idx ON scan_correction (organization_id, created_at DESC)`);
    await q.query(`ALTER TABLE anchor_batch ADD COLUMN audit_failed_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE anchor_batch DROP COLUMN audit_failed_at`);
    await q.query(`DROP TABLE scan_correction`);
    await q.query(`DROP TABLE alert`);
    await q.query(`DROP TABLE lot`);
    await q.query(`DROP TABLE product`);
    await q.query(`ALTER TABLE pack_state DROP COLUMN status_changed_by, DROP COLUMN status_changed_at`);
  }
}
