import type { Organization } from '@pharmatrace/domain';
import { Args, Query, Resolver } from '@nestjs/graphql';

import { CurrentOrganization } from '../common/auth.decorators';
import { VerificationRate } from '../rate-limits/verification-rate.decorator';
import { VerificationService } from './verification.service';
import { VerdictType } from './verification.types';

@Resolver()
export class VerifyResolver {
  constructor(private readonly service: VerificationService) {}

  @VerificationRate()
  @Query(() => VerdictType, { description: 'The verdict on a pack from its DataMatrix scan data, GS1 Digital Link URI or SGTIN EPC URN.' })
  verify(@Args('code') code: string, @CurrentOrganization() org: Organization): Promise<VerdictType> {
    return this.service.verify(code, org);
  }
}
