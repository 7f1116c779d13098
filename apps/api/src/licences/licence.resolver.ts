import type { Organization } from '@pharmatrace/domain';
import { Args, Context, ID, Mutation, Parent, ResolveField, Resolver } from '@nestjs/graphql';

import { CurrentOrganization, Roles } from '../common/auth.decorators';
import { OrganizationType } from '../organizations/organization.types';
import { LicenceService } from './licence.service';
import { AddLicenceInput, LicenceType } from './licence.types';

@Resolver(() => OrganizationType)
export class LicenceResolver {
  constructor(private readonly service: LicenceService) {}

  @Mutation(() => LicenceType, { description: 'Declares a licence of the calling organization; it counts once a regulator verifies it.' })
  addLicence(@CurrentOrganization() org: Organization, @Args('input') input: AddLicenceInput): Promise<LicenceType> {
    return this.service.add(org, input);
  }

  @Roles('REGULATOR')
  @Mutation(() => LicenceType, { description: 'A regulator verifies a licence (replacing any earlier rejection).' })
  verifyLicence(@CurrentOrganization() org: Organization, @Args('id', { type: () => ID }) id: string): Promise<LicenceType> {
    return this.service.verify(org, id);
  }

  @Roles('REGULATOR')
  @Mutation(() => LicenceType, { description: 'A regulator rejects (or, once verified, withdraws) a licence: it no longer counts.' })
  rejectLicence(
    @CurrentOrganization() org: Organization,
    @Args('id', { type: () => ID }) id: string,
    @Args('reason') reason: string,
  ): Promise<LicenceType> {
    return this.service.reject(org, id, reason);
  }

  @ResolveField(() => [LicenceType], { description: 'Its licences, oldest first: public, as DSCSA licence registries are.' })
  licences(@Parent() organization: OrganizationType, @Context('req') request: object): Promise<LicenceType[]> {
    return this.service.licencesOf(request, organization.id);
  }
}
