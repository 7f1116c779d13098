import { Args, Query, Resolver } from '@nestjs/graphql';
import { VerificationService } from './verification.service';
import { VerdictType } from './verification.types';

@Resolver()
export class VerifyResolver {
  constructor(private readonly service: VerificationService) {}

  @Query(() => VerdictType, { description: 'The verdict on a pack from its DataMatrix scan data, GS1 Digital Link URI or SGTIN EPC URN.' })
  verify(@Args('code') code: string): Promise<VerdictType> {
    return this.service.verify(code);
  }
}
