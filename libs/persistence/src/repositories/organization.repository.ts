import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { OrganizationEntity, OrganizationRole } from '../entities';
import { rethrowUniqueViolation } from '../persistence.error';

export interface NewOrganization {
  name: string;
  role: OrganizationRole;
  gln: string;
  companyPrefixes: string[];
  apiKeyHash: Buffer;
}

@Injectable()
export class OrganizationRepository {
  constructor(private readonly db: DataSource) {}

  async create(org: NewOrganization): Promise<OrganizationEntity> {
    const repo = this.db.getRepository(OrganizationEntity);
    const saved = await repo.save(repo.create(org)).catch(rethrowUniqueViolation);
    return repo.findOneByOrFail({ id: saved.id });
  }

  findByApiKeyHash(hash: Buffer): Promise<OrganizationEntity | null> {
    return this.db.getRepository(OrganizationEntity).findOneBy({ apiKeyHash: hash });
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

  /** Every registered company prefix: converting a GTIN to an EPC URN needs the prefix length. */
  async allCompanyPrefixes(): Promise<string[]> {
    const rows: { prefix: string }[] = await this.db.query(`SELECT DISTINCT unnest(company_prefixes) AS prefix FROM organization`);
    return rows.map((r) => r.prefix);
  }
}
