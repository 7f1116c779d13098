import { Args, Context, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import GraphQLJSON from 'graphql-type-json';
import { OrganizationType } from '../organizations/organization.types';
import { OrganizationLoader } from '../policy/organization.loader';
import { CaseNotificationType, CaseType, Fda3911NotificationKind } from './case.types';
import { PartnerNotificationService } from './partner-notification.service';
import { RegulatorFormService } from './regulator-form.service';

/** A case's regulator notifications and partner notifications: read by whoever sees the case (its parties, regulators). */
@Resolver(() => CaseType)
export class CaseRegulatorResolver {
  constructor(
    private readonly forms: RegulatorFormService,
    private readonly partners: PartnerNotificationService,
  ) {}

  @ResolveField(() => GraphQLJSON, {
    nullable: true,
    description: 'Form FDA 3911 (illegitimate product notification), prefilled from the case; null unless resolved as illegitimate',
  })
  fda3911(
    @Parent() c: CaseType,
    @Args('type', {
      type: () => Fda3911NotificationKind,
      nullable: true,
      description: 'Default: INITIAL, FOLLOW_UP once a filing is recorded',
    })
    type: Fda3911NotificationKind | null,
  ): Promise<unknown> {
    return this.forms.fda3911Of(c, type ?? undefined);
  }

  @ResolveField(() => GraphQLJSON, {
    nullable: true,
    description: 'The EU national competent authority notification; null unless resolved as illegitimate',
  })
  euNcaNotification(@Parent() c: CaseType): Promise<unknown> {
    return this.forms.euNotificationOf(c);
  }

  @ResolveField(() => [CaseNotificationType], {
    description: 'Trading partners that handled the packs, told of an illegitimate determination',
  })
  notifications(@Parent() c: CaseType): Promise<CaseNotificationType[]> {
    return this.partners.list(c);
  }
}

@Resolver(() => CaseNotificationType)
export class CaseNotificationResolver {
  constructor(private readonly organizations: OrganizationLoader) {}

  @ResolveField(() => OrganizationType, { nullable: true })
  organization(@Parent() n: CaseNotificationType, @Context('req') req: object): Promise<OrganizationType | null> {
    return this.organizations.type(req, n.organizationId);
  }
}
