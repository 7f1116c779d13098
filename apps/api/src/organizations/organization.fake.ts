import type { RegisteredPrefix } from '@pharmatrace/domain';
import {
  DirectoryCriteria,
  DirectoryPage,
  NewOrganization,
  OrganizationEntity,
  PersistenceError,
  PersistenceErrorCode,
} from '@pharmatrace/persistence';
import { randomUUID } from 'node:crypto';
import { keysetPage } from '../common/keyset-page.fake';

let created = 0;

/** An organization as the database would hand it back; tests name only the fields they care about. */
export function organization(fields: Partial<OrganizationEntity> = {}): OrganizationEntity {
  return Object.assign(new OrganizationEntity(), {
    id: randomUUID(),
    name: 'Some Org',
    role: 'DISTRIBUTOR',
    gln: '0614141000012',
    companyPrefixes: [],
    ethAddress: null,
    requireSignedCaptures: false,
    createdAt: new Date(Date.UTC(2025, 0, 1) + created++ * 1000),
    ...fields,
  });
}

/**
 * OrganizationRepository in memory, keeping its rules: `admit` sees every registered prefix before anything is stored,
 * a taken GLN is the unique violation Postgres names, and each creation stores the hash of a first key.
 */
export class FakeOrganizationRepository {
  readonly byId = new Map<string, OrganizationEntity>();
  readonly firstKeyHashes = new Map<string, Buffer>();

  add(...orgs: OrganizationEntity[]): this {
    for (const org of orgs) this.byId.set(org.id, org);
    return this;
  }

  async create(org: NewOrganization, apiKeyHash: Buffer, admit: (registered: RegisteredPrefix[]) => void): Promise<OrganizationEntity> {
    const all = [...this.byId.values()];
    admit(all.flatMap((o) => o.companyPrefixes.map((prefix) => ({ prefix, organizationId: o.id, organizationName: o.name }))));
    if (all.some((o) => o.gln === org.gln)) {
      throw new PersistenceError(
        PersistenceErrorCode.UNIQUE_VIOLATION,
        'organization_gln_key',
        'unique constraint organization_gln_key violated',
      );
    }
    const saved = organization({ ...org });
    this.byId.set(saved.id, saved);
    this.firstKeyHashes.set(saved.id, apiKeyHash);
    return saved;
  }

  async findById(id: string): Promise<OrganizationEntity | null> {
    return this.byId.get(id) ?? null;
  }

  async findByGln(gln: string): Promise<OrganizationEntity | null> {
    return [...this.byId.values()].find((o) => o.gln === gln) ?? null;
  }

  async findByIds(ids: readonly string[]): Promise<OrganizationEntity[]> {
    return ids.flatMap((id) => (this.byId.has(id) ? [this.byId.get(id)!] : []));
  }

  async findAll(limit?: number): Promise<OrganizationEntity[]> {
    return this.oldestFirst().slice(0, limit);
  }

  async page(
    criteria: DirectoryCriteria,
    size: number,
    cursorId: string | null,
    direction: 'forward' | 'backward',
  ): Promise<DirectoryPage> {
    if (cursorId !== null && !this.byId.has(cursorId)) return { organizations: [], hasMore: false, cursorFound: false };
    const search = criteria.search?.toLowerCase();
    const all = this.oldestFirst();
    const position = (id: string) => all.findIndex((o) => o.id === id);
    const matching = all.filter(
      (o) =>
        (!criteria.glns || criteria.glns.includes(o.gln)) &&
        (search === undefined || `${o.name} ${o.gln}`.toLowerCase().includes(search)) &&
        (!criteria.roles || criteria.roles.includes(o.role)) &&
        (!criteria.companyPrefixes || o.companyPrefixes.some((p) => criteria.companyPrefixes!.includes(p))),
    );
    const { rows, hasMore } = keysetPage(
      matching,
      (o) => position(o.id),
      (a, b) => a - b,
      cursorId === null ? null : position(cursorId),
      size,
      direction,
    );
    return { organizations: rows, hasMore, cursorFound: true };
  }

  private oldestFirst(): OrganizationEntity[] {
    return [...this.byId.values()].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id));
  }

  async registeredCompanyPrefixes(candidates: readonly string[]): Promise<Set<string>> {
    const registered = new Set([...this.byId.values()].flatMap((o) => o.companyPrefixes));
    return new Set(candidates.filter((c) => registered.has(c)));
  }
}
