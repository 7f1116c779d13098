import type { Organization } from '@pharmatrace/domain';
import { Args, Context, Int, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';

import { CurrentOrganization } from '../common/auth.decorators';
import { OrganizationType } from '../organizations/organization.types';
import { OrganizationLoader } from '../policy/organization.loader';
import { AlertService } from './alert.service';
import { AlertConnectionType, AlertFilter, AlertType } from './alert.types';

@Resolver(() => AlertType)
export class AlertResolver {
  constructor(
    private readonly service: AlertService,
    private readonly organizations: OrganizationLoader,
  ) {}

  @Query(() => AlertConnectionType, {
    description: 'Alerts newest first: regulators see all; a manufacturer those on its GTINs; everyone those raised by or addressed to it',
  })
  alerts(
    @CurrentOrganization() org: Organization,
    @Args('filter', { type: () => AlertFilter, nullable: true }) filter: AlertFilter | null,
    @Args('first', { type: () => Int, nullable: true }) first: number | null,
    @Args('after', { type: () => String, nullable: true }) after: string | null,
    @Args('last', { type: () => Int, nullable: true }) last: number | null,
    @Args('before', { type: () => String, nullable: true }) before: string | null,
  ): Promise<AlertConnectionType> {
    return this.service.list(org, filter, { first, after, last, before });
  }

  @ResolveField(() => OrganizationType, { nullable: true, description: 'Who did what raised the alert' })
  actor(@Parent() alert: AlertType, @Context('req') req: object): Promise<OrganizationType | null> {
    return this.organizations.type(req, alert.actorId);
  }

  @ResolveField(() => OrganizationType, { nullable: true, description: "The GTIN's manufacturer" })
  manufacturer(@Parent() alert: AlertType, @Context('req') req: object): Promise<OrganizationType | null> {
    return this.organizations.type(req, alert.manufacturerId);
  }

  @ResolveField(() => OrganizationType, {
    nullable: true,
    description: 'Whom the alert is addressed to (e.g. a custodian of a recalled lot)',
  })
  recipient(@Parent() alert: AlertType, @Context('req') req: object): Promise<OrganizationType | null> {
    return this.organizations.type(req, alert.recipientId);
  }
}
