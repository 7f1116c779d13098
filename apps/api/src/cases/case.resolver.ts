import type { Organization } from '@pharmatrace/domain';
import { Args, Context, ID, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { CurrentOrganization, Roles } from '../common/auth.decorators';
import { OrganizationType } from '../organizations/organization.types';
import { OrganizationLoader } from '../policy/organization.loader';
import { CaseService } from './case.service';
import {
  CaseActionInput,
  CaseConnectionType,
  CaseCountsType,
  CaseEntryType,
  CaseFilter,
  CaseItemType,
  CaseQuantityType,
  CaseType,
  OpenCaseInput,
} from './case.types';

/**
 * Exception cases: both trading partners and every regulator see and answer a case, the manufacturer of its product
 * reads it; nobody else learns it exists (libs/domain caseRole and caseAccess).
 */
@Resolver(() => CaseType)
export class CaseResolver {
  constructor(
    private readonly service: CaseService,
    private readonly organizations: OrganizationLoader,
  ) {}

  @Roles('MANUFACTURER', 'DISTRIBUTOR', 'DISPENSER')
  @Mutation(() => CaseType, {
    description: 'Opens an exception case; its packs are quarantined until it is resolved (not as illegitimate)',
  })
  openCase(@CurrentOrganization() org: Organization, @Args('input') input: OpenCaseInput): Promise<CaseType> {
    return this.service.open(org, input, input.source ?? 'MANUAL');
  }

  @Mutation(() => CaseType, { description: 'Investigates, escalates, resolves, reopens, comments on a case, or names your owner of it' })
  caseAction(
    @CurrentOrganization() org: Organization,
    @Args('id', { type: () => ID }) id: string,
    @Args('input') input: CaseActionInput,
  ): Promise<CaseType> {
    return this.service.act(org, id, input);
  }

  @Query(() => CaseType, {
    name: 'case',
    description: 'One case the caller is a party to, or about a product it manufactures (any, for a regulator)',
  })
  caseById(@CurrentOrganization() org: Organization, @Args('id', { type: () => ID }) id: string): Promise<CaseType> {
    return this.service.get(org, id);
  }

  @Query(() => CaseConnectionType, {
    description: 'Cases newest first: a regulator sees every case, a manufacturer also those about its products, anyone else its own',
  })
  cases(
    @CurrentOrganization() org: Organization,
    @Args('filter', { type: () => CaseFilter, nullable: true }) filter: CaseFilter | null,
    @Args('first', { type: () => Int, nullable: true }) first: number | null,
    @Args('after', { type: () => String, nullable: true }) after: string | null,
    @Args('last', { type: () => Int, nullable: true }) last: number | null,
    @Args('before', { type: () => String, nullable: true }) before: string | null,
  ): Promise<CaseConnectionType> {
    return this.service.list(org, filter, { first, after, last, before });
  }

  @Query(() => CaseCountsType, { description: 'Counts of the cases `cases` would list, by state, overdue and resolution' })
  caseCounts(@CurrentOrganization() org: Organization): Promise<CaseCountsType> {
    return this.service.counts(org);
  }

  @ResolveField(() => [CaseItemType])
  packs(@Parent() c: CaseType): Promise<CaseItemType[]> {
    return this.service.items(c);
  }

  @ResolveField(() => [CaseQuantityType], { description: 'Class quantities a receipt found different from its shipment' })
  quantities(@Parent() c: CaseType): Promise<CaseQuantityType[]> {
    return this.service.quantities(c);
  }

  @ResolveField(() => [CaseEntryType], {
    description: "Every change, oldest first (to the product's manufacturer without the parties' messages, attachments and owners)",
  })
  history(@Parent() c: CaseType): Promise<CaseEntryType[]> {
    return this.service.history(c);
  }

  @ResolveField(() => OrganizationType, { nullable: true })
  reporter(@Parent() c: CaseType, @Context('req') req: object): Promise<OrganizationType | null> {
    return this.organizations.type(req, c.reporterId);
  }

  @ResolveField(() => OrganizationType, { nullable: true })
  counterparty(@Parent() c: CaseType, @Context('req') req: object): Promise<OrganizationType | null> {
    return this.organizations.type(req, c.counterpartyId);
  }
}

@Resolver(() => CaseEntryType)
export class CaseEntryResolver {
  constructor(private readonly organizations: OrganizationLoader) {}

  @ResolveField(() => OrganizationType, { nullable: true })
  actor(@Parent() e: CaseEntryType, @Context('req') req: object): Promise<OrganizationType | null> {
    return this.organizations.type(req, e.actorId);
  }
}
