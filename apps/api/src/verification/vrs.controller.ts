import { Controller, Get, Headers, Param, Query } from '@nestjs/common';
import { Public } from '../common/auth.decorators';
import { VrsResponse, VrsService } from './vrs.service';

/** DSCSA saleable-return verification, as the Verification Router Service calls a responder. */
@Public()
@Controller('verify')
export class VrsController {
  constructor(private readonly service: VrsService) {}

  @Get('gtin/:gtin/lot/:lot/ser/:serial')
  verify(
    @Param() p: { gtin: string; lot: string; serial: string },
    @Query() q: { exp?: string; linkType?: string; context?: string; reqGLN?: string; corrUUID?: string },
    @Headers('authorization') authorization?: string,
  ): Promise<VrsResponse> {
    return this.service.verify({ ...p, ...q, authorization });
  }
}
