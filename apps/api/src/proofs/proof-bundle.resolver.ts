import type { Organization } from '@pharmatrace/domain';
import { Args, Query, Resolver } from '@nestjs/graphql';

import GraphQLJSON from 'graphql-type-json';
import type { ProofBundle } from 'pharmatrace-verify';
import { CurrentOrganization } from '../common/auth.decorators';
import { ProofBundleService } from './proof-bundle.service';

@Resolver()
export class ProofBundleResolver {
  constructor(private readonly service: ProofBundleService) {}

  @Query(() => GraphQLJSON, {
    description:
      'Proof bundle v1 of a pack, case or pallet: its events, CBV 2.0 hashes, Merkle proofs and anchors, for `pharmatrace-verify`; the events the read policy lets the caller see, as provenance.',
  })
  proofBundle(
    @Args('epc', { description: 'EPC URN or GS1 Digital Link URI' }) epc: string,
    @CurrentOrganization() org: Organization,
  ): Promise<ProofBundle> {
    return this.service.bundle(epc, org);
  }
}
