import { Injectable } from '@nestjs/common';
import { OrganizationEntity, OrganizationRepository } from '@pharmatrace/persistence';
import DataLoader from 'dataloader';
import { OrganizationType } from '../organizations/organization.types';

/**
 * Organizations for field resolvers, batched per request: every holder, actor and custodian a response names is
 * read in one query, however many rows name them.
 */
@Injectable()
export class OrganizationLoader {
  private readonly perRequest = new WeakMap<object, DataLoader<string, OrganizationEntity | null>>();

  constructor(private readonly organizations: OrganizationRepository) {}

  load(request: object, id: string | null): Promise<OrganizationEntity | null> {
    return id ? this.loaderFor(request).load(id) : Promise.resolve(null);
  }

  /** As field resolvers answer it. */
  async type(request: object, id: string | null): Promise<OrganizationType | null> {
    const org = await this.load(request, id);
    return org ? OrganizationType.from(org) : null;
  }

  async loadMany(request: object, ids: readonly string[]): Promise<Map<string, OrganizationEntity>> {
    const found = await this.loaderFor(request).loadMany(ids);
    return new Map(found.filter((o): o is OrganizationEntity => !!o && !(o instanceof Error)).map((o) => [o.id, o]));
  }

  private loaderFor(request: object): DataLoader<string, OrganizationEntity | null> {
    let loader = this.perRequest.get(request);
    if (!loader) {
      loader = new DataLoader(async (ids: readonly string[]) => {
        const byId = new Map((await this.organizations.findByIds(ids)).map((o) => [o.id, o]));
        return ids.map((id) => byId.get(id) ?? null);
      });
      this.perRequest.set(request, loader);
    }
    return loader;
  }
}
