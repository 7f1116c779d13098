import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Converting a key to an EPC URN needs its registered company prefix. Read by the seven candidates a key's digits
 * allow (registeredCompanyPrefixes), the organizations holding one are found through this index; without it, every
 * typed mutation and every page of events served as URNs read every organization's prefixes (issue 18: a national
 * registry holds tens of thousands).
 */
export class CompanyPrefixIndex1766900000000 implements MigrationInterface {
  name = 'CompanyPrefixIndex1766900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX organization_company_prefixes_idx ON organization USING gin (company_prefixes)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX organization_company_prefixes_idx`);
  }
}
