import { Controller, Get, Param, Query } from '@nestjs/common';
import type { ProofBundle } from 'pharmatrace-verify';
import { ProofBundleService } from './proof-bundle.service';

/** `GET /proofs/<URL-encoded EPC URN or Digital Link>` or `GET /proofs?epc=…`: the bundle as a JSON file to keep. */
@Controller('proofs')
export class ProofBundleController {
  constructor(private readonly service: ProofBundleService) {}

  @Get()
  byQuery(@Query('epc') epc: string | undefined): Promise<ProofBundle> {
    return this.service.bundle(epc ?? '');
  }

  @Get(':epc')
  byPath(@Param('epc') epc: string): Promise<ProofBundle> {
    return this.service.bundle(epc);
  }
}
