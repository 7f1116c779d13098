import { Injectable } from '@nestjs/common';
import type { RegisteredPrefix } from '@pharmatrace/domain';
import { DataSource } from 'typeorm';
import { OrganizationEntity, OrganizationRole } from '../entities';
import { rethrowUniqueViolation } from '../persistence.error';
import { PageDirection, queryRows, SqlRunner } from './sql-query';

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

/** What a page of the directory holds; every criterion given must match (an empty list matches nothing). */
export interface DirectoryCriteria {
  glns?: readonly string[];
  /** Case-insensitive, anywhere in the name or the GLN; % and _ mean themselves. */
  search?: string;
  roles?: readonly OrganizationRole[];
  /** Holding one of these company prefixes (companyPrefixCandidates of a GTIN: its brand owner). */
  companyPrefixes?: readonly string[];
}

export interface DirectoryPage {
  organizations: OrganizationEntity[];
  /** Another organization matches past the page in the direction read. */
  hasMore: boolean;
  /** False when the cursor names no organization: the caller's cursor is not one this directory issued. */
  cursorFound: boolean;
}

const COLUMNS = `o.id, o.name, o.role, o.gln, o.company_prefixes AS "companyPrefixes", o.eth_address AS "ethAddress",
  o.require_signed_captures AS "requireSignedCaptures", o.created_at AS "createdAt"`;

const likeLiteral = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * The registered prefixes that overlap one of `requested`, from organization_company_prefix (migration
 * 1767600000000): those equal to a leading part of one, and those one begins (the range [P, P || ':'), ':' following
 * '9' in byte order). In registration order, each organization's in its own, as a reading of every prefix gave them.
 */
export function overlappingPrefixes(tx: SqlRunner, requested: readonly string[]): Promise<RegisteredPrefixRow[]> {
  const wanted = [...new Set(requested)];
  if (!wanted.length) return Promise.resolve([]);
  const heads = [...new Set(wanted.flatMap((p) => Array.from({ length: p.length }, (_, i) => p.slice(0, i + 1))))];
  const params: unknown[] = [heads];
  const ranges = wanted.map((p) => `(c.prefix >= $${params.push(p)}::text AND c.prefix < $${params.push(`${p}:`)}::text)`);
  return queryRows<RegisteredPrefixRow>(
    tx,
    // The prefixes first, then each holder by key (OFFSET 0: as a join ordered like the directory's index, Postgres
    // walked every organization in registration order).
    `SELECT c.prefix, o.id, o.name
     FROM (SELECT c.prefix, c.organization_id, c.position FROM organization_company_prefix c
           WHERE c.prefix = ANY($1::text[]) OR ${ranges.join(' OR ')} OFFSET 0) c
     CROSS JOIN LATERAL (SELECT o.id, o.name, o.created_at FROM organization o WHERE o.id = c.organization_id OFFSET 0) o
     ORDER BY o.created_at, o.id, c.position`,
    params,
  );
}

@Injectable()
export class OrganizationRepository {
  constructor(private readonly db: DataSource) {}

  /**
   * Inserts the organization once `admit` (which throws to refuse) has seen every registered prefix that overlaps one
   * of its own (one begins the other), oldest holder first. Creations take one transaction-scoped advisory lock in
   * turn, so two overlapping prefixes registered at the same moment cannot both pass: a rule across rows that no unique
   * index can state. The overlapping prefixes are read by index (migration 1767600000000), so the lock is held for a
   * few rows' read, not the registry's. `apiKeyHash` becomes its first key, named "default".
   */
  async create(org: NewOrganization, apiKeyHash: Buffer, admit: (registered: RegisteredPrefix[]) => void): Promise<OrganizationEntity> {
    return this.db.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext('organization.company_prefixes'))`);
      const rows = await overlappingPrefixes(tx, org.companyPrefixes);
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

  /** Every organization, oldest first, but never more than `limit`: the unpaged directory refuses past that. */
  findAll(limit?: number): Promise<OrganizationEntity[]> {
    return this.db.getRepository(OrganizationEntity).find({ order: { createdAt: 'ASC', id: 'ASC' }, take: limit });
  }

  /**
   * One page of the directory, oldest first (created_at, then id): `forward`, after the cursor organization;
   * `backward`, before it (still oldest first). Every criterion is read by an index (glns: the unique GLN;
   * companyPrefixes: the GIN on company_prefixes; search: the trigram index on name and GLN), so a page costs what it
   * holds, not the size of a national registry.
   */
  async page(
    criteria: DirectoryCriteria,
    size: number,
    cursorId: string | null,
    direction: PageDirection = 'forward',
  ): Promise<DirectoryPage> {
    if (cursorId !== null && !(await this.findById(cursorId))) return { organizations: [], hasMore: false, cursorFound: false };
    const forward = direction === 'forward';
    // GLNs or a GTIN's candidate prefixes match a few organizations at most: read them by their own index first, then
    // order them (OFFSET 0 keeps the subquery apart). Left to itself the planner walked the (created_at, id) index
    // hoping to meet them early, and a brand owner registered last cost a walk of the whole registry.
    const source =
      criteria.glns || criteria.companyPrefixes
        ? `(SELECT * FROM organization WHERE ($1::text[] IS NULL OR gln = ANY($1::char(13)[]))
             AND ($4::text[] IS NULL OR company_prefixes && $4::text[]) OFFSET 0)`
        : 'organization';
    const rows = await queryRows<OrganizationEntity>(
      this.db,
      `SELECT ${COLUMNS} FROM ${source} o
       WHERE ($1::text[] IS NULL OR o.gln = ANY($1::char(13)[]))
         AND ($2::text IS NULL OR (o.name || ' ' || o.gln) ILIKE $2)
         AND ($3::organization_role[] IS NULL OR o.role = ANY($3::organization_role[]))
         AND ($4::text[] IS NULL OR o.company_prefixes && $4::text[])
         AND ($5::uuid IS NULL OR (o.created_at, o.id) ${forward ? '>' : '<'} (SELECT created_at, id FROM organization WHERE id = $5))
       ORDER BY o.created_at ${forward ? 'ASC' : 'DESC'}, o.id ${forward ? 'ASC' : 'DESC'} LIMIT $6`,
      [
        criteria.glns ?? null,
        criteria.search === undefined ? null : likeLiteral(criteria.search),
        criteria.roles ?? null,
        criteria.companyPrefixes ?? null,
        cursorId,
        size + 1,
      ],
    );
    const page = rows.slice(0, size).map((row) => Object.assign(new OrganizationEntity(), row));
    return { organizations: forward ? page : page.reverse(), hasMore: rows.length > size, cursorFound: true };
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
