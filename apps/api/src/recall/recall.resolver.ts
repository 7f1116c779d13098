import type { Organization } from '@pharmatrace/domain';
import { Args, Mutation, Resolver } from '@nestjs/graphql';

import { CurrentOrganization, Roles } from '../common/auth.decorators';
import { RecallService } from './recall.service';
import { RecallResultType } from './recall.types';

@Resolver()
export class RecallResolver {
  constructor(private readonly service: RecallService) {}

  @Roles('MANUFACTURER', 'REGULATOR')
  @Mutation(() => RecallResultType, {
    description: 'Recalls a lot: every pack of it answers RECALLED at once; each current custodian is alerted',
  })
  recallLot(
    @CurrentOrganization() org: Organization,
    @Args('gtin') gtin: string,
    @Args('lot') lot: string,
    @Args('reason') reason: string,
  ) {
    return this.service.recallLot(org, gtin, lot, reason);
  }

  @Roles('MANUFACTURER', 'REGULATOR')
  @Mutation(() => Boolean, { description: 'Withdraws a product from the market: every pack of the GTIN answers WITHDRAWN' })
  withdrawProduct(@CurrentOrganization() org: Organization, @Args('gtin') gtin: string, @Args('reason') reason: string) {
    return this.service.withdrawProduct(org, gtin, reason);
  }
}
