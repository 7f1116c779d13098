import { Args, Mutation, Resolver } from '@nestjs/graphql';
import type { OrganizationEntity } from '@pharmatrace/persistence';
import { CurrentOrganization, Roles } from '../common/auth.decorators';
import { VerdictType } from '../verification/verification.types';
import { DispensingService, StatusAction } from './dispensing.service';

const CODE = { description: 'DataMatrix scan data, GS1 Digital Link URI or SGTIN EPC URN' };

/** Pack status changes; each answers the pack's verdict afterwards. */
@Resolver()
export class DispensingResolver {
  constructor(private readonly service: DispensingService) {}

  @Roles('DISPENSER')
  @Mutation(() => VerdictType, { description: 'Verifies and decommissions as dispensed in one step (CBV dispensing event)' })
  dispense(@CurrentOrganization() org: OrganizationEntity, @Args('code', CODE) code: string) {
    return this.service.change(org, code, StatusAction.DISPENSE);
  }

  @Roles('DISPENSER')
  @Mutation(() => VerdictType, { description: 'Undoes a dispensing: same location only, within 10 days (EU FMD)' })
  undoDispense(@CurrentOrganization() org: OrganizationEntity, @Args('code', CODE) code: string) {
    return this.service.change(org, code, StatusAction.UNDO_DISPENSE);
  }

  @Roles('MANUFACTURER', 'DISTRIBUTOR', 'DISPENSER')
  @Mutation(() => VerdictType, { description: 'Records the pack destroyed (CBV destroying)' })
  destroy(@CurrentOrganization() org: OrganizationEntity, @Args('code', CODE) code: string) {
    return this.service.change(org, code, StatusAction.DESTROY);
  }

  @Roles('MANUFACTURER', 'DISTRIBUTOR', 'DISPENSER')
  @Mutation(() => VerdictType, { description: 'Records the pack stolen (CBV decommissioning, disposition stolen)' })
  markStolen(@CurrentOrganization() org: OrganizationEntity, @Args('code', CODE) code: string) {
    return this.service.change(org, code, StatusAction.MARK_STOLEN);
  }

  @Roles('MANUFACTURER', 'DISTRIBUTOR', 'REGULATOR')
  @Mutation(() => VerdictType, { description: 'Records the pack taken as a sample (CBV sampling)' })
  markSample(@CurrentOrganization() org: OrganizationEntity, @Args('code', CODE) code: string) {
    return this.service.change(org, code, StatusAction.MARK_SAMPLE);
  }

  @Roles('MANUFACTURER', 'DISTRIBUTOR')
  @Mutation(() => VerdictType, { description: 'Records the pack exported out of the market' })
  export(@CurrentOrganization() org: OrganizationEntity, @Args('code', CODE) code: string) {
    return this.service.change(org, code, StatusAction.EXPORT);
  }

  @Roles('MANUFACTURER', 'DISTRIBUTOR', 'DISPENSER')
  @Mutation(() => VerdictType, { description: 'Locks the pack pending investigation (CBV holding, non_sellable_other)' })
  lock(@CurrentOrganization() org: OrganizationEntity, @Args('code', CODE) code: string) {
    return this.service.change(org, code, StatusAction.LOCK);
  }
}
