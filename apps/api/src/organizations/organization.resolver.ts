import type { Organization } from '@pharmatrace/domain';
import { Args, Int, Mutation, Query, Resolver } from '@nestjs/graphql';

import { AdminOnly, CurrentOrganization } from '../common/auth.decorators';
import { OrganizationService } from './organization.service';
import {
  CreateOrganizationInput,
  CreateOrganizationPayload,
  OrganizationConnectionType,
  OrganizationRoleEnum,
  OrganizationType,
} from './organization.types';

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

  @Query(() => [OrganizationType], {
    description:
      'The trading-partner directory: every registered organization, oldest first, in one list while it holds at most 1,000 ' +
      '(past that, DIRECTORY_TOO_LARGE).',
    deprecationReason: 'Page and filter it with organizationDirectory: a national registry holds tens of thousands.',
  })
  organizations(@CurrentOrganization() org: Organization): Promise<OrganizationType[]> {
    return this.service.directory(org);
  }

  @Query(() => OrganizationConnectionType, {
    description:
      'The trading-partner directory, oldest first, a page at a time (first 1 to 500, default 50); every filter given must match.',
  })
  organizationDirectory(
    @CurrentOrganization() org: Organization,
    @Args('first', { type: () => Int, nullable: true }) first: number | null,
    @Args('after', { type: () => String, nullable: true }) after: string | null,
    @Args('last', { type: () => Int, nullable: true }) last: number | null,
    @Args('before', { type: () => String, nullable: true }) before: string | null,
    @Args('glns', { type: () => [String], nullable: true, description: 'Registered under one of these GLNs (at most 500)' })
    glns: string[] | null,
    @Args('search', { type: () => String, nullable: true, description: 'Text anywhere in the name or the GLN, any case' })
    search: string | null,
    @Args('roles', { type: () => [OrganizationRoleEnum], nullable: true }) roles: OrganizationRoleEnum[] | null,
    @Args('ownerOfGtin', {
      type: () => String,
      nullable: true,
      description: "The GTIN's brand owner: the organization holding the GS1 company prefix it begins with",
    })
    ownerOfGtin: string | null,
  ): Promise<OrganizationConnectionType> {
    return this.service.directoryPage(org, { first, after, last, before }, { glns, search, roles, ownerOfGtin });
  }

  @Query(() => OrganizationType, { description: 'The organization whose API key is calling.' })
  me(@CurrentOrganization() org: Organization): OrganizationType {
    return OrganizationType.from(org);
  }
}
