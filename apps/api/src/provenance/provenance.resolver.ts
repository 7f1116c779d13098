import type { Organization } from '@pharmatrace/domain';
import { Args, Context, Int, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';

import { CurrentOrganization } from '../common/auth.decorators';
import { OrganizationType } from '../organizations/organization.types';
import { OrganizationLoader } from '../policy/organization.loader';
import { ProvenanceService } from './provenance.service';
import {
  AggregationSpanType,
  CustodyIntervalType,
  ProvenanceEventConnectionType,
  ProvenanceFlagType,
  ProvenanceType,
} from './provenance.types';

@Resolver(() => ProvenanceType)
export class ProvenanceResolver {
  constructor(private readonly service: ProvenanceService) {}

  @Query(() => ProvenanceType, {
    description:
      'A pack, case or pallet: its events with Merkle proofs, custody chain, aggregation history and contradictions, as the read policy allows.',
  })
  provenance(
    @Args('epc', { description: 'EPC URN or GS1 Digital Link URI' }) epc: string,
    @CurrentOrganization() org: Organization,
    @Context('req') req: object,
  ): Promise<ProvenanceType> {
    return this.service.provenance(epc, org, req);
  }

  @ResolveField(() => ProvenanceEventConnectionType, { description: 'The events as a Relay connection' })
  eventsConnection(
    @Parent() provenance: ProvenanceType,
    @Args('first', { type: () => Int, nullable: true }) first: number | null,
    @Args('after', { type: () => String, nullable: true }) after: string | null,
    @Args('last', { type: () => Int, nullable: true }) last: number | null,
    @Args('before', { type: () => String, nullable: true }) before: string | null,
  ): ProvenanceEventConnectionType {
    return this.service.page(provenance, { first, after, last, before });
  }
}

@Resolver(() => CustodyIntervalType)
export class CustodyIntervalResolver {
  constructor(private readonly organizations: OrganizationLoader) {}

  @ResolveField(() => OrganizationType, { nullable: true, description: 'Null while in transit' })
  holder(@Parent() interval: CustodyIntervalType, @Context('req') req: object): Promise<OrganizationType | null> {
    return this.organizations.type(req, interval.holderId);
  }
}

@Resolver(() => AggregationSpanType)
export class AggregationSpanResolver {
  constructor(private readonly organizations: OrganizationLoader) {}

  @ResolveField(() => OrganizationType, { nullable: true })
  packedBy(@Parent() span: AggregationSpanType, @Context('req') req: object): Promise<OrganizationType | null> {
    return this.organizations.type(req, span.packedById);
  }

  @ResolveField(() => OrganizationType, { nullable: true })
  unpackedBy(@Parent() span: AggregationSpanType, @Context('req') req: object): Promise<OrganizationType | null> {
    return this.organizations.type(req, span.unpackedById);
  }
}

@Resolver(() => ProvenanceFlagType)
export class ProvenanceFlagResolver {
  constructor(private readonly organizations: OrganizationLoader) {}

  @ResolveField(() => OrganizationType, { nullable: true, description: 'Who captured the contradicting event' })
  actor(@Parent() flag: ProvenanceFlagType, @Context('req') req: object): Promise<OrganizationType | null> {
    return this.organizations.type(req, flag.actorId);
  }
}
