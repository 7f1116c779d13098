import type { Organization } from '@pharmatrace/domain';
import { Controller, Get, Param, Query } from '@nestjs/common';

import type { ProofBundle } from 'pharmatrace-verify';
import { CurrentOrganization } from '../common/auth.decorators';
import { ProofBundleService } from './proof-bundle.service';

/** `GET /proofs/<URL-encoded EPC URN or Digital Link>` or `GET /proofs?epc=…`: the bundle as a JSON file to keep. */
@Controller('proofs')
export class ProofBundleController {
  constructor(private readonly service: ProofBundleService) {}

  @Get()
  byQuery(@Query('epc') epc: string | undefined, @CurrentOrganization() org: Organization): Promise<ProofBundle> {
    return this.service.bundle(epc ?? '', org);
  }

  @Get(':epc')
  byPath(@Param('epc') epc: string, @CurrentOrganization() org: Organization): Promise<ProofBundle> {
    return this.service.bundle(epc, org);
  }
}
