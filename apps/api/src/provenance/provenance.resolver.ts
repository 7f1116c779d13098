import { Args, Query, Resolver } from '@nestjs/graphql';
import { ProvenanceService } from './provenance.service';
import { ProvenanceType } from './provenance.types';

@Resolver()
export class ProvenanceResolver {
  constructor(private readonly service: ProvenanceService) {}

  @Query(() => ProvenanceType, { description: 'A pack, case or pallet and every event of its history, with Merkle proofs.' })
  provenance(@Args('epc', { description: 'EPC URN or GS1 Digital Link URI' }) epc: string): Promise<ProvenanceType> {
    return this.service.provenance(epc);
  }
}
