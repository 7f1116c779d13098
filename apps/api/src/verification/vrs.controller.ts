import type { Organization } from '@pharmatrace/domain';
import { Controller, Get, Param, Query } from '@nestjs/common';

import { CurrentOrganization, Roles } from '../common/auth.decorators';
import { VerificationRate } from '../rate-limits/verification-rate.decorator';
import { VrsResponse, VrsService } from './vrs.service';

/**
 * DSCSA saleable-return verification, as the Verification Router Service calls a responder. The requestor
 * authenticates with its API key (manufacturers answer, they do not ask); `reqGLN` must be its own GLN.
 */
@Roles('DISTRIBUTOR', 'DISPENSER', 'REGULATOR')
@Controller('verify')
export class VrsController {
  constructor(private readonly service: VrsService) {}

  @VerificationRate()
  @Get('gtin/:gtin/lot/:lot/ser/:serial')
  verify(
    @Param() p: { gtin: string; lot: string; serial: string },
    @Query() q: { exp?: string; linkType?: string; context?: string; reqGLN?: string; corrUUID?: string },
    @CurrentOrganization() requestor: Organization,
  ): Promise<VrsResponse> {
    return this.service.verify({ ...p, ...q }, requestor);
  }
}
