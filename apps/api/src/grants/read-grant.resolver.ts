import type { Organization } from '@pharmatrace/domain';
import { Args, Context, ID, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';

import { CurrentOrganization, Roles } from '../common/auth.decorators';
import { OrganizationType } from '../organizations/organization.types';
import { OrganizationLoader } from '../policy/organization.loader';
import { ReadGrantService } from './read-grant.service';
import { GrantReadAccessInput, ReadGrantType } from './read-grant.types';

@Resolver(() => ReadGrantType)
export class ReadGrantResolver {
  constructor(
    private readonly service: ReadGrantService,
    private readonly organizations: OrganizationLoader,
  ) {}

  @Roles('MANUFACTURER')
  @Mutation(() => ReadGrantType, {
    description: "Grants an organization read access to the caller's packs of a GTIN, or of one lot, for a period",
  })
  grantReadAccess(@CurrentOrganization() org: Organization, @Args('input') input: GrantReadAccessInput): Promise<ReadGrantType> {
    return this.service.grant(org, input);
  }

  @Roles('MANUFACTURER')
  @Mutation(() => ReadGrantType, { description: 'Revokes a grant the caller gave: obeyed from the next read; the grant stays on record' })
  revokeReadAccess(@CurrentOrganization() org: Organization, @Args('id', { type: () => ID }) id: string): Promise<ReadGrantType> {
    return this.service.revoke(org, id);
  }

  @Query(() => [ReadGrantType], { description: 'Grants the caller gave or received, revoked and expired ones included, newest first' })
  readGrants(@CurrentOrganization() org: Organization): Promise<ReadGrantType[]> {
    return this.service.involving(org);
  }

  @ResolveField(() => OrganizationType, { nullable: true })
  grantor(@Parent() grant: ReadGrantType, @Context('req') req: object): Promise<OrganizationType | null> {
    return this.organizations.type(req, grant.grantorId);
  }

  @ResolveField(() => OrganizationType, { nullable: true })
  grantee(@Parent() grant: ReadGrantType, @Context('req') req: object): Promise<OrganizationType | null> {
    return this.organizations.type(req, grant.granteeId);
  }

  @ResolveField(() => OrganizationType, { nullable: true })
  revokedBy(@Parent() grant: ReadGrantType, @Context('req') req: object): Promise<OrganizationType | null> {
    return this.organizations.type(req, grant.revokedById);
  }
}
