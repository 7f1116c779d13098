import type { Organization } from '@pharmatrace/domain';
import { Args, Mutation, Resolver } from '@nestjs/graphql';

import { CurrentOrganization, Roles } from '../common/auth.decorators';
import { FlowService } from './flow.service';
import { CommissionInput, DecommissionInput, FlowResult, PackInput, ReceiveInput, ShipInput, UnpackInput } from './flow.types';

@Resolver()
export class FlowResolver {
  constructor(private readonly flow: FlowService) {}

  @Mutation(() => FlowResult, { description: 'Commissions serialized packs of a GTIN (ObjectEvent ADD, commissioning)' })
  @Roles('MANUFACTURER')
  commission(@CurrentOrganization() org: Organization, @Args('input') input: CommissionInput) {
    return this.flow.commission(org, input);
  }

  @Mutation(() => FlowResult, { description: 'Packs children into an SSCC (AggregationEvent ADD, packing)' })
  pack(@CurrentOrganization() org: Organization, @Args('input') input: PackInput) {
    return this.flow.pack(org, input);
  }

  @Mutation(() => FlowResult, { description: 'Unpacks an SSCC (AggregationEvent DELETE, unpacking)' })
  unpack(@CurrentOrganization() org: Organization, @Args('input') input: UnpackInput) {
    return this.flow.unpack(org, input);
  }

  @Mutation(() => FlowResult, { description: 'Ships to another organization (ObjectEvent OBSERVE, shipping)' })
  ship(@CurrentOrganization() org: Organization, @Args('input') input: ShipInput) {
    return this.flow.ship(org, input);
  }

  @Mutation(() => FlowResult, { description: 'Receives a shipment (ObjectEvent OBSERVE, receiving)' })
  receive(@CurrentOrganization() org: Organization, @Args('input') input: ReceiveInput) {
    return this.flow.receive(org, input);
  }

  // `dispense` and `destroy` are the dispensing module's verify-and-record mutations; these write the bare events.

  @Mutation(() => FlowResult, { description: 'Takes items out of the supply chain (ObjectEvent DELETE, decommissioning)' })
  decommission(@CurrentOrganization() org: Organization, @Args('input') input: DecommissionInput) {
    return this.flow.decommission(org, input);
  }
}
