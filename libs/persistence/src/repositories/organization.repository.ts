import { Injectable } from '@nestjs/common';
import type { RegisteredPrefix } from '@pharmatrace/domain';
import { DataSource } from 'typeorm';
import { OrganizationEntity, OrganizationRole } from '../entities';
import { rethrowUniqueViolation } from '../persistence.error';
import { queryRows } from './sql-query';

export interface NewOrganization {
  name: string;
  role: OrganizationRole;
  gln: string;
  companyPrefixes: string[];
}

interface RegisteredPrefixRow {
  /** One element of company_prefixes (text[]). */
  prefix: string;
  id: string;
  name: string;
}

interface CompanyPrefixRow {
  prefix: string;
}

@Injectable()
export class OrganizationRepository {
  constructor(private readonly db: DataSource) {}

  /**
   * Inserts the organization once `admit` (which throws to refuse) has seen every prefix already registered. Creations
   * take one transaction-scoped advisory lock in turn, so two overlapping prefixes registered at the same moment cannot
   * both pass: a rule across rows that no unique index can state. `apiKeyHash` becomes its first key, named "default". Organizations are created rarely; the wait is nil.
   */
  async create(org: NewOrganization, apiKeyHash: Buffer, admit: (registered: RegisteredPrefix[]) => void): Promise<OrganizationEntity> {
    return this.db.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext('organization.company_prefixes'))`);
      const rows = await queryRows<RegisteredPrefixRow>(
        tx,
        `SELECT unnest(company_prefixes) AS prefix, id, name FROM organization ORDER BY created_at`,
      );
      admit(rows.map((r) => ({ prefix: r.prefix, organizationId: r.id, organizationName: r.name })));
      const repo = tx.getRepository(OrganizationEntity);
      const saved = await repo.save(repo.create(org)).catch(rethrowUniqueViolation);
      // Its first key, created with it: an organization is never without one.
      await tx.query(`INSERT INTO api_key (organization_id, name, hash) VALUES ($1, 'default', $2)`, [saved.id, apiKeyHash]);
      return repo.findOneByOrFail({ id: saved.id });
    });
  }

  findById(id: string): Promise<OrganizationEntity | null> {
    return this.db.getRepository(OrganizationEntity).findOneBy({ id });
  }

  findByGln(gln: string): Promise<OrganizationEntity | null> {
    return this.db.getRepository(OrganizationEntity).findOneBy({ gln });
  }

  async findByIds(ids: readonly string[]): Promise<OrganizationEntity[]> {
    if (!ids.length) return [];
    return this.db.getRepository(OrganizationEntity).createQueryBuilder('o').where('o.id = ANY(:ids)', { ids }).getMany();
  }

  findAll(): Promise<OrganizationEntity[]> {
    return this.db.getRepository(OrganizationEntity).find({ order: { createdAt: 'ASC' } });
  }

  /**
   * The registered company prefixes among `candidates` (companyPrefixCandidates of the keys at hand): converting a key
   * to an EPC URN needs its prefix's length. Read by the GIN index on company_prefixes, so the work follows the
   * candidates, not the number of organizations (reading every prefix took the whole table on each call).
   */
  async registeredCompanyPrefixes(candidates: readonly string[]): Promise<Set<string>> {
    if (!candidates.length) return new Set();
    const unique = [...new Set(candidates)];
    const rows = await queryRows<CompanyPrefixRow>(
      this.db,
      `SELECT DISTINCT p AS prefix FROM organization o CROSS JOIN LATERAL unnest(o.company_prefixes) p
       WHERE o.company_prefixes && $1::text[] AND p = ANY($1::text[])`,
      [unique],
    );
    return new Set(rows.map((r) => r.prefix));
  }
}
