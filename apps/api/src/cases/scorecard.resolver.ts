import type { Organization } from '@pharmatrace/domain';
import { Args, Query, Resolver } from '@nestjs/graphql';
import { CurrentOrganization, Roles } from '../common/auth.decorators';
import { ScorecardService } from './scorecard.service';
import { SupplierScorecardType } from './scorecard.types';

@Resolver(() => SupplierScorecardType)
export class ScorecardResolver {
  constructor(private readonly service: ScorecardService) {}

  @Roles('DISTRIBUTOR', 'DISPENSER', 'REGULATOR')
  @Query(() => SupplierScorecardType, {
    description: "A supplier's scorecard over the caller's receipts from it (a regulator's: over every receiver's)",
  })
  supplierScorecard(@CurrentOrganization() org: Organization, @Args('supplier', { description: 'Its id or GLN' }) supplier: string) {
    return this.service.scorecard(org, supplier);
  }
}
