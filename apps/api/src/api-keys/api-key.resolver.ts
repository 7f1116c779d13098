import { Args, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal, OrganizationOrAdmin } from '../common/auth.decorators';
import { Principal } from '../common/principal';
import { ApiKeyService } from './api-key.service';
import { ApiKeySecretPayload, ApiKeyType } from './api-key.types';

const ORGANIZATION_ID = 'With the admin token: the organization whose keys; with an API key: omitted, or its own organization';

@OrganizationOrAdmin()
@Resolver(() => ApiKeyType)
export class ApiKeyResolver {
  constructor(private readonly service: ApiKeyService) {}

  @Query(() => [ApiKeyType], { description: "The organization's API keys, oldest first: metadata, never secrets." })
  apiKeys(
    @CurrentPrincipal() caller: Principal,
    @Args('organizationId', { type: () => ID, nullable: true, description: ORGANIZATION_ID }) organizationId?: string,
  ): Promise<ApiKeyType[]> {
    return this.service.list(caller, organizationId);
  }

  @Mutation(() => ApiKeySecretPayload, { description: 'A new named API key; its secret is returned once.' })
  createApiKey(
    @CurrentPrincipal() caller: Principal,
    @Args('name') name: string,
    @Args('expiresAt', { nullable: true }) expiresAt?: Date,
    @Args('organizationId', { type: () => ID, nullable: true, description: ORGANIZATION_ID }) organizationId?: string,
  ): Promise<ApiKeySecretPayload> {
    return this.service.create(caller, { name, expiresAt, organizationId });
  }

  @Mutation(() => ApiKeySecretPayload, {
    description: 'A new secret replacing the key; the old one works for graceSeconds more (default a day).',
  })
  rotateApiKey(
    @CurrentPrincipal() caller: Principal,
    @Args('id', { type: () => ID }) id: string,
    @Args('graceSeconds', { type: () => Int, nullable: true }) graceSeconds?: number,
  ): Promise<ApiKeySecretPayload> {
    return this.service.rotate(caller, id, graceSeconds ?? undefined);
  }

  @Mutation(() => ApiKeyType, { description: 'Revokes the key at once (on every API process within 5 seconds).' })
  revokeApiKey(@CurrentPrincipal() caller: Principal, @Args('id', { type: () => ID }) id: string): Promise<ApiKeyType> {
    return this.service.revoke(caller, id);
  }
}
