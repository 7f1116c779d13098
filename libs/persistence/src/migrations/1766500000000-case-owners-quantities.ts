import { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_ROLE } from './1765700000000-least-privilege';

/**
 * Issue 17, the remaining gaps. Each side's owner of a case (a person named by that party: ASSIGN_OWNER, itself a
 * history entry carrying the owner, so the chain records who was named); the class quantities a receipt's
 * reconciliation found different (`exception_case_quantity`, written with the case, append-only like its items); and
 * the company part of each item's GTIN (`company_key`: the GTIN past its indicator digit), so that a manufacturer's
 * lists find the cases about its products through an index.
 */
export class CaseOwnersQuantities1766500000000 implements MigrationInterface {
  name = 'CaseOwnersQuantities1766500000000';

  async up(q: QueryRunner): Promise<void> {
    // jsonb { name, title?, email?, phone? }: the service checks the members before it stores them.
    await q.query(`ALTER TABLE exception_case ADD COLUMN reporter_owner jsonb, ADD COLUMN counterparty_owner jsonb`);
    await q.query(`GRANT UPDATE (reporter_owner, counterparty_owner) ON exception_case TO ${APP_ROLE}`);
    await q.query(`ALTER TABLE exception_case_entry ADD COLUMN owner jsonb`);
    await q.query(`ALTER TABLE exception_case_entry DROP CONSTRAINT exception_case_entry_action_check`);
    await q.query(`ALTER TABLE exception_case_entry ADD CONSTRAINT exception_case_entry_action_check
      CHECK (action IN ('OPEN', 'INVESTIGATE', 'ESCALATE', 'RESOLVE', 'REOPEN', 'COMMENT', 'RECORD_FILING', 'ASSIGN_OWNER'))`);
    await q.query(`ALTER TABLE exception_case_entry ADD CHECK ((action = 'ASSIGN_OWNER') = (owner IS NOT NULL))`);
    await q.query(`
      CREATE TABLE exception_case_quantity (
        case_id uuid NOT NULL REFERENCES exception_case(id),
        epc_class text NOT NULL,
        uom text NOT NULL DEFAULT '',
        shipped numeric NOT NULL CHECK (shipped >= 0),
        received numeric NOT NULL CHECK (received >= 0),
        CHECK (shipped <> received),
        PRIMARY KEY (case_id, epc_class, uom)
      )`);
    await q.query(`REVOKE ALL ON exception_case_quantity FROM ${APP_ROLE}`);
    await q.query(`GRANT SELECT, INSERT ON exception_case_quantity TO ${APP_ROLE}`);
    // The canonical Digital Link of an SGTIN or LGTIN item is https://id.gs1.org/01/<indicator><13 digits>/…; "C" so
    // that prefix ranges compare digits as bytes.
    await q.query(`ALTER TABLE exception_case_item ADD COLUMN company_key text COLLATE "C"
      GENERATED ALWAYS AS (substring(epc from '^https://id\\.gs1\\.org/01/[0-9]([0-9]{13})')) STORED`);
    await q.query(
      `CREATE INDEX exception_case_item_company_key_idx ON exception_case_item (company_key, case_id) WHERE company_key IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX exception_case_item_company_key_idx`);
    await q.query(`ALTER TABLE exception_case_item DROP COLUMN company_key`);
    await q.query(`DROP TABLE exception_case_quantity`);
    await q.query(`ALTER TABLE exception_case_entry DROP CONSTRAINT exception_case_entry_action_check`);
    await q.query(`ALTER TABLE exception_case_entry DROP COLUMN owner`);
    await q.query(`ALTER TABLE exception_case_entry ADD CONSTRAINT exception_case_entry_action_check
      CHECK (action IN ('OPEN', 'INVESTIGATE', 'ESCALATE', 'RESOLVE', 'REOPEN', 'COMMENT', 'RECORD_FILING'))`);
    await q.query(`ALTER TABLE exception_case DROP COLUMN counterparty_owner, DROP COLUMN reporter_owner`);
  }
}
