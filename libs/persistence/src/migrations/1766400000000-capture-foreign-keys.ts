import { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_ROLE } from './1765700000000-least-privilege';

/** The foreign keys checked once per row of every capture: six lookups per commissioned pack. */
const CAPTURE_FOREIGN_KEYS: [table: string, constraint: string, column: string, references: string][] = [
  ['event', 'event_captured_by_fkey', 'captured_by', 'organization(id)'],
  ['event_epc', 'event_epc_event_id_fkey', 'event_id', 'event(id)'],
  ['pack_state', 'pack_state_last_event_id_fkey', 'last_event_id', 'event(id)'],
  ['pack_state', 'pack_state_custodian_id_fkey', 'custodian_id', 'organization(id)'],
  ['pack_state', 'pack_state_commissioned_by_fkey', 'commissioned_by', 'organization(id)'],
  ['pack_state', 'pack_state_status_changed_by_fkey', 'status_changed_by', 'organization(id)'],
];

/**
 * Issue 18, capture near the database's ceiling: the foreign keys of the capture's three big inserts cost Postgres a
 * lookup per row and key (six per commissioned pack, about 11 µs each: 20,000 pack_state rows inserted in 936 ms with
 * these four keys, 77 ms without, on this machine). What they guarded now holds by privilege instead: every id they
 * checked is written by the server (the capturing organization, an event id it has just inserted), events can be
 * neither updated nor deleted (least-privilege's triggers), and organizations cannot be deleted by the application
 * role from here on, so no reference can dangle. The low-volume tables (corrections, reconciliation, products) keep
 * theirs.
 */
export class CaptureForeignKeys1766400000000 implements MigrationInterface {
  name = 'CaptureForeignKeys1766400000000';

  async up(q: QueryRunner): Promise<void> {
    for (const [table, constraint] of CAPTURE_FOREIGN_KEYS) await q.query(`ALTER TABLE ${table} DROP CONSTRAINT ${constraint}`);
    await q.query(`REVOKE DELETE, TRUNCATE ON organization FROM ${APP_ROLE}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`GRANT DELETE ON organization TO ${APP_ROLE}`);
    for (const [table, constraint, column, references] of CAPTURE_FOREIGN_KEYS) {
      await q.query(`ALTER TABLE ${table} ADD CONSTRAINT ${constraint} FOREIGN KEY (${column}) REFERENCES ${references}`);
    }
  }
}
