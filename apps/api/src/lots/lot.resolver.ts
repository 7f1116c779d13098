import type { Organization } from '@pharmatrace/domain';
import { Args, Context, Int, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';

import { CurrentOrganization } from '../common/auth.decorators';
import { OrganizationType } from '../organizations/organization.types';
import { OrganizationLoader } from '../policy/organization.loader';
import { LotService } from './lot.service';
import { CustodianCountType, LotPackConnectionType, LotPackType, LotType, StatusCountType } from './lot.types';

@Resolver(() => LotType)
export class LotResolver {
  constructor(private readonly service: LotService) {}

  @Query(() => LotType, {
    description: 'A lot: recall status, pack counts by status and by custodian (in SQL), and its packs as a connection',
  })
  lot(@CurrentOrganization() org: Organization, @Args('gtin') gtin: string, @Args('lot') lot: string): Promise<LotType> {
    return this.service.lot(org, gtin, lot);
  }

  @ResolveField(() => [StatusCountType])
  countsByStatus(@Parent() lot: LotType): Promise<StatusCountType[]> {
    return this.service.countsByStatus(lot);
  }

  @ResolveField(() => [CustodianCountType])
  countsByCustodian(@Parent() lot: LotType): Promise<CustodianCountType[]> {
    return this.service.countsByCustodian(lot);
  }

  @ResolveField(() => LotPackConnectionType, { description: 'Keyset-paginated in EPC order' })
  packs(
    @Parent() lot: LotType,
    @Args('first', { type: () => Int, nullable: true }) first: number | null,
    @Args('after', { type: () => String, nullable: true }) after: string | null,
    @Args('last', { type: () => Int, nullable: true }) last: number | null,
    @Args('before', { type: () => String, nullable: true }) before: string | null,
  ): Promise<LotPackConnectionType> {
    return this.service.packs(lot, { first, after, last, before });
  }
}

@Resolver(() => CustodianCountType)
export class CustodianCountResolver {
  constructor(private readonly organizations: OrganizationLoader) {}

  @ResolveField(() => OrganizationType, {
    nullable: true,
    description: 'Null for packs nobody holds (in transit to an unregistered party)',
  })
  organization(@Parent() count: CustodianCountType, @Context('req') req: object): Promise<OrganizationType | null> {
    return this.organizations.type(req, count.custodianId);
  }
}

@Resolver(() => LotPackType)
export class LotPackResolver {
  constructor(private readonly organizations: OrganizationLoader) {}

  @ResolveField(() => OrganizationType, { nullable: true })
  custodian(@Parent() pack: LotPackType, @Context('req') req: object): Promise<OrganizationType | null> {
    return this.organizations.type(req, pack.custodianId);
  }
}
