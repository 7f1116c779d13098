import type { Organization } from '@pharmatrace/domain';
import { Injectable } from '@nestjs/common';

import DataLoader from 'dataloader';
import { OrganizationDirectory } from '../common/organization.directory';
import { OrganizationType } from '../organizations/organization.types';

/**
 * Organizations for field resolvers, batched per request: every holder, actor and custodian a response names is
 * read in one query, however many rows name them, and none at all when the directory holds them already (a
 * provenance answer names a handful of organizations, read again and again by regulators).
 */
@Injectable()
export class OrganizationLoader {
  private readonly perRequest = new WeakMap<object, DataLoader<string, Organization | null>>();

  constructor(private readonly organizations: OrganizationDirectory) {}

  load(request: object, id: string | null): Promise<Organization | null> {
    return id ? this.loaderFor(request).load(id) : Promise.resolve(null);
  }

  /** As field resolvers answer it. */
  async type(request: object, id: string | null): Promise<OrganizationType | null> {
    const org = await this.load(request, id);
    return org ? OrganizationType.cachedFrom(org) : null;
  }

  async loadMany(request: object, ids: readonly string[]): Promise<Map<string, Organization>> {
    const found = await this.loaderFor(request).loadMany(ids);
    return new Map(found.filter((o): o is Organization => !!o && !(o instanceof Error)).map((o) => [o.id, o]));
  }

  private loaderFor(request: object): DataLoader<string, Organization | null> {
    let loader = this.perRequest.get(request);
    if (!loader) {
      loader = new DataLoader(async (ids: readonly string[]) => {
        const byId = await this.organizations.byIds(ids);
        return ids.map((id) => byId.get(id) ?? null);
      });
      this.perRequest.set(request, loader);
    }
    return loader;
  }
}
