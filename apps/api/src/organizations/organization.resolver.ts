import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import type { OrganizationEntity } from '@pharmatrace/persistence';
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

  @Query(() => [OrganizationType], { description: 'The trading-partner directory: every registered organization, oldest first.' })
  organizations(@CurrentOrganization() org: OrganizationEntity): Promise<OrganizationType[]> {
    return this.service.directory(org);
  }

  @Query(() => OrganizationType, { description: 'The organization whose API key is calling.' })
  me(@CurrentOrganization() org: OrganizationEntity): OrganizationType {
    return OrganizationType.from(org);
  }
}
