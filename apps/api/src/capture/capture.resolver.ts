import type { Organization } from '@pharmatrace/domain';
import { Args, Mutation, Resolver } from '@nestjs/graphql';

import GraphQLJSON from 'graphql-type-json';
import { CurrentOrganization } from '../common/auth.decorators';
import { CaptureService } from './capture.service';
import { CaptureResult } from './capture.types';

@Resolver()
export class CaptureResolver {
  constructor(private readonly service: CaptureService) {}

  @Mutation(() => CaptureResult, {
    description: 'Captures an EPCIS 2.0 JSON-LD document, all or nothing; re-capturing an event is a no-op.',
  })
  captureEpcisDocument(
    @CurrentOrganization() org: Organization,
    @Args('document', { type: () => GraphQLJSON }) document: unknown,
    @Args('signature', {
      type: () => String,
      nullable: true,
      description: "EIP-712 signature of the document's event hashes by the organization's registered address (README: Signed events)",
    })
    signature?: string,
  ) {
    return this.service.capture(org, document, signature ?? undefined);
  }
}
