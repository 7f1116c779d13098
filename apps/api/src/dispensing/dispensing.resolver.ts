import type { Organization } from '@pharmatrace/domain';
import { Args, Mutation, Resolver } from '@nestjs/graphql';

import { CurrentOrganization } from '../common/auth.decorators';
import { VerdictType } from '../verification/verification.types';
import { StatusAction } from '@pharmatrace/domain';
import { DispensingService } from './dispensing.service';

const CODE = { description: 'DataMatrix scan data, GS1 Digital Link URI or SGTIN EPC URN' };

/**
 * Pack status changes; each answers the pack's verdict afterwards. No role gate here: who may change which pack is
 * the authority matrix's call (libs/domain/src/authority.ts), made by the capture every change goes through.
 */
@Resolver()
export class DispensingResolver {
  constructor(private readonly service: DispensingService) {}

  @Mutation(() => VerdictType, { description: 'Verifies and decommissions as dispensed in one step (CBV dispensing event)' })
  dispense(@CurrentOrganization() org: Organization, @Args('code', CODE) code: string) {
    return this.service.change(org, code, StatusAction.DISPENSE);
  }

  @Mutation(() => VerdictType, { description: 'Undoes a dispensing: same location only, within 10 days (EU FMD)' })
  undoDispense(@CurrentOrganization() org: Organization, @Args('code', CODE) code: string) {
    return this.service.change(org, code, StatusAction.UNDO_DISPENSE);
  }

  @Mutation(() => VerdictType, { description: 'Records the pack destroyed (CBV destroying)' })
  destroy(@CurrentOrganization() org: Organization, @Args('code', CODE) code: string) {
    return this.service.change(org, code, StatusAction.DESTROY);
  }

  @Mutation(() => VerdictType, { description: 'Records the pack stolen (CBV decommissioning, disposition stolen)' })
  markStolen(@CurrentOrganization() org: Organization, @Args('code', CODE) code: string) {
    return this.service.change(org, code, StatusAction.MARK_STOLEN);
  }

  @Mutation(() => VerdictType, { description: 'Records the pack taken as a sample (CBV sampling)' })
  markSample(@CurrentOrganization() org: Organization, @Args('code', CODE) code: string) {
    return this.service.change(org, code, StatusAction.MARK_SAMPLE);
  }

  @Mutation(() => VerdictType, { description: 'Records the pack exported out of the market' })
  export(@CurrentOrganization() org: Organization, @Args('code', CODE) code: string) {
    return this.service.change(org, code, StatusAction.EXPORT);
  }

  @Mutation(() => VerdictType, { description: 'Locks the pack pending investigation (CBV holding, non_sellable_other)' })
  lock(@CurrentOrganization() org: Organization, @Args('code', CODE) code: string) {
    return this.service.change(org, code, StatusAction.LOCK);
  }
}
