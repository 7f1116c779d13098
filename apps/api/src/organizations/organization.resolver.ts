import type { Organization } from '@pharmatrace/domain';
import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';

import { AdminOnly, CurrentOrganization } from '../common/auth.decorators';
import { OrganizationService } from './organization.service';
import { CreateOrganizationInput, CreateOrganizationPayload, OrganizationType } from './organization.types';

@Resolver(() => OrganizationType)
export class OrganizationResolver {
  constructor(private readonly service: OrganizationService) {}

  @AdminOnly()
  @Mutation(() => CreateOrganizationPayload, { description: 'Registers a trading partner and returns its API key, once.' })
  createOrganization(@Args('input') input: CreateOrganizationInput): Promise<CreateOrganizationPayload> {
    return this.service.create(input);
  }

  @Mutation(() => OrganizationType, {
    description:
      "Registers the Ethereum address whose EIP-712 signatures the calling organization's captures may carry, replacing any " +
      'earlier one; with requireSignedCaptures, unsigned captures are refused.',
  })
  registerSigningAddress(
    @CurrentOrganization() org: Organization,
    @Args('address', { description: 'EIP-55 checksummed (or single-case) 0x address' }) address: string,
    @Args('requireSignedCaptures', { defaultValue: false }) requireSignedCaptures: boolean,
  ): Promise<OrganizationType> {
    return this.service.registerSigningAddress(org, address, requireSignedCaptures);
  }

  @Query(() => [OrganizationType], { description: 'The trading-partner directory: every registered organization, oldest first.' })
  organizations(@CurrentOrganization() org: Organization): Promise<OrganizationType[]> {
    return this.service.directory(org);
  }

  @Query(() => OrganizationType, { description: 'The organization whose API key is calling.' })
  me(@CurrentOrganization() org: Organization): OrganizationType {
    return OrganizationType.from(org);
  }
}
